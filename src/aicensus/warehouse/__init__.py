"""The embedded DuckDB warehouse: schema with forward migrations and the one way to load.

`load` and `LocationRows` are imported on first use (PEP 562): the loader needs pandas and
Arrow, and the CLI opens the warehouse for cached results without paying for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aicensus.warehouse.connection import connect, open_readonly

if TYPE_CHECKING:
    from aicensus.warehouse.loading import LocationRows, load

__all__ = ["LocationRows", "connect", "load", "open_readonly"]


def __getattr__(name: str) -> Any:
    if name in ("LocationRows", "load"):
        from aicensus.warehouse import loading

        return getattr(loading, name)
    raise AttributeError(f"module 'aicensus.warehouse' has no attribute {name!r}")
