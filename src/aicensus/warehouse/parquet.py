"""Open Parquet written by the Spark snapshot ingest as a (read-only, in-memory) DuckDB
warehouse: the migrated schema with each ingested table replaced by a view over its Parquet,
so the same measures, the `works_current` view and provenance work on it unchanged. The
directory is remembered (`parquet_root`) so the Spark engine reads the Parquet itself instead
of exporting the views."""

from __future__ import annotations

from pathlib import Path

import duckdb

from aicensus.errors import WarehouseError
from aicensus.warehouse.migrations import migrate
from aicensus.warehouse.rows import one_row

# Tables the Spark snapshot ingest writes under <out>/<table>/ (works partitioned by pub_year).
PARQUET_TABLES: tuple[str, ...] = ("works", "authorships", "affiliations", "institutions")
PARQUET_TABLES += ("work_references", "work_concepts", "quarantine", "merged_ids", "loads")
_ROOT = "_parquet_root"


def is_parquet_warehouse(path: str | Path) -> bool:
    """A directory holding Spark ingest output (it has a loads/ table)."""
    return Path(path).is_dir() and (Path(path) / "loads").is_dir()


def has_parquet(directory: Path) -> bool:
    return any(directory.glob("**/*.parquet"))


def _scan(files: str) -> str:
    """read_parquet over `files` (a parameter marker or a quoted literal, never a pasted path)."""
    return f"read_parquet({files}, hive_partitioning = true, union_by_name = true)"


def open_parquet_warehouse(out: str | Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose warehouse tables read `out/<table>/**/*.parquet`."""
    out = Path(out)
    if not is_parquet_warehouse(out):
        raise WarehouseError(f"{out}: no Spark ingest output here (no loads/ directory)")
    con = duckdb.connect()
    migrate(con)
    for table in PARQUET_TABLES:
        if not has_parquet(out / table):
            continue
        files = str(out / table / "**" / "*.parquet")
        cols = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
        have = {
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {_scan('?')}", [files]).fetchall()
        }
        # A view cannot take a prepared parameter: DuckDB itself quotes the path literal.
        src = _scan(str(duckdb.ConstantExpression(files)))
        # Columns other sources fill (paperlists, the resolver) are NULL here, typed as in
        # the schema.
        select = ", ".join(
            f"CAST({c} AS {typ}) AS {c}" if c in have else f"CAST(NULL AS {typ}) AS {c}"
            for c, typ in cols
        )
        con.execute(f"DROP TABLE {table}")
        con.execute(f"CREATE VIEW {table} AS SELECT {select} FROM {src}")
    con.execute(f"CREATE TEMP TABLE {_ROOT} AS SELECT ? AS dir", [str(out.resolve())])
    return con


def parquet_root(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The Parquet directory behind a connection from `open_parquet_warehouse`, else None."""
    found = one_row(
        con, "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [_ROOT]
    )[0]
    if not found:
        return None
    return Path(one_row(con, f"SELECT dir FROM {_ROOT}")[0])
