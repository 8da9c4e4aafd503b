"""`aicensus run --online --only ...`: a subset of steps; an upstream that cannot be reached
keeps the source's previous rows, is reported, and the run goes on to write the report."""

from __future__ import annotations

import subprocess
import sys

import duckdb
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
