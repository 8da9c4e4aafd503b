"""Altair charts of Hub measures: share bars per unit, families' derivatives, change."""

from __future__ import annotations

import altair as alt
import pandas as pd

from aicensus.measures.base import MeasureResult
from aicensus.report import palette


def share_bars(result: MeasureResult, top: int = 12, title: str | None = None) -> alt.Chart:
    """Horizontal bars of share per unit (unknown last, grey)."""
    t = result.table
    df = pd.concat([t[t["unit"] != "unknown"].head(top), t[t["unit"] == "unknown"]])
    m = result.meta
    title = title or (
        f"Hub models by {m.get('by')} ({m.get('weight')}, {m.get('attribution')} attribution), "
        f"{m.get('source')} {m.get('snapshot')}"
    )
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=None, title=None),
            x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share"),
            color=alt.Color(
                "unit:N", scale=palette.scale(list(df["unit"].astype(str))), legend=None
            ),
            tooltip=["unit", "name", "value", alt.Tooltip("share:Q", format=".2%")],
        )
        .properties(width=420)
    )


def families_bars(result: MeasureResult, title: str | None = None) -> alt.Chart:
    """Models per root family, split into derivatives and the rest."""
    df = result.table.copy()
    df["other"] = df["models"] - df["derivatives"]
    long = df.melt(
        id_vars=["family"], value_vars=["derivatives", "other"], var_name="kind", value_name="n"
    )
    return (
        alt.Chart(long, title=title or "Root families: models and derivatives")
        .mark_bar()
        .encode(
            y=alt.Y("family:N", sort=list(df["family"]), title=None),
            x=alt.X("n:Q", title="models", stack=True),
            color=alt.Color("kind:N", title=None),
            tooltip=["family", "kind", "n"],
        )
        .properties(width=420)
    )


def weekly_added_lines(result: MeasureResult, top: int = 5, title: str | None = None) -> alt.Chart:
    """New derivatives per week by root family's country: the `top` countries over the whole
    period, the rest as 'other', unknown in grey (from a per-week derivatives result)."""
    t = result.table.copy()
    totals = t[t["unit"] != "unknown"].groupby("name")["value"].sum()
    keep = list(totals.sort_values(ascending=False).head(top).index)
    t["group"] = [
        "(unknown)" if u == "unknown" else (n if n in keep else "other")
        for u, n in zip(t["unit"], t["name"], strict=True)
    ]
    df = t.groupby(["week_end", "group"], as_index=False)["value"].sum()
    order = [*keep, "other", "(unknown)"]
    m = result.meta
    p = m.get("period", {})
    title = title or (
        f"New derivatives per week by root family's country, {p.get('first_week_end')} .. "
        f"{p.get('last_week_end')} ({m.get('relation')})"
    )
    return (
        alt.Chart(df, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("week_end:T", title="week ending"),
            y=alt.Y("value:Q", title="new derivatives"),
            color=alt.Color(
                "group:N",
                sort=order,
                scale=palette.scale(order),
                title="root country",
                legend=palette.legend("root country"),
            ),
            tooltip=["week_end:T", "group", "value"],
        )
        .properties(width=520)
    )
