"""Live pull of Hub model listings through huggingface_hub (HfApi.list_models), stored page by
page as a dated snapshot, resumable after a crash or Ctrl-C.

Each page is one warehouse location (`<pull_id>/page-NNNNNN`) written in one transaction with
its resume row (warehouse.resume) holding the URL of the next page (from the Hub's `Link`
header). A re-run
with the same endpoint and filters finds the unfinished pull and continues from the stored next
URL (huggingface_hub.utils.paginate, the same pager list_models uses), so nothing is fetched or
stored twice. When paging ends, lineage is resolved over all pages and the snapshot is marked
complete in one more transaction. Retries with backoff on 429 (Retry-After honored), 5xx and
timeouts are huggingface_hub's http_backoff; the token comes from the environment and is never
printed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import httpx2
import pandas as pd
import pyarrow as pa
from huggingface_hub import HfApi, get_session
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import ExpandModelProperty_T, ModelInfo
from huggingface_hub.utils import build_hf_headers, paginate

from aicensus.errors import SourceError
from aicensus.hub.attribution import families
from aicensus.ingest.batch import registry_version
from aicensus.ingest.hub import lineage_table, record_tables, snapshot_rows
from aicensus.ingest.orgs import ensure_registry
from aicensus.orgs import Registry
from aicensus.sources import hub
from aicensus.warehouse import LocationRows, load, resume
from aicensus.warehouse.tables import quarantine_row, rows_table

FETCH = "hub-pull"  # this pull's rows in warehouse.resume

SOURCE = "hub_pull"
DEFAULT_ENDPOINT = "https://huggingface.co"
EXPAND: list[ExpandModelProperty_T] = [
    "author",
    "downloads",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "lastModified",
    "createdAt",
    "config",
    "cardData",
]


@dataclass(frozen=True)
class PullFilters:
    """What to list (recorded in the pull id, so a re-run with the same filters resumes)."""

    author: str | None = None
    pipeline_tag: str | None = None
    library: str | None = None
    created_after: str | None = None  # YYYY-MM-DD, applied to createdAt (client side)

    def key(self, endpoint: str) -> str:
        raw = json.dumps([endpoint.rstrip("/"), self.__dict__], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:12]


@dataclass
class PullSummary:
    pull_id: str
    snapshot: str
    resumed: bool = False
    pages: int = 0  # pages fetched in this run
    models: int = 0  # models in the finished snapshot
    complete: bool = False
    notes: dict[str, int] = field(default_factory=dict)


class _Tap:
    """Response hook recording (url, next url) of every listing page, in order."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, str | None]] = []

    def __call__(self, response: httpx2.Response) -> None:
        if response.status_code == 200 and response.request.url.path.endswith("/api/models"):
            nxt = response.links.get("next", {}).get("url")
            self.pages.append((str(response.request.url), nxt))


@contextmanager
def _tapped_session(tap: _Tap, timeout: float) -> Iterator[None]:
    """huggingface_hub's shared client (public get_session) with `tap` on its responses and a
    timeout, both restored afterwards (its own hooks: offline mode, request ids, stay)."""
    session = get_session()
    hooks, old_timeout = list(session.event_hooks["response"]), session.timeout
    session.event_hooks["response"] = [*hooks, tap]
    session.timeout = httpx2.Timeout(timeout)
    try:
        yield
    finally:
        session.event_hooks["response"] = hooks
        session.timeout = old_timeout


def model_record(mi: ModelInfo) -> hub.HubRecord:
    """A listed or looked-up model (huggingface_hub's ModelInfo) as the Hub parser's record."""
    card = getattr(mi, "card_data", None)
    base = getattr(card, "base_model", None) if card is not None else None
    obj = {
        "id": mi.id,
        "tags": mi.tags or [],
        "pipeline_tag": mi.pipeline_tag,
        "library_name": mi.library_name,
        "config": mi.config if isinstance(mi.config, dict) else None,
        "downloads": mi.downloads,
        "likes": mi.likes,
        "lastModified": mi.last_modified.isoformat() if mi.last_modified else None,
        "createdAt": mi.created_at.isoformat() if mi.created_at else None,
        "cardData": {"base_model": base} if base else None,
        "downloadsAllTime": getattr(mi, "downloads_all_time", None),
        "trendingScore": getattr(mi, "trending_score", None),
    }
    return hub.from_api(obj)


