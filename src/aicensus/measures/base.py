"""What every measure returns: a tidy table plus metadata (method, filters, sources, coverage)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Self

import duckdb
import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from aicensus.engines import DUCKDB, Engine
from aicensus.errors import MeasureError
from aicensus.measures.choices import Choice
from aicensus.options import parse_date, parse_list, parse_years
from aicensus.warehouse.loading import PROVENANCE_COLUMNS


@dataclass
class MeasureResult:
    """A tidy table and the metadata needed to defend it."""

    name: str
    table: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.table = plain_numbers(self.table)

    def to_json(self) -> str:
        """Table rows and metadata as one JSON document."""
        rows = json.loads(self.table.to_json(orient="records", double_precision=10))
        return json.dumps(
            {"measure": self.name, "meta": self.meta, "rows": rows}, indent=2, default=str
        )


class Query:
    """Base of every measure's query dataclass: options may be given as the CLI spells them
    (`years="2023-2024"`, `venues="icml,ijcai"`, `start="2024-01-01"`) and are normalized
    here, once, so the API, the CLI and claim files read them alike."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            kind = str(f.type)
            new: object
            if kind.startswith("tuple[int"):
                new = parse_years(value, f.name) if value is not None else ()
            elif kind.startswith("tuple[str"):
                new = parse_list(value, f.name) if value is not None else ()
            elif kind.startswith("date"):
                new = parse_date(value, f.name)
            else:
                continue
            if new != value:
                object.__setattr__(self, f.name, new)

    def describe(self) -> dict:
        """The query's choices as a result's meta records them: every field, tuples as lists
        (a query with derived or worded choices writes its own)."""
        out = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def choices(cls) -> dict[str, tuple[str, ...]]:
        """Field name -> its allowed values, for every field declared with `choice()`: the one
        list the query checks, the CLI's help shows and claim files are checked against."""
        return {f.name: f.metadata[_CHOICES] for f in fields(cls) if _CHOICES in f.metadata}  # type: ignore[arg-type]

    @classmethod
    def of(cls, given: dict[str, Any], **over: Any) -> Self:
        """The query of `given` (e.g. a claim test's filters): the keys that are fields of the
        query, the query's own defaults for the others, then `over`."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{**{k: v for k, v in given.items() if k in names}, **over})

    def require_choices(self) -> None:
        """Raise MeasureError naming the first field (in declaration order) whose value is not
        one of its choices: the one wording of a bad choice for every measure's query."""
        for name, choices in self.choices().items():
            value = getattr(self, name)
            if value not in choices:
                raise MeasureError(f"unknown {name} {value!r} (choose from {', '.join(choices)})")


_CHOICES = "choices"  # the metadata key of a field declared with `choice()`


def choice(declared: Choice) -> Any:
    """A query field taking one of the values of `declared` (measures.choices), its default
    by default: checked by Query.require_choices, listed by Query.choices."""
    return field(default=declared.default, metadata={_CHOICES: declared.values})


def plain_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with columns of Decimal values (DuckDB's HUGEINT/DECIMAL, e.g. a SUM of integers)
    as Int64 (whole numbers) or float64: Decimals break JSON, Altair and Parquet consumers."""
    for col in df.columns:
        if df[col].dtype != object:
            continue
        values = df[col].dropna()
        if values.empty or not all(isinstance(v, Decimal) for v in values):
            continue
        if all(v == v.to_integral_value() for v in values):
            df[col] = pd.array([None if pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
        else:
            df[col] = df[col].astype("float64")
    return df


def fixed(x: ibis.Value, scale: int = 18) -> ibis.Value:
    """`x` as fixed point (DECIMAL(38, scale)): sums of it are integer arithmetic, which does not
    depend on the order threads or tasks add rows (float sums differ in the last digits)."""
    return x.cast(dt.Decimal(38, scale))


def fixed_sum(x: ibis.Value, scale: int = 18) -> ibis.Value:
    """Sum of `x` in fixed point, as float64: equal inputs give bit-identical totals. Scale 18
    keeps fractional weights to 1e-18 (totals up to 1e20); use 0 for huge values (FLOP)."""
    return fixed(x, scale).sum().cast("float64")


def ibis_connection(con: duckdb.DuckDBPyConnection) -> ibis.BaseBackend:
    """Wrap an open DuckDB warehouse connection as an Ibis backend (measures are Ibis exprs)."""
    return ibis.duckdb.from_connection(con)


def backend(con: duckdb.DuckDBPyConnection, engine: Engine | None = None) -> ibis.BaseBackend:
    """The Ibis backend a measure executes on: the warehouse itself (DuckDB, the default) or
    `engine`'s (Spark); metadata queries always go to `con`."""
    return (engine or DUCKDB).backend(con)


def engine_name(engine: Engine | None) -> str:
    """The engine a result was computed on, for its metadata."""
    return (engine or DUCKDB).name


def provenance(con: duckdb.DuckDBPyConnection, source: str, keys: list[str]) -> list[dict]:
    """The loads rows (location, hash, retrieval time, parser) behind a result."""
    if not keys:
        return []
    rows = con.execute(
        "SELECT key, location, content_hash, "
        "strftime(retrieved_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), parser_version, "
        "rows_loaded, "
        "rows_quarantined FROM loads WHERE source = ? AND key IN (SELECT unnest(?)) ORDER BY key",
        [source, keys],
    ).fetchall()
    return [dict(zip(PROVENANCE_COLUMNS, r, strict=True)) for r in rows]


def is_storage_failure(exc: BaseException) -> bool:
    """True when `exc` is DuckDB failing on the warehouse file itself (a damaged file): callers
    that turn measure errors into "no data" must re-raise these instead."""
    from aicensus.warehouse.connection import storage_failure

    return storage_failure(exc, "warehouse") is not None


def listing(items: list[str], limit: int = 8) -> str:
    """`a, b, c` or `a, b, … and 5 more`: a short list for a one-line message."""
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])}, … and {len(items) - limit} more"


def require(condition: bool, message: str) -> None:
    if not condition:
        raise MeasureError(message)
