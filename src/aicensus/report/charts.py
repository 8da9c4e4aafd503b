"""Charts of measure results (Altair specs; SVG/PNG through vl-convert, no network)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from aicensus.errors import AicensusError
from aicensus.measures.base import MeasureResult

alt.data_transformers.disable_max_rows()


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
        color = alt.Color("series:N", title=None)
    else:
        df = df.assign(series=df[label].astype(str))
        color = alt.Color("series:N", title=unit.capitalize(), sort=keep)
    method = result.meta.get("method", "")
    return (
        alt.Chart(df[["year", "series", "share", "denominator"]])
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("share:Q", title=f"Share of papers ({method})", axis=alt.Axis(format="%")),
            color=color,
            tooltip=[
                "series:N",
                "year:O",
                alt.Tooltip("share:Q", format=".2%"),
                alt.Tooltip("denominator:Q", title="papers counted"),
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
        "color": alt.Color(f"{unit}:N"),
        "xOffset": f"{unit}:N",
        "tooltip": [f"{unit}:N", "method:N", alt.Tooltip("share:Q", format=".2%")],
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
    if suffix == ".html":
        chart.save(str(path), inline=True)
    else:
        chart.save(str(path))
