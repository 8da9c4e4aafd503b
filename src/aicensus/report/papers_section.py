"""The report's paper-geography section, computed from the paper measures."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures import papers as pm
from aicensus.measures.cache import cached
from aicensus.report import charts, formatting
from aicensus.report.papers_charts import papers_explorer
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


def papers_section(con: duckdb.DuckDBPyConnection) -> Section:
    s = Section(
        "papers",
        "Paper geography",
        "Share of accepted papers at AI venues by the country of the authors' affiliations "
        "(Paper Copilot lists). Shares are over papers with a known country; coverage says how "
        "many of the loaded papers that is. Hong Kong, Macao and Taiwan are recovered from "
        "institution names, web addresses and email domains unless stated otherwise.",
    )
    try:
        by_year = cached(con, pm.share, pm.PaperQuery(by="year"))
    except MeasureError as exc:
        s.text(f"No paper data: {exc}.")
        return s
    _explorer(con, s)
    s.chart(
        charts.share_over_time(
            by_year,
            top=6,
            title="Share of papers by country, all venues with country data, full counting",
        ),
        f"Source: Paper Copilot paper lists, {_span(by_year.table)}, every loaded venue with "
        "country data in each year (the venue mix changes from year to year); full counting: "
        "a paper counts once for each country of its authors. The six countries with the most "
        "papers.",
    )
    by_venue = cached(con, pm.share, pm.PaperQuery(by="venue-year"))
    series = by_venue.table.groupby("venue")["year"].nunique()
    long_venues = sorted(series[series >= 4].index)
    by_venue.table = by_venue.table[by_venue.table["venue"].isin(long_venues)]
    if by_venue.table.empty:  # e.g. a warehouse with one or two venue-years loaded
        s.text("No loaded venue has four years of country data: no per-venue trend to draw.")
    else:
        s.chart(
            charts.venue_small_multiples(by_venue, ["CN", "US"]),
            f"Source: Paper Copilot paper lists, {_span(by_venue.table)}. China and the United "
            "States per venue and year, full counting, venues with at least four years of "
            "country data. Each venue's own papers: no change of venue mix.",
        )
    coverage = pm.venue_coverage(con)
    s.table(
        coverage,
        "Coverage per venue: papers loaded and papers with a known country. "
        "Venues at 0% (e.g. ICLR, ECCV, KDD) carry no country data in Paper Copilot.",
        percent=("coverage",),
    )
    latest = pm.latest_years(con)
    cm_frames = []
    for venue, year in latest:
        r = cached(
            con, pm.compare_methods, pm.PaperQuery(venues=(venue,), years=(year,)), ["CN", "US"]
        )
        cm_frames.append(r)
    if cm_frames:
        table = pd.concat([r.table for r in cm_frames], ignore_index=True)
        s.table(
            table.rename(columns={"unit": "country"}),
            "China and the US in the latest year of each venue, under the four counting "
            "methods (regions recovered).",
            percent=tuple(pm.METHODS),
        )
    src_vs_rec = cached(con, pm.share, pm.PaperQuery(by="all", regions="source"), top=8).table
    moved = pm.region_moves(con, pm.PaperQuery())
    s.text(
        f"Region recovery moves {moved['papers_moved']:,} papers' country sets "
        f"(by rule: {html.escape(formatting.mapping(moved['by_rule']))}; "
        f"to: {html.escape(formatting.mapping(moved['by_region']))})."
    )
    s.table(
        src_vs_rec[["country", "name", "papers", "denominator", "share"]],
        "All loaded papers, full counting, regions as the source gives them (HK/MO/TW "
        "folded into CN).",
        percent=("share",),
    )
    collab = cached(con, pm.collaboration, pm.PaperQuery(by="year")).table
    s.table(
        collab, "International collaboration: papers with two or more countries.", percent=("rate",)
    )
    cit = cached(con, pm.citations, pm.PaperQuery(by="all", method="full")).table.head(10)
    s.table(
        cit[
            [
                "country",
                "name",
                "papers",
                "mean_citations",
                "median_citations",
                "top10_share",
                "pp_top10",
            ]
        ],
        "Google Scholar citations per paper (all loaded venues and years, full counting); "
        "top-10% is within each venue's own pool.",
        percent=("top10_share", "pp_top10"),
    )
    return s


# The venue sets of the main paper chart (those of the debate's paper claims).
EXPLORER_VENUES = {
    "all venues with country data": (),
    "NeurIPS": ("nips",),
    "IJCAI": ("ijcai",),
    "small ML venues (AISTATS, UAI, COLT, ACML, AutoML)": (
        "aistats",
        "uai",
        "colt",
        "acml",
        "automl",
    ),
}


def _span(t: pd.DataFrame) -> str:
    """The years a result table covers, as 'first–last'."""
    return f"{int(t['year'].min())}–{int(t['year'].max())}"


def _explorer(con: duckdb.DuckDBPyConnection, s: Section) -> None:
    """China and the US by year with controls: counting method, venue set, regions (every
    combination measured here, filtered in the browser)."""
    frames = []
    for label, venues in EXPLORER_VENUES.items():
        for regions in pm.REGIONS[::-1]:
            try:
                r = cached(
                    con,
                    pm.compare_methods,
                    pm.PaperQuery(by="year", venues=venues, regions=regions),
                    ["CN", "US"],
                )
            except MeasureError:
                continue
            long = pd.DataFrame(r.meta["long"])
            frames.append(
                long.assign(
                    venues=label,
                    regions="recovered" if regions == "recovered" else "folded into China",
                    name=long["unit"].map({"CN": "China", "US": "United States"}),
                )
            )
    if not frames:
        return
    df = pd.concat(frames, ignore_index=True)
    df = df[df["denominator"] > 0]
    cols = ["year", "name", "share", "papers", "denominator", "method", "venues", "regions"]
    s.chart(
        papers_explorer(df[cols], "China and the United States at AI venues, by year"),
        f"Source: Paper Copilot paper lists, {_span(df)} (each venue set's own years). "
        "Choose the counting method (full: a paper counts once for each of its authors' "
        "countries; country-fractional: split between its countries; author-fractional: "
        "split between its authors; first-author), the venue set, and whether Hong Kong, "
        "Macao and Taiwan are recovered from affiliations or folded into China as the "
        "source gives them. Shares are over papers with a known country.",
        controls=True,
    )
