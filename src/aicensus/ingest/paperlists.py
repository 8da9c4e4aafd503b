"""Load Paper Copilot files into the warehouse: fetch files (URLs in a few threads, a bounded
number ahead; local files in turn), parse them in batches in DuckDB, and write all of them in
one transaction (a bad file aborts before anything is committed). Two threads: batch k parses
in the calling thread while a second one writes batch k - 1, then reads and prepares k + 1."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from aicensus.errors import SourceError
from aicensus.ingest.batch import FilesLoadSummary, Finish, Progress
from aicensus.sources import paperlists as pl
from aicensus.sources.fetch import Fetched, is_url, read_location
from aicensus.warehouse import LocationRows, load
from aicensus.warehouse.loading import LoadResult

if TYPE_CHECKING:
    import httpx

# DuckDB memory for the warehouse while a load writes: what the open transaction has written
# need not stay cached (by default DuckDB keeps up to 80% of RAM), so a load of every file
# fits beside its parser (32 MB: about 20 MB less at the peak, but 0.5-1 CPU s more for a
# load of every file).
WRITE_MEMORY = "64MB"
# DuckDB's allocator (process-wide) keeps freed memory cached until a task has freed this much
# (default 128 MiB): the parser's and the writer's statements, in two threads, then each
# keep their own. Flushing sooner while a load runs lowers its peak by about 20 MB (measured
# with every paperlists file) at no CPU cost that the load could measure.
ALLOCATOR_FLUSH = "4MB"
_ALLOCATOR = ("allocator_flush_threshold", "allocator_bulk_deallocation_flush_threshold")


@dataclass
class PaperlistsLoadSummary(FilesLoadSummary):
    """What a paperlists load did, for the CLI and tests."""

    not_found: list[str] = field(default_factory=list)
    records: int = 0
    loaded: int = 0
    discover_notes: list[str] = field(default_factory=list)


def load_paperlists(
    con: duckdb.DuckDBPyConnection,
    location: str,
    venues: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    progress: Progress | None = None,
    workers: int = 4,
    files: list[pl.VenueYear] | None = None,
    finish: Finish | None = None,
) -> PaperlistsLoadSummary:
    """Load the selected venue-years from `location` (directory, file, or URL pattern).

    `files` replaces discovery (an online load's downloaded files); `finish` completes each
    parsed location before it is written (an online load's URL, fetch date and resume rows)."""
    files, notes = (files, []) if files is not None else pl.discover(location, venues, years)
    summary = PaperlistsLoadSummary(files=len(files), discover_notes=notes)
    pattern = "{venue}" in location
    remote = is_url(location) and not location.startswith("file:")
    with (
        _write_settings(con),
        _client(remote) as client,
        # URLs are fetched by a few threads (network waits; a killed load leaves no worker
        # behind), local files in turn by the pipeline's second thread.
        ThreadPoolExecutor(max_workers=workers) as readers,
        pl.Parser() as parser,
        load(con, pl.SOURCE, pl.PARSER_VERSION) as loader,
        # The pipeline's second thread (entered after `load`, so left before it: a failure
        # waits for its step in flight before the transaction rolls back).
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="paperlists-io") as io,
    ):

        def fetch(vy: pl.VenueYear) -> Fetched | None:
            try:
                return read_location(vy.location, client=client)
            except pl.NotFound:
                if pattern:  # a URL pattern probes venue-years that may not exist upstream
                    return None
                raise

        fetched = _ahead(readers, fetch, files, 2 * workers) if remote else map(fetch, files)
        batches = _batches(files, fetched)

        def step(box: list[list[LocationRows]]) -> tuple[_Next | None, list[_Written]]:
            """Write the parsed batch in `box` (if any) into the open transaction and drop it,
            then read the next batch and prepare it (DuckDB's JSON reader on the parser's
            second cursor): while the main thread parses. Gunzip, SHA-256 and DuckDB release
            the GIL, so both cores work; the written rows are freed before the next batch's
            JSON is read, and the parse frees each batch's JSON early (release)."""
            done = []
            if box:
                parsed = box.pop()
                batch_rows = [finish(r) for r in parsed] if finish else parsed
                del parsed
                loader.add_all(batch_rows)
                loader.flush()
                done = [_written(rows) for rows in batch_rows]
                del batch_rows
            item = next(batches, None)
            if item is None:
                return None, done
            batch, missing = item
            return (parser.prepare(batch, release=True), missing), done

        # Batch k parses here while the second thread writes batch k - 1 and reads and
        # prepares batch k + 1.
        item, _ = step([])
        pending = io.submit(step, [])
        missing_before: list[pl.VenueYear] = []
        while item is not None:
            prepared, missing = item
            del item
            parsed = parser.parse(prepared)
            del prepared
            item, done = pending.result()  # its error (e.g. a bad next file) rolls all back
            _count(summary, done, missing_before, loader.result, progress, len(files))
            pending, missing_before = io.submit(step, [parsed]), missing
            del parsed
        _, done = pending.result()
        _count(summary, done, missing_before, loader.result, progress, len(files))
        if not loader.result.written and not loader.result.unchanged:
            raise SourceError(f"{location}: none of the selected venue-years could be found")
    summary.took(loader.result)
    return summary


@contextlib.contextmanager
def _client(remote: bool) -> Iterator[httpx.Client | None]:
    """One HTTP client for a load from URLs; none for local files (httpx, with the rich, click
    and pygments it imports, costs 0.3 CPU s to import)."""
    if not remote:
        yield None
        return
    import httpx

    with httpx.Client(timeout=60.0, follow_redirects=True) as client:
        yield client


@contextlib.contextmanager
def _write_settings(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The DuckDB settings while a load writes (restored after): the warehouse's memory down
    to WRITE_MEMORY (if higher) and one thread (the writes overlap the parser's thread; more
    DuckDB threads here only add synchronization, measured: 20% more CPU for the whole load);
    the allocator's flush thresholds (global) down to ALLOCATOR_FLUSH."""
    names = ("memory_limit", "threads", *_ALLOCATOR)
    before = dict(
        zip(
            names,
            con.execute("SELECT " + ", ".join(f"current_setting('{n}')" for n in names)).fetchall()[
                0
            ],
            strict=True,
        )
    )
    lower = _bytes(before["memory_limit"]) > _bytes(WRITE_MEMORY)
    if lower:
        con.execute(f"SET memory_limit = '{WRITE_MEMORY}'")
    con.execute("SET threads = 1")
    for name in _ALLOCATOR:
        con.execute(f"SET GLOBAL {name} = '{ALLOCATOR_FLUSH}'")
    try:
        yield
    finally:
        for name in _ALLOCATOR:
            con.execute(f"SET GLOBAL {name} = '{before[name]}'")
        con.execute(f"SET threads = {int(before['threads'])}")
        if lower:
            con.execute(f"SET memory_limit = '{before['memory_limit']}'")


_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def _bytes(size: str) -> float:
    """'18.8 GiB' / '128MB' (DuckDB's memory sizes) in bytes."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([A-Za-z]*)\s*", size)
    if not m or m.group(2).upper() not in _UNITS:
        return float("inf")  # unknown form (e.g. no limit): treat as unlimited
    return float(m.group(1)) * _UNITS[m.group(2).upper()]


@dataclass(frozen=True)
class _Written:
    """What the summary keeps of a written location (its rows are freed)."""

    key: str
    loaded: int
    quarantined: int
    notes: dict[str, int]


def _written(rows: LocationRows) -> _Written:
    return _Written(rows.key, rows.rows_loaded, rows.rows_quarantined, rows.notes)


def _count(
    summary: PaperlistsLoadSummary,
    done: list[_Written],
    missing: list[pl.VenueYear],
    result: LoadResult,
    progress: Progress | None,
    total: int,
) -> None:
    """Count a written batch and the files not found before it; report progress."""
    summary.not_found.extend(vy.key for vy in missing)
    for w in done:
        summary.records += w.notes.get("records", 0)
        summary.loaded += w.loaded
        summary.quarantined += w.quarantined
        summary.notes.update({k: v for k, v in w.notes.items() if k != "records"})
    if progress and (done or missing):
        finished = len(summary.not_found) + len(result.written) + len(result.unchanged)
        progress((done[-1].key if done else missing[-1].key), finished, total)


def _ahead(
    pool: ThreadPoolExecutor,
    fn: Callable[[pl.VenueYear], Fetched | None],
    items: list[pl.VenueYear],
    ahead: int,
) -> Iterator[Fetched | None]:
    """`fn` over `items` in order, at most `ahead` running or waiting (bounded memory)."""
    pending: list[Future] = []
    it = iter(items)
    for vy in it:
        pending.append(pool.submit(fn, vy))
        if len(pending) >= ahead:
            break
    while pending:
        box = [pending.pop(0).result()]  # held by nothing while suspended (see _batches)
        nxt = next(it, None)
        if nxt is not None:
            pending.append(pool.submit(fn, nxt))
        yield box.pop()


_Batch = tuple[list[tuple[pl.VenueYear, Fetched]], list[pl.VenueYear]]
_Next = tuple[pl.Prepared | None, list[pl.VenueYear]]  # a prepared batch, files not found before


def _batches(files: list[pl.VenueYear], fetched: Iterator[Fetched | None]) -> Iterator[_Batch]:
    """Parse batches (pl.batched) of the fetched files, each with the files not found before
    its end (a URL pattern probes venue-years that may not exist)."""
    missing: list[pl.VenueYear] = []

    def found() -> Iterator[tuple[pl.VenueYear, Fetched]]:
        # While suspended, hold no file: a parse that takes its batch frees the JSON (a zip
        # would keep the last pair in the tuple it reuses).
        for vy in files:
            f = next(fetched)
            if f is None:
                missing.append(vy)
                continue
            box = [(vy, f)]
            del f
            yield box.pop()

    for batch in pl.batched(found()):
        yield batch, missing[:]
        missing.clear()
    if missing:
        yield [], missing
