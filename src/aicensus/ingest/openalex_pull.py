"""Pull OpenAlex works from the API into the warehouse, resumably.

A pull is one set of cursor streams (one per filter expression; a year range is split into one
stream per year, all counted by one group_by request). Fetch threads page through the streams
concurrently (within the rate limit), worker processes normalize the pages, and the calling
thread commits up to 32 pages per warehouse transaction, each page with its `resume_points`
row, always a prefix of every stream. After a crash, SIGKILL or Ctrl-C, the same command reads
the newest committed cursor of every stream and goes on from there: no page is stored twice
and none is skipped, and the warehouse ends as an uninterrupted pull leaves it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import orjson
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.sources.openalex import api
from aicensus.sources.openalex import normalize as nz
from aicensus.warehouse import LocationRows, load, resume

FETCH = "openalex-api"  # this pull's rows in warehouse.resume

Progress = Callable[["PullState"], None]


@dataclass
class StreamState:
    """Where one cursor stream stands."""

    expression: str
    stream: str
    page_no: int = 0  # pages committed
    cursor: str | None = "*"  # next cursor to ask for; None = complete
    total: int | None = None  # meta.count


@dataclass
class PullState:
    """Progress of a pull: streams, counts, estimate."""

    pull_id: str
    streams: list[StreamState]
    records: int = 0
    pages: int = 0
    estimated_records: int = 0
    estimated_requests: int = 0
    requests: int = 0
    retries: int = 0
    stopped: str | None = None  # why the pull stopped early
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def complete(self) -> bool:
        return all(s.cursor is None for s in self.streams)


def pull_id_for(expressions: list[str], select: tuple[str, ...], tag: str = "") -> str:
    blob = "\n".join([*expressions, ",".join(select), tag])
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _resume(con: duckdb.DuckDBPyConnection, pull_id: str, streams: list[StreamState]) -> None:
    done = resume.last_points(con, FETCH, pull_id)
    for s in streams:
        if s.stream in done:
            p = done[s.stream]
            s.page_no, s.cursor, s.total = p.page_no, p.next, p.total


def plan(
    con: duckdb.DuckDBPyConnection,
    client: api.Client,
    flt: api.WorkFilter,
    select: tuple[str, ...] = api.WORK_SELECT,
    tag: str = "",
) -> PullState:
    """Streams of the pull, resumed from the warehouse, with the estimate from meta.count."""
    exprs = flt.expressions()
    pid = pull_id_for(exprs, select, tag)
    streams = [StreamState(e, api.stream_id(e)) for e in exprs]
    _resume(con, pid, streams)
    state = PullState(pid, streams)
    todo = [s for s in streams if s.cursor is not None]

    _count_streams(client, [s for s in todo if s.total is None])
    per = client.cfg.per_page
    for s in streams:
        state.estimated_records += s.total or 0
        if s.cursor is not None:
            left = max(0, (s.total or 0) - s.page_no * per)
            state.estimated_requests += api.pages_needed(left, per)
        else:
            state.records += min(s.total or 0, s.page_no * per)
    state.records = resume.committed_records(con, FETCH, pid)
    state.pages = sum(s.page_no for s in streams)
    return state


def _year_split(expression: str) -> tuple[int, str] | None:
    """'publication_year:2020,type:article' -> (2020, 'type:article'); None if not a year stream."""
    head, _, rest = expression.partition(",")
    key, _, value = head.partition(":")
    return (int(value), rest) if key == "publication_year" and value.isdigit() else None


def _count_streams(client: api.Client, streams: list[StreamState]) -> None:
    """Set meta.count of each stream. Streams that differ only in their year are counted by one
    `group_by=publication_year` request over their year range (a count per year) instead of one
    request each: fewer requests, and the pull starts sooner."""
    groups: dict[str, list[tuple[int, StreamState]]] = {}
    singles: list[StreamState] = []
    for s in streams:
        split = _year_split(s.expression)
        if split is None:
            singles.append(s)
        else:
            groups.setdefault(split[1], []).append((split[0], s))
    for members in [m for m in groups.values() if len(m) == 1]:
        singles.append(members[0][1])
    multi = [(rest, m) for rest, m in groups.items() if len(m) > 1]

    def by_year(item: tuple[str, list[tuple[int, StreamState]]]) -> None:
        rest, members = item
        years = [y for y, _ in members]
        expr = f"publication_year:{min(years)}-{max(years)}" + (f",{rest}" if rest else "")
        r = client.get("works", {"filter": expr, "group_by": "publication_year", "per_page": 200})
        found = {str(g.get("key")): int(g.get("count") or 0) for g in r.doc.get("group_by") or []}
        for y, s in members:
            s.total = found.get(str(y), 0)

    def single(s: StreamState) -> None:
        s.total = api.count(client, s.expression)

    with ThreadPoolExecutor(max_workers=max(1, client.cfg.concurrency)) as pool:
        jobs = [pool.submit(by_year, g) for g in multi] + [pool.submit(single, s) for s in singles]
        for j in jobs:
            j.result()


Normalized = tuple[dict[str, pa.Table], dict[str, int], str]  # tables, notes, content hash


def normalize_page(body: bytes, location: str) -> Normalized:
    """A `/works` page body's warehouse tables, notes and content hash (runs in a worker
    process: only bytes and Arrow tables cross the process boundary)."""
    results = orjson.loads(body).get("results") or []
    norm = nz.normalize_works(results, location)
    return norm.tables(), norm.summary_notes(), hashlib.sha256(body).hexdigest()


def page_rows(
    state: PullState,
    s: StreamState,
    page_no: int,
    cursor: str,
    r,
    normalized: Normalized | None = None,
) -> LocationRows:
    """One page's warehouse rows, including its resume row (warehouse.resume) (the resume point).
    `normalized`: what normalize_page made of the page in a worker process."""
    results = r.doc.get("results") or []
    meta = r.doc.get("meta") or {}
    nxt = meta.get("next_cursor") if results else None
    if normalized is None:
        norm = nz.normalize_works(results, r.url)
        normalized = norm.tables(), norm.summary_notes(), hashlib.sha256(r.body).hexdigest()
    tables, notes, content_hash = normalized
    tables = dict(tables)
    tables[resume.TABLE] = resume.row(
        FETCH, state.pull_id, page_no, cursor, nxt, len(results), s.stream, meta.get("count")
    )
    return LocationRows(
        key=f"api/{state.pull_id}/{s.stream}/{page_no:06d}",
        location=r.url,
        content_hash=content_hash,
        retrieved_at=datetime.now(UTC),
        tables=tables,
        notes=notes,
    )


def default_workers() -> int:
    """Normalizer processes: one per core (up to 4); 0 (a thread) on a single core."""
    n = os.cpu_count() or 1
    return 0 if n < 2 else min(n, 4)


def _worker_init(parent: int) -> None:
    gc.set_threshold(50_000, 50, 100)  # see _fewer_gc_passes
    if sys.platform == "linux":  # die with the pull: a SIGKILLed parent must not leave workers
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before prctl
            os._exit(1)


def _start_workers(n: int) -> ProcessPoolExecutor:
    """n normalizer processes, started now. On Linux they are forked before the pull starts its
    threads (instant: modules are loaded; a spawned worker re-imports pyarrow, numpy and, via
    pyarrow, pandas, seconds each); the children run only normalize_page. Elsewhere: spawn."""
    method = "fork" if sys.platform == "linux" else "spawn"
    ctx = multiprocessing.get_context(method)
    procs = ProcessPoolExecutor(
        n, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
    )
    procs.submit(gc.collect).result()  # with fork, the first submit starts every worker
    return procs


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
BATCH_PAGES = 32  # pages committed together at most...
BATCH_SECONDS = 0.5  # ...and how long a fetched page may wait for its commit


def _commit(
    con: duckdb.DuckDBPyConnection,
    state: PullState,
    pending: list[tuple[StreamState, int, LocationRows]],
) -> None:
    """One transaction: the pages' rows and their resume rows; then advance the streams."""
    with load(con, nz.SOURCE, nz.PARSER_VERSION) as loader:
        loader.add_all([lr for _s, _no, lr in pending])
    for s, page_no, lr in pending:
        s.page_no = page_no
        s.cursor = lr.tables[resume.TABLE]["next"][0].as_py()
    state.pages += len(pending)
    state.records += sum(lr.notes.get("records", 0) for _s, _no, lr in pending)


