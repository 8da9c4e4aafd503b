"""The report's section on the newest venue-years, whose countries are inferred from raw
affiliation text (paperlists_affonly), with the resolver's measured agreement beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures import papers as pm
from aicensus.measures.cache import cached
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


SOURCE = "paperlists_affonly"
OPENREVIEW = "openreview_authors"
UNITS = ["CN", "US", "HK", "GB", "DE", "KR", "SG"]
# The newest-venues chart: the two largest ML venues, each venue-year from the source with
# accepted papers joined to affiliations (OpenReview author files first, else Paper Copilot's
# affiliation-only lists).
CHART_VENUES = ("nips", "icml")
METHODS = ("full", "country-fractional")


def inferred_section(con: duckdb.DuckDBPyConnection) -> Section:
    s = Section(
        "inferred",
        "Newest venues: countries inferred from affiliations",
        "Paper Copilot's copies of CVPR 2020–24, ICCV 2021/23, ICML 2023/24, NeurIPS 2021, ICLR "
        "2021 and EMNLP 2023 carry raw affiliations and email domains but no country fields. "
        "aicensus infers countries from that text (ROR, OpenAlex institutions, place names, "
        "email domains) and quotes the inference's measured agreement with known countries. "
        "NeurIPS 2022/23, ICLR 2022 and ICML 2024/25 come from Paper Copilot's OpenReview "
        "author files joined to the accepted-paper lists (by OpenReview id, or by byline for "
        "ICML 2025), their countries inferred the same way.",
    )
    try:
        df, acc = _shares(con, SOURCE)
    except MeasureError as exc:
        s.text(f"Not loaded: {exc}.")
        return s
    if acc and acc.get("status", "").startswith("not measured"):
        s.text(
            "<strong>Agreement not measured</strong> in this warehouse "
            "(run <code>aicensus resolve evaluate --save</code>)."
        )
    elif acc:
        parts = [
            f"{r['level']}-level agreement {r['agreement']:.2%} at {r['coverage']:.2%} coverage"
            for r in acc.get("levels", [])
            if r.get("holdout") == "file"
        ]
        s.text(
            "Measured on the 215 Paper Copilot files that do have country fields, with "
            "their country fields hidden and institution-country pairs learned from the "
            "scored file left out: " + "; ".join(parts) + "."
        )
    s.table(
        _wide(df),
        "Share of papers by inferred country (Hong Kong kept separate; "
        "coverage = papers with an inferred country / papers loaded).",
        percent=(*UNITS, "coverage"),
    )
    _openreview(con, s, df)
    return s


def _shares(con: duckdb.DuckDBPyConnection, source: str) -> tuple[pd.DataFrame, dict | None]:
    """The UNITS' shares of papers by inferred country under each of METHODS (a `method`
    column), and the resolver's measured agreement the results quote."""
    frames, acc = [], None
    for method in METHODS:
        r = cached(con, pm.share, pm.PaperQuery(source=source, countries="inferred", method=method))
        acc = r.meta.get("inference_accuracy")
        frames.append(r.table[r.table["country"].isin(UNITS)].assign(method=method))
    return pd.concat(frames, ignore_index=True), acc


def _wide(df: pd.DataFrame) -> pd.DataFrame:
    """One row per venue, year and method: a share column per unit, then the coverage."""
    keys = ["venue", "year", "method"]
    wide = df.pivot_table(index=keys, columns="country", values="share").reset_index()
    wide.columns.name = None
    wide = wide.merge(df.groupby(keys)["coverage"].first().reset_index(), on=keys)
    return wide[[*keys, *[u for u in UNITS if u in wide.columns], "coverage"]]


def _openreview(con: duckdb.DuckDBPyConnection, s: Section, affonly: pd.DataFrame) -> None:
    """The OpenReview venue-years (table) and China vs the US at NeurIPS and ICML (chart)."""
    try:
        df, _ = _shares(con, OPENREVIEW)
    except MeasureError as exc:
        s.text(f"OpenReview author files not loaded: {exc}.")
        return
    s.table(
        _wide(df),
        "OpenReview author files joined to the accepted-paper lists: share of papers by "
        "inferred country (Hong Kong kept separate; coverage = papers with an inferred country "
        "/ accepted papers in the list).",
        percent=(*UNITS, "coverage"),
    )
    both = pd.concat(
        [df.assign(source=OPENREVIEW), affonly.assign(source=SOURCE)], ignore_index=True
    )
    both = both[both["venue"].isin(CHART_VENUES) & both["country"].isin(["CN", "US"])]
    # one source per venue-year: the OpenReview join where it has the venue-year
    first = both.groupby(["venue", "year"])["source"].transform(
        lambda x: OPENREVIEW if (x == OPENREVIEW).any() else SOURCE
    )
    both = both[both["source"] == first]
    if both.empty:
        return
    span = ", ".join(
        f"{v} {both.year[both.venue == v].min()}–{both.year[both.venue == v].max()}"
        for v in CHART_VENUES
        if (both.venue == v).any()
    )
    from aicensus.report.charts import newest_venues

    s.chart(
        newest_venues(
            both[["venue", "year", "name", "method", "share", "source", "denominator"]],
            f"China and the US at the newest large venues ({span})",
        ),
        "Share of accepted papers with an author in China or the US (inferred countries; "
        "full and country-fractional counting). Sources per venue-year in the tooltip: "
        "OpenReview author files where they cover it, else Paper Copilot's affiliation-only "
        "lists.",
    )
