"""Load Epoch AI notable models into the warehouse (one location per call, one transaction)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from aicensus.ingest.batch import LocationLoadSummary, registry_version, write_one
from aicensus.ingest.orgs import ensure_registry, match_orgs
from aicensus.orgs import Registry
from aicensus.sources import epoch


@dataclass
class EpochLoadSummary(LocationLoadSummary):
    """What an Epoch load did, for the CLI and tests."""

    records: int = 0
    loaded: int = 0
    rejected: str | None = None  # reason when the whole file was rejected


def load_epoch(
    con: duckdb.DuckDBPyConnection, location: str, registry: Registry | None = None
) -> EpochLoadSummary:
    """Parse `location` and replace its rows (skipped when content and parser are unchanged).

    The registry version is part of the parser version, so a registry change re-matches
    organizations on the next load.
    """
    registry = registry or Registry.load()
    rows = match_orgs(epoch.read(location), registry, "model_orgs", epoch.SOURCE)
    ensure_registry(con, registry)
    s = EpochLoadSummary(
        location=location,
        written=write_one(
            con, epoch.SOURCE, registry_version(epoch.PARSER_VERSION, registry), rows
        ),
        records=rows.notes.get("records", 0),
        loaded=rows.tables["models"].num_rows,
        quarantined=rows.rows_quarantined,
        notes={k: v for k, v in rows.notes.items() if k not in ("records", "quarantined")},
    )
    q = rows.tables["quarantine"]
    if rows.tables["models"].num_rows == 0 and q.num_rows:
        s.rejected = q.column("reason")[0].as_py()
    return s
