"""Open the warehouse file (creating and migrating it as needed).

DuckDB's failures on the file itself become one WarehouseError line naming it: a lock held by
another process (named by its PID, waited for up to `set_lock_wait` seconds) and a corrupt or
unreadable file (`storage_failure`, also used for errors raised later by queries).
"""

from __future__ import annotations

import re
from pathlib import Path
from time import monotonic, sleep

import duckdb

from aicensus.errors import WarehouseError
from aicensus.warehouse.migrations import migrate, pending
from aicensus.warehouse.parquet import is_parquet_warehouse, open_parquet_warehouse

_LOCKED = re.compile(r"Could not set lock on file|Conflicting lock is held", re.IGNORECASE)
_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
# What DuckDB says when blocks fail their checksum, the header is garbage or reads come short.
_DAMAGE = re.compile(
    r"corrupt|checksum|not a valid DuckDB database|could not read enough bytes|input/output error",
    re.IGNORECASE,
)
# Error types that carry storage damage (a checksum mismatch is raised as the bare duckdb.Error).
_STORAGE_ERRORS = (
    duckdb.IOException,
    duckdb.SerializationException,
    duckdb.InternalException,
    duckdb.FatalException,
)
_RETRY_SECONDS = 0.2
_lock_wait = 0.0


def set_lock_wait(seconds: float) -> None:
    """How long opening waits for another process's lock before giving up (root `--wait`)."""
    global _lock_wait
    _lock_wait = max(0.0, seconds)


def storage_failure(exc: BaseException, path: str | Path, where: str = "") -> WarehouseError | None:
    """The one-line error for DuckDB failing on the warehouse file itself (corrupt blocks,
    garbage header, short reads), or None when `exc` is anything else. `where`: e.g. a table."""
    storage = type(exc) is duckdb.Error or isinstance(exc, _STORAGE_ERRORS)
    if not (storage and _DAMAGE.search(str(exc))):
        return None
    cause = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    at = f" in {where}" if where else ""
    return WarehouseError(
        f"{path}: warehouse file is corrupt{at} ({cause}); rebuild it with 'aicensus load ...' "
        "or restore a copy"
    )


def _holder(exc: duckdb.Error) -> str:
    """'PID 123 (python3.11)' from DuckDB's lock message, else 'another process'."""
    m = _HOLDER.search(str(exc))
    if not m:
        return "another process"
    return f"PID {m['pid']} ({Path(m['program']).name})"


def _open_error(exc: duckdb.Error, path: Path) -> WarehouseError:
    if _LOCKED.search(str(exc)):
        return WarehouseError(
            f"{path}: warehouse is in use by {_holder(exc)}; gave up after waiting "
            f"{_lock_wait:g} s (--wait SECONDS to wait longer)"
        )
    return storage_failure(exc, path) or WarehouseError(f"{path}: cannot open warehouse ({exc})")


def _duckdb_connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried while another process holds the lock (up to the lock wait)."""
    deadline = monotonic() + _lock_wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if not (_LOCKED.search(str(exc)) and monotonic() < deadline):
                raise _open_error(exc, path) from None
        sleep(_RETRY_SECONDS)


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
    con = _duckdb_connect(path, read_only=False)
    try:
        migrate(con)
    except duckdb.Error as exc:
        con.close()
        failure = storage_failure(exc, path)
        raise failure or WarehouseError(f"{path}: schema migration failed ({exc})") from None
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
    con = _duckdb_connect(path, read_only=True)
    try:
        missing = pending(con)
    except duckdb.Error as exc:
        con.close()
        raise _open_error(exc, path) from None
    if missing:
        con.close()
        con = connect(path)  # migrate forward, then use it
    return _quiet(con)
