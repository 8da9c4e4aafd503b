"""Forward-only schema migrations: `schema/NNN_name.sql` files applied in order, each in a
transaction with its version row, so a crash never leaves a half-migrated warehouse."""

from __future__ import annotations

import re
from importlib import resources

import duckdb

from aicensus.warehouse.rows import one_row

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
    exists = one_row(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    )[0]
    if not exists:
        return 0
    return int(one_row(con, "SELECT coalesce(max(version), 0) FROM schema_version")[0])


def pending(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Versions shipped with the package but not applied to this warehouse."""
    if current_version(con) == 0:
        return [n for n, _ in available()]
    applied = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    return [n for n, _ in available() if n not in applied]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations; return the resulting schema version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
        "applied_at TIMESTAMPTZ DEFAULT current_timestamp)"
    )
    applied = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    version = current_version(con)
    for number, sql in available():
        if number in applied:  # by set, not by the highest number: a migration numbered below
            continue  # one already applied (branches merged out of order) still runs
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        version = max(version, number)
    return version
