"""Typed single-row reads: DuckDB's `fetchone()` may return None, so queries that always yield
one row (an aggregate, a setting) go through `one_row`, which says so once, with a clear error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from aicensus.errors import WarehouseError


def one_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> tuple[Any, ...]:
    """The first row `sql` returns; WarehouseError naming the query when there is none."""
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise WarehouseError(f"warehouse query returned no row: {' '.join(sql.split())}")
    return row
