"""Forward-only schema migrations: `schema/NNN_name.sql` files applied in order, each in a
transaction with its version row, so a crash never leaves a half-migrated warehouse."""

from __future__ import annotations

import re
from importlib import resources

import duckdb

_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def available() -> list[tuple[int, str]]:
    """(version, sql) for every migration shipped with the package, in order."""
    files = resources.files("aicensus.warehouse") / "schema"
    out = []
    for f in files.iterdir():
        m = _NAME.match(f.name)
        if m:
            out.append((int(m.group(1)), f.read_text()))
    return sorted(out)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations; return the resulting schema version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
        "applied_at TIMESTAMPTZ DEFAULT current_timestamp)"
    )
    version = current_version(con)
    for number, sql in available():
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        version = number
    return version
