"""`aicensus run --online --only ...`: a subset of steps; an upstream that cannot be reached
keeps the source's previous rows, is reported, and the run goes on to write the report."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

import aicensus
from aicensus.cli.main import app

DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused


def test_unreachable_upstream_keeps_rows_and_the_run_goes_on(data_root, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    wh = aicensus.open(db, data_root)
    wh.load("github")  # the bundled copy: the rows an unreachable upstream must not touch
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("SELECT count(*), max(date) FROM github_snapshots").fetchone()
    con.close()
    for name in ("GITHUB_RANKINGS", "GITHUB_API", "ARENA_TEXT", "ARENA_VIDEO"):
        monkeypatch.setenv(f"AICENSUS_{name}_UPSTREAM", DEAD)
    out = tmp_path / "report.html"
    r = CliRunner().invoke(
        app,
        ["--db", str(db), "--data", str(data_root), "run", "--online", "--only", "github",
         "--output", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    (line,) = [x for x in r.output.splitlines() if x.startswith("github: not refreshed (")]
    assert DEAD in line and line.endswith("previous rows kept")
    assert out.is_file() and "<html" in out.read_text()[:2000].lower()
    con = duckdb.connect(str(db), read_only=True)
    after = con.execute("SELECT count(*), max(date) FROM github_snapshots").fetchone()
    con.close()
    assert after == before


def test_only_names_a_step(tmp_path):
    """A typo in --only is one line naming it and the valid steps, exit 1, nothing loaded."""
    code = "from aicensus.cli.main import main; main()"
    args = ["--db", str(tmp_path / "w.duckdb"), "run", "--only", "hubb"]
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "--only: unknown step 'hubb'" in proc.stderr and "hub-added" in proc.stderr


def test_online_run_takes_todays_hub_and_openalex_counts(data_root, tmp_path, monkeypatch):
    """Online, the main job also stores today's Hub top-1000 snapshot and the OpenAlex country
    counts of every definition the API can filter (fakes on 127.0.0.1 serving real records)."""
    from datetime import date

    from aicensus.measures.ai_definitions import API_FILTERS
    from tests.fakes.hub_server import HubServer, table_records
    from tests.fakes.openalex_server import FakeOpenAlex, load_records

    hub = table_records(data_root / "hf_models_table" / "hf_models_top_downloads_2024-09.csv.gz")
    works = load_records(data_root / "openalex_works" / "works.jsonl.gz")
    db = tmp_path / "w.duckdb"
    with HubServer(hub, page_size=500) as hs, FakeOpenAlex(works) as oa:
        monkeypatch.setenv("HF_ENDPOINT", hs.url)
        monkeypatch.setenv("OPENALEX_BASE_URL", oa.url)
        r = CliRunner().invoke(
            app,
            ["--db", str(db), "--data", str(data_root), "run", "--online",
             "--only", "hub-top,openalex-counts", "--output", str(tmp_path / "r.html")],
        )  # fmt: skip
        group_bys = [p for _, path, p in oa.requests if p.get("group_by")]
    assert r.exit_code == 0, r.output
    n_years = date.today().year - 2015 + 1
    assert len(group_bys) == len(API_FILTERS) * n_years  # one request per definition-year
    assert "hub snapshot hub_top_downloads" in r.output and "1,000 models" in r.output
    for d in API_FILTERS:
        assert f"openalex counts {d}: 2015-{date.today().year}" in r.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute(
            "SELECT count(DISTINCT definition), count(DISTINCT year) FROM group_by_counts"
        ).fetchone()
        snap = con.execute(
            "SELECT count(*) FROM hub_snapshots WHERE source = 'hub_top_downloads'"
        ).fetchone()
    finally:
        con.close()
    assert got[0] == len(API_FILTERS) and 0 < got[1] <= n_years and snap[0] >= 1


def _table(db, sql: str) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_online_run_killed_mid_run_keeps_commits_and_completes(data_root, tmp_path):
    """SIGKILL during the online run (after the Hub snapshot, within the OpenAlex counts): the
    warehouse keeps what was committed and opens; the next run completes, and its tables equal
    an uninterrupted run's."""
    import os
    import signal
    import time

    from tests.fakes.hub_server import HubServer, table_records
    from tests.fakes.openalex_server import FakeOpenAlex, load_records

    hub = table_records(data_root / "hf_models_table" / "hf_models_top_downloads_2024-09.csv.gz")
    works = load_records(data_root / "openalex_works" / "works.jsonl.gz")
    code = "from aicensus.cli.main import main; main()"
    steps = ["run", "--online", "--only", "hub-top,openalex-counts"]

    def run(db, env, wait_for: int | None = None, oa=None) -> int:
        args = [sys.executable, "-c", code, "--db", str(db), *steps,
                "--output", str(tmp_path / f"{db.stem}.html")]  # fmt: skip
        proc = subprocess.Popen(args, env=env, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        if wait_for is None:
            proc.communicate(timeout=600)
            return proc.returncode
        deadline = time.monotonic() + 300
        while sum(1 for _, _, p in oa.requests if p.get("group_by")) < wait_for:
            assert proc.poll() is None and time.monotonic() < deadline, "run ended too early"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc.returncode

    tables = {
        "counts": "SELECT * EXCLUDE (load_id) FROM group_by_counts ORDER BY ALL",
        "hub": "SELECT source, model_id FROM hub_models ORDER BY ALL",
    }
    with HubServer(hub, page_size=500) as hs, FakeOpenAlex(works) as oa:
        oa.latency = 0.05  # time to kill between requests
        env = {**os.environ, "HF_ENDPOINT": hs.url, "OPENALEX_BASE_URL": oa.url}
        assert run(tmp_path / "full.duckdb", env) == 0
        oa.requests.clear()
        killed = tmp_path / "killed.duckdb"
        assert run(killed, env, wait_for=5, oa=oa) == -signal.SIGKILL
        # committed before the kill: the Hub snapshot and some OpenAlex definition-years
        assert _table(killed, "SELECT count(*) FROM hub_models")[0][0] > 0
        partial = _table(killed, tables["counts"])
        assert 0 < len(partial) < len(_table(tmp_path / "full.duckdb", tables["counts"]))
        assert run(killed, env) == 0
    for name, sql in tables.items():
        assert _table(killed, sql) == _table(tmp_path / "full.duckdb", sql), name


@pytest.mark.slow
def test_online_run_refreshes_every_source(data_root, tmp_path, monkeypatch):
    """`aicensus run --online` with every upstream URL from settings pointing at fakes on
    127.0.0.1 (serving the real bundled records in each upstream's format): every source with
    an online path is read from its upstream, none is skipped, and the report is written."""
    import gzip

    from tests.fakes.github_server import GithubServer
    from tests.fakes.hub_server import HubServer, table_records
    from tests.fakes.openalex_server import FakeOpenAlex, load_records
    from tests.fakes.papercopilot_server import PaperCopilotServer
    from tests.fakes.static_server import serve

    hub = table_records(data_root / "hf_models_table" / "hf_models_top_downloads_2024-09.csv.gz")
    works = load_records(data_root / "openalex_works" / "works.jsonl.gz")
    db = tmp_path / "w.duckdb"
    served = tmp_path / "epoch"  # the static fake serves <path>.gz decompressed, as is
    served.mkdir()
    csv = (data_root / "epoch_notable_models" / "notable_ai_models.csv").read_bytes()
    (served / "notable_ai_models.csv.gz").write_bytes(gzip.compress(csv))
    with (
        PaperCopilotServer(data_root) as pc,
        GithubServer(data_root) as gh,
        HubServer(hub, page_size=500) as hs,
        FakeOpenAlex(works) as oa,
        serve(served) as epoch,
    ):
        env = {
            "AICENSUS_PAPERLISTS_UPSTREAM": pc.paperlists,
            "AICENSUS_OPENREVIEW_UPSTREAM": pc.openreview,
            "AICENSUS_EPOCH_UPSTREAM": epoch + "/notable_ai_models.csv",
            "AICENSUS_ARENA_TEXT_UPSTREAM": gh.url,
            "AICENSUS_ARENA_VIDEO_UPSTREAM": gh.url,
            "AICENSUS_GITHUB_API_UPSTREAM": gh.url,
            "AICENSUS_GITHUB_RANKINGS_UPSTREAM": gh.url,
            "AICENSUS_ARTIFICIALANALYSIS_UPSTREAM": DEAD,  # no key set: not asked
            "HF_ENDPOINT": hs.url,
            "OPENALEX_BASE_URL": oa.url,
        }
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        monkeypatch.delenv("ARTIFICIAL_ANALYSIS_API_KEY", raising=False)
        out = tmp_path / "report.html"
        args = ["--db", str(db), "--data", str(data_root), "run", "--online", "--output", str(out)]
        r = CliRunner().invoke(app, args)
        asked = {
            "paperlists": [p for p, _ in pc.paths if "/paperlists/" in p],
            "openreview": [p for p, _ in pc.paths if "/openreview/" in p],
            "arena": [p for p in gh.paths if "lmarena" in p or "arena" in p.lower()],
            "github": [p for p in gh.paths if "Github-Ranking" in p],
            "hub": list(hs.served_pages),
            "openalex": [p for _, _, p in oa.requests if p.get("group_by")],
        }
    assert r.exit_code == 0, r.output
    assert "not refreshed" not in r.output and out.is_file()
    for name, paths in asked.items():
        assert paths, f"{name}: its upstream was never asked"
    con = duckdb.connect(str(db), read_only=True)
    try:
        online = dict(
            con.execute(
                "SELECT source, count(*) FROM loads WHERE location LIKE 'http://127.0.0.1:%' "
                "GROUP BY 1"
            ).fetchall()
        )
    finally:
        con.close()
    for source in ("paperlists", "paperlists_affonly", "openreview_authors", "epoch", "arena"):
        assert online.get(source), (source, online)
