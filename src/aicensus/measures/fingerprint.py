"""What a stored figure depends on, as fingerprints: the code and library versions that computed
it, and the warehouse inputs (`loads` rows). Light to import (no pandas, Arrow or Ibis), so the
CLI can look a result up before loading the libraries that compute one."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

import duckdb

from aicensus.warehouse.rows import one_row

# The libraries whose versions can change a figure (distribution names).
_LIBRARIES = ("duckdb", "ibis-framework", "pandas", "pyarrow")
_CODE_SUFFIXES = {".py", ".yaml", ".yml", ".sql", ".json", ".csv"}


class Uncacheable(Exception):
    """A call, query or warehouse with no canonical key (the result is computed, not stored)."""


@functools.cache
def code_fingerprint() -> str:
    """sha256 of this package's files (code, reference data, schema) and the versions of the
    libraries that compute figures: a result computed by other code is never served."""
    h = hashlib.sha256()
    for lib in _LIBRARIES:
        h.update(f"{lib}={metadata.version(lib)};".encode())
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def inputs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """sha256 over every `loads` row (what was read, its content hash, the parser, when)."""
    try:
        n, digest = one_row(
            con,
            "SELECT count(*), sha256(coalesce(string_agg(concat_ws('|', load_id, content_hash, "
            "parser_version, CAST(loaded_at AS VARCHAR)), chr(10) ORDER BY load_id), '')) "
            "FROM loads",
        )
    except duckdb.Error as exc:  # no loads table: nothing to key the inputs by
        raise Uncacheable(str(exc)) from None
    return f"{n}:{digest}"


# The rows of `measure_cache` (migration 007), read and written here for both users: the measure
# cache (results) and the CLI's replay (printed outputs). (name, payload, metadata JSON).
StoredRow = tuple[str, bytes, str]


def read_row(con: duckdb.DuckDBPyConnection, key: str) -> StoredRow | None:
    """The row stored under `key`, or None (CatalogException when there is no such table)."""
    row = con.execute(
        "SELECT measure, table_ipc, meta FROM measure_cache WHERE key = ?", [key]
    ).fetchone()
    return None if row is None else (row[0], bytes(row[1]), row[2])


def write_row(con: duckdb.DuckDBPyConnection, key: str, row: StoredRow) -> None:
    """Store `row` under `key` (replacing one stored before)."""
    con.execute(
        "INSERT OR REPLACE INTO measure_cache VALUES (?, ?, current_timestamp, ?, ?)",
        [key, *row],
    )
