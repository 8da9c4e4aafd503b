"""papers share / compare-methods: venue-years without the unit's data are named (never an
empty table without a word), institutions from the resolver under inferred countries, one
country option set for both commands, and the regions note under inferred countries."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app
from aicensus.errors import MeasureError
from aicensus.measures import papers as pm

runner = CliRunner()
AFF = "paperlists_affonly"


@pytest.fixture(scope="module")
def db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ICLR 2013-2018 (files without affiliations) and ICML 2019 from the paper lists; ICLR 2021
    and CVPR 2024 from the affiliation-only files (countries and institutions inferred)."""
    path = tmp_path_factory.mktemp("opts") / "w.duckdb"
    loads = (
        ["load", "paperlists", "--venues", "iclr,icml", "--years", "2013-2019"],
        ["load", "paperlists-affonly", "--venues", "iclr,cvpr", "--years", "2021,2024"],
    )
    for args in loads:
        r = runner.invoke(app, ["--db", str(path), "--data", str(data_root), *args])
        assert r.exit_code == 0, r.output
    return path


@pytest.fixture()
def con(db):
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def run(db: Path, *args: str):
    return runner.invoke(app, ["--db", str(db), *args])


# ------------------------------------------------------------------ item 16: why empty


def test_institution_share_without_institutions_says_which_files(db):
    r = run(db, "papers", "share", "--unit", "institution", "--venues", "iclr")
    assert isinstance(r.exception, MeasureError), r.output
    msg = str(r.exception)
    assert "\n" not in msg and "institution" in msg
    for vy in ("iclr 2013", "iclr 2014", "iclr 2017", "iclr 2018"):
        assert vy in msg


def test_partly_empty_selection_names_the_empty_venue_years(db, con):
    q = pm.PaperQuery(venues=("iclr", "icml"), years=(2018, 2019), unit="institution")
    r = pm.share(con, q)
    assert set(r.table["venue"]) == {"icml"} and len(r.table) > 100
    assert r.meta["without_data"] == ["iclr 2018"]
    out = run(db, "papers", "share", "--unit", "institution", "--venues", "iclr,icml",
              "--years", "2018-2019")  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "iclr 2018" in out.output and "no paper with a known institution" in out.output


def test_inferred_sources_point_to_inferred_institutions(db, con):
    q = pm.PaperQuery(source=AFF, venues=("iclr",), unit="institution")
    with pytest.raises(MeasureError, match="--countries inferred") as err:
        pm.share(con, q)
    assert "iclr 2021" in str(err.value)
    r = pm.share(con, pm.PaperQuery(source=AFF, venues=("iclr",), unit="institution",
                                    countries="inferred"))  # fmt: skip
    t = r.table
    assert len(t) > 100 and r.meta["without_data"] == []
    # the resolver's institutions, counted like source institutions (full counting)
    top = t.iloc[0]
    n = con.execute(
        "SELECT count(DISTINCT a.work_id) FROM affiliations a JOIN works_current w "
        "USING (work_id, load_id) WHERE w.source = ? AND w.venue = 'iclr' "
        "AND a.inferred_institution = ? AND w.status NOT IN ('Reject', 'Withdraw', 'Desk Reject')",
        [AFF, top["institution"]],
    ).fetchone()[0]
    assert top["papers"] == n
    known = con.execute(
        "SELECT count(DISTINCT a.work_id) FROM affiliations a JOIN works_current w "
        "USING (work_id, load_id) WHERE w.source = ? AND w.venue = 'iclr' "
        "AND a.inferred_institution IS NOT NULL "
        "AND w.status NOT IN ('Reject', 'Withdraw', 'Desk Reject')",  # accepted papers only
        [AFF],
    ).fetchone()[0]
    assert top["denominator"] == known


# ------------------------------------------------------------------ item 17: one option set


def test_share_takes_country(db):
    r = run(db, "papers", "share", "--venues", "icml", "--country", "cn,US", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert {row["country"] for row in doc["rows"]} == {"CN", "US"}
    assert doc["meta"]["country_filter"] == ["CN", "US"]


def test_compare_methods_takes_countries(db):
    r = run(db, "papers", "compare-methods", "--source", AFF, "--countries", "inferred",
            "--venues", "cvpr", "--country", "CN,HK", "--format", "json")  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["meta"]["countries"] == "inferred"
    assert {row["country"] for row in doc["rows"]} == {"CN", "HK"}


def test_same_country_options_in_both_commands():
    import inspect

    from aicensus.cli import options
    from aicensus.cli import papers as cli_papers

    for command in (cli_papers.share, cli_papers.compare_methods):
        defaults = [p.default for p in inspect.signature(command).parameters.values()]
        assert options.COUNTRY in defaults and options.COUNTRIES in defaults, command.__name__


def _folded_papers(con, venue: str, year: int) -> int:
    """Papers with an inferred country Paper Copilot would fold into China (HK, MO, TW)."""
    return con.execute(
        "SELECT count(DISTINCT a.work_id) FROM affiliations a JOIN works_current w "
        "USING (work_id, load_id) WHERE w.source = ? AND w.venue = ? AND w.year = ? "
        "AND a.country_inferred IN ('HK', 'MO', 'TW')",
        [AFF, venue, year],
    ).fetchone()[0]


def test_regions_moved_under_inferred_countries(db, con):
    q = pm.PaperQuery(source=AFF, venues=("cvpr",), years=(2024,), countries="inferred")
    moved = pm.share(con, q).meta["regions_moved"]
    assert moved["papers_moved"] == _folded_papers(con, "cvpr", 2024) > 0
    assert set(moved["by_region"]) <= {"HK", "MO", "TW"} and moved["by_region"]["HK"] > 0
    # consistent with the figures: folding HK/MO/TW moves China's count by at most that many
    rec = pm.share(con, q).table.set_index("country")["papers"]
    src = pm.share(con, replace(q, regions="source"))
    gained = src.table.set_index("country")["papers"]["CN"] - rec["CN"]
    assert 0 < gained <= moved["papers_moved"]
    out = run(db, "papers", "share", "--source", AFF, "--countries", "inferred",
              "--venues", "cvpr", "--years", "2024")  # fmt: skip
    assert f"regions: {moved['papers_moved']:,} papers" in out.output


def test_regions_moved_respects_grouping(con):
    """With HK, MO and TW grouped into China, the regions choice moves no paper."""
    q = pm.PaperQuery(source=AFF, venues=("cvpr",), years=(2024,), countries="inferred",
                      group="CN=CN,HK,MO,TW")  # fmt: skip
    assert pm.share(con, q).meta["regions_moved"]["papers_moved"] == 0
