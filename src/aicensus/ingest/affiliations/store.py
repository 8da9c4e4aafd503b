"""Write an evaluation to the warehouse (table `resolver_evaluation`) through the one loader."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from aicensus.geo.affiliations.resolver import RESOLVER_VERSION
from aicensus.ingest.affiliations.evaluate import Evaluation
from aicensus.warehouse import LocationRows, load

SOURCE = "resolver-evaluation"


def save(con: duckdb.DuckDBPyConnection, ev: Evaluation, location: str) -> bool:
    """Store the per-venue tallies (replacing the previous run with the same hold-out)."""
    df = ev.table()
    df.insert(0, "holdout", ev.holdout)
    df.insert(0, "resolver_version", RESOLVER_VERSION)
    table = pa.Table.from_pandas(df, preserve_index=False)
    digest = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    rows = LocationRows(
        key=f"holdout-{ev.holdout}",
        location=location,
        content_hash=digest,
        retrieved_at=datetime.now(UTC),
        tables={"resolver_evaluation": table},
        notes={"files": len(ev.files)},
    )
    with load(con, SOURCE, RESOLVER_VERSION) as loader:
        loader.add(rows)
    return bool(loader.result.written)
