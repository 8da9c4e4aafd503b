"""Load the organization registry into the warehouse (table `orgs`), so measures can join
headquarters countries and parent roll-ups. Skipped when registry.yaml is unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from aicensus.orgs import Registry
from aicensus.warehouse import LocationRows, load

SOURCE = "orgs"
PARSER_VERSION = "1"


def registry_rows(registry: Registry) -> LocationRows:
    """The registry as one location's rows (key 'registry')."""
    rows = [
        {
            "org_id": o.id,
            "name": o.name,
            "kind": o.kind,
            "country": o.country,
            "parent_id": o.parent,
            "root_id": registry.root(o.id),
            "root_country": registry.country(o.id, rollup=True),
            "ror": o.ror,
        }
        for o in registry.orgs.values()
    ]
    return LocationRows(
        key="registry",
        location=registry.location,
        content_hash=registry.content_hash,
        retrieved_at=datetime.now(UTC),
        tables={"orgs": pa.Table.from_pylist(rows)},
        notes={"organizations": len(rows)},
    )


def ensure_registry(con: duckdb.DuckDBPyConnection, registry: Registry | None = None) -> bool:
    """Write the registry into `orgs` unless the same version is already there; True if written."""
    registry = registry or Registry.load()
    with load(con, SOURCE, PARSER_VERSION) as loader:
        loader.add(registry_rows(registry))
    return bool(loader.result.written)
