"""Which organization strings in the loaded sources the registry does not resolve, by
frequency, so the registry grows where it matters (`aicensus orgs unmatched`)."""

from __future__ import annotations

import duckdb

from aicensus.measures.base import MeasureResult


def unmatched(con: duckdb.DuckDBPyConnection, source: str | None = None) -> MeasureResult:
    """Unmatched organization strings across loaded model and leaderboard tables: source,
    string, rows naming it, and an example model."""
    parts = [
        "SELECT m.source, mo.org_name, m.name AS model FROM model_orgs mo "
        "JOIN models m USING (model_id) WHERE mo.org_id IS NULL",
        "SELECT s.source || ':' || s.preset AS source, e.org_name, e.model FROM board_entries e "
        "JOIN board_snapshots s USING (snapshot_id) "
        "WHERE e.org_id IS NULL AND e.org_name IS NOT NULL",
    ]
    sql = (
        "SELECT source, org_name AS organization, count(*) AS rows, min(model) AS example "
        f"FROM ({' UNION ALL '.join(parts)}) WHERE ? IS NULL OR source LIKE ? || '%' "
        "GROUP BY ALL ORDER BY rows DESC, organization"
    )
    df = con.execute(sql, [source, source]).df()
    totals = con.execute(
        "SELECT (SELECT count(*) FROM model_orgs) + (SELECT count(*) FROM board_entries), "
        "(SELECT count(*) FROM model_orgs WHERE org_id IS NULL) + "
        "(SELECT count(*) FROM board_entries WHERE org_id IS NULL AND org_name IS NOT NULL)"
    ).fetchone()
    meta = {
        "measure": "orgs.unmatched",
        "source": source or "all",
        "organization_rows": totals[0],
        "unmatched_rows": totals[1],
        "distinct_unmatched": len(df),
    }
    return MeasureResult("orgs.unmatched", df, meta)
