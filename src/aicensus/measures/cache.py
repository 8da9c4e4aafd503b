"""Measure results cached in the warehouse (table `measure_cache`), so a repeated `check` or
`--explain` reads its figures instead of recomputing them.

`cached(con, papers.share, q)` is `papers.share(con, q)` read from the cache when the same call
was stored for the same inputs. The key is the sha256 of the cache format, the measure
(module.function), the canonical query and extra arguments, the engine, a fingerprint of the
code and library versions, and a fingerprint of the inputs (every `loads` row: content hash,
parser version, load time); a load that writes also deletes every row (warehouse/loading.py).

A result is stored only when it comes back from its bytes identical (table dtypes and values,
metadata types), so a hit returns exactly what the computation returned. Results computed on a
read-only connection are kept in memory (`pending`) until `save` writes them through a
read-write one; the API does that briefly after a check or report, so the warehouse is locked
for writing only for that moment.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import dataclasses
import functools
import hashlib
import json
import math
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from aicensus.engines import Engine
from aicensus.measures.base import MeasureResult, engine_name
from aicensus.measures.fingerprint import (
    Uncacheable,
    code_fingerprint,
    inputs_fingerprint,
    read_row,
    write_row,
)
from aicensus.warehouse.rows import one_row

__all__ = ["Uncacheable", "cached", "code_fingerprint", "inputs_fingerprint", "session"]

FORMAT = "1"  # bump when the stored encoding or the key changes
MAX_PENDING = 1_000  # results awaiting `save` (a check of claims/debate.yaml makes 98)
Entry = tuple[str, bytes, str]  # (result name, table as Arrow IPC, {"meta": ...} as JSON)


@dataclasses.dataclass
class Stats:
    """What the cache served and stored since the process started (tests replace it)."""

    hits: int = 0  # read from measure_cache
    memo_hits: int = 0  # a call made earlier in the same session
    misses: int = 0  # computed
    stored: int = 0  # rows written to measure_cache
    uncacheable: int = 0  # computed and not kept (no canonical key or no exact round trip)


stats = Stats()
_lock = threading.Lock()
_pending: dict[str, tuple[str, Entry]] = {}  # key -> (inputs fingerprint, entry)
_IPC = pa.ipc.IpcWriteOptions(compression="zstd")


@dataclasses.dataclass
class _Session:
    con: duckdb.DuckDBPyConnection
    inputs: str
    results: dict[str, MeasureResult] = dataclasses.field(default_factory=dict)


_session: contextvars.ContextVar[_Session | None] = contextvars.ContextVar(
    "aicensus_measure_session", default=None
)


@contextlib.contextmanager
def session(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One run of measures (a check, a report) over `con` during which nothing is loaded: the
    inputs are fingerprinted once, and each distinct call is read or computed once and handed
    out as copies (callers may change the tables they get)."""
    try:
        run: _Session | None = _Session(con, inputs_fingerprint(con))
    except Uncacheable:  # no loads table: calls are computed, not cached
        run = None
    token = _session.set(run)
    try:
        yield
    finally:
        _session.reset(token)


def cached(
    con: duckdb.DuckDBPyConnection,
    measure: Callable[..., MeasureResult],
    query: Any,
    *args: Any,
    engine: Engine | None = None,
    **kwargs: Any,
) -> MeasureResult:
    """`measure(con, query, *args, **kwargs)` (with `engine=` when given), from the cache when
    this call was stored for the warehouse's current inputs, else computed and stored."""
    call = functools.partial(measure, con, query, *args, **kwargs)
    if engine is not None:
        call = functools.partial(call, engine=engine)
    run = _session.get()
    run = run if run is not None and run.con is con else None
    try:
        inputs = run.inputs if run else inputs_fingerprint(con)
        key = cache_key(measure, query, args, kwargs, engine_name(engine), inputs)
    except Uncacheable:
        stats.uncacheable += 1
        return call()
    if run and key in run.results:
        stats.memo_hits += 1
        return _copy(run.results[key])
    entry, has_table = _lookup(con, key)
    if entry is not None:
        stats.hits += 1
        kept = decode(entry)
    else:
        result = call()
        stats.misses += 1
        checked = _encode_checked(result)
        if checked is None:
            stats.uncacheable += 1
            return result
        entry, kept = checked
        if has_table:
            _keep(con, key, inputs, entry)
    if run is None:
        return kept
    run.results[key] = kept
    return _copy(kept)


def _keep(con: duckdb.DuckDBPyConnection, key: str, inputs: str, entry: Entry) -> None:
    """Store the entry now, or (read-only `con`) hold it for `save`."""
    if not _store(con, key, entry):
        with _lock:
            if len(_pending) < MAX_PENDING:  # a caller that never saves stays bounded
                _pending[key] = (inputs, entry)


def _copy(r: MeasureResult) -> MeasureResult:
    return MeasureResult(name=r.name, table=r.table.copy(), meta=copy.deepcopy(r.meta))


# ------------------------------------------------------------------ keys


