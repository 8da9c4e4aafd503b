"""The embedded DuckDB warehouse: schema with forward migrations and the one way to load."""

from aicensus.warehouse.connection import connect, open_readonly
from aicensus.warehouse.loading import LocationRows, load

__all__ = ["LocationRows", "connect", "load", "open_readonly"]
