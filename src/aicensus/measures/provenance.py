"""Provenance and coverage summaries: what each source contributed, why records were
quarantined, and which tables hold data (for `status` and the report; measures, not SQL there)."""

from __future__ import annotations

import duckdb
import pandas as pd


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
    """Quarantine reasons (quoted ids and record numbers stripped so like reasons group) with
    counts and an example."""
    return con.execute(
        """
        SELECT source,
               regexp_replace(regexp_replace(reason, '''[^'']*''', '''…''', 'g'),
                              'record [0-9]+', 'record …', 'g') AS reason,
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


def quarantine_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every quarantined record: source, location, record number and id, reason (the row-level
    list the report offers as a download)."""
    return con.execute(
        "SELECT source, location, record_no, record_id, reason FROM quarantine "
        "ORDER BY source, location, record_no"
    ).df()
