"""Open the warehouse file (creating and migrating it as needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from aicensus.errors import WarehouseError
from aicensus.warehouse.migrations import available, current_version, migrate
from aicensus.warehouse.parquet import is_parquet_warehouse, open_parquet_warehouse


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar: DuckDB draws it on stdout for queries over 2 s, which would corrupt
    csv/json output written to stdout and make equal runs differ."""
    con.execute("SET enable_progress_bar = false")
    return con


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open (or create) the warehouse at `path` for writing, migrated to the latest schema."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise WarehouseError(f"{path}: cannot open warehouse ({exc})") from None
    try:
        migrate(con)
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"{path}: schema migration failed ({exc})") from None
    return _quiet(con)


def open_readonly(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open an existing warehouse read-only (measures, reports); clear error if absent or old.
    A directory of Spark snapshot-ingest output opens as a warehouse over its Parquet."""
    path = Path(path)
    if is_parquet_warehouse(path):
        return _quiet(open_parquet_warehouse(path))
    if not path.exists():
        raise WarehouseError(
            f"{path}: no warehouse here; build it first with 'aicensus load paperlists'"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"{path}: cannot open warehouse ({exc})") from None
    latest = available()[-1][0]
    if current_version(con) < latest:
        con.close()
        con = connect(path)  # migrate forward, then use it
    return _quiet(con)
