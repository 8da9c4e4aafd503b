"""Resume points of incremental fetches (table `resume_points`): the one way an interrupted
OpenAlex API pull or live Hub pull finds where to continue, and an online load of files finds
what it already read (`committed_rows`). A page's row is written with the page's own rows
(same transaction), so what is committed and where to resume never disagree."""

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


@dataclass(frozen=True)
class Committed:
    """One committed resume row: what a fetch read (`position`), where it goes on (`next`)."""

    pull_id: str
    stream: str
    page_no: int
    position: str
    next: str | None
    records: int
    total: int | None


def committed_rows(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    pull_id: str | None = None,
    load_id: str | None = None,
) -> list[Committed]:
    """The committed resume rows of a kind of fetch (of one pull and/or one location), by pull
    and page: what earlier runs already read, for a fetch that skips it."""
    rows = con.execute(
        "SELECT pull_id, stream, page_no, position, next, records, total FROM resume_points "
        "WHERE kind = $kind AND ($pull_id IS NULL OR pull_id = $pull_id) "
        "AND ($load_id IS NULL OR load_id = $load_id) ORDER BY pull_id, page_no, stream",
        {"kind": kind, "pull_id": pull_id, "load_id": load_id},
    ).fetchall()
    return [Committed(*r) for r in rows]


def last_points(con: duckdb.DuckDBPyConnection, kind: str, pull_id: str) -> dict[str, Point]:
    """Per stream of a pull, its newest committed page (empty if nothing was committed)."""
    return {r.stream: Point(r.page_no, r.next, r.total) for r in committed_rows(con, kind, pull_id)}


def committed_records(con: duckdb.DuckDBPyConnection, kind: str, pull_id: str) -> int:
    """Records committed so far by a pull, over all its streams."""
    return sum(r.records for r in committed_rows(con, kind, pull_id))
