"""Every command with --chart writes its chart as .svg and as .html on the real data (a value
the warehouse returns as DECIMAL/HUGEINT must never reach Altair), and --output/--chart name a
bad path in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app
from aicensus.errors import AicensusError

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


def _bad_paths(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    return {
        "directory": tmp_path / "adir",
        "missing-parent": tmp_path / "nowhere" / "out.csv",
        "parent-is-file": tmp_path / "afile" / "out.csv",
    }


@pytest.mark.parametrize("kind", ["directory", "missing-parent", "parent-is-file"])
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_output_bad_path_is_one_line(db, tmp_path, kind, fmt):
    path = _bad_paths(tmp_path)[kind]
    r = run(db, "models", "count", "--format", fmt, "--output", str(path))
    assert isinstance(r.exception, AicensusError), repr(r.exception)
    msg = str(r.exception)
    assert str(path) in msg and "\n" not in msg


@pytest.mark.parametrize("kind", ["directory", "missing-parent"])
def test_chart_bad_path_is_one_line(db, tmp_path, kind):
    bad = _bad_paths(tmp_path)[kind]
    path = bad.rename(tmp_path / "chart.svg") if kind == "directory" else bad.with_suffix(".svg")
    r = run(db, "hub", "share", "--chart", str(path))
    assert isinstance(r.exception, AicensusError), repr(r.exception)
    assert str(path) in str(r.exception) and "\n" not in str(r.exception)


def test_output_directory_through_the_entry_point(db, tmp_path):
    """The installed command prints one `error:` line naming the path, no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "aicensus", "--db", str(db), "board", "gap", "--output",
         str(tmp_path), "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    err = proc.stderr.strip()
    assert proc.returncode == 1 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("error:") and str(tmp_path) in err
