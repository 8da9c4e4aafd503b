"""Load the weekly list of models created on the Hub in 2025 (hf_added_models_2025): listings,
links and each counted model's root family, in one transaction.

Root families use the same lineage and attribution as the Hub dumps (ingest.hub.lineage_table,
hub.attribution): first parents present in the file are followed to their root; a walk that
ends at a parent absent from the file is attributed by that parent's namespace, else by its
name (packagers such as unsloth never the organization); the file has no model types, so the
architecture rule never applies here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from aicensus.hub.attribution import Families, families
from aicensus.ingest.batch import LocationLoadSummary, registry_version, write_one
from aicensus.ingest.hub import ATTRIBUTION_COLS, lineage_table
from aicensus.ingest.orgs import ensure_registry
from aicensus.orgs import Registry
from aicensus.sources import hub_added
from aicensus.sources.fetch import local_path, read_location
from aicensus.warehouse import LocationRows
from aicensus.warehouse.tables import rows_table

LINEAGE_COLS = [
    "source",
    "model_id",
    "week_end",
    "relation",
    "namespace",
    "root_id",
    *ATTRIBUTION_COLS,
]


@dataclass
class AddedLoadSummary(LocationLoadSummary):
    """What a load of the weekly added-models file did."""

    listings: int = 0
    models: int = 0


def lineage(
    parsed: hub_added.Parsed, registry: Registry, fam: Families, location: str
) -> tuple[pd.DataFrame, list[dict]]:
    """hub_added_lineage rows for the counted listings (first listing of each id)."""
    m = parsed.models.to_pandas()
    m = m[m["first_listing"]].reset_index(drop=True)
    models = pd.DataFrame(
        {
            "source": m["source"],
            "snapshot": "",
            "model_id": m["model_id"],
            "namespace": m["namespace"],
            "model_type": None,
        }
    )
    links = parsed.links.to_pandas()[["model_id", "parent_id", "position"]]
    lin, quarantine = lineage_table(models, links, registry, fam, location)
    lin = lin.drop(columns=["snapshot"])
    extra = m.set_index("model_id")[["week_end", "relation", "namespace"]]
    lin = lin.join(extra, on="model_id")
    return lin[LINEAGE_COLS], quarantine


def rows(location: str, registry: Registry, fam: Families) -> LocationRows:
    """Fetch, parse and resolve one weekly added-models file (no warehouse writes)."""
    fetched = read_location(location)
    parsed = hub_added.parse(fetched.content, location)
    if parsed.models.num_rows == 0:
        raise hub_added.SourceError(f"{location}: no usable rows")
    lin, q = lineage(parsed, registry, fam, location)
    first = pa.compute.sum(parsed.models["first_listing"].cast(pa.int64())).as_py()
    tables = {
        "hub_added_models": parsed.models,
        "hub_added_links": parsed.links,
        "hub_added_lineage": pa.Table.from_pandas(lin, preserve_index=False),
        "quarantine": rows_table(parsed.quarantine + q),
    }
    notes = {
        "listings": parsed.models.num_rows,
        "models": int(first),
        "repeated_listings": parsed.models.num_rows - int(first),
        "links": parsed.links.num_rows,
        "parent_absent": int(lin["parent_absent"].sum()),
        "quarantined": len(parsed.quarantine) + len(q),
    }
    notes.update({f"rule:{k}": int(v) for k, v in lin["rule"].value_counts().items()})
    return LocationRows(
        key=Path(local_path(location) or location).name,
        location=location,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables=tables,
        notes=notes,
    )


def load_hub_added(
    con: duckdb.DuckDBPyConnection, location: str, registry: Registry | None = None
) -> AddedLoadSummary:
    """Load the weekly added-models CSV at `location` (a file, or the folder holding it);
    idempotent (unchanged content, parser and registry: nothing written)."""
    p = local_path(location)
    if p is not None and p.is_dir():
        files = sorted(p.glob("*.csv*"))
        if len(files) != 1:
            raise hub_added.SourceError(f"{location}: expected one weekly CSV, found {len(files)}")
        location = str(files[0])
    registry = registry or Registry.load()
    fam = families()
    ensure_registry(con, registry)
    version = f"{registry_version(hub_added.PARSER_VERSION, registry)}+{fam.version}"
    r = rows(location, registry, fam)
    return AddedLoadSummary(
        location=location,
        written=write_one(con, hub_added.SOURCE, version, r),
        listings=r.notes["listings"],
        models=r.notes["models"],
        quarantined=r.notes["quarantined"],
        notes={k: v for k, v in r.notes.items() if k not in ("listings", "models", "quarantined")},
    )
