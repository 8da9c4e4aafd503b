"""CLI for the Hub: load dumps, share/families/concentration/change in every format, charts,
one-line errors, and the report section (with and without Hub data)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app
from aicensus.errors import MeasureError, SourceError
from aicensus.warehouse import connect

runner = CliRunner()


@pytest.fixture(scope="module")
def db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hubcli") / "w.duckdb"
    r = runner.invoke(app, ["--db", str(path), "--data", str(data_root), "load", "hub"])
    assert r.exit_code == 0, r.output
    assert "29,432 models" in r.output and "9,715 models" in r.output
    return path


def run(db: Path, *args: str):
    return runner.invoke(app, ["--db", str(db), *args])


def test_load_twice_is_unchanged(db, data_root):
    r = runner.invoke(app, ["--db", str(db), "--data", str(data_root), "load", "hub"])
    assert r.exit_code == 0 and r.output.count("unchanged") == 2


def test_share_formats_and_chart(db, tmp_path):
    r = run(
        db,
        "hub",
        "share",
        "--by",
        "country",
        "--weight",
        "downloads",
        "--attribution",
        "root",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["meta"]["weight"] == "downloads" and doc["meta"]["snapshot"] == "2024-09-20"
    units = [row["unit"] for row in doc["rows"]]
    assert units[-1] == "unknown" and "CN" in units and "US" in units
    assert sum(row["share"] for row in doc["rows"]) == pytest.approx(1.0)
    svg = tmp_path / "s.svg"
    r = run(db, "hub", "share", "--by", "org", "--chart", str(svg))
    assert r.exit_code == 0, r.output
    assert svg.read_text().startswith("<svg") and "unknown:" in r.output
    out = tmp_path / "s.csv"
    r = run(
        db, "hub", "share", "--source", "hf_models_api", "--format", "csv", "--output", str(out)
    )
    assert r.exit_code == 0
    df = pd.read_csv(out)
    assert df["models"].sum() == 29432


def test_families_concentration_change(db, tmp_path):
    r = run(db, "hub", "families", "--weight", "derivatives", "--top", "5", "--format", "csv")
    assert r.exit_code == 0 and len(r.output.strip().splitlines()) == 6
    r = run(db, "hub", "concentration", "--format", "json")
    assert r.exit_code == 0 and "hhi" in r.output
    r = run(db, "hub", "change", "--from", "2022-02-15", "--to", "2024-09-20", "--format", "csv")
    assert r.exit_code == 0 and "change_pp" in r.output
    r = run(db, "hub", "snapshots")
    assert r.exit_code == 0 and "2022-02-15" in r.output


def test_errors_are_one_line(db, tmp_path):
    r = run(db, "hub", "share", "--weight", "likes")
    assert isinstance(r.exception, MeasureError)
    r = run(db, "hub", "share", "--snapshot", "1999-01-01")
    assert isinstance(r.exception, MeasureError) and "no hub snapshot" in str(r.exception)
    bad = tmp_path / "bad.txt"
    bad.write_text("not a dump\n")
    r = run(db, "load", "hub", "--from", str(bad))
    assert isinstance(r.exception, SourceError) and "\n" not in str(r.exception)


def test_report_section(db, tmp_path):
    out = tmp_path / "r.html"
    r = run(db, "report", "--output", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert 'id="hub"' in text and "Root families with the most derivatives" in text
    from aicensus.report.html import build

    page = build(connect(tmp_path / "empty.duckdb"))
    assert "No Hub snapshot loaded" in page


def test_change_takes_no_single_snapshot_option():
    """`hub change` compares --from and --to; a --snapshot it would ignore is not offered."""
    from typer.testing import CliRunner

    from aicensus.cli.main import app

    r = CliRunner().invoke(app, ["hub", "change", "--from", "a", "--to", "b", "--snapshot", "c"])
    assert r.exit_code == 2 and "No such option" in r.output
