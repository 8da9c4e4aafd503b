"""Spark snapshot ingest: the same table content as the DuckDB reader on the real snapshot
sample, Parquet both engines read (works partitioned by publication year), and incremental
re-runs that skip partitions already written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aicensus.engines.spark import SparkEngine
from aicensus.engines.spark_ingest import TABLES, ingest_snapshot
from aicensus.ingest.openalex import load_snapshot
from aicensus.sources.openalex.normalize import SCHEMAS
from aicensus.warehouse import connect

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
    from aicensus.engines.parquet import open_parquet_warehouse
    from aicensus.measures import papers as pm

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
