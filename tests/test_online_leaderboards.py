"""Online leaderboards (`load arena --online`) against fake upstreams on 127.0.0.1 serving the
real bundled records in the upstreams' layouts (tests/fakes/github_server.py,
tests/fakes/artificialanalysis_server.py): same rows as the bundled load, incremental runs,
faults retried, unreachable upstreams failing cleanly, and the API key never leaking."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import aicensus
from aicensus.cli.main import app
from aicensus.errors import AicensusError
from aicensus.ingest.arenas import load_arenas
from aicensus.warehouse import connect
from tests.fakes.artificialanalysis_server import ArtificialAnalysisServer
from tests.fakes.github_server import (
    FBOULNOIS,
    VIDEO,
    GithubServer,
    fboulnois_commits,
    video_days,
)

NEWEST_DAY = "2026-05-14"

# Table contents compared between loads: everything but load ids and where a row was read.
COMPARED = {
    "board_snapshots": "SELECT * EXCLUDE (load_id, location) FROM board_snapshots ORDER BY ALL",
    "board_entries": "SELECT * EXCLUDE (load_id) FROM board_entries ORDER BY ALL",
    "quarantine": "SELECT * EXCLUDE (load_id, location) FROM quarantine "
    "WHERE source = 'arena' ORDER BY ALL",
}


@pytest.fixture(scope="module")
def bundled_arena(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the bundled arena folders loaded (what the online load must equal)."""
    path = tmp_path_factory.mktemp("wh") / "arena_bundled.duckdb"
    con = connect(path)
    load_arenas(con, [str(data_root / "arena_text_history"), str(data_root / "arena_video")])
    con.close()
    return path


def _point(monkeypatch: pytest.MonkeyPatch, url: str, aa: str = "http://127.0.0.1:9") -> None:
    for name in ("ARENA_TEXT", "ARENA_VIDEO", "GITHUB_API"):
        monkeypatch.setenv(f"AICENSUS_{name}_UPSTREAM", url)
    monkeypatch.setenv("AICENSUS_ARTIFICIALANALYSIS_UPSTREAM", aa)


def _contents(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(sql).fetchall() for t, sql in COMPARED.items()}
    finally:
        con.close()


def _raw_files(paths: list[str]) -> list[str]:
    """Requested raw file paths (not API listings, not day indexes)."""
    return sorted(p for p in paths if not p.startswith("/repos/") and "_index.json" not in p)


