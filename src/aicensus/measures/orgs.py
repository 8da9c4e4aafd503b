"""Organization measures: which organization strings in the loaded sources the registry does
not resolve, by frequency, so the registry grows where it matters (`aicensus orgs unmatched`)."""

from __future__ import annotations

import duckdb
import ibis

from aicensus.measures.base import MeasureResult, ibis_connection


def unmatched(con: duckdb.DuckDBPyConnection, source: str | None = None) -> MeasureResult:
    """Unmatched organization strings across loaded model and leaderboard tables: source,
    string, rows naming it, and an example model (most rows first)."""
    db = ibis_connection(con)
    mo, models = db.table("model_orgs"), db.table("models")
    entries, snaps = db.table("board_entries"), db.table("board_snapshots")
    from_models = mo.join(models, "model_id").select(
        source=models.source,
        organization=mo.org_name,
        model=models.name,
        matched=mo.org_id.notnull(),
    )
    from_boards = (
        entries.filter(entries.org_name.notnull())
        .join(snaps, "snapshot_id")
        .select(
            source=snaps.source.concat(":", snaps.preset),
            organization=entries.org_name,
            model=entries.model,
            matched=entries.org_id.notnull(),
        )
    )
    rows = from_models.union(from_boards)
    missing = rows.filter(~rows.matched)
    if source:
        missing = missing.filter(missing.source.startswith(source))
    df = (
        missing.group_by(["source", "organization"])
        .aggregate(rows=missing.count(), example=missing.model.min())
        .order_by([ibis.desc("rows"), "organization", "source"])
        .to_pandas()
    )
    totals = rows.aggregate(n=rows.count(), unmatched=(~rows.matched).sum()).to_pandas()
    meta = {
        "measure": "orgs.unmatched",
        "source": source or "all",
        "organization_rows": int(totals["n"][0]),
        "unmatched_rows": int(totals["unmatched"][0] or 0),
        "distinct_unmatched": len(df),
    }
    return MeasureResult("orgs.unmatched", df, meta)
