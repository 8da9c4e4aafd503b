"""Altair charts of GitHub star-ranking measures (saved with report.charts.save)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from aicensus.measures.base import MeasureResult
from aicensus.report import palette


def stars_over_time(result: MeasureResult, title: str | None = None) -> alt.TopLevelMixin:
    """Stars of each picked repository over time, one line per repository and list era (a
    line never joins points across the coverage change), with the change marked by a rule."""
    df = result.table.copy()
    df["date"] = pd.to_datetime(df["date"])
    m = result.meta
    lines = (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=8))
        .encode(
            x=alt.X("date:T", title="Snapshot day"),
            y=alt.Y("stars:Q", title="Stars"),
            color=alt.Color(
                "country:N",
                title="Owner's country",
                scale=palette.scale(list(dict.fromkeys(df["country"].astype(str)))),
                legend=palette.legend("Owner's country"),
            ),
            detail=["full_name:N", "era:N"],
            tooltip=["full_name:N", "country:N", "date:T", alt.Tooltip("stars:Q", format=",")],
        )
    )
    layers: list[alt.Chart] = [lines]
    change = m.get("coverage_change")
    if change:
        mark = pd.DataFrame({"date": [pd.Timestamp(change)], "label": ["2 → 15 keywords"]})
        rule = alt.Chart(mark).mark_rule(strokeDash=[4, 4], color="#666").encode(x="date:T")
        text = (
            alt.Chart(mark)
            .mark_text(align="left", dx=4, dy=-4, baseline="top", color="#444")
            .encode(x="date:T", y=alt.value(0), text="label:N")
        )
        layers += [rule, text]
    return alt.layer(*layers).properties(
        title=title or f"Stars over time, top {m.get('definition')} repositories",
        width=560,
        height=300,
    )
