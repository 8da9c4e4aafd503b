"""The one way to load: stage each location's rows, then one transaction that replaces that
source-location's rows in every table and writes its `loads` row.

A crash or kill before COMMIT leaves the warehouse exactly as before (DuckDB's WAL discards the
open transaction). A location whose content hash and parser version are unchanged is skipped,
so loading the same input twice changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from aicensus.errors import WarehouseError
from aicensus.upstream import upstream
from aicensus.warehouse import arrow


def data_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table a load owns rows in: those with a `load_id` column (except `loads`).

    Later schema versions add tables for new sources; they join the load transaction by
    having a load_id column, with no change here. Views (e.g. works_current) are not owned.
    """
    rows = con.execute(
        "SELECT DISTINCT c.table_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.column_name = 'load_id' AND c.table_name <> 'loads' "
        "AND t.table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


# The table whose rows are a location's records when it writes several (the others hold their
# parts: authorships, organizations, links, ...); a location writing one table counts that one.
RECORD_TABLES = ("works", "models", "board_entries", "hub_models", "institutions")


def records_table(tables: Iterable[str]) -> str | None:
    """Of a location's tables (in its order), the one holding its records; None if only
    quarantine."""
    data = [name for name in tables if name != "quarantine"]
    preferred = [name for name in RECORD_TABLES if name in data]
    return next(iter(preferred or data), None)


def records_loaded(row_counts: Mapping[str, int]) -> int:
    """Records loaded from a location's rows per table: the rows of its records table (models
    for Epoch, entries for a board, works for paper sources). One rule for every ingest."""
    name = records_table(row_counts)
    return 0 if name is None else row_counts[name]


# What dates a location's rows (issue 19: the period the data describe), first present wins:
# table -> (column, kind); 'year' spans whole years, 'text' is an ISO date string, 'week' the
# last day of a week (the period starts six days before the first). A source whose
# rows are dated otherwise sets LocationRows.period itself.
PERIOD_COLUMNS: dict[str, tuple[str, str]] = {
    "works": ("year", "year"),
    "models": ("publication_date", "date"),
    "board_snapshots": ("snapshot_date", "date"),
    "hub_snapshots": ("snapshot", "text"),
    "hub_added_models": ("week_end", "week"),
    "github_snapshots": ("date", "date"),
}


def period_of(tables: Mapping[str, pa.Table]) -> tuple[date, date] | None:
    """(first, last) date the rows describe, from the first dated table present; None if none."""
    for name, (column, kind) in PERIOD_COLUMNS.items():
        t = tables.get(name)
        if t is None or column not in t.column_names or t.num_rows == 0:
            continue
        bounds = pc.min_max(t[column])
        lo, hi = bounds["min"].as_py(), bounds["max"].as_py()
        if lo is None:
            continue
        if kind == "year":
            return date(int(lo), 1, 1), date(int(hi), 12, 31)
        if kind == "text":
            return date.fromisoformat(str(lo)[:10]), date.fromisoformat(str(hi)[:10])
        if kind == "week":
            return lo - timedelta(days=6), hi
        if isinstance(lo, datetime):
            return lo.date(), hi.date()
        return lo, hi
    return None


@dataclass
class LocationRows:
    """Everything one source-location contributes to the warehouse."""

    key: str
    location: str
    content_hash: str
    retrieved_at: datetime
    tables: dict[str, pa.Table]
    notes: dict[str, int] = field(default_factory=dict)
    period: tuple[date, date] | None = None  # what the rows describe; default: period_of(tables)

    @property
    def rows_loaded(self) -> int:
        """Records loaded (see `records_loaded`); every table's count goes to `row_counts`."""
        return records_loaded({name: t.num_rows for name, t in self.tables.items()})

    @property
    def rows_quarantined(self) -> int:
        t = self.tables.get("quarantine")
        return 0 if t is None else t.num_rows


@dataclass
class LoadResult:
    """What a load did: locations written and skipped as unchanged."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class Loader:
    """Writes one source's locations inside the transaction that `load()` holds open.

    Changed locations are buffered and flushed in batches (one delete and one insert per table
    per batch), so a large load neither holds every parsed table in memory nor pays a statement
    per file; nothing is visible to other connections until COMMIT.
    """

    FLUSH_ROWS = 500_000  # buffered rows (all tables) that trigger a flush

    def __init__(self, con: duckdb.DuckDBPyConnection, source: str, parser_version: str):
        self.con = con
        self.source = source
        self.parser_version = parser_version
        self.pending: list[tuple[str, LocationRows]] = []
        self.pending_rows = 0
        self.result = LoadResult()

    def add(self, rows: LocationRows) -> None:
        """Stage one location: skipped if unchanged, else written at the next flush."""
        self.add_all([rows])

    def add_all(self, many: list[LocationRows]) -> None:
        """Stage locations: each skipped if unchanged (same content hash and parser version),
        else written at the next flush; one lookup for all (an API pull commits dozens of small
        pages per transaction)."""
        ids = [f"{self.source}:{rows.key}" for rows in many]
        found = {
            r[0]: (r[1], r[2])
            for r in self.con.execute(
                "SELECT load_id, content_hash, parser_version FROM loads "
                "WHERE load_id IN (SELECT unnest(?))",
                [ids],
            ).fetchall()
        }
        for load_id, rows in zip(ids, many, strict=True):
            if found.get(load_id) == (rows.content_hash, self.parser_version):
                self.result.unchanged.append(rows.key)
            else:
                self._stage(load_id, rows)

    def _stage(self, load_id: str, rows: LocationRows) -> None:
        self.pending.append((load_id, rows))
        self.result.written.append(rows.key)
        self.pending_rows += sum(t.num_rows for t in rows.tables.values())
        if self.pending_rows >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self._replace(self.pending)
        self.pending, self.pending_rows = [], 0

    def _replace(self, changed: list[tuple[str, LocationRows]]) -> None:
        """Delete the changed locations' rows everywhere, then insert theirs (batched per table)."""
        con = self.con
        ids = [load_id for load_id, _ in changed]
        tables = data_tables(con)
        # Rows exist only for load_ids in `loads` (written in the same transaction), so new
        # locations need no delete scan over every table (matters for many small API pages).
        old = [
            r[0]
            for r in con.execute(
                "SELECT load_id FROM loads WHERE load_id IN (SELECT unnest(?))", [ids]
            ).fetchall()
        ]
        for table in (*tables, "loads") if old else ():
            con.execute(f"DELETE FROM {table} WHERE load_id IN (SELECT unnest(?))", [old])
        staged: dict[str, list[pa.Table]] = {}
        load_rows = []
        for load_id, rows in changed:
            counts = {}
            for table, data in rows.tables.items():
                if table not in tables:
                    raise WarehouseError(f"{rows.location}: unknown warehouse table {table!r}")
                ids_col = pa.repeat(arrow.string_scalar(load_id), data.num_rows)
                staged.setdefault(table, []).append(data.append_column("load_id", ids_col))
                counts[table] = data.num_rows
            period = rows.period or period_of(rows.tables) or (None, None)
            facts = upstream(self.source, rows.location, rows.retrieved_at)
            load_rows.append(
                (
                    load_id,
                    self.source,
                    rows.key,
                    rows.location,
                    rows.content_hash,
                    rows.retrieved_at,
                    self.parser_version,
                    rows.rows_loaded,
                    rows.rows_quarantined,
                    json.dumps(counts, sort_keys=True),
                    json.dumps(rows.notes, sort_keys=True),
                    datetime.now(UTC),
                    *period,
                    facts.copied,
                    facts.publisher,
                )
            )
        for table, parts in staged.items():
            data = pa.concat_tables(parts, promote_options="permissive")
            cols = ", ".join(data.column_names)
            # Through a relation, not con.register: a registered table stays referenced (its
            # memory held) until the transaction ends, i.e. every batch of a large load.
            con.from_arrow(data).query(
                "_staged", f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _staged"
            )
        # One statement for all rows (executemany runs one per row: 0.2 s for 246 files).
        values = ", ".join([_LOADS_ROW] * len(load_rows))
        con.execute(f"{_INSERT_LOADS} {values}", [v for row in load_rows for v in row])


# What a result's provenance shows of each load behind it (measures.base.provenance).
PROVENANCE_COLUMNS = (
    "key",
    "location",
    "content_hash",
    "retrieved_at",
    "parser_version",
    "rows_loaded",
    "rows_quarantined",
)
LOADS_COLUMNS = (
    "load_id",
    "source",
    *PROVENANCE_COLUMNS,
    "row_counts",
    "notes",
    "loaded_at",
    "period_start",
    "period_end",
    "copied",
    "publisher",
)
_INSERT_LOADS = f"INSERT INTO loads ({', '.join(LOADS_COLUMNS)}) VALUES"
_LOADS_ROW = f"({', '.join('?' * len(LOADS_COLUMNS))})"


@contextlib.contextmanager
def load(con: duckdb.DuckDBPyConnection, source: str, parser_version: str) -> Iterator[Loader]:
    """`with load(con, 'paperlists', '1') as loader: loader.add(rows)`: one transaction from
    entry to exit. If the body raises (or the process dies), nothing is written."""
    loader = Loader(con, source, parser_version)
    con.execute("BEGIN TRANSACTION")
    try:
        yield loader
        loader.flush()
        if loader.result.written:  # cached figures of the old inputs (aicensus.measures.cache)
            con.execute("DELETE FROM measure_cache")
        con.execute("COMMIT")
    except BaseException as exc:
        _rollback(con)
        if isinstance(exc, duckdb.Error):
            raise write_failed(con, exc) from None
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the load's transaction. A failed COMMIT (disk full) has already ended it, and
    DuckDB then refuses ROLLBACK ("no transaction is active"): nothing is left to undo."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


def write_failed(con: duckdb.DuckDBPyConnection, exc: duckdb.Error) -> WarehouseError:
    """One line for a failed write: the warehouse file, the cause in words, nothing changed."""
    return WarehouseError(
        f"{_database_file(con)}: warehouse write failed: {_cause(exc)}; nothing changed"
    )


def _cause(exc: duckdb.Error) -> str:
    """The reason without DuckDB's prefixes: the OS error when there is one (ENOSPC, EIO, ...),
    else DuckDB's first line."""
    text = str(exc)
    for code in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EACCES):
        if os.strerror(code).lower() in text.lower():
            return os.strerror(code).lower()
    return text.splitlines()[0] if text else type(exc).__name__


def _database_file(con: duckdb.DuckDBPyConnection) -> str:
    """The file behind `con` (for messages); 'warehouse' when it cannot be asked."""
    try:
        row = con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
    except duckdb.Error:
        row = None
    return row[0] if row and row[0] else "warehouse"