def _state(con: duckdb.DuckDBPyConnection, key: str) -> tuple[str, bool, int, str | None] | None:
    """(pull_id, complete, last page_no, next url) of the latest pull with this key."""
    row = con.execute(
        "SELECT s.snapshot, s.complete, s.load_id FROM hub_snapshots s WHERE s.source = ? "
        "AND s.load_id LIKE ? ORDER BY s.snapshot DESC LIMIT 1",
        [SOURCE, f"{SOURCE}:%-{key}/snapshot"],
    ).fetchone()
    if row is None:
        return None
    pull_id = row[2].removeprefix(f"{SOURCE}:").removesuffix("/snapshot")
    last = resume.last_points(con, FETCH, pull_id).get("")
    return pull_id, bool(row[1]), (last.page_no if last else 0), (last.next if last else "")


def pull(
    con: duckdb.DuckDBPyConnection,
    endpoint: str = DEFAULT_ENDPOINT,
    filters: PullFilters = PullFilters(),
    token: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 30.0,
    registry: Registry | None = None,
    today: str | None = None,
) -> PullSummary:
    """Pull (or resume) the model listing into the warehouse; see the module docstring."""
    registry = registry or Registry.load()
    fam = families()
    token = token if token is not None else (os.environ.get("HF_TOKEN") or None)
    key = filters.key(endpoint)
    state = _state(con, key)
    if state is None or state[1]:
        snapshot = today or datetime.now(UTC).date().isoformat()
        pull_id = f"{snapshot}-{key}"
        if state is not None and state[0] == pull_id:
            row = con.execute(
                "SELECT n_models FROM hub_snapshots WHERE load_id = ?",
                [f"{SOURCE}:{pull_id}/snapshot"],
            ).fetchone()
            assert row is not None, "the hub_snapshots row _state just read"
            return PullSummary(pull_id, snapshot, models=row[0], complete=True)
        page_no, next_url, resumed = 0, None, False
    else:
        pull_id, _, page_no, next_url = state
        snapshot, resumed = pull_id[:10], True
    summary = PullSummary(pull_id, snapshot, resumed=resumed)
    ensure_registry(con, registry)
    version = registry_version(hub.PARSER_VERSION, registry)
    tap = _Tap()
    api = HfApi(endpoint=endpoint, token=token or False)
    with _tapped_session(tap, timeout):
        try:
            if not resumed:
                items = api.list_models(
                    author=filters.author,
                    pipeline_tag=filters.pipeline_tag,
                    filter=filters.library,
                    limit=None,
                    expand=EXPAND,
                )
            elif next_url:
                headers = build_hf_headers(token=token or False, library_name="aicensus")
                items = (
                    ModelInfo(**{"siblings": None, **it})
                    # next_url carries its query; the session takes params=None (the stubs not)
                    for it in paginate(next_url, params=None, headers=headers)  # type: ignore[arg-type]
                )
            else:
                items = iter(())  # all pages stored: only lineage is missing
            bufs: dict[int, list[hub.HubRecord]] = {}  # tap page index -> its records
            flushed = 0  # pages of this run already written

            def flush(upto: int) -> None:
                nonlocal flushed, page_no
                while flushed < upto:
                    url, nxt = tap.pages[flushed]
                    recs = bufs.pop(flushed, [])
                    page_no += 1
                    # the first page of a new pull also records the (incomplete) snapshot
                    first = snapshot_rows(pull_id, SOURCE, snapshot, endpoint, 0, False)
                    extra = first if (page_no == 1 and not resumed) else None
                    _write_page(
                        con,
                        version,
                        pull_id,
                        snapshot,
                        page_no,
                        url,
                        nxt,
                        recs,
                        filters,
                        fam,
                        extra,
                    )
                    flushed += 1
                    summary.pages += 1
                    if progress:
                        progress(page_no, len(recs))

            # list_models is lazy: page k+1 is requested only after page k's items are consumed,
            # so an item belongs to the last page the response hook saw.
            for mi in items:
                current = len(tap.pages) - 1
                flush(current)
                bufs.setdefault(current, []).append(model_record(mi))
            flush(len(tap.pages))
        except HfHubHTTPError as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (401, 403):
                word = "Unauthorized" if status == 401 else "Forbidden"
                raise SourceError(
                    f"{endpoint}: {status} {word}: the Hub rejected the token "
                    "(set HF_TOKEN to a valid token, or unset it for public data)"
                ) from None
            raise SourceError(
                f"{endpoint}: Hub API error {status}: {str(exc).splitlines()[0]}"
            ) from None
        except (httpx2.TimeoutException, httpx2.NetworkError) as exc:
            raise SourceError(
                f"{endpoint}: no answer after retries ({type(exc).__name__}); "
                "re-run to resume from the last stored page"
            ) from None
    summary.models = _finish(con, version, pull_id, snapshot, endpoint, registry, fam)
    summary.complete = True
    return summary


