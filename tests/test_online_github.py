"""Online GitHub rankings (`load github --online`) against a fake GitHub on 127.0.0.1 serving
the real bundled rows split back into the upstream daily files: a bundled copy ending earlier
plus the fetched days gives the same rows as the full bundled copy; a second run fetches only
new days; faults are retried; an unreachable upstream writes nothing."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import duckdb
import pytest

import aicensus
from aicensus.errors import AicensusError
from aicensus.ingest.github import load_github
from aicensus.ingest.github_online import load_github_online
from aicensus.sources.upstream import Http
from aicensus.warehouse import connect
from tests.fakes.github_server import GithubServer, base_file, daily_files

COMPARED = {
    "github_snapshots": "SELECT * EXCLUDE (load_id) FROM github_snapshots WHERE lists = ?",
    "github_list_days": "SELECT * EXCLUDE (load_id) FROM github_list_days WHERE lists = ?",
    "github_repos": "SELECT * EXCLUDE (load_id) FROM github_repos WHERE lists = ?",
}
LAST = date(2026, 8, 22)  # the bundled copies' newest day (SOURCE.md)


def _contents(db: Path, lists: str) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"{sql} ORDER BY ALL", [lists]).fetchall() for t, sql in COMPARED.items()
        }
    finally:
        con.close()


@pytest.mark.slow
def test_online_keyword_lists_incremental_equal_bundled(
    data_root: Path, github_db: Path, tmp_path: Path
) -> None:
    base = base_file(data_root, "keyword", date(2026, 8, 15), tmp_path / "bundled_keyword")
    days = daily_files(data_root, "keyword", date(2026, 8, 15))
    held = {
        k: days.pop(k) for k in ("github-ranking-2026-08-21.csv", "github-ranking-2026-08-22.csv")
    }
    faults = {
        "2026-08-17.csv": ["429"],
        "2026-08-18.csv": ["truncate"],
        "2026-08-19.csv": ["500"],
    }
    db, mirror = tmp_path / "wh.duckdb", tmp_path / "mirror"
    con = connect(db)
    try:
        with GithubServer(data_root, faults=faults, daily={"keyword": days}) as gh:
            http = Http()
            first = load_github_online(con, str(base), gh.url, mirror, http=http, today=LAST)
            assert http.retries == 3
            assert Path(first.fetched[0]).name == "github-ranking-2026-08-16.csv"
            assert len(first.fetched) == 5 and first.newest_day == date(2026, 8, 20)
            gh.daily["keyword"].update(held)
            gh.paths.clear()
            second = load_github_online(con, str(base), gh.url, mirror, today=LAST)
            # only the days after the newest held one are asked for
            assert sorted(gh.paths) == sorted(
                f"/yuxiaopeng/Github-Ranking-AI/HEAD/Data/{k}" for k in held
            )
            assert second.daily_files == 7 and second.newest_day == LAST and second.written
        resumed = con.execute(
            "SELECT position FROM resume_points WHERE kind = 'github-daily' ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert [r[0] for r in resumed] == [f"2026-08-{d}" for d in range(16, 23)]
    online = _contents(db, "keyword")
    assert online["github_snapshots"] and online == _contents(github_db, "keyword")


@pytest.mark.slow
def test_online_language_lists_equal_bundled(data_root: Path, tmp_path: Path) -> None:
    """Language lists: the first file of each new month plus the newest file."""
    base = base_file(data_root, "language", date(2026, 7, 1), tmp_path / "bundled_language")
    bundled = tmp_path / "bundled.duckdb"
    con = connect(bundled)
    load_github(con, str(data_root / "github_rankings" / "all_languages"))
    con.close()
    db = tmp_path / "wh.duckdb"
    con = connect(db)
    try:
        days = daily_files(data_root, "language", date(2026, 7, 1))
        with GithubServer(data_root, daily={"language": days}) as gh:
            got = load_github_online(con, str(base), gh.url, tmp_path / "mirror", today=LAST)
    finally:
        con.close()
    assert sorted(Path(u).name for u in got.fetched) == sorted(days)
    online = _contents(db, "language")
    assert online["github_snapshots"] and online == _contents(bundled, "language")


def test_online_github_unreachable_writes_nothing(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    monkeypatch.setenv("AICENSUS_GITHUB_RANKINGS_UPSTREAM", url)
    wh = aicensus.open(tmp_path / "wh.duckdb")
    loc = str(data_root / "github_rankings" / "ai_keyword_lists")
    with pytest.raises(AicensusError, match=rf"{url}/yuxiaopeng/.*2026-08-23\.csv: unreachable"):
        wh.load("github", loc, online=True)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM loads").fetchone() == (0,)
    con.close()