@contextlib.contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """Collect garbage less often during a pull: every page adds ~10^5 long-lived objects
    (parsed JSON, row lists), and the default thresholds rescan them again and again (a third
    of the normalizing time). Pages hold no reference cycles; collection resumes afterwards."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 50_000), max(old[1], 50), max(old[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*old)


def run(
    con: duckdb.DuckDBPyConnection,
    client: api.Client,
    state: PullState,
    select: tuple[str, ...] = api.WORK_SELECT,
    progress: Progress | None = None,
    workers: int | None = None,
) -> PullState:
    """Fetch every stream to its end, committing pages as they arrive.

    Three stages run at once: fetch threads (one cursor stream each, `concurrency` at a time,
    all under the client's rate limit) hand raw pages to a normalizer, which hands warehouse
    rows to the calling thread; that commits up to BATCH_PAGES pages in one transaction (page
    rows plus each page's `resume_points` row). Pages of a stream travel in order through FIFO
    queues, so every commit extends each stream by a prefix: resuming from the newest committed
    cursor gives the same warehouse as an uninterrupted pull. The normalizer hands pages to
    `workers` processes (default: one per core; 0: a thread), as normalizing is Python work
    that would otherwise compete with fetching and writing for one interpreter lock.
    """
    todo = [s for s in state.streams if s.cursor is not None]
    if not todo:
        return state
    raw: queue.Queue = queue.Queue(maxsize=64)
    ready: queue.Queue = queue.Queue(maxsize=64)
    halt = threading.Event()
    sel = ",".join(select)

    def put(q: queue.Queue, item: tuple) -> None:
        while True:  # never block forever on a full queue once the committer has stopped
            try:
                q.put(item, timeout=0.2)
                return
            except queue.Full:
                if halt.is_set():
                    return

    def fetcher(s: StreamState) -> None:
        cursor, page_no = s.cursor, s.page_no
        try:
            while cursor is not None and not halt.is_set():
                params = {
                    "filter": s.expression,
                    "select": sel,
                    "per_page": client.cfg.per_page,
                    "cursor": cursor,
                }
                r = client.get("works", params)
                page_no += 1
                results = r.doc.get("results") or []
                nxt = r.doc.get("meta", {}).get("next_cursor") if results else None
                put(raw, ("page", s, page_no, cursor, r))
                cursor = nxt
        except BaseException as exc:
            put(raw, ("error", s, exc))
        finally:
            put(raw, ("done", s))

    def normalizer() -> None:
        """Pages -> rows in FIFO order (in worker processes when there are any: the writer
        then waits for each page's future in turn, while later pages are being normalized)."""
        left = len(todo)
        while left and not halt.is_set():
            try:
                item = raw.get(timeout=0.2)
            except queue.Empty:
                continue
            if item[0] == "page":
                _, s, page_no, cursor, r = item
                try:
                    if procs is not None:
                        fut = procs.submit(normalize_page, r.body, r.url)
                        item = ("future", s, page_no, cursor, r, fut)
                    else:
                        item = ("rows", s, page_no, page_rows(state, s, page_no, cursor, r))
                except BaseException as exc:
                    item = ("error", s, exc)
            elif item[0] == "done":
                left -= 1
            put(ready, item)

    if workers is None:
        workers = default_workers()
    procs = _start_workers(workers) if workers > 0 else None
    pool = ThreadPoolExecutor(max_workers=max(1, client.cfg.concurrency))
    norm = threading.Thread(target=normalizer, name="openalex-normalize", daemon=True)
    error: BaseException | None = None
    with _fewer_gc_passes():
        for s in todo:
            pool.submit(fetcher, s)
        norm.start()
        running = len(todo)
        pending: list[tuple[StreamState, int, LocationRows]] = []
        first_at = 0.0  # when the oldest pending page became ready
        try:
            while pending or (running and not (halt.is_set() and ready.empty())):
                wait = 0.2 if not pending else first_at + BATCH_SECONDS - time.monotonic()
                try:
                    item = ready.get(timeout=max(0.0, wait)) if wait > 0 else ready.get_nowait()
                except queue.Empty:
                    item = None
                    if not pending and not norm.is_alive():  # (it stops early only on halt)
                        break
                if item is not None:
                    if item[0] == "done":
                        running -= 1
                    elif item[0] == "future":
                        _, s, page_no, cursor, r, fut = item
                        try:
                            lr = page_rows(state, s, page_no, cursor, r, fut.result())
                        except Exception as exc:  # a worker failed: stop, keep what is committed
                            item = ("error", s, exc)
                        else:
                            item = ("rows", s, page_no, lr)
                    if item[0] == "error":
                        if error is None or isinstance(error, api.AllowanceExhausted):
                            error = item[2]
                        halt.set()
                    elif item[0] == "rows":
                        if not pending:
                            first_at = time.monotonic()
                        pending.append(item[1:])  # gathered: a transaction has a fixed cost
                if pending and (
                    len(pending) >= BATCH_PAGES
                    or time.monotonic() >= first_at + BATCH_SECONDS
                    or not running
                    or halt.is_set()
                ):
                    _commit(con, state, pending)
                    pending = []
                state.requests, state.retries = client.requests, client.retries
                if progress:
                    progress(state)
        except BaseException:
            halt.set()
            client.stop.set()
            raise
        finally:
            halt.set()
            pool.shutdown(wait=True, cancel_futures=True)
            norm.join()
            if procs is not None:
                procs.shutdown(wait=True, cancel_futures=True)
    if isinstance(error, api.AllowanceExhausted):
        state.stopped = str(error)
    elif error is not None:
        if isinstance(error, SourceError):
            raise error
        raise SourceError(f"OpenAlex pull {state.pull_id} failed: {error}") from None
    return state


# ------------------------------------------------------------------ group_by and institutions

_GROUP_SCHEMA = pa.schema(
    [
        ("entity", pa.string()),
        ("filter", pa.string()),
        ("group_by", pa.string()),
        ("key", pa.string()),
        ("key_raw", pa.string()),
        ("key_display_name", pa.string()),
        ("count", pa.int64()),
        ("meta_count", pa.int64()),
        ("groups_count", pa.int32()),
        ("definition", pa.string()),
        ("year", pa.int32()),
    ]
)


def group_by_rows(
    docs: list[dict],
    expression: str,
    group_by: str,
    location: str,
    body_hash: str,
    definition: str | None = None,
    year: int | None = None,
) -> LocationRows:
    """group_by responses (all cursor pages of one request) into `group_by_counts` rows
    (`definition`/`year`: the AI definition and publication year the filter expresses)."""
    cols: dict[str, list] = {f.name: [] for f in _GROUP_SCHEMA}
    meta: dict = {}
    for doc in docs:
        meta = doc.get("meta") or meta
        for g in doc.get("group_by") or []:
            raw = g.get("key")
            cols["entity"].append("works")
            cols["filter"].append(expression or None)
            cols["group_by"].append(group_by)
            cols["key"].append(nz.short_id(raw) if raw else None)
            cols["key_raw"].append(raw)
            cols["key_display_name"].append(g.get("key_display_name"))
            cols["count"].append(int(g.get("count") or 0))
            cols["meta_count"].append(meta.get("count"))
            cols["groups_count"].append(meta.get("groups_count"))
            cols["definition"].append(definition)
            cols["year"].append(year)
    digest = hashlib.sha256((expression + "|" + group_by).encode()).hexdigest()[:12]
    key = f"group_by/{digest}" if definition is None else f"counts/{definition}/{year}/{digest}"
    return LocationRows(
        key=key,
        location=location,
        content_hash=body_hash,
        retrieved_at=datetime.now(UTC),
        tables={"group_by_counts": pa.table(cols, schema=_GROUP_SCHEMA)},
        notes={"groups": len(cols["key"])},
    )


def fetch_group_by(
    con: duckdb.DuckDBPyConnection,
    client: api.Client,
    expression: str,
    group_by: str,
    definition: str | None = None,
    year: int | None = None,
) -> LocationRows:
    """`/works?filter=..&group_by=..` (all cursor pages), stored in group_by_counts."""
    docs: list[dict] = []
    cursor: str | None = "*"
    h, first_url = hashlib.sha256(), ""  # first_url: the first page's, once read
    while cursor:
        r = client.get(
            "works",
            {"filter": expression, "group_by": group_by, "per_page": 200, "cursor": cursor},
        )
        first_url = first_url or r.url
        docs.append(r.doc)
        h.update(r.body)
        groups = r.doc.get("group_by") or []
        cursor = r.doc.get("meta", {}).get("next_cursor") if groups else None
    rows = group_by_rows(docs, expression, group_by, first_url, h.hexdigest(), definition, year)
    with load(con, nz.SOURCE, nz.PARSER_VERSION) as loader:
        loader.add(rows)
    return rows


def missing_institutions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Institution ids works point to that no institution entity load has described."""
    rows = con.execute(
        """
        SELECT DISTINCT a.institution_id FROM affiliations a
        JOIN works w ON w.work_id = a.work_id AND w.load_id = a.load_id
        WHERE w.source = 'openalex' AND a.institution_id IS NOT NULL
          AND a.institution_id NOT IN (SELECT institution_id FROM institutions WHERE n_rows = 0)
        ORDER BY 1
        """
    ).fetchall()
    return [r[0] for r in rows]


def fetch_institutions(
    con: duckdb.DuckDBPyConnection, client: api.Client, ids: list[str], chunk: int = 50
) -> int:
    """`/institutions?filter=openalex:I1|I2..` for `ids`, one location per chunk."""
    total = 0
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        r = client.get("institutions", {"filter": "openalex:" + "|".join(part), "per_page": 200})
        norm = nz.InstitutionNormalizer(r.url)
        for no, rec in enumerate(r.doc.get("results") or [], 1):
            norm.records += 1
            norm.add(rec, no)
        key = "api/institutions/" + hashlib.sha256("|".join(part).encode()).hexdigest()[:12]
        rows = LocationRows(
            key=key,
            location=r.url,
            content_hash=hashlib.sha256(r.body).hexdigest(),
            retrieved_at=datetime.now(UTC),
            tables=norm.tables(),
            notes=norm.summary_notes(),
        )
        with load(con, nz.SOURCE, nz.PARSER_VERSION) as loader:
            loader.add(rows)
        total += len(norm.seen)
    return total
