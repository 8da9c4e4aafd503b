"""The report's OpenAlex section: what is loaded, the country shares under each counting method
(authors without a country counted as `unknown`), and how many works each named "what counts
as AI" definition keeps, so a reader sees how much the definition moves the figure."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures import ai_definitions, openalex
from aicensus.measures import papers as pm
from aicensus.measures.cache import cached
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


SOURCE = "openalex"
TOP = 10


def _by_method(con: duckdb.DuckDBPyConnection, q: pm.PaperQuery) -> pd.DataFrame:
    """Top countries (by full counting) with their share under every counting method
    (`papers.compare-methods`; authors without a country count as `unknown` under the
    author-level methods; full and country-fractional ignore that choice)."""
    units = pm.countries_present(con, q.source)
    r = cached(con, pm.compare_methods, replace(q, unknown="count"), [*units, pm.UNKNOWN_UNIT])
    wide = r.table.sort_values("full", ascending=False, na_position="last")
    top = wide[wide["country"] != pm.UNKNOWN_UNIT].head(TOP)
    return pd.concat([top, wide[wide["country"] == pm.UNKNOWN_UNIT]], ignore_index=True)


def _definitions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Works each AI definition keeps, and the leading country's full-counting share."""
    rows = []
    for d in ai_definitions.DEFINITIONS.values():
        q = pm.PaperQuery(source=SOURCE, by="all", field_definition=d.name)
        try:
            t = cached(con, pm.share, q).table
        except MeasureError:
            t = pd.DataFrame()
        lead = t.iloc[0] if len(t) else None
        rows.append(
            {
                "definition": d.name,
                "works kept": int(t["papers_loaded"].iloc[0]) if len(t) else 0,
                "with a country": int(t["denominator"].iloc[0]) if len(t) else 0,
                "leading country": lead["country"] if lead is not None else None,
                "its share": lead["share"] if lead is not None else None,
                "rule": d.description,
            }
        )
    return pd.DataFrame(rows)


def openalex_section(con: duckdb.DuckDBPyConnection) -> Section:
    s = Section(
        "openalex",
        "OpenAlex works",
        "Works from OpenAlex (API pages, saved files or snapshot partitions), de-duplicated "
        "across loads (the newest record wins; merged ids removed). Countries are the "
        "institutions' countries OpenAlex gives each authorship.",
    )
    works, locations, first, last = openalex.loaded_summary(con)
    if not works:
        s.text("No OpenAlex works loaded (run <code>aicensus openalex load</code>).")
        return s
    s.text(
        f"<strong>{works:,} works</strong> from {locations:,} source location(s), "
        f"publication years {first}–{last}. What is loaded decides what these figures mean: "
        "the bundled file is a convenience sample of real records copied from public "
        "repositories (see the provenance section), not a sample of AI research, so its "
        "shares show the method, not the state of the field."
    )
    q = pm.PaperQuery(source=SOURCE, by="all")
    s.table(
        _by_method(con, q),
        f"Share of works by country, top {TOP} under full counting, under each counting "
        "method. Full and country-fractional shares are over works with a known country; "
        "the author-level methods count authors without a country as 'unknown' (last row).",
        percent=tuple(pm.METHODS),
    )
    s.table(
        _definitions(con),
        "What counts as AI: works each named definition keeps, and the leading country "
        "under full counting within them.",
        percent=("its share",),
    )
    return s
