"""The papers CLI: readable table, csv/json/parquet output, charts, compare-methods, status."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app

runner = CliRunner()


@pytest.fixture()
def run(paperlists_db):
    def invoke(*args: str):
        result = runner.invoke(app, ["--db", str(paperlists_db), *args])
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_share_table(run):
    out = run(
        "papers",
        "share",
        "--venues",
        "ijcai",
        "--years",
        "2020-2024",
        "--method",
        "author-fractional",
        "--regions",
        "source",
    )
    assert "52.38%" in out  # IJCAI 2024 China, author-fractional (SOURCE.md)
    assert "method=author-fractional" in out and "regions=source" in out
    assert "sources: 5 paperlists file(s)" in out


def test_share_csv_matches_measure(run, tmp_path):
    path = tmp_path / "s.csv"
    run(
        "papers",
        "share",
        "--venues",
        "nips",
        "--years",
        "2018",
        "--regions",
        "source",
        "--method",
        "first-author",
        "--format",
        "csv",
        "--output",
        str(path),
        "--top",
        "0",
    )
    df = pd.read_csv(path)
    cn = df[df.country == "CN"].iloc[0]
    assert round(100 * cn.share, 2) == 11.47
    assert df.share.sum() == pytest.approx(1.0)  # fractional shares add up to 1


def test_json_and_parquet_carry_metadata(run, tmp_path):
    out = run("papers", "share", "--venues", "icml", "--years", "2019", "--format", "json")
    doc = json.loads(out)
    assert doc["meta"]["method"] == "full" and doc["meta"]["regions"] == "recovered"
    assert doc["meta"]["sources"][0]["key"] == "icml/icml2019"
    assert len(doc["meta"]["sources"][0]["content_hash"]) == 64
    path = tmp_path / "s.parquet"
    run(
        "papers",
        "share",
        "--venues",
        "icml",
        "--years",
        "2019",
        "--format",
        "parquet",
        "--output",
        str(path),
    )
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"aicensus"])
    assert meta["measure"] == "papers.share" and table.num_rows > 5


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_chart(run, tmp_path, suffix):
    path = tmp_path / f"c{suffix}"
    run("papers", "share", "--venues", "ijcai", "--by", "year", "--chart", str(path))
    data = path.read_bytes()
    assert data.startswith(b"<svg" if suffix == ".svg" else b"\x89PNG")
    if suffix == ".svg":
        assert b"CN" in data or b"China" in data


def test_compare_methods(run):
    out = run(
        "papers",
        "compare-methods",
        "--country",
        "CN,US",
        "--venues",
        "ijcai",
        "--years",
        "2024",
        "--regions",
        "source",
    )
    for figure in ("58.99%", "48.57%", "52.38%", "54.59%", "21.13%", "12.01%"):
        assert figure in out


def test_group_option(run):
    out = run(
        "papers",
        "share",
        "--venues",
        "ijcai",
        "--years",
        "2024",
        "--group",
        "CN=CN,HK,MO,TW",
        "--format",
        "json",
    )
    codes = {r["country"] for r in json.loads(out)["rows"]}
    assert "CN" in codes and not codes & {"HK", "MO", "TW"}


def test_collaboration_coauthorship_citations(run):
    out = run(
        "papers",
        "collaboration",
        "--venues",
        "iros",
        "--years",
        "2023",
        "--regions",
        "source",
        "--format",
        "json",
    )
    assert json.loads(out)["rows"][0]["international"] == 225
    out = run(
        "papers",
        "coauthorship",
        "--pair",
        "US,CN",
        "--venues",
        "cvpr",
        "--years",
        "2019",
        "--regions",
        "source",
        "--format",
        "json",
    )
    assert json.loads(out)["rows"][0]["papers"] == 146
    out = run("papers", "citations", "--venues", "nips", "--years", "2018", "--format", "json")
    rows = {r["country"]: r for r in json.loads(out)["rows"]}
    assert rows["US"]["mean_citations"] > 0 and 0 < rows["US"]["top10_share"] < 1


def test_institution_share(run):
    out = run(
        "papers",
        "share",
        "--unit",
        "institution",
        "--venues",
        "ijcai",
        "--years",
        "2024",
        "--format",
        "json",
        "--top",
        "3",
    )
    rows = json.loads(out)["rows"]
    assert len(rows) == 3 and all(r["institution"] for r in rows)


def test_status(run):
    out = run("status", "--quarantine")
    assert "paperlists" in out and "246" in out and "repeated listing" in out
