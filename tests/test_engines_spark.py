"""One definition, two engines: every paper measure gives the same numbers on DuckDB and on
Spark (local mode) for the real paperlists and OpenAlex records, for every counting method."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from aicensus.ingest.openalex import load_files, load_snapshot
from aicensus.measures import papers as pm
from aicensus.warehouse import connect
from tests.compare import both, same

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]  # one SparkSession


@pytest.fixture(scope="module")
def openalex_db(data_root: Path, tmp_path_factory) -> Path:
    """All OpenAlex works: works.jsonl.gz and the snapshot sample (works_current de-duplicates)."""
    path = tmp_path_factory.mktemp("oa_engines") / "oa.duckdb"
    con = connect(path)
    load_files(con, str(data_root / "openalex_works" / "works.jsonl.gz"))
    load_snapshot(con, str(data_root / "openalex_works" / "snapshot_sample"))
    con.close()
    return path


def test_paperlists_share_every_method(paperlists_db, spark_engine):
    """All four methods per venue-year for every country (compare-methods over all units),
    and papers.share itself with its regions_moved meta."""
    con = duckdb.connect(str(paperlists_db), read_only=True)
    try:
        units = [r[0] for r in con.execute("SELECT DISTINCT country FROM affiliations "
                                           "WHERE country IS NOT NULL").fetchall()]  # fmt: skip
        q = pm.PaperQuery(by="venue-year")
        d, s = both(pm.compare_methods, con, q, spark_engine, units=units)
        assert len(d.table) > 1000 and list(d.table.columns)[-4:] == list(pm.METHODS)
        same(d.table, s.table, "compare-methods (share, every method)")
        d, s = both(pm.share, con, pm.PaperQuery(by="year"), spark_engine)
        same(d.table, s.table, "share")
        assert d.meta["regions_moved"] == s.meta["regions_moved"]
    finally:
        con.close()


@pytest.mark.parametrize("method", ["author-fractional", "first-author"])
def test_paperlists_citations(paperlists_db, spark_engine, method):
    """Citations (weighted mean, weighted median, top-10% shares) under the author-level
    methods, whose fractional weights are the hardest to sum identically."""
    con = duckdb.connect(str(paperlists_db), read_only=True)
    try:
        d, s = both(pm.citations, con, pm.PaperQuery(method=method, by="year"), spark_engine)
        same(d.table, s.table, f"citations {method}")
        assert d.meta["coverage_citations"] == s.meta["coverage_citations"]
    finally:
        con.close()


def test_paperlists_collaboration_coauthorship_institutions(paperlists_db, spark_engine):
    con = duckdb.connect(str(paperlists_db), read_only=True)
    try:
        q = pm.PaperQuery(by="year", regions="source", group="CN=CN,HK,MO,TW")
        same(*(r.table for r in both(pm.collaboration, con, q, spark_engine)), "collaboration")
        same(*(r.table for r in both(pm.coauthorship, con, q, spark_engine)), "coauthorship")
        q = pm.PaperQuery(by="all", unit="institution", method="author-fractional")
        d, s = both(pm.share, con, q, spark_engine, top=50)
        same(d.table, s.table, "institution share")
        q = pm.PaperQuery(by="all", alignment="realigned")
        d, s = both(pm.compare_methods, con, q, spark_engine, units=["US", "CN", "HK", "GB"])
        same(d.table, s.table, "compare-methods realigned")
    finally:
        con.close()


# Each method once without a field definition and once with one (rotating through the three
# definitions, which exercise a subfield filter, a concept semi-join and a venue regex).
OA_CASES = [
    ("full", None), ("country-fractional", None), ("author-fractional", None),
    ("first-author", None), ("full", "oecd-concepts"), ("country-fractional", "ai-venues"),
    ("author-fractional", "openalex-subfields"), ("first-author", "oecd-concepts"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "definition"), OA_CASES)
def test_openalex_share_every_method(openalex_db, spark_engine, method, definition):
    con = duckdb.connect(str(openalex_db), read_only=True)
    try:
        unknown = "drop" if method == "full" else "count"
        q = pm.PaperQuery(
            source="openalex", by="year", method=method, unknown=unknown,
            field_definition=definition,
        )  # fmt: skip
        d, s = both(pm.share, con, q, spark_engine)
        assert len(d.table) > 10
        same(d.table, s.table, f"openalex share {method} {definition}")
    finally:
        con.close()


@pytest.mark.parametrize("method", pm.METHODS)
def test_openalex_citations_every_method(openalex_db, spark_engine, method):
    con = duckdb.connect(str(openalex_db), read_only=True)
    try:
        unknown = "drop" if method == "full" else "count"
        q = pm.PaperQuery(source="openalex", by="all", method=method, unknown=unknown)
        d, s = both(pm.citations, con, q, spark_engine)
        same(d.table, s.table, f"openalex citations {method}")
    finally:
        con.close()


def test_openalex_reference_on_spark(openalex_db, spark_engine):
    """The SOURCE.md full-count figures, computed on Spark (DE 453, US 281, total 1601 on
    works.jsonl.gz; the snapshot sample adds its own works)."""
    con = duckdb.connect(str(openalex_db), read_only=True)
    try:
        q = pm.PaperQuery(source="openalex", by="all", method="full")
        s = pm.share(con, q, engine=spark_engine).table.set_index("country")["papers"]
        d = pm.share(con, q).table.set_index("country")["papers"]
        assert s.sum() == d.sum() and s["DE"] == d["DE"] >= 453
    finally:
        con.close()


def test_engines_sharing_the_session_switch_warehouses(
    paperlists_db, openalex_db, spark_engine, tmp_path
):
    """Temp views belong to the one Spark session: a second engine registering another
    warehouse must not leave the first engine reading that warehouse's tables."""
    from aicensus.engines.spark import SparkEngine

    other = SparkEngine({"master": "local[2]", "export_dir": str(tmp_path)})
    q_pl, q_oa = pm.PaperQuery(by="all"), pm.PaperQuery(source="openalex", by="all")
    pl = duckdb.connect(str(paperlists_db), read_only=True)
    oa = duckdb.connect(str(openalex_db), read_only=True)
    try:
        first = pm.share(pl, q_pl, engine=spark_engine).table
        between = pm.share(oa, q_oa, engine=other).table
        again = pm.share(pl, q_pl, engine=spark_engine).table
        same(first, again, "paperlists before and after another warehouse")
        same(between, pm.share(oa, q_oa).table, "openalex on the second engine")
    finally:
        pl.close()
        oa.close()