def _write_page(
    con, version, pull_id, snapshot, page_no, url, nxt, recs, filters, fam, extra=None
) -> None:
    if filters.created_after:
        recs = [r for r in recs if (r.created_at or "")[:10] >= filters.created_after]
    frames = record_tables(recs, SOURCE, snapshot, fam)
    tables = {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in frames.items() if len(v)}
    tables[resume.TABLE] = resume.row(FETCH, pull_id, page_no, url, nxt, len(recs))
    digest = hashlib.sha256("\n".join(r.model_id for r in recs).encode()).hexdigest()
    rows = LocationRows(
        key=f"{pull_id}/page-{page_no:06d}",
        location=url,
        content_hash=digest,
        retrieved_at=datetime.now(UTC),
        tables=tables,
        notes={"models": len(recs)},
    )
    with load(con, SOURCE, version) as loader:
        loader.add(rows)
        if extra is not None:
            loader.add(extra)


def _finish(con, version, pull_id, snapshot, endpoint, registry, fam) -> int:
    """Resolve lineage over every page of the pull; mark the snapshot complete (one commit)."""
    like = f"{SOURCE}:{pull_id}/page-%"
    models = con.execute(
        "SELECT * EXCLUDE (load_id) FROM hub_models WHERE load_id LIKE ? ORDER BY load_id, rowid",
        [like],
    ).df()
    links = con.execute(
        "SELECT * EXCLUDE (load_id) FROM hub_links WHERE load_id LIKE ?", [like]
    ).df()
    if models.empty:
        lin, q = pd.DataFrame(), []
    else:
        dup = models["model_id"].str.lower().duplicated()
        q = [
            quarantine_row(
                SOURCE,
                endpoint,
                None,
                m,
                "model listed on two pages (the first kept for lineage)",
                m,
            )
            for m in models.loc[dup, "model_id"]
        ]
        lin, ql = lineage_table(models[~dup].reset_index(drop=True), links, registry, fam, endpoint)
        q += ql
    tables = {"quarantine": rows_table(q)}
    if len(lin):
        tables["hub_lineage"] = pa.Table.from_pandas(lin, preserve_index=False)
    n = len(lin)
    with load(con, SOURCE, version) as loader:
        loader.add(
            LocationRows(
                key=f"{pull_id}/lineage",
                location=endpoint,
                content_hash=f"lineage:{n}",
                retrieved_at=datetime.now(UTC),
                tables=tables,
                notes={"models": n},
            )
        )
        loader.add(snapshot_rows(pull_id, SOURCE, snapshot, endpoint, n, True))
    return n
