"""Load the leaderboards from their upstreams (`aicensus load arena --online`): the text arena
history from the four GitHub repositories the bundled copies came from, the video boards from
the daily mirror, and today's video boards from the Artificial Analysis API when a key is set
(sources.arena_upstream says where each file lives).

Incremental: what an earlier online load fetched is in the resume table (kind `arena-online`,
one pull per upstream repository, one row per file: its bundled key and the URL read), and a
file recorded there whose rows are still loaded is not fetched again (a commit's bytes never
change; a mirror day is re-read while it is the newest). Everything is fetched before anything
is written: an unreachable upstream raises one line naming the URL and the warehouse is as it was.
The API key travels only in a request header: never in a URL, a location, a message or a row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from aicensus.ingest.arenas import ArenaLoadSummary, write_parsed
from aicensus.ingest.orgs import match_orgs
from aicensus.orgs import Registry
from aicensus.sources import arena_upstream as up
from aicensus.sources import arenas
from aicensus.sources.upstream import Http
from aicensus.warehouse import LocationRows, resume
from aicensus.warehouse.loading import Loader

FETCH = "arena-online"  # this load's rows in warehouse.resume


@dataclass(frozen=True)
class Upstreams:
    """Base URLs of the online upstreams (from Settings.upstream) and the optional API key."""

    text_raw: str
    video_raw: str
    api: str  # GitHub REST API (commit and folder listings)
    aa_api: str
    aa_key: str | None = field(default=None, repr=False)


@dataclass
class OnlineArenaSummary(ArenaLoadSummary):
    """An arena load from the upstreams: what was fetched, what was already there, the
    snapshot dates of what was fetched (the data date), and the request count."""

    fetched: list[str] = field(default_factory=list)
    already: int = 0
    requests: int = 0
    retries: int = 0
    # key -> (upstream repository, first snapshot date, last snapshot date) of each file fetched
    data_dates: dict[str, tuple[str, date, date]] = field(default_factory=dict)
    upstreams: list[str] = field(default_factory=list)

    @property
    def newest(self) -> dict[str, date]:
        """The newest snapshot date fetched per upstream repository (the data date)."""
        out: dict[str, date] = {}
        for repo, _, last in self.data_dates.values():
            out[repo] = max(last, out.get(repo, last))
        return out


def _seen(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str, int]]]:
    """Per upstream repository, the files earlier online loads fetched (key, url, entries)."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for r in resume.committed_rows(con, FETCH):
        out.setdefault(r.pull_id, []).append((r.stream, r.position, r.records))
    return out


def _loaded(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Bundled key -> location of every arena file in the warehouse."""
    rows = con.execute(
        "SELECT key, location FROM loads WHERE source = ?", [arenas.SOURCE]
    ).fetchall()
    return {k: loc for k, loc in rows}


def load_arenas_online(
    con: duckdb.DuckDBPyConnection,
    urls: Upstreams,
    registry: Registry | None = None,
    http: Http | None = None,
    today: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> OnlineArenaSummary:
    """Fetch what is new upstream, parse it like the bundled copies and write it in one
    transaction with the resume rows of every file fetched."""
    registry = registry or Registry.load()
    today = today or datetime.now(UTC).date()
    own = http is None
    http = http or Http()
    seen = _seen(con)
    loaded = _loaded(con)
    seen_urls = {(k, u) for rows in seen.values() for k, u, _ in rows}
    summary = OnlineArenaSummary()

    def needed(v: up.Version) -> bool:
        where = loaded.get(v.key)
        if (v.key, v.url) in seen_urls and where is not None and (v.immutable or where == v.url):
            summary.already += 1
            return False
        return True

    try:
        todo: list[tuple[up.Version, dict[str, str] | None]] = []
        for f in up.TEXT_FILES:
            todo += [(v, None) for v in up.text_versions(http, urls.api, urls.text_raw, f)]
        summary.upstreams += [*sorted({f.repo for f in up.TEXT_FILES}), up.VIDEO_REPO]
        days = up.video_dates(http, urls.api)
        seen_days = {k.split("/")[0] for k, _ in seen_urls if k.endswith("/_index.json")}
        index_rows: list[tuple[str, str, int]] = []
        for day in days:
            if day in seen_days and day != days[-1]:
                continue
            versions = up.video_versions(http, urls.video_raw, day)
            index_rows.append((f"{day}/_index.json", up.video_index_url(urls.video_raw, day), 0))
            todo += [(v, None) for v in versions]
        if urls.aa_key:
            summary.upstreams.append("artificialanalysis.ai API")
            todo += [(v, {"x-api-key": urls.aa_key}) for v in up.api_versions(urls.aa_api, today)]
        todo = [(v, h) for v, h in todo if needed(v)]
        parsed: list[LocationRows] = []
        fetched: list[tuple[up.Version, int]] = []
        for i, (v, headers) in enumerate(todo, 1):
            if progress:
                progress(v.key, i - 1, len(todo))
            rows = arenas.parse(up.fetch(http, v, headers), key=v.key)
            parsed.append(match_orgs(rows, registry, "board_entries", arenas.SOURCE, True))
            fetched.append((v, rows.tables["board_entries"].num_rows))
            dates = rows.tables["board_snapshots"]["snapshot_date"].to_pylist()
            if dates:
                summary.data_dates[v.key] = (v.repo, min(dates), max(dates))
    finally:
        summary.requests, summary.retries = http.requests, http.retries
        if own:
            http.close()

    def resume_rows(loader: Loader) -> None:
        new: dict[str, list[tuple[str, str, int]]] = {}
        for v, n in fetched:
            new.setdefault(v.repo, []).append((v.key, v.url, n))
        if index_rows:
            new.setdefault(up.VIDEO_REPO, []).extend(index_rows)
        for repo, rows in new.items():
            loader.add(_resume_location(repo, seen.get(repo, []), rows))

    summary.files = len(parsed)
    summary.fetched = [v.key for v, _ in fetched]
    write_parsed(con, parsed, registry, summary, also=resume_rows)
    summary.written = [k for k in summary.written if not k.startswith("online/")]
    summary.unchanged = [k for k in summary.unchanged if not k.startswith("online/")]
    return summary


def _resume_location(
    repo: str, old: list[tuple[str, str, int]], new: list[tuple[str, str, int]]
) -> LocationRows:
    """The resume rows of one upstream repository: every file fetched so far (a newer fetch of
    the same key replaces the older), written as one location so they are replaced together."""
    by_key = {k: (k, u, n) for k, u, n in old}
    by_key.update({k: (k, u, n) for k, u, n in new})
    items = sorted(by_key.values())
    table = pa.concat_tables(
        [resume.row(FETCH, repo, i, u, None, n, stream=k) for i, (k, u, n) in enumerate(items, 1)]
    )
    digest = hashlib.sha256(repr(items).encode()).hexdigest()
    return LocationRows(
        key=f"online/{repo}",
        location=f"online listing of {repo}",
        content_hash=digest,
        retrieved_at=datetime.now(UTC),
        tables={resume.TABLE: table},
    )
