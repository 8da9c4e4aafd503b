"""Load the organization registry into the warehouse (table `orgs`), so measures can join
headquarters countries and parent roll-ups. Skipped when registry.yaml is unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from aicensus.orgs import Registry
from aicensus.warehouse import LocationRows, load
from aicensus.warehouse.tables import quarantine_table

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


def match_orgs(
    rows: LocationRows,
    registry: Registry,
    table: str,
    source: str,
    quarantine_unmatched: bool = False,
) -> LocationRows:
    """Fill `org_id`, `org_rule` (and `org_score` where the table has it) of `table` from the
    registry, one match per distinct `org_name`; count unmatched rows in the notes.

    With `quarantine_unmatched`, each unmatched row is also reported in quarantine (the row is
    kept, its organization unresolved), as leaderboards do.
    """
    t = rows.tables[table]
    names = t.column("org_name").to_pylist()
    matches = {n: registry.match(n) for n in set(names) if n is not None}
    got = [matches.get(n) if n is not None else None for n in names]
    cols: dict[str, list[str | float | None]] = {
        "org_id": [m.org_id if m else None for m in got],
        "org_rule": [m.rule if m else None for m in got],
    }
    if "org_score" in t.schema.names:
        cols["org_score"] = [m.score if m else None for m in got]
    for name, values in cols.items():
        i = t.schema.get_field_index(name)
        t = t.set_column(i, t.schema.field(i), pa.array(values, t.schema.field(i).type))
    tables = {**rows.tables, table: t}
    unmatched = [i for i, (n, m) in enumerate(zip(names, got, strict=True)) if n and m is None]
    notes = dict(rows.notes)
    if unmatched:
        notes["organization strings unmatched"] = len(unmatched)
    if quarantine_unmatched and unmatched:
        recs = t.take(unmatched).to_pylist()
        extra = quarantine_table(
            source,
            rows.location,
            [
                (
                    r.get("record_no"),
                    r.get("model"),
                    f"organization {r['org_name']!r} not in the registry (entry kept, "
                    "organization unresolved)",
                    r,
                )
                for r in recs
            ],
        )
        tables["quarantine"] = pa.concat_tables([tables["quarantine"], extra])
    return replace(rows, tables=tables, notes=notes)
