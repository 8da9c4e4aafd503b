"""OpenAlex-only measures: group_by aggregates set against counts from downloaded works."""

from __future__ import annotations

import duckdb
import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures import papers as pm
from aicensus.measures.base import MeasureResult, provenance
from aicensus.warehouse.rows import one_row


def group_by_agreement(
    con: duckdb.DuckDBPyConnection, q: pm.PaperQuery, filter_expr: str | None = None
) -> MeasureResult:
    """`openalex.group-by-agreement`: per country, the `authorships.countries` group_by count
    (full counting, from the API) next to the full count from the loaded works under `q`."""
    q = pm.replace(q, method="full", by="all", unit="country", source="openalex").checked()
    gb = con.execute(
        "SELECT g.key, g.count, l.key AS load_key FROM group_by_counts g "
        "JOIN loads l USING (load_id) WHERE g.group_by = 'authorships.countries' "
        "AND coalesce(g.filter, '') = ?",
        [filter_expr or ""],
    ).df()
    if gb.empty:
        raise MeasureError(
            f"no authorships.countries group_by stored for filter {filter_expr!r}; "
            "run 'aicensus openalex group-by' first"
        )
    shares = pm.share(con, q)
    works = shares.table[["country", "papers"]].rename(columns={"papers": "works"})
    gb = gb[gb.key != "unknown"].rename(columns={"key": "country", "count": "group_by"})
    df = pd.merge(gb[["country", "group_by"]], works, on="country", how="outer").fillna(0)
    df["difference"] = df["works"] - df["group_by"]
    df = df.sort_values(["group_by", "country"], ascending=[False, True]).reset_index(drop=True)
    keys = sorted(set(gb["load_key"]))
    meta = {
        "measure": "openalex.group-by-agreement",
        **q.describe(),
        "filter": filter_expr,
        "agree": bool((df["difference"] == 0).all()),
        "sources": provenance(con, "openalex", keys) + shares.meta["sources"],
        "data_period": shares.meta["data_period"],
        "data_sources": shares.meta["data_sources"],
    }
    return MeasureResult("openalex.group-by-agreement", df, meta)


def loaded_summary(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int | None, int | None]:
    """(works, source locations, first year, last year) of OpenAlex works in works_current."""
    row = one_row(
        con,
        "SELECT count(*), count(DISTINCT load_id), min(year), max(year) FROM works_current "
        "WHERE source = 'openalex'",
    )
    return int(row[0]), int(row[1]), row[2], row[3]
