"""Execution engines for the measures: the same Ibis expressions on DuckDB (default) or Spark.

Measures build Ibis expressions over the warehouse tables by name (works_current, affiliations,
work_concepts) and metadata (loads, provenance) always comes from the DuckDB warehouse. An engine
only decides which Ibis backend executes the expression, so no measure has a second version.
"""

from __future__ import annotations

from typing import Protocol

import duckdb
import ibis

from aicensus.errors import AicensusError

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    """Something that turns the open DuckDB warehouse into an Ibis backend to execute on."""

    name: str

    def backend(self, con: duckdb.DuckDBPyConnection) -> ibis.BaseBackend: ...


class DuckDBEngine:
    """The embedded warehouse itself (default)."""

    name = "duckdb"

    def backend(self, con: duckdb.DuckDBPyConnection) -> ibis.BaseBackend:
        return ibis.duckdb.from_connection(con)


DUCKDB = DuckDBEngine()


def get_engine(name: str | None, spark_settings: dict | None = None) -> Engine:
    """The engine called `name` ('duckdb' or 'spark'); Spark settings come from `[spark]`."""
    if name in (None, "duckdb"):
        return DUCKDB
    if name == "spark":
        from aicensus.engines.spark import SparkEngine

        return SparkEngine.shared(spark_settings or {})
    raise AicensusError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
