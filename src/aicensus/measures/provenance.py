"""Provenance and coverage summaries: what each source contributed, why records were
quarantined, and which tables hold data (for `status` and the report; measures, not SQL there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd

from aicensus.config import STALE_AFTER_DAYS
from aicensus.measures import paper_status
from aicensus.upstream import upstream


@dataclass(frozen=True)
class DataPeriod:
    """When a source's loaded data are from: the period they describe (`start`..`end`), the
    date upstream's copy was made (`copied`, None when not stated) and the last load."""

    start: date
    end: date
    copied: date | None
    loaded: datetime
    publisher: str


def _load_dates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per load: source, period, copy date (stored; else from upstream.yaml for loads made
    before schema 9), load time, publisher."""
    rows = con.execute(
        "SELECT source, location, retrieved_at AT TIME ZONE 'UTC', loaded_at AT TIME ZONE 'UTC', "
        "period_start, period_end, copied, publisher FROM loads ORDER BY source, key"
    ).fetchall()
    out = []
    for source, location, retrieved, loaded, start, end, copied, publisher in rows:
        if copied is None or publisher is None:
            facts = upstream(source, location, retrieved)
            copied = copied or facts.copied
            publisher = publisher or facts.publisher
        out.append((source, start, end, copied, loaded, publisher))
    cols = ["source", "start", "end", "copied", "loaded", "publisher"]
    return pd.DataFrame(out, columns=cols)


def data_periods(con: duckdb.DuckDBPyConnection) -> dict[str, DataPeriod]:
    """Per source with dated rows: the period its loaded data describe (earliest start, latest
    end over its loads), the newest upstream copy date, the latest load, the publisher."""
    out: dict[str, DataPeriod] = {}
    for source, g in _load_dates(con).groupby("source", sort=True):
        dated = g.dropna(subset=["start"])
        if dated.empty:
            continue
        copied = g["copied"].dropna()
        out[str(source)] = DataPeriod(
            start=min(dated["start"]),
            end=max(dated["end"]),
            copied=max(copied) if len(copied) else None,
            loaded=max(g["loaded"]).to_pydatetime().replace(tzinfo=UTC),
            publisher="; ".join(dict.fromkeys(str(p) for p in g["publisher"])),
        )
    return out


def _day(d: object) -> str | None:
    return None if d is None or pd.isna(d) else str(d)[:10]


def dates_meta(
    con: duckdb.DuckDBPyConnection,
    sources: list[str],
    start: object = None,
    end: object = None,
) -> dict:
    """The data dates every measure result carries: `data_period` (what the counted rows
    describe, `start`..`end` as YYYY-MM-DD; None when nothing was counted) and `data_sources`
    (per source: publisher, upstream copy date, last load)."""
    periods = data_periods(con)
    listed = []
    for source in sources:
        p = periods.get(source)
        listed.append(
            {
                "source": source,
                "publisher": p.publisher if p else upstream(source).publisher,
                "copied": _day(p.copied) if p else None,
                "loaded": _day(p.loaded) if p else None,
            }
        )
    period = None
    if _day(start) and _day(end):
        period = {"start": _day(start), "end": _day(end)}
    return {"data_period": period, "data_sources": listed}


def year_span(first: Any, last: Any) -> tuple[date | None, date | None]:
    """Whole years `first`..`last` as dates (Jan 1 .. Dec 31); None for unknown years."""
    if first is None or pd.isna(first) or last is None or pd.isna(last):
        return None, None
    return date(int(first), 1, 1), date(int(last), 12, 31)


def source_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per source: locations, records loaded and quarantined, the rows it wrote into
    each table (`tables`, from every load's row_counts), parser versions (data dates:
    `data_dates`)."""
    df = con.execute(
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
               list_distinct(list(parser_version))[1] AS parser
        FROM loads LEFT JOIN tables t USING (source) GROUP BY source ORDER BY source
        """
    ).df()
    return df


def data_dates(
    con: duckdb.DuckDBPyConnection,
    stale_after_days: int = STALE_AFTER_DAYS,
    today: date | None = None,
) -> pd.DataFrame:
    """One row per source: its publisher, the period its loaded data describe, the date
    upstream's copy was made ('not stated' when SOURCE.md gives none), the last load, and how
    old the data are on `today` ('stale' past `stale_after_days`)."""
    fresh = freshness(con, stale_after_days, today).set_index("source")
    rows = []
    for source, g in _load_dates(con).groupby("source", sort=True):
        starts, ends, copies = g["start"].dropna(), g["end"].dropna(), g["copied"].dropna()
        age = fresh["age_days"].get(source)
        rows.append(
            {
                "source": source,
                "publisher": "; ".join(dict.fromkeys(str(p) for p in g["publisher"])),
                "describes": upstream(str(source)).describes,
                "data_period": f"{min(starts)} .. {max(ends)}" if len(starts) else "",
                "copied": _day(max(copies)) if len(copies) else "not stated",
                "loaded": _day(max(g["loaded"])),
                "age": "" if age is None else f"{int(age):,} days",
                "fresh": "" if age is None else ("stale" if fresh["stale"][source] else "ok"),
            }
        )
    cols = ["source", "publisher", "describes", "data_period", "copied", "loaded", "age", "fresh"]
    return pd.DataFrame(rows, columns=cols)


def freshness(
    con: duckdb.DuckDBPyConnection, stale_after_days: int, today: date | None = None
) -> pd.DataFrame:
    """One row per source with dated data: where its data end, how old that is on `today`
    (default: the current date) and whether it is stale (older than `stale_after_days`)."""
    today = today or date.today()
    rows = [
        {
            "source": source,
            "data_end": p.end,
            "age_days": (today - p.end).days,
            "stale": (today - p.end).days > stale_after_days,
        }
        for source, p in data_periods(con).items()
    ]
    return pd.DataFrame(rows, columns=["source", "data_end", "age_days", "stale"])


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


def quarantine_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every quarantined record: source, location, record number and id, reason (the row-level
    list the report offers as a download)."""
    return con.execute(
        "SELECT source, location, record_no, record_id, reason FROM quarantine "
        "ORDER BY source, location, record_no"
    ).df()
