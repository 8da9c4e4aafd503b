"""Figures about the openreview_authors source itself: how its accepted papers were joined to
author records (quoted in every paper measure on that source), and how its inferred countries
agree with paperlists_affonly's on the venue-years both hold (`aicensus resolve compare`)."""

from __future__ import annotations

import duckdb
import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures.base import MeasureResult, provenance

SOURCE = "openreview_authors"
OTHER = "paperlists_affonly"
RULES = ("id", "byline-exact", "byline-fuzzy", "unjoined", "no-author-file")


def join_summary(
    con: duckdb.DuckDBPyConnection, venues: tuple[str, ...] = (), years: tuple[int, ...] = ()
) -> list[dict]:
    """Per venue-year: accepted papers and how many each join rule reached (papers no rule
    reaches, and lists without an author file, have no known country but stay counted)."""
    sql = (
        "SELECT venue, year, join_rule, count(*) FROM openreview_joins j "
        "JOIN loads l USING (load_id) WHERE true"
    )
    params: list = []
    if venues:
        sql += " AND venue IN (SELECT unnest(?))"
        params.append(list(venues))
    if years:
        sql += " AND year IN (SELECT unnest(?))"
        params.append(list(years))
    out: dict[tuple[str, int], dict] = {}
    for venue, year, rule, n in con.execute(sql + " GROUP BY ALL ORDER BY 1, 2", params).fetchall():
        row = out.setdefault((venue, year), {"venue": venue, "year": year, "papers": 0})
        row[rule] = n
        row["papers"] += n
    for row in out.values():
        known = sum(row.get(r, 0) for r in RULES[:3])
        row["joined"] = known
        row["join_rate"] = known / row["papers"] if row["papers"] else None
        if row.get("no-author-file"):
            row["note"] = "no author file: no country is known for these papers"
    return list(out.values())


# Per paper of paperlists_affonly whose OpenReview id has an author record here: both sides'
# inferred country sets and affiliation texts (distinct, sorted), and the reason they differ.
_COMPARE = f"""
WITH aw AS (
    SELECT work_id, load_id, venue, year, source_record_id AS record_id
    FROM works_current WHERE source = '{OTHER}'
), here AS (
    SELECT DISTINCT venue, year, record_id FROM openreview_authors
), scope AS (
    SELECT aw.* FROM aw JOIN here USING (venue, year, record_id)
), ac AS (
    SELECT s.work_id, list_sort(list_distinct(list(a.country_inferred))) AS cs,
           list_sort(list_distinct(list(lower(trim(a.raw_affiliation))))) AS texts
    FROM scope s JOIN affiliations a USING (work_id, load_id) GROUP BY 1
), oc AS (
    SELECT venue, year, record_id, list_sort(list_distinct(list(country_inferred))) AS cs,
           list_sort(list_distinct(list(lower(trim(raw_affiliation))))) AS texts
    FROM openreview_affiliations GROUP BY ALL
), paired AS (
    SELECT s.venue, s.year, s.record_id, coalesce(ac.cs, []) AS a_cs,
           coalesce(oc.cs, []) AS o_cs, ac.texts AS a_texts, oc.texts AS o_texts
    FROM scope s LEFT JOIN ac USING (work_id)
    LEFT JOIN oc USING (venue, year, record_id)
)
SELECT venue, year, record_id, a_cs, o_cs,
       CASE WHEN len(a_cs) = 0 AND len(o_cs) = 0 THEN 'no country in either'
            WHEN a_cs = o_cs THEN 'agree'
            WHEN len(a_cs) = 0 THEN 'no country in {OTHER}'
            WHEN len(o_cs) = 0 THEN 'no country in {SOURCE}'
            WHEN a_texts IS NOT DISTINCT FROM o_texts
                THEN 'same affiliation text, email domains differ'
            ELSE 'affiliation text differs' END AS reason
FROM paired
"""


def compare_papers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per paper both sources hold (accepted in paperlists_affonly, joined on OpenReview id):
    the two inferred country sets and the reason they differ ('agree' when equal)."""
    df = con.execute(_COMPARE + " ORDER BY venue, year, record_id").df()
    for col in ("a_cs", "o_cs"):
        df[col] = df[col].map(list)
    return df


def compare(con: duckdb.DuckDBPyConnection) -> MeasureResult:
    """`resolve.compare`: per venue-year, agreement of the inferred country sets of the two
    affiliation sources, over papers where both infer at least one country; differing papers
    counted by reason."""
    df = compare_papers(con)
    if df.empty:
        raise MeasureError(
            f"no paper is in both {OTHER} and {SOURCE}: load them first "
            "(aicensus load paperlists-affonly; aicensus load openreview)"
        )
    rows = []
    for (venue, year), g in df.groupby(["venue", "year"], sort=True):
        both = g[(g["a_cs"].map(len) > 0) & (g["o_cs"].map(len) > 0)]
        agree = int((both["reason"] == "agree").sum())
        row = {
            "venue": venue,
            "year": int(year),
            "papers": len(g),
            "both_known": len(both),
            "agree": agree,
            "agreement": agree / len(both) if len(both) else None,
        }
        row.update({str(k): int(v) for k, v in g["reason"].value_counts().items() if k != "agree"})
        rows.append(row)
    table = pd.DataFrame(rows).fillna(0)
    keys = sorted({(r["venue"], r["year"]) for r in rows})
    meta = {
        "measure": "resolve.compare",
        "sources": [
            *provenance(con, OTHER, [f"{v}/{v}{y}" for v, y in keys]),
            *provenance(con, SOURCE, [f"{v}{y}" for v, y in keys]),
        ],
        "definition": "papers accepted in paperlists_affonly whose OpenReview id has an author "
        "record in openreview_authors; agreement = identical inferred country sets (HK/MO/TW "
        "kept) over papers where both infer a country",
        "examples": df[df["reason"] != "agree"].head(20).to_dict(orient="records"),
    }
    return MeasureResult("resolve.compare", table, meta)
