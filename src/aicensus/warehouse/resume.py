"""Resume points of incremental fetches (table `resume_points`): the one way an interrupted
OpenAlex API pull or live Hub pull finds where to continue. A page's row is written with the
page's own rows (same transaction), so what is committed and where to resume never disagree."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

TABLE = "resume_points"
SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("pull_id", pa.string()),
        ("stream", pa.string()),
        ("page_no", pa.int32()),
        ("position", pa.string()),
        ("next", pa.string()),
        ("records", pa.int32()),
        ("total", pa.int64()),
    ]
)


@dataclass(frozen=True)
class Point:
    """The newest committed page of one stream: its number, where to continue, the total."""

    page_no: int
    next: str | None
    total: int | None


def row(
    kind: str,
    pull_id: str,
    page_no: int,
    position: str,
    next_position: str | None,
    records: int,
    stream: str = "",
    total: int | None = None,
) -> pa.Table:
    """The resume row of one page, to put in the page's LocationRows under `TABLE`."""
    values = [kind, pull_id, stream, page_no, position, next_position, records, total]
    return pa.Table.from_pylist([dict(zip(SCHEMA.names, values, strict=True))], SCHEMA)


def last_points(con: duckdb.DuckDBPyConnection, kind: str, pull_id: str) -> dict[str, Point]:
    """Per stream of a pull, its newest committed page (empty if nothing was committed)."""
    rows = con.execute(
        "SELECT stream, page_no, next, total FROM resume_points WHERE kind = ? AND pull_id = ? "
        "QUALIFY row_number() OVER (PARTITION BY stream ORDER BY page_no DESC) = 1",
        [kind, pull_id],
    ).fetchall()
    return {r[0]: Point(r[1], r[2], r[3]) for r in rows}


def committed_records(con: duckdb.DuckDBPyConnection, kind: str, pull_id: str) -> int:
    """Records committed so far by a pull, over all its streams."""
    row_ = con.execute(
        "SELECT coalesce(sum(records), 0) FROM resume_points WHERE kind = ? AND pull_id = ?",
        [kind, pull_id],
    ).fetchone()
    return int(row_[0]) if row_ else 0
