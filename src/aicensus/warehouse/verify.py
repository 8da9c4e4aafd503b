"""Read the whole warehouse to find storage damage that ordinary queries may never touch.

DuckDB checks a block's checksum only when it reads the block, so a damaged file can answer
`status` (which reads `loads`) and fail later in a measure. `verify` reads every column of every
table (an order-independent checksum of each row), so every data block is read once.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from aicensus.warehouse.connection import storage_failure
from aicensus.warehouse.rows import one_row


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The warehouse's own (not temporary) tables, by name."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND NOT temporary ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def verify(con: duckdb.DuckDBPyConnection, path: str | Path) -> pd.DataFrame:
    """One row per table (rows read and a checksum of their contents); WarehouseError naming
    the file and the table at the first damaged block."""
    out = []
    for table in _tables(con):
        try:
            rows, checksum = one_row(con, f'SELECT count(*), bit_xor(hash(t)) FROM "{table}" AS t')
        except duckdb.Error as exc:
            failure = storage_failure(exc, path, where=f"table {table}")
            if failure is None:
                raise
            raise failure from None
        out.append({"table": table, "rows": rows, "checksum": f"{checksum or 0:016x}"})
    return pd.DataFrame(out, columns=["table", "rows", "checksum"])
