"""`resolve evaluate` on venues with no author countries to score against: one line, exit 1
(it was a KeyError traceback from an empty table)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aicensus.cli.main import app
from aicensus.errors import AicensusError


def test_venues_without_countries_is_one_line(data_root: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--db",
            str(tmp_path / "w.duckdb"),
            "--data",
            str(data_root),
            "resolve",
            "evaluate",
            "--venues",
            "iclr",
        ],
    )
    # main() prints an AicensusError as one line and exits 1 (tests/test_cli_root.py)
    assert isinstance(result.exception, AicensusError)
    line = str(result.exception)
    assert "no file of iclr has author countries to score against" in line
    assert "venues with them:" in line and "ijcai" in line
    assert "\n" not in line
