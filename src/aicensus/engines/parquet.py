"""Open Parquet written by the Spark snapshot ingest as a (read-only, in-memory) DuckDB
warehouse: the migrated schema with each ingested table replaced by a view over its Parquet,
so the same measures, the `works_current` view and provenance work on it unchanged."""

from __future__ import annotations

from pathlib import Path

import duckdb

from aicensus.engines.spark_ingest import TABLES
from aicensus.errors import WarehouseError
from aicensus.warehouse.migrations import migrate


def open_parquet_warehouse(out: str | Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose warehouse tables read `out/<table>/**/*.parquet`."""
    out = Path(out)
    if not (out / "loads").is_dir():
        raise WarehouseError(f"{out}: no Spark ingest output here (no loads/ directory)")
    con = duckdb.connect()
    migrate(con)
    for table in (*TABLES, "loads"):
        if not any((out / table).glob("**/*.parquet")):
            continue
        src = (
            f"read_parquet('{out / table}/**/*.parquet', hive_partitioning = true, "
            "union_by_name = true)"
        )
        cols = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
        # Columns other sources fill (paperlists, the resolver) are NULL here, typed as in
        # the schema.
        select = ", ".join(
            f"CAST({c} AS {typ}) AS {c}" if c in have else f"CAST(NULL AS {typ}) AS {c}"
            for c, typ in cols
        )
        con.execute(f"DROP TABLE {table}")
        con.execute(f"CREATE VIEW {table} AS SELECT {select} FROM {src}")
    return con
