"""Charts of model and leaderboard measures (Altair; saved with report.charts.save)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from aicensus.errors import AicensusError
from aicensus.measures.base import MeasureResult


def models_over_time(result: MeasureResult, top: int = 6, title: str | None = None) -> alt.Chart:
    """Lines: models per year for the units with the most models overall."""
    df = result.table
    unit = result.meta.get("by", "country")
    if "year" not in df.columns:
        raise AicensusError("a models-over-time chart needs --per year")
    keep = df.groupby(unit)["models"].sum().sort_values(ascending=False).head(top).index
    df = df[df[unit].isin(keep)].assign(series=lambda d: d["name"].astype(str))
    m = result.meta
    return (
        alt.Chart(df[["year", "series", "models", "share"]])
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("models:Q", title=f"{m.get('subset')} models ({m.get('method')})"),
            color=alt.Color("series:N", title=unit.capitalize(), sort=list(keep)),
            tooltip=["series:N", "year:O", "models:Q", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(title=title or f"{m.get('subset')} models by {unit}", width=560, height=300)
    )


def gap_over_time(result: MeasureResult, title: str | None = None) -> alt.Chart:
    """Rating gap (best A minus best B) per snapshot with its interval band."""
    df = result.table.dropna(subset=["gap"]).copy()
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"])
    a, b = result.meta.get("a", "US"), result.meta.get("b", "CN")
    base = alt.Chart(df).encode(x=alt.X("snapshot_date:T", title="Snapshot"))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("gap_low:Q", title=f"Best {a} minus best {b} (rating points)"), y2="gap_high:Q"
    )
    line = base.mark_line(point=True).encode(
        y="gap:Q",
        color=alt.Color("preset:N", title="Source"),
        tooltip=["snapshot_date:T", "model_a:N", "model_b:N", "gap:Q", "gap_low:Q", "gap_high:Q"],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    return (band + line + zero).properties(
        title=title or f"Leaderboard gap, best {a} vs best {b}", width=560, height=260
    )


def standing_over_time(result: MeasureResult, column: str, title: str) -> alt.Chart:
    """Lines: one standing column (e.g. entries in the top k) per country over snapshots."""
    df = result.table.copy()
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"])
    keep = df.groupby("country")[column].sum().sort_values(ascending=False).head(6).index
    df = df[df["country"].isin(keep)][
        ["snapshot_date", "preset", "country_name", column, "best_model"]
    ]
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("snapshot_date:T", title="Snapshot"),
            y=alt.Y(f"{column}:Q", title=column),
            color=alt.Color("country_name:N", title="Country"),
            strokeDash=alt.StrokeDash("preset:N", title="Source"),
            tooltip=["snapshot_date:T", "country_name:N", f"{column}:Q", "best_model:N"],
        )
        .properties(title=title, width=560, height=260)
    )
