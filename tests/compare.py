"""Comparing a measure's table from two engines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicensus.engines import DUCKDB


def _text(v: object) -> str:
    """A value as comparable text: every missing value (None, NaN, NA) as one token and whole
    floats as integers (an integer column with NULLs arrives as Int64/object from DuckDB and as
    float from Spark: the same values)."""
    if isinstance(v, list | tuple | dict | np.ndarray):
        return str(v)
    if v is None or pd.isna(v):
        return "<NA>"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Equal tables up to row order, float rounding (sums run in a different order) and the
    representation of missing values. Two empty tables fail: they would compare nothing."""
    assert list(a.columns) == list(b.columns), what
    assert len(a) == len(b), f"{what}: {len(a)} rows on DuckDB, {len(b)} on Spark"
    assert len(a) > 0, f"{what}: no rows on either engine (a comparison of nothing)"
    floats = [c for c in a.columns if pd.api.types.is_float_dtype(a[c])]
    keys = [c for c in a.columns if c not in floats]
    ta = pd.DataFrame({c: a[c].map(_text) for c in keys}, index=a.index)
    tb = pd.DataFrame({c: b[c].map(_text) for c in keys}, index=b.index)
    order_a = ta.sort_values(keys).index if keys else a.index
    order_b = tb.sort_values(keys).index if keys else b.index
    for c in keys:
        assert ta.loc[order_a, c].tolist() == tb.loc[order_b, c].tolist(), f"{what}: {c}"
    for c in floats:
        x, y = a.loc[order_a, c].to_numpy(float), b.loc[order_b, c].astype(float).to_numpy()
        assert np.allclose(x, y, rtol=1e-9, equal_nan=True), f"{what}: {c}"


def both(fn, con, q, spark_engine, *args, **kw):
    """The measure `fn(con, q, ...)` on DuckDB and on Spark, each naming its engine."""
    d = fn(con, q, *args, engine=DUCKDB, **kw)
    s = fn(con, q, *args, engine=spark_engine, **kw)
    assert d.meta["engine"] == "duckdb" and s.meta["engine"] == "spark"
    return d, s
