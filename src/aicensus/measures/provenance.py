"""Provenance and coverage summaries: what each source contributed, why records were
quarantined, and which tables hold data (for `status` and the report; measures, not SQL there)."""

from __future__ import annotations

import duckdb
import pandas as pd

from aicensus.measures import paper_status


def source_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per source: locations, records loaded and quarantined, the rows it wrote into
    each table (`tables`, from every load's row_counts), retrieval dates."""
    return con.execute(
        """
        WITH per_table AS (
            SELECT l.source, j.key AS name, sum(CAST(j.value AS BIGINT)) AS n
            FROM loads l, json_each(l.row_counts) j
            WHERE j.key <> 'quarantine' GROUP BY ALL
        ), tables AS (
            SELECT source, string_agg(name || ' ' || format('{:,}', n), '; '
                                      ORDER BY n DESC, name) AS tables
            FROM per_table GROUP BY source
        )
        SELECT source, count(*) AS locations, sum(rows_loaded)::BIGINT AS loaded,
               sum(rows_quarantined)::BIGINT AS quarantined,
               any_value(t.tables) AS tables,
               strftime(min(retrieved_at) AT TIME ZONE 'UTC', '%Y-%m-%d') AS first_retrieved,
               strftime(max(retrieved_at) AT TIME ZONE 'UTC', '%Y-%m-%d') AS last_retrieved,
               list_distinct(list(parser_version))[1] AS parser
        FROM loads LEFT JOIN tables t USING (source) GROUP BY source ORDER BY source
        """
    ).df()


def loads_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every load: source, key, location, content hash, retrieval time, rows."""
    return con.execute(
        """
        SELECT source, key, location, content_hash,
               strftime(retrieved_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS retrieved_at,
               parser_version, rows_loaded, rows_quarantined
        FROM loads ORDER BY source, key
        """
    ).df()


def quarantine_reasons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantine reasons (ids stripped so like reasons group) with counts and an example."""
    return con.execute(
        """
        SELECT source, regexp_replace(reason, '''[^'']*''', '''…''', 'g') AS reason,
               count(*) AS records, min(location || ' #' || record_no) AS example
        FROM quarantine GROUP BY ALL ORDER BY records DESC
        """
    ).df()


def has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """True if warehouse table `table` exists and holds at least one row."""
    try:
        return bool(con.table(table).limit(1).fetchall())
    except duckdb.Error:
        return False


def paper_statuses(con: duckdb.DuckDBPyConnection, source: str | None = None) -> pd.DataFrame:
    """Records per paper file and status (as the source writes it; '' when absent), and whether
    the status counts as accepted under the source's rule (measures.paper_status)."""
    df = con.execute(
        """
        SELECT w.source, l.key AS file, coalesce(w.status, '') AS status, count(*) AS records
        FROM works w JOIN loads l USING (load_id)
        WHERE w.source <> 'openalex' AND (? IS NULL OR w.source = ?)
        GROUP BY ALL ORDER BY w.source, file, records DESC, status
        """,
        [source, source],
    ).df()
    df.insert(
        3,
        "counted",
        [paper_status.is_accepted(s, v) for s, v in zip(df["source"], df["status"], strict=True)],
    )
    return df


def status_totals(statuses: pd.DataFrame) -> pd.DataFrame:
    """`paper_statuses` summed per source and status: records, files holding it, counted."""
    if statuses.empty:
        return statuses.assign(files=pd.Series(dtype="int64"))
    out = statuses.groupby(["source", "status", "counted"], as_index=False).agg(
        records=("records", "sum"), files=("file", "nunique")
    )
    return out.sort_values(["source", "counted", "records"], ascending=[True, False, False])
