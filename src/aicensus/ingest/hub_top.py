"""The Hub's top N models by downloads or trending, as a dated snapshot of the same tables as
the dumps (source `hub_top_downloads` / `hub_top_trending`, snapshot = fetch date), through
huggingface_hub (`HfApi.list_models(sort=, limit=, expand=)`), with lineage.

Steps, each its own transaction (a stopped run keeps what it stored; the next run goes on):
1. the listing: models, stats (downloads, downloadsAllTime, trendingScore), base_model links,
   and the snapshot row (incomplete);
2. the lineage parents the snapshot lacks: for every root whose primary parent is absent, that
   parent is looked up (`model_info`), stored under source `hub_parents`, and the walk goes on
   from it; each lookup is written with its resume row (kind `hub-parents`), so a re-run never
   asks for the same parent twice; at most `max_parents` lookups per snapshot date;
3. lineage resolved over the listing plus the fetched parents (rows for the listed models
   only), and the snapshot marked complete.
Retries (429 honoring Retry-After, 5xx, timeouts, truncated bodies) are huggingface_hub's
http_backoff for the listing and a small loop for lookups; the token is never printed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import httpx2
import pandas as pd
import pyarrow as pa
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.hf_api import ExpandModelProperty_T, ModelInfo

from aicensus.errors import SourceError
from aicensus.hub.attribution import families
from aicensus.ingest.batch import registry_version
from aicensus.ingest.hub import lineage_table, record_tables, snapshot_rows
from aicensus.ingest.hub_pull import EXPAND, model_record
from aicensus.ingest.orgs import ensure_registry
from aicensus.orgs import Registry
from aicensus.sources import hub
from aicensus.warehouse import LocationRows, load, resume
from aicensus.warehouse.tables import rows_table

SORTS = {"downloads": "downloads", "trending": "trending_score"}  # ours -> list_models sort=
PARENTS = "hub_parents"
FETCH = "hub-parents"  # the parent lookups' rows in warehouse.resume
EXPAND_TOP: list[ExpandModelProperty_T] = [*EXPAND, "downloadsAllTime", "trendingScore"]
MAX_PARENTS = 500
RETRIES = 5


def source_of(sort: str) -> str:
    if sort not in SORTS:
        raise SourceError(f"unknown sort {sort!r} (choose from {', '.join(SORTS)})")
    return f"hub_top_{sort}"


@dataclass
class TopSummary:
    source: str
    snapshot: str
    models: int = 0
    listed: bool = False  # the listing was fetched in this run
    parents_fetched: int = 0  # lookups made in this run
    parents_missing: int = 0  # parents the Hub does not know (404), over all runs
    parents_left: int = 0  # lookups not made because of max_parents


def _frames(recs: list[hub.HubRecord], source: str, snapshot: str, fam) -> dict[str, pa.Table]:
    frames = record_tables(recs, source, snapshot, fam)
    return {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in frames.items() if len(v)}


def _listing(api: HfApi, sort: str, top: int) -> tuple[list[hub.HubRecord], str]:
    items = api.list_models(sort=SORTS[sort], limit=top, expand=EXPAND_TOP)  # type: ignore[arg-type]
    recs, seen = [], set()
    for mi in items:
        r = model_record(mi)
        if r.model_id.lower() not in seen:  # a model moved between pages is listed twice
            seen.add(r.model_id.lower())
            recs.append(r)
    url = f"{api.endpoint}/api/models?sort={SORTS[sort]}&limit={top}"
    return recs, url


def _lookup(api: HfApi, model_id: str) -> ModelInfo | None:
    """model_info with retries on 429 (Retry-After honored), 5xx and broken transfers; None
    when the Hub does not know the model (404, or gated/private)."""
    wait = 0.5
    for attempt in range(RETRIES + 1):
        try:
            return api.model_info(model_id, expand=EXPAND_TOP)
        except RepositoryNotFoundError:
            return None
        except HfHubHTTPError as exc:
            status = getattr(exc.response, "status_code", None)
            if status == 404:
                return None
            if status not in (429, 500, 502, 503, 504) or attempt == RETRIES:
                raise
            after = exc.response.headers.get("retry-after") if exc.response is not None else None
            time.sleep(float(after) if after and after.isdigit() else wait)
        except (httpx2.TransportError, ValueError):  # timeouts, truncated or malformed bodies
            if attempt == RETRIES:
                raise
            time.sleep(wait)
        wait = min(wait * 2, 8.0)
    return None


def _graph(con: duckdb.DuckDBPyConnection, source: str, snapshot: str) -> tuple:
    """(models, links) of the listing plus the parents fetched for this date."""
    where = "source IN (?, ?) AND snapshot = ?"
    args = [source, PARENTS, snapshot]
    models = con.execute(
        f"SELECT * EXCLUDE (load_id) FROM hub_models WHERE {where} "
        "ORDER BY source <> ?, load_id, rowid",
        [*args, source],
    ).df()
    links = con.execute(f"SELECT * EXCLUDE (load_id) FROM hub_links WHERE {where}", args).df()
    return models, links


def _missing(con: duckdb.DuckDBPyConnection, source: str, snapshot: str, pull_id: str) -> list:
    """Primary parents named in the listing or fetched parents that are neither there nor
    looked up already (found or not)."""
    rows = con.execute(
        """
        SELECT DISTINCT l.parent_id FROM hub_links l
        WHERE l.source IN (?, ?) AND l.snapshot = ? AND l.position = 0
          AND lower(l.parent_id) NOT IN (
              SELECT lower(model_id) FROM hub_models WHERE source IN (?, ?) AND snapshot = ?)
          AND lower(l.parent_id) NOT IN (
              SELECT lower(position) FROM resume_points WHERE kind = ? AND pull_id = ?)
        ORDER BY 1
        """,
        [source, PARENTS, snapshot, source, PARENTS, snapshot, FETCH, pull_id],
    ).fetchall()
    return [r[0] for r in rows]


def snapshot(
    con: duckdb.DuckDBPyConnection,
    endpoint: str,
    top: int,
    sort: str = "downloads",
    token: str | None = None,
    max_parents: int = MAX_PARENTS,
    registry: Registry | None = None,
    today: str | None = None,
    refresh: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> TopSummary:
    """Fetch (or complete) today's top-`top` snapshot; see the module docstring."""
    source = source_of(sort)
    if top < 1:
        raise SourceError("--top must be at least 1")
    registry = registry or Registry.load()
    fam = families()
    token = token if token is not None else (os.environ.get("HF_TOKEN") or None)
    day = today or datetime.now(UTC).date().isoformat()
    out = TopSummary(source, day)
    ensure_registry(con, registry)
    version = registry_version(hub.PARSER_VERSION, registry)
    api = HfApi(endpoint=endpoint, token=token or False)
    listed = con.execute(
        "SELECT n_models FROM hub_snapshots WHERE source = ? AND snapshot = ?", [source, day]
    ).fetchone()
    try:
        if listed is None or refresh:
            recs, url = _listing(api, sort, top)
            tables = _frames(recs, source, day, fam)
            digest = hashlib.sha256("\n".join(r.model_id for r in recs).encode()).hexdigest()
            with load(con, source, version) as loader:
                loader.add(
                    LocationRows(
                        key=f"{day}/listing", location=url, content_hash=digest,
                        retrieved_at=datetime.now(UTC), tables=tables,
                        notes={"models": len(recs)},
                    )
                )  # fmt: skip
                loader.add(snapshot_rows(day, source, day, endpoint, len(recs), False))
            out.listed = True
            if progress:
                progress("listed", len(recs))
        pull_id = f"{PARENTS}/{day}"
        n_done = len(resume.committed_rows(con, FETCH, pull_id))
        while True:
            todo = _missing(con, source, day, pull_id)
            room = max(0, max_parents - n_done)
            if not todo or not room:
                out.parents_left = len(todo)
                break
            for pid in todo[:room]:
                mi = _lookup(api, pid)
                recs = [model_record(mi)] if mi is not None else []
                tables = _frames(recs, PARENTS, day, fam)
                n_done += 1
                tables[resume.TABLE] = resume.row(FETCH, pull_id, n_done, pid, None, len(recs))
                with load(con, PARENTS, version) as loader:
                    loader.add(
                        LocationRows(
                            key=f"{day}/{pid}", location=f"{endpoint}/api/models/{pid}",
                            content_hash=recs[0].model_id if recs else "not-found",
                            retrieved_at=datetime.now(UTC), tables=tables,
                            notes={"models": len(recs)},
                        )
                    )  # fmt: skip
                out.parents_fetched += 1
                if progress:
                    progress("parent", out.parents_fetched)
    except HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (401, 403):
            raise SourceError(
                f"{endpoint}: {status}: the Hub rejected the token (set HF_TOKEN to a valid "
                "token, or unset it for public data)"
            ) from None
        raise SourceError(
            f"{endpoint}: Hub API error {status}: {str(exc).splitlines()[0]}; re-run to go on"
        ) from None
    except (httpx2.TransportError, ValueError) as exc:
        raise SourceError(
            f"{endpoint}: no usable answer after retries ({type(exc).__name__}); re-run to go on"
        ) from None
    out.parents_missing = sum(r.records == 0 for r in resume.committed_rows(con, FETCH, pull_id))
    out.models = _finish(con, version, source, day, endpoint, registry, fam)
    return out


def _finish(con, version, source, day, endpoint, registry, fam) -> int:
    """Lineage over the listing and fetched parents, kept for the listed models; complete."""
    models, links = _graph(con, source, day)
    listed = models[models["source"] == source]
    tables: dict[str, pa.Table] = {"quarantine": rows_table([])}
    if len(listed):
        graph = models[~models["model_id"].str.lower().duplicated()].reset_index(drop=True)
        lin, q = lineage_table(graph, links, registry, fam, endpoint)
        lin = lin[lin["model_id"].isin(listed["model_id"])].assign(source=source)
        tables = {"quarantine": rows_table(q), "hub_lineage": pa.Table.from_pandas(
            pd.DataFrame(lin).reset_index(drop=True), preserve_index=False)}  # fmt: skip
    n = len(listed)
    with load(con, source, version) as loader:
        loader.add(
            LocationRows(
                key=f"{day}/lineage", location=endpoint, content_hash=f"lineage:{n}",
                retrieved_at=datetime.now(UTC), tables=tables, notes={"models": n},
            )
        )  # fmt: skip
        loader.add(snapshot_rows(day, source, day, endpoint, n, True))
    return n
