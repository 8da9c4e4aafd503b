"""Spark snapshot ingest: the same table content as the DuckDB reader on the real snapshot
sample, Parquet both engines read (works partitioned by publication year), and incremental
re-runs that skip partitions already written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aicensus.engines.spark import SparkEngine, fingerprint
from aicensus.ingest.openalex import load_snapshot
from aicensus.ingest.spark import TABLES, ingest_snapshot
from aicensus.sources.openalex.normalize import SCHEMAS
from aicensus.warehouse import connect, open_readonly
from tests.snapshots import build_snapshot, short

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]  # one SparkSession
ENTITIES = ("works", "institutions")


@pytest.fixture(scope="module")
def ingested(data_root: Path, tmp_path_factory, spark_engine: SparkEngine):
    root = str(data_root / "openalex_works" / "snapshot_sample")
    out = tmp_path_factory.mktemp("spark_ingest") / "parquet"
    first = ingest_snapshot(spark_engine.spark, root, out, ENTITIES)
    again = ingest_snapshot(spark_engine.spark, root, out, ENTITIES)
    db = tmp_path_factory.mktemp("duck_ingest") / "wh.duckdb"
    con = connect(db)
    load_snapshot(con, root, ENTITIES)
    return first, again, out, con


def test_incremental(ingested):
    first, again, out, _con = ingested
    assert len(first.written) == 3 and first.records == 27 + 50 + 678
    assert again.written == [] and sorted(again.skipped) == sorted(first.written)
    years = sorted(p.name for p in (out / "works").glob("pub_year=*"))
    assert "pub_year=2023" in years or len(years) > 5  # partitioned by publication year


@pytest.mark.parametrize("table", TABLES)
def test_same_rows_as_duckdb_reader(ingested, table):
    _first, _again, out, con = ingested
    cols = ", ".join([f.name for f in SCHEMAS[table]] + ["load_id"])
    glob = f"{out}/{table}/**/*.parquet"
    pq = f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true)"
    wh = f"(SELECT * FROM {table} WHERE load_id LIKE 'openalex:snapshot/%')"
    n_pq = con.execute(f"SELECT count(*) FROM {pq}").fetchone()[0]
    n_wh = con.execute(f"SELECT count(*) FROM {wh}").fetchone()[0]
    assert n_pq == n_wh
    for a, b in ((pq, wh), (wh, pq)):
        diff = con.execute(f"SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}").fetchall()
        assert diff == [], f"{table}: {diff[:3]}"
    if table == "works":
        assert n_pq == 77


def test_loads_match(ingested):
    _first, _again, out, con = ingested
    cols = "load_id, key, location, content_hash, parser_version, rows_loaded, rows_quarantined"
    pq = con.execute(f"SELECT {cols} FROM '{out}/loads/*.parquet' ORDER BY 1").fetchall()
    wh = con.execute(f"SELECT {cols} FROM loads WHERE key LIKE 'snapshot/%' ORDER BY 1").fetchall()
    assert pq == wh


def test_duckdb_and_spark_read_the_parquet(ingested, spark_engine):
    _first, _again, out, _con = ingested
    spark = spark_engine.spark
    n_spark = spark.read.parquet(str(out / "works")).filter("pub_year = 2023").count()
    n_duck = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/works/**/*.parquet', hive_partitioning = true) "
        "WHERE pub_year = 2023"
    ).fetchall()[0][0]
    assert n_spark == n_duck


@pytest.mark.parametrize("method", ["full", "country-fractional", "author-fractional"])
def test_measures_on_spark_parquet_equal_duckdb_reader(ingested, spark_engine, method):
    """The ingest Parquet opened as a warehouse gives the DuckDB reader's shares, on DuckDB
    and (for one method) on Spark."""
    from aicensus.measures import papers as pm
    from aicensus.warehouse.parquet import open_parquet_warehouse

    _first, _again, out, con = ingested
    pcon = open_parquet_warehouse(out)
    unknown = "drop" if method == "full" else "count"
    q = pm.PaperQuery(source="openalex", by="year", method=method, unknown=unknown)
    ref = pm.share(con, q).table
    got = pm.share(pcon, q).table
    pd.testing.assert_frame_equal(ref, got, check_dtype=False)
    if method == "author-fractional":
        on_spark = pm.share(pcon, q, engine=spark_engine).table
        pd.testing.assert_frame_equal(
            ref.sort_values(["year", "country"]).reset_index(drop=True),
            on_spark.sort_values(["year", "country"]).reset_index(drop=True),
            check_dtype=False,
        )


@pytest.fixture(scope="module")
def updated(data_root: Path, tmp_path_factory, spark_engine: SparkEngine):
    """A snapshot with a work repeated across partitions, an older copy and a merged-away
    work, ingested by Spark and by the DuckDB reader."""
    tmp = tmp_path_factory.mktemp("spark_updated")
    case = build_snapshot(data_root / "openalex_works", tmp / "snapshot")
    root, out = str(tmp / "snapshot"), tmp / "parquet"
    summary = ingest_snapshot(spark_engine.spark, root, out, ENTITIES)
    con = connect(tmp / "wh.duckdb")
    load_snapshot(con, root, ENTITIES)
    return case, summary, out, con


def test_merged_ids_and_works_current(updated):
    """merged_ids reach the Parquet; the DuckDB view over it and the DuckDB reader agree on
    works_current (the newer copy wins, the older record loses, the merged work is gone)."""
    case, summary, out, con = updated
    assert "snapshot/merged_ids/works/2024-03-02" in summary.written
    assert summary.rows["merged_ids"] == 1
    pcon = open_readonly(out)
    cols = "work_id, load_id, citations, year, updated_date"
    for a, b in ((pcon, con), (con, pcon)):
        rows = set(a.execute(f"SELECT {cols} FROM works_current").fetchall())
        assert rows == set(b.execute(f"SELECT {cols} FROM works_current").fetchall())
    cited = dict(pcon.execute("SELECT work_id, citations FROM works_current").fetchall())
    assert len(cited) == case["records"]
    assert cited[short(case["newer"])] == 99999
    assert cited[short(case["b"])] == case["b"]["cited_by_count"]
    assert short(case["new"]) not in cited


def test_spark_reads_ingest_parquet_directly(updated, spark_engine):
    """On the ingest output, the Spark engine reads the Parquet (nothing exported) and computes
    works_current itself; every method matches the DuckDB reader's warehouse."""
    from aicensus.measures import papers as pm

    _case, _summary, out, con = updated
    pcon = open_readonly(out)
    export = spark_engine.export_root() / fingerprint(pcon)
    for method in ("full", "author-fractional"):
        q = pm.PaperQuery(source="openalex", by="year", method=method, unknown="count")
        ref = pm.share(con, q).table.sort_values(["year", "country"]).reset_index(drop=True)
        got = pm.share(pcon, q, engine=spark_engine).table
        got = got.sort_values(["year", "country"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(ref, got, check_dtype=False)
    assert not export.exists()  # every table read in place, nothing exported
    n = spark_engine.spark.sql("SELECT count(*) AS n FROM works_current").collect()[0].n
    assert n == pcon.execute("SELECT count(*) FROM works_current").fetchone()[0]


def test_interrupted_run_leaves_output_unchanged(data_root, tmp_path, spark_engine, monkeypatch):
    """A run that fails after staging its tables publishes nothing; the next run completes
    with no duplicated row."""
    import aicensus.ingest.spark as si

    root = str(data_root / "openalex_works" / "snapshot_sample")
    out = tmp_path / "parquet"

    def fail(*args, **kw):
        raise RuntimeError("killed")

    monkeypatch.setattr(si, "_write_merged", fail)
    with pytest.raises(RuntimeError):
        ingest_snapshot(spark_engine.spark, root, out)
    assert not list(out.glob("works/**/*.parquet")) and not list(out.glob("loads/*.parquet"))
    assert list((out / "_runs").glob("*/works/**/*.parquet"))  # it had staged them
    monkeypatch.undo()
    s = ingest_snapshot(spark_engine.spark, root, out)
    assert len(s.written) == 2 and not (out / "_runs").exists()
    n = duckdb.sql(f"SELECT count(*) FROM '{out}/works/**/*.parquet'").fetchall()[0][0]
    assert n == 77


def test_cli_reads_ingest_output_with_db_dir(updated):
    """`--db <ingest output dir>` opens the Parquet as a warehouse for read commands."""
    import json

    from typer.testing import CliRunner

    from aicensus.cli.main import app

    _case, _summary, out, con = updated
    args = ["--db", str(out), "papers", "share", "--source", "openalex", "--by", "all"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    got = {r["country"]: r["papers"] for r in json.loads(result.output)["rows"]}
    q = "SELECT count(DISTINCT a.work_id) FROM affiliations a JOIN works_current w USING (work_id, load_id) WHERE a.country = 'DE' AND w.source = 'openalex'"  # noqa: E501
    assert got["DE"] == con.execute(q).fetchone()[0]
