"""aicensus: measure who leads in AI on real open data, and check claims against it.

import aicensus
wh = aicensus.open("aicensus.duckdb")
wh.load("epoch")
wh.models.count(years="2024", method="fractional")   # a DataFrame; .attrs["meta"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["AicensusError", "Warehouse", "__version__", "open"]

from aicensus.errors import AicensusError

if TYPE_CHECKING:
    from aicensus.api import Warehouse, open


def __getattr__(name: str) -> Any:
    """`open` and `Warehouse` on first use: `import aicensus.errors` (the CLI's start) stays
    cheap, without DuckDB, pandas or Ibis."""
    if name in ("open", "Warehouse"):
        from aicensus import api

        return getattr(api, name)
    raise AttributeError(f"module 'aicensus' has no attribute {name!r}")
