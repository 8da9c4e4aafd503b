"""Load Hugging Face Hub snapshots (dumps, or the pages of a live pull) with resolved lineage.

A dump is one location: models, per-snapshot stats, links, lineage and the snapshot row go in one
transaction. A live pull writes one location per page and, once complete, one `lineage`
location computed over all its pages (see aicensus.ingest.hub_pull).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from aicensus.hub import lineage
from aicensus.hub.attribution import Families, attribute, families
from aicensus.ingest.batch import registry_version
from aicensus.ingest.orgs import ensure_registry
from aicensus.orgs import Registry
from aicensus.sources import hub
from aicensus.sources.fetch import local_path, read_location
from aicensus.warehouse import LocationRows, load
from aicensus.warehouse.tables import quarantine_row, rows_table

DUMP_SOURCES = {"hf_models_api": "hf_models_api", "hf_models_table": "hf_models_table"}

MODEL_COLS = [
    "model_id",
    "namespace",
    "pipeline_tag",
    "library_name",
    "model_type",
    "last_modified",
    "created_at",
    "n_parents",
]


def _model_type(r: hub.HubRecord, fam: Families) -> str | None:
    if r.model_type:
        return r.model_type
    return next((t for t in r.tags if t in fam.architectures), None)


def record_tables(
    records: list[hub.HubRecord], source: str, snapshot: str, fam: Families
) -> dict[str, pd.DataFrame]:
    """hub_models, model_stats, hub_links frames (without lineage) for parsed records."""
    models: list[tuple] = []
    stats: list[tuple[str, int | None, int | None, int | None, float | None]] = []
    links: list[tuple[str, str, str, int, str]] = []
    for r in records:
        ls = r.links()
        models.append(
            (
                r.model_id,
                r.namespace,
                r.pipeline_tag,
                r.library_name,
                _model_type(r, fam),
                r.last_modified,
                r.created_at,
                len({p.lower() for p, *_ in ls}),
            )
        )
        stats.append((r.model_id, r.downloads, r.likes, r.downloads_all_time, r.trending_score))
        links.extend((r.model_id, p, rel, pos, origin) for p, rel, pos, origin in ls)
    m = pd.DataFrame(models, columns=MODEL_COLS)
    s = pd.DataFrame(
        stats, columns=["model_id", "downloads", "likes", "downloads_all_time", "trending_score"]
    ).astype(
        {"downloads": "Int64", "likes": "Int64", "downloads_all_time": "Int64",
         "trending_score": "Float64"}
    )  # fmt: skip
    lk = pd.DataFrame(links, columns=["model_id", "parent_id", "relation", "position", "origin"])
    for f in (m, s, lk):
        f.insert(0, "snapshot", snapshot)
        f.insert(0, "source", source)
    m["n_parents"] = m["n_parents"].astype("int32")
    lk["position"] = lk["position"].astype("int32")
    return {"hub_models": m, "model_stats": s, "hub_links": lk}


# The columns a lineage walk and its attribution give every model, in the order both lineage
# tables (hub_lineage, hub_added_lineage) end with.
ATTRIBUTION_COLS = (
    "depth",
    "ref_id",
    "ref_namespace",
    "parent_absent",
    "uploader_org",
    "uploader_country",
    "root_org",
    "root_country",
    "rule",
)


def snapshot_rows(
    key: str, source: str, snapshot: str, endpoint: str, n: int, complete: bool
) -> LocationRows:
    """The hub_snapshots row of a live snapshot (`n` models so far, `complete` once the listing
    is done), as the location `<key>/snapshot`: rewritten whenever its count changes."""
    t = pa.Table.from_pylist(
        [dict(source=source, snapshot=snapshot, location=endpoint, n_models=n, complete=complete)]
    )
    return LocationRows(
        key=f"{key}/snapshot",
        location=endpoint,
        content_hash=f"{n}:{complete}",
        retrieved_at=datetime.now(UTC),
        tables={"hub_snapshots": t},
    )


def lineage_table(
    models: pd.DataFrame, links: pd.DataFrame, registry: Registry, fam: Families, location: str
) -> tuple[pd.DataFrame, list[dict]]:
    """Resolve roots (set-wise) and attribute every model; return (hub_lineage, quarantine)."""
    source, snapshot = models["source"].iat[0], models["snapshot"].iat[0]
    ids = models["model_id"]
    ids_lc = ids.str.lower()
    prim = links[links["position"] == 0].drop_duplicates("model_id")
    prim_parent = prim.set_index(prim["model_id"].str.lower())["parent_id"]
    parents = ids_lc.map(prim_parent).astype(object)
    parents_lc = parents.map(lambda p: p.lower() if isinstance(p, str) else None)
    res = lineage.resolve(ids_lc.to_numpy(), parents_lc.to_numpy())
    root = res.root
    root_ids = ids.to_numpy()[root]
    absent_id = parents.to_numpy()[root]
    ref_ids = np.where(res.parent_absent, absent_id, root_ids)
    df = pd.DataFrame(
        {
            "source": source,
            "snapshot": snapshot,
            "model_id": ids.to_numpy(),
            "root_id": root_ids,
            "depth": res.depth.astype("int32"),
            "ref_id": ref_ids,
            "parent_absent": res.parent_absent,
            "namespace": models["namespace"].to_numpy(),
            "model_type": models["model_type"].to_numpy(),
            "root_model_type": models["model_type"].to_numpy()[root],
        }
    )
    df["root_namespace"] = df["root_id"].map(hub.namespace_of)
    df["ref_namespace"] = pd.Series(ref_ids).map(hub.namespace_of).to_numpy()
    df = attribute(df, registry, fam)
    quarantine = []
    for i in res.self_refs:
        quarantine.append(
            quarantine_row(
                source,
                location,
                None,
                ids.iat[i],
                "lineage: model names itself as parent (link ignored)",
                str(parents.iat[i]),
            )
        )
    for cyc in res.cycles:
        names = " -> ".join(ids.iat[k] for k in cyc)
        for k in cyc:
            quarantine.append(
                quarantine_row(
                    source,
                    location,
                    None,
                    ids.iat[k],
                    "lineage: cycle of base_model links (broken at its smallest id)",
                    names,
                )
            )
    cols = ["source", "snapshot", "model_id", "root_id", "root_namespace", *ATTRIBUTION_COLS]
    return df[cols], quarantine


def _arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


@dataclass
class HubLoadSummary:
    """What a Hub dump load did."""

    location: str
    source: str
    snapshot: str = ""
    written: bool = False
    models: int = 0
    quarantined: int = 0
    notes: dict[str, int] = field(default_factory=dict)


def detect_source(location: str, content: bytes) -> str:
    """hf_models_api for API JSON dumps, hf_models_table for tabular ones."""
    return "hf_models_api" if content.lstrip()[:1] in (b"{", b"[") else "hf_models_table"


def dump_rows(
    location: str,
    registry: Registry,
    fam: Families,
    source: str | None = None,
    snapshot: str | None = None,
) -> tuple[str, LocationRows]:
    fetched = read_location(location)
    source = source or detect_source(location, fetched.content)
    parsed = hub.parse(fetched.content, location, source)
    if not parsed.records:
        raise hub.SourceError(f"{location}: no usable model records")
    snap = snapshot or hub.snapshot_date(parsed.records)
    frames = record_tables(parsed.records, source, snap, fam)
    lin, q = lineage_table(frames["hub_models"], frames["hub_links"], registry, fam, location)
    n = len(frames["hub_models"])
    snaps = pd.DataFrame(
        [dict(source=source, snapshot=snap, location=location, n_models=n, complete=True)]
    )
    tables = {k: _arrow(v) for k, v in frames.items()}
    tables["hub_lineage"] = _arrow(lin)
    tables["hub_snapshots"] = _arrow(snaps)
    tables["quarantine"] = rows_table(parsed.quarantine + q)
    notes = {
        "records": n + len(parsed.quarantine),
        "models": n,
        "with_links": int((frames["hub_models"]["n_parents"] > 0).sum()),
        "parent_absent": int(lin["parent_absent"].sum()),
        "quarantined": len(parsed.quarantine) + len(q),
    }
    notes.update({f"rule:{k}": int(v) for k, v in lin["rule"].value_counts().items()})
    key = Path(local_path(location) or location).name
    return source, LocationRows(
        key=key,
        location=location,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables=tables,
        notes=notes,
    )


def dump_files(location: str) -> list[str]:
    """A file/URL as is; a directory: its *.jsonl(.gz), *.json(.gz), *.csv(.gz) files, sorted."""
    p = local_path(location)
    if p is not None and p.is_dir():
        pats = ("*.jsonl", "*.jsonl.gz", "*.json", "*.json.gz", "*.csv", "*.csv.gz")
        files = sorted({str(f) for pat in pats for f in p.rglob(pat)})
        if not files:
            raise hub.SourceError(f"{location}: no Hub dump files (*.jsonl, *.json, *.csv[.gz])")
        return files
    return [location]


def load_hub_dumps(
    con: duckdb.DuckDBPyConnection,
    location: str,
    registry: Registry | None = None,
    snapshot: str | None = None,
) -> list[HubLoadSummary]:
    """Load every dump at `location` (file, URL or directory); idempotent per file."""
    registry = registry or Registry.load()
    fam = families()
    ensure_registry(con, registry)
    version = f"{registry_version(hub.PARSER_VERSION, registry)}+{fam.version}"
    out = []
    for f in dump_files(location):
        source, rows = dump_rows(f, registry, fam, snapshot=snapshot)
        with load(con, source, version) as loader:
            loader.add(rows)
        out.append(
            HubLoadSummary(
                location=f,
                source=source,
                snapshot=rows.tables["hub_snapshots"]["snapshot"][0].as_py(),
                written=bool(loader.result.written),
                models=rows.notes["models"],
                quarantined=rows.notes["quarantined"],
                notes={k: v for k, v in rows.notes.items() if k not in ("models", "quarantined")},
            )
        )
    return out


def now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
