"""Live Hub pull against a fake Hub on 127.0.0.1 serving the real 2022 records with Link paging:
full pull, SIGKILL and resume (same warehouse as an uninterrupted pull), injected 429/5xx/
timeouts, 401 with a clear message about the token (never printed), filters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app
from aicensus.errors import SourceError
from aicensus.ingest.hub_pull import PullFilters, pull
from aicensus.warehouse import connect
from tests.fakes.hub_server import HubServer, read_records

REPO = Path(__file__).resolve().parents[1]
TABLES = (
    "hub_models",
    "model_stats",
    "hub_links",
    "hub_lineage",
    "hub_snapshots",
    "resume_points",
)


@pytest.fixture(scope="module")
def records(data_root: Path) -> list[dict]:
    return read_records(data_root / "hf_models_api" / "hf_models_api_2022-02.jsonl.gz")


def dump(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
        out["loads"] = con.execute(
            "SELECT load_id, key, location, content_hash, parser_version, rows_loaded, "
            "row_counts FROM loads WHERE source='hub_pull' ORDER BY ALL"
        ).fetchall()
        return out
    finally:
        con.close()


def test_full_pull_with_faults(records, tmp_path):
    faults = {2: 429, 3: 503, 6: 500, 8: "slow"}
    with HubServer(records, page_size=2000, faults=faults, slow_seconds=2.5) as srv:
        con = connect(tmp_path / "w.duckdb")
        s = pull(con, srv.url, timeout=1.0)
        assert s.complete and s.models == 29432 and s.pages == 15
        assert not srv.faults  # every fault was served and survived
        assert con.execute(
            "SELECT count(*), count(DISTINCT model_id) FROM hub_models"
        ).fetchone() == (29432, 29432)
        assert con.execute("SELECT sum(downloads) FROM model_stats").fetchone() == (161801309,)
        assert con.execute(
            "SELECT count(*) FROM resume_points WHERE kind = 'hub-pull' AND next IS NULL"
        ).fetchone() == (1,)
        # a second run: the pull is complete, nothing fetched
        before = srv.requests
        again = pull(con, srv.url, timeout=1.0)
        assert again.complete and again.pages == 0 and srv.requests == before
        con.close()


@pytest.mark.slow
def test_sigkill_and_resume_equals_uninterrupted(records, tmp_path):
    with HubServer(records, page_size=2000, latency=0.1) as srv:
        ref = tmp_path / "ref.duckdb"
        c = connect(ref)
        pull(c, srv.url)
        c.close()
        served_ref = len(srv.served_pages)
        killed = tmp_path / "killed.duckdb"
        connect(killed).close()
        cmd = [
            sys.executable,
            "-m",
            "aicensus",
            "--db",
            str(killed),
            "hub",
            "pull",
            "--endpoint",
            srv.url,
        ]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        start = len(srv.served_pages)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while len(srv.served_pages) - start < 5 and time.time() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        c = duckdb.connect(str(killed), read_only=True)
        sql = "SELECT count(*) FROM resume_points WHERE kind = 'hub-pull'"
        stored = c.execute(sql).fetchone()[0]
        c.close()
        assert 0 < stored < 15
        before = len(srv.served_pages)
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert "resumed" in res.stdout
        refetched = len(srv.served_pages) - before
        assert refetched <= served_ref - stored  # no page stored before the kill is fetched again
    assert dump(killed) == dump(ref)


def test_401_names_the_token_and_never_prints_it(records, tmp_path):
    secret = "hf_wrongTOKENvalue123"
    with HubServer(records[:50], token="hf_right") as srv:
        con = connect(tmp_path / "w.duckdb")
        with pytest.raises(SourceError, match=r"401.*token") as exc:
            pull(con, srv.url, token=secret)
        assert secret not in str(exc.value)
        assert con.execute("SELECT count(*) FROM hub_models").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM hub_snapshots").fetchone() == (0,)
        con.close()
        r = CliRunner().invoke(
            app,
            ["--db", str(tmp_path / "c.duckdb"), "hub", "pull", "--endpoint", srv.url],
            env={"HF_TOKEN": secret},
        )
        assert isinstance(r.exception, SourceError)  # main() prints it as one line, exit 1
        assert "token" in str(r.exception) and secret not in str(r.exception) + r.output
        ok = pull(connect(tmp_path / "ok.duckdb"), srv.url, token="hf_right")
        assert ok.models == 50


def test_filters(records, tmp_path):
    with HubServer(records, page_size=100) as srv:
        con = connect(tmp_path / "w.duckdb")
        s = pull(con, srv.url, PullFilters(author="google"))
        assert s.models == 492  # SOURCE.md: google has 492 models
        assert s.pages == 5
        s2 = pull(con, srv.url, PullFilters(author="Helsinki-NLP", pipeline_tag="translation"))
        assert 0 < s2.models <= 1341
        assert con.execute(
            "SELECT count(DISTINCT snapshot), count(DISTINCT source) FROM hub_snapshots"
        ).fetchone() == (1, 1)
        con.close()
