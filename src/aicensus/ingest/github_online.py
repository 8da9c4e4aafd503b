"""Load the GitHub ranking lists from their upstream repositories (`aicensus load github
--online`): the bundled family file, plus the upstream daily files after its newest day.

Incremental by date: fetched daily files are kept in a mirror folder beside the warehouse
(`<warehouse>.upstream/github/<owner>_<repo>/Data/`), so a later run fetches only the days after
the newest day held; the resume table (kind `github-daily`) records, with the family's rows and
in the same transaction, which days the loaded rows include. Every day is fetched before the
transaction opens: an unreachable upstream raises one line naming the URL and nothing is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.ingest.github import GithubLoadSummary, load_github
from aicensus.orgs import Registry
from aicensus.sources import github
from aicensus.sources import github_upstream as up
from aicensus.sources.upstream import Http, client_of
from aicensus.warehouse import resume

FETCH = "github-daily"


@dataclass
class GithubOnlineSummary(GithubLoadSummary):
    """A family load with upstream daily files: which days were fetched now, how many daily
    files the rows include, the newest day (the data date) and the requests made."""

    fetched: list[str] = field(default_factory=list)
    daily_files: int = 0
    newest_day: date | None = None
    requests: int = 0
    upstream: str = ""


def _newest_base_day(path: Path) -> date:
    con = duckdb.connect()
    try:
        row = con.execute(
            "SELECT max(try_cast(date AS DATE)) FROM read_csv(?, header = true, "
            "all_varchar = true)",
            [str(path)],
        ).fetchone()
    finally:
        con.close()
    if row is None or row[0] is None:
        raise SourceError(f"{path}: no dated rows to continue from")
    return row[0]


def _write_atomic(path: Path, content: bytes) -> None:
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def load_github_online(
    con: duckdb.DuckDBPyConnection,
    location: str,
    raw: str,
    mirror: Path,
    registry: Registry | None = None,
    http: Http | None = None,
    today: date | None = None,
) -> GithubOnlineSummary:
    """Fetch the family's new upstream days into `mirror`, then load the bundled file plus every
    mirrored day as the family's rows (with their resume rows)."""
    family, path, _ = github.files_of(location)
    repo = up.REPOS[family]
    folder = mirror / repo.replace("/", "_") / "Data"
    folder.mkdir(parents=True, exist_ok=True)
    today = today or datetime.now(UTC).date()
    held = sorted(folder.glob("github-ranking-*.csv"))
    newest = max([_newest_base_day(path)] + [up.day_of(p.name) for p in held])
    with client_of(http) as client:
        got = up.new_days(client, raw, family, newest, today)
        requests = client.requests
    for f in got:
        _write_atomic(folder / f.location.rsplit("/", 1)[1], f.content)
    daily = sorted(folder.glob("github-ranking-*.csv"))
    rows = [
        resume.row(FETCH, repo, i, p.name[len("github-ranking-") : -4], None, 0, stream=family)
        for i, p in enumerate(daily, 1)
    ]
    extra = {resume.TABLE: pa.concat_tables(rows)} if rows else {}
    base = load_github(con, location, registry, daily=daily, extra=extra)
    days = [up.day_of(p.name) for p in daily]
    return GithubOnlineSummary(
        **vars(base),
        fetched=[f.location for f in got],
        daily_files=len(daily),
        newest_day=max(days) if days else newest,
        requests=requests,
        upstream=f"{raw}/{repo}",
    )
