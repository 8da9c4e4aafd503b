"""The README's main job end to end: `aicensus run` loads every bundled source, checks the
debate claims and writes the report; a second run changes nothing."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app
from tests.test_load_paperlists import snapshot


@pytest.mark.slow
def test_run_builds_every_source_and_the_report(data_root, tmp_path):
    db, report = tmp_path / "w.duckdb", tmp_path / "report.html"
    args = ["--db", str(db), "--data", str(data_root), "run", "--output", str(report)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        sources = {r[0] for r in con.execute("SELECT DISTINCT source FROM loads").fetchall()}
        evaluated = con.execute("SELECT count(*) FROM resolver_evaluation").fetchone()[0]
    finally:
        con.close()
    assert {"paperlists", "paperlists_affonly", "epoch", "openalex", "orgs"} <= sources
    assert any(s.startswith("hf_models") or s.startswith("hub") for s in sources), sources
    assert any("arena" in s or "board" in s for s in sources), sources
    assert evaluated > 0
    text = report.read_text()
    sections = ("claims", "papers", "inferred", "openalex", "models", "hub", "provenance")
    for section in (f'id="{s}"' for s in sections):
        assert section in text
    # the OpenAlex claim is decided now that the bundled works are loaded
    assert "no openalex papers loaded" not in text
    before = snapshot(db)
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert snapshot(db) == before