def test_online_arena_is_incremental_and_equals_bundled(
    data_root: Path, bundled_arena: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARTIFICIAL_ANALYSIS_API_KEY", raising=False)
    commits = fboulnois_commits(data_root)
    days = video_days(data_root)
    held_commit = commits[-1]  # lmarena_text 2025-08-04, the newest leaderboard version
    held_day = {NEWEST_DAY: days.pop(NEWEST_DAY)}
    faults = {"/commits": ["429"], held_commit["sha"]: ["truncate"], "_index.json": ["500"]}
    wh = aicensus.open(tmp_path / "online.duckdb")
    with GithubServer(
        data_root, page_cap=20, faults=faults, commits=commits[:-1], video=days
    ) as gh:
        _point(monkeypatch, gh.url)
        first = wh.load("arena", online=True)
        assert first.retries >= 2  # the 429 and the 500 were retried
        # paging: lmsys.csv's 51 served commits come in 3 pages of 20
        assert sum("csv%2Flmsys.csv" in p or "csv/lmsys.csv" in p for p in gh.paths) >= 3
        assert len(first.fetched) == len(commits) - 1 + 3 + 2  # versions, 3 cumulative, 2 days
        assert first.newest[VIDEO].isoformat() == "2026-04-27"
        assert first.newest["mayerwin/AI-Arena-History"].isoformat() == "2026-07-21"

        gh.commits.append(held_commit)
        gh.faults[held_commit["sha"]] = ["truncate"]
        gh.video.update(held_day)
        gh.paths.clear()
        second = wh.load("arena", online=True)
        # only the new version and the new day are fetched (and the truncated body retried)
        assert sorted(second.fetched) == sorted(
            [
                "fboulnois_llm-leaderboard-csv/lmarena_text_2025-08-04.csv",
                f"{NEWEST_DAY}/image-to-video.json",
                f"{NEWEST_DAY}/text-to-video.json",
            ]
        )
        raw = _raw_files(gh.paths)
        assert sum(held_commit["sha"] in p for p in raw) == 2
        assert all(held_commit["sha"] in p or NEWEST_DAY in p for p in raw)
        assert second.newest[FBOULNOIS].isoformat() == "2025-08-04"
        assert second.newest[VIDEO].isoformat() == NEWEST_DAY

        gh.paths.clear()
        third = wh.load("arena", online=True)  # nothing new: only the newest day is re-read
        assert third.written == []
        assert all(NEWEST_DAY in p for p in _raw_files(gh.paths))
    online = _contents(tmp_path / "online.duckdb")
    assert online["board_entries"] and online["board_snapshots"]
    assert online == _contents(bundled_arena)
    con = duckdb.connect(str(tmp_path / "online.duckdb"), read_only=True)
    kinds = con.execute(
        "SELECT pull_id, count(*) FROM resume_points WHERE kind = 'arena-online' GROUP BY 1"
    ).fetchall()
    con.close()
    assert dict(kinds)[FBOULNOIS] == len(commits)


def test_online_arena_after_bundled_fetches_once(
    data_root: Path, bundled_arena: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files already loaded from the bundled copy are fetched once (same content: unchanged)
    and not again: the resume rows join the bundled rows."""
    monkeypatch.delenv("ARTIFICIAL_ANALYSIS_API_KEY", raising=False)
    db = tmp_path / "wh.duckdb"
    db.write_bytes(bundled_arena.read_bytes())
    wh = aicensus.open(db)
    with GithubServer(data_root) as gh:
        _point(monkeypatch, gh.url)
        first = wh.load("arena", online=True)
        assert first.written == [] and len(first.unchanged) == len(first.fetched)
        gh.paths.clear()
        wh.load("arena", online=True)
        assert all(NEWEST_DAY in p for p in _raw_files(gh.paths))
    assert _contents(db) == _contents(bundled_arena)


def _closed_port() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def test_online_arena_unreachable_names_url_and_writes_nothing(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARTIFICIAL_ANALYSIS_API_KEY", raising=False)
    url = _closed_port()
    _point(monkeypatch, url)
    wh = aicensus.open(tmp_path / "wh.duckdb")
    with pytest.raises(AicensusError, match=r"127\.0\.0\.1.*/repos/.*unreachable"):
        wh.load("arena", online=True)
    # repeated 5xx on one file, after the others were fetched: nothing is written
    with GithubServer(data_root, faults={"data.js": ["500"] * 10}) as gh:
        _point(monkeypatch, gh.url)
        with pytest.raises(AicensusError, match=r"data\.js: HTTP 500 after \d+ attempts"):
            wh.load("arena", online=True)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM loads").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM resume_points").fetchone() == (0,)
    con.close()


def test_artificial_analysis_key_never_leaks(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    key = "aa-secret-key-7f3c9e1d"
    monkeypatch.setenv("ARTIFICIAL_ANALYSIS_API_KEY", key)
    monkeypatch.setenv("AICENSUS_DB", str(tmp_path / "wh.duckdb"))
    caplog.set_level(logging.DEBUG)
    with GithubServer(data_root) as gh, ArtificialAnalysisServer(data_root, key) as aa:
        _point(monkeypatch, gh.url, aa.url)
        result = CliRunner().invoke(app, ["load", "arena", "--online"])
        assert aa.keyed_requests == 2 and aa.refused == 0
    assert result.exit_code == 0, result.output
    assert "artificialanalysis.ai API" in result.output
    assert key not in result.output and key not in caplog.text
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
    for t in tables:
        assert not con.execute(
            f"SELECT count(*) FROM {t} AS x WHERE CAST(x AS VARCHAR) LIKE ?", [f"%{key}%"]
        ).fetchall()[0][0], t
    # the API's boards are today's snapshots with the bundled day's models and ratings
    api = con.execute(
        "SELECT e.model, e.rating FROM board_entries e JOIN board_snapshots s USING (snapshot_id)"
        " WHERE s.location LIKE ? AND s.board = 'text-to-video' ORDER BY ALL",
        [f"{aa.url}%"],
    ).fetchall()
    mirror = con.execute(
        "SELECT e.model, e.rating FROM board_entries e JOIN board_snapshots s USING (snapshot_id)"
        " WHERE s.snapshot_date = ? AND s.board = 'text-to-video' AND s.location NOT LIKE ? "
        "ORDER BY ALL",
        [NEWEST_DAY, f"{aa.url}%"],
    ).fetchall()
    con.close()
    assert len(api) == 81 and api == mirror
    assert not list(tmp_path.rglob("*.log"))
