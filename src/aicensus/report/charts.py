"""Charts of measure results (Altair specs; SVG/PNG through vl-convert, no network)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from aicensus.errors import AicensusError
from aicensus.measures.base import MeasureResult
from aicensus.measures.output import writable, writing
from aicensus.report import palette
from aicensus.report.papers_charts import YEAR_AXIS

alt.data_transformers.disable_max_rows()


def _colour_scale(labels: list[str]) -> alt.Scale:
    """The report palette's colour scale (one colour per country in every chart)."""
    return palette.scale(labels)


def top_units(df: pd.DataFrame, unit: str, n: int) -> list[str]:
    """The n units with the largest total weighted papers across the table."""
    return df.groupby(unit)["papers"].sum().sort_values(ascending=False).head(n).index.tolist()


def share_over_time(result: MeasureResult, top: int = 6, title: str | None = None) -> alt.Chart:
    """Line chart: share per year for the top units (pooled over venues when `by` is year)."""
    df = result.table.copy()
    unit = result.meta.get("unit", "country")
    if "year" not in df.columns:
        raise AicensusError("a share-over-time chart needs --by year or --by venue-year")
    label = "name" if "name" in df.columns else unit
    keep = top_units(df, unit, top)
    df = df[df[unit].isin(keep)]
    if "venue" in df.columns and df["venue"].nunique() > 1:
        df = df.assign(series=df["venue"] + " · " + df[label].astype(str))
        color = alt.Color("series:N", title=None, legend=palette.legend())
    else:
        df = df.assign(series=df[label].astype(str))
        labels = list(dict.fromkeys(df.sort_values("papers", ascending=False)["series"]))
        color = alt.Color(
            "series:N",
            title=unit.capitalize(),
            scale=_colour_scale(labels),
            legend=palette.legend(unit.capitalize()),
        )
    method = result.meta.get("method", "")
    return (
        alt.Chart(df[["year", "series", "share", "denominator"]])
        .mark_line(point=True)
        .encode(
            x=alt.X("year:Q", title="Year", axis=YEAR_AXIS, scale=alt.Scale(zero=False)),
            y=alt.Y("share:Q", title=f"Share of papers ({method})", axis=alt.Axis(format="%")),
            color=color,
            tooltip=[
                "series:N",
                "year:Q",
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("denominator:Q", title="papers counted", format=","),
            ],
        )
        .properties(title=title or f"Share of papers by {unit}", width=560, height=300)
    )


def methods_bars(result: MeasureResult) -> alt.Chart:
    """Grouped bars: one unit's share under each counting method."""
    long = pd.DataFrame(result.meta["long"])
    unit = result.meta.get("unit", "country")
    long = long.rename(columns={"unit": unit})
    group = "venue" if "venue" in long.columns else None
    enc = {
        "x": alt.X("method:N", title=None, sort=list(dict.fromkeys(long["method"]))),
        "y": alt.Y("share:Q", axis=alt.Axis(format="%"), title="Share of papers"),
        "color": alt.Color(
            f"{unit}:N",
            scale=_colour_scale(sorted(long[unit].astype(str).unique())),
            legend=palette.legend(),
        ),
        "xOffset": f"{unit}:N",
        "tooltip": [f"{unit}:N", "method:N", alt.Tooltip("share:Q", format=".1%")],
    }
    chart = alt.Chart(long).mark_bar().encode(**enc).properties(width=220, height=220)
    if group:
        chart = chart.facet(column=alt.Column(f"{group}:N"))
    return chart.properties(title="Share under each counting method")


def save(chart: alt.Chart, path: Path) -> None:
    """Write a chart as .svg, .png or .html (inline JS) with no network access."""
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png", ".html", ".json"):
        raise AicensusError(f"{path}: chart must be .svg, .png, .html or .json")
    writable(path, "--chart")
    with writing(path, "--chart"):
        if suffix == ".html":
            chart.save(str(path), inline=True)
        else:
            chart.save(str(path))


def venue_small_multiples(result: MeasureResult, units: list[str]) -> alt.FacetChart:
    """One small line chart per venue: the given units' share per year (same method)."""
    unit = result.meta.get("unit", "country")
    df = result.table[result.table[unit].isin(units)]
    label = "name" if "name" in df.columns else unit
    method = result.meta.get("method", "")
    return (
        alt.Chart(df[["venue", "year", label, "share", "denominator"]])
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "year:Q",
                title=None,
                scale=alt.Scale(zero=False, nice=False),
                axis=alt.Axis(format="d", labelAngle=0, tickCount=4, labelOverlap=True),
            ),
            y=alt.Y("share:Q", title=f"Share ({method})", axis=alt.Axis(format="%")),
            color=alt.Color(
                f"{label}:N",
                title=None,
                scale=_colour_scale(sorted(df[label].astype(str).unique())),
                legend=alt.Legend(orient="top", labelLimit=0),
            ),
            tooltip=[
                "venue:N",
                "year:Q",
                f"{label}:N",
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("denominator:Q", title="papers counted", format=","),
            ],
        )
        .properties(width=200, height=130)
        .facet(facet=alt.Facet("venue:N", title=None), columns=4)
        .resolve_scale(x="independent")
    )


def newest_venues(frame: pd.DataFrame, title: str) -> alt.FacetChart:
    """China and the US per year at each venue (one panel per venue), a line per country and
    counting method; `frame` holds venue, year, name, method, share, source, denominator."""
    names = sorted(frame["name"].astype(str).unique())
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:Q", title=None, axis=YEAR_AXIS, scale=alt.Scale(zero=False)),
            y=alt.Y("share:Q", title="Share of papers", axis=alt.Axis(format="%")),
            color=alt.Color(
                "name:N", title=None, scale=_colour_scale(names), legend=palette.legend()
            ),
            strokeDash=alt.StrokeDash("method:N", title="Counting", legend=palette.legend()),
            tooltip=[
                "venue:N",
                "year:Q",
                "name:N",
                "method:N",
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("denominator:Q", title="papers counted", format=","),
                "source:N",
            ],
        )
        .properties(width=260, height=180)
        .facet(column=alt.Column("venue:N", title=None))
        .resolve_scale(x="independent")
    )