def cache_key(
    measure: Callable[..., Any],
    query: Any,
    args: tuple,
    kwargs: dict[str, Any],
    engine: str,
    inputs: str,
) -> str:
    """sha256 of everything a result depends on (Uncacheable if a part has no canonical form)."""
    name = f"{measure.__module__}.{measure.__qualname__}"
    if "<locals>" in name:  # a closure: its captured values are not in the key
        raise Uncacheable(name)
    doc = [FORMAT, name, canonical(query), canonical(list(args)), canonical(kwargs), engine]
    doc += [code_fingerprint(), inputs]
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def canonical(v: Any) -> Any:
    """A JSON-able form of a query or argument that equal values share and unequal ones don't:
    dataclasses by type and fields, tuples and lists tagged apart, dates as ISO text."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return repr(v)  # nan and inf included
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        kind = f"{type(v).__module__}.{type(v).__qualname__}"
        values = {f.name: canonical(getattr(v, f.name)) for f in dataclasses.fields(v)}
        return {"dataclass": kind, **values}
    if isinstance(v, dict):
        items = [[canonical(k), canonical(x)] for k, x in v.items()]
        return {"dict": sorted(items, key=lambda kx: json.dumps(kx[0], sort_keys=True))}
    if isinstance(v, tuple | list):
        return {type(v).__name__: [canonical(x) for x in v]}
    if isinstance(v, set | frozenset):
        return {"set": sorted((canonical(x) for x in v), key=lambda x: json.dumps(x))}
    if isinstance(v, datetime | date):
        return {type(v).__name__: v.isoformat()}
    raise Uncacheable(f"no canonical form for {type(v).__name__}")


# ------------------------------------------------------------------ encoding


def encode(result: MeasureResult) -> Entry | None:
    """The result as (name, Arrow IPC bytes, metadata JSON), or None when it would not come
    back identical (then it is not cached)."""
    checked = _encode_checked(result)
    return None if checked is None else checked[0]


def _encode_checked(result: MeasureResult) -> tuple[Entry, MeasureResult] | None:
    """The entry and the result decoded from it, when that equals `result`."""
    try:
        table = pa.Table.from_pandas(result.table, preserve_index=True)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema, options=_IPC) as writer:
            writer.write_table(table)
        entry = (result.name, sink.getvalue().to_pybytes(), json.dumps({"meta": result.meta}))
    except (pa.ArrowException, TypeError, ValueError):
        return None
    back = decode(entry)
    if not (same_table(result.table, back.table) and same_value(result.meta, back.meta)):
        return None
    return entry, back


def decode(entry: Entry) -> MeasureResult:
    """A fresh MeasureResult from its stored form (callers may change its table)."""
    name, data, meta = entry
    table = pa.ipc.open_stream(data).read_all().to_pandas()
    return MeasureResult(name=name, table=table, meta=json.loads(meta)["meta"])


def same_table(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same columns, index, dtypes, values, and Python types inside object columns (None is
    not NaN, a date is not a Timestamp)."""
    if list(a.columns) != list(b.columns) or not a.index.equals(b.index):
        return False
    if list(a.dtypes) != list(b.dtypes) or a.attrs != b.attrs or not a.equals(b):
        return False
    for i, dtype in enumerate(a.dtypes):
        if pd.api.types.is_object_dtype(dtype):
            xs, ys = a.iloc[:, i], b.iloc[:, i]
            if any(type(x) is not type(y) for x, y in zip(xs, ys, strict=True)):
                return False
    return True


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (a tuple is not a list, 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


# ------------------------------------------------------------------ storage


def _lookup(con: duckdb.DuckDBPyConnection, key: str) -> tuple[Entry | None, bool]:
    """(the stored entry or None, whether the warehouse has a measure_cache table)."""
    try:
        return read_row(con, key), True
    except duckdb.CatalogException:  # e.g. a Parquet warehouse (Spark ingest output)
        return None, False


def _store(con: duckdb.DuckDBPyConnection, key: str, entry: Entry) -> bool:
    """Write one entry; False when the connection is read-only."""
    if one_row(con, "SELECT current_setting('access_mode')")[0] == "read_only":
        return False
    write_row(con, key, entry)
    stats.stored += 1
    return True


def pending() -> int:
    """Results computed on read-only connections and not yet stored."""
    return len(_pending)


def save(con: duckdb.DuckDBPyConnection) -> int:
    """Store the pending results computed on this warehouse's current inputs (read-write
    `con`), in one transaction; results of other inputs are dropped. Returns rows written."""
    inputs = inputs_fingerprint(con)
    with _lock:
        todo = [(k, e) for k, (fp, e) in _pending.items() if fp == inputs]
        _pending.clear()
    con.execute("BEGIN TRANSACTION")
    try:
        for key, entry in todo:
            _store(con, key, entry)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(todo)


def discard() -> None:
    """Forget the pending results (they could not be written)."""
    with _lock:
        _pending.clear()


def clear(con: duckdb.DuckDBPyConnection | None = None) -> None:
    """Forget the pending results and, given a read-write `con`, every stored one."""
    with _lock:
        _pending.clear()
    if con is not None:
        con.execute("DELETE FROM measure_cache")
