"""Every command with --chart writes its chart as .svg and as .html on the real data (a value
the warehouse returns as DECIMAL/HUGEINT must never reach Altair), and --output/--chart name a
bad path in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app

runner = CliRunner()

CHART_COMMANDS = {
    "papers-share": ["papers", "share", "--venues", "ijcai", "--by", "year"],
    "papers-compare": ["papers", "compare-methods", "--venues", "ijcai", "--years", "2024"],
    "models-count": ["models", "count", "--years", "2022-2025"],
    "board-standing": ["board", "standing", "--board", "text-to-video"],
    "board-gap-text": ["board", "gap", "--board", "text"],
    "board-gap-video": ["board", "gap", "--board", "text-to-video"],
    "hub-share": ["hub", "share"],
    "hub-families": ["hub", "families"],
}


@pytest.fixture(scope="module")
def db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("charts") / "w.duckdb"
    loads = (
        ["load", "paperlists", "--venues", "ijcai"],
        ["load", "epoch"],
        ["load", "arena"],
        ["load", "hub"],
    )
    for args in loads:
        r = runner.invoke(app, ["--db", str(path), "--data", str(data_root), *args])
        assert r.exit_code == 0, r.output
    return path


def run(db: Path, *args: str):
    return runner.invoke(app, ["--db", str(db), *args])


@pytest.mark.parametrize("suffix", [".svg", ".html"])
@pytest.mark.parametrize("name", list(CHART_COMMANDS))
def test_every_chart_command(db, tmp_path, name, suffix):
    chart = tmp_path / f"{name}{suffix}"
    r = run(db, *CHART_COMMANDS[name], "--chart", str(chart), "--format", "csv")
    assert r.exit_code == 0, f"{r.output}\n{r.exception!r}"
    text = chart.read_text()
    assert len(text) > 1000
    assert "<svg" in text if suffix == ".svg" else "vegaEmbed" in text


def test_measure_tables_hold_no_decimals(db):
    """Counts summed by the warehouse arrive as plain numbers (int/float), never Decimal."""
    import decimal

    import duckdb

    from aicensus.measures import boards as bm
    from aicensus.measures import hub as hm
    from aicensus.measures import models as mm
    from aicensus.measures import papers as pm

    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            bm.gap(con, bm.BoardQuery(board="text")).table,
            bm.standing(con, bm.BoardQuery(board="text")).table,
            bm.entries(con, bm.BoardQuery(board="text")).table,
            mm.compute(con, mm.ModelQuery()).table,
            hm.top_families(con, hm.HubQuery()).table,
            pm.collaboration(con, pm.PaperQuery()).table,
        ]
    finally:
        con.close()
    for t in tables:
        for col in t.columns:
            bad = [v for v in t[col] if isinstance(v, decimal.Decimal)]
            assert not bad, f"{col}: {bad[:3]}"
