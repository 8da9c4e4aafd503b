"""Charts of model and leaderboard measures (Altair; saved with report.charts.save)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from aicensus.errors import AicensusError
from aicensus.measures.base import MeasureResult
from aicensus.report import palette
from aicensus.report.papers_charts import YEAR_AXIS, explorer_lines


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
            x=alt.X("year:Q", title="Year", axis=YEAR_AXIS, scale=alt.Scale(zero=False)),
            y=alt.Y("models:Q", title=f"{m.get('subset')} models ({m.get('method')})"),
            color=alt.Color(
                "series:N",
                title=unit.capitalize(),
                sort=list(keep),
                scale=palette.scale(list(dict.fromkeys(df["series"]))),
                legend=palette.legend(unit.capitalize()),
            ),
            tooltip=["series:N", "year:Q", "models:Q", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(title=title or f"{m.get('subset')} models by {unit}", width=560, height=300)
    )


def gap_over_time(result: MeasureResult, title: str | None = None) -> alt.Chart:
    """Rating gap (best A minus best B) per snapshot with its interval band."""
    df = result.table.dropna(subset=["gap"]).copy()
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"])
    a, b = result.meta.get("a", "US"), result.meta.get("b", "CN")
    base = alt.Chart(df).encode(x=alt.X("snapshot_date:T", title="Snapshot"))
    band = base.mark_area(opacity=0.25, color="#888888").encode(
        y=alt.Y("gap_low:Q", title=f"Best {a} minus best {b} (rating points)"), y2="gap_high:Q"
    )
    line = base.mark_line(point=True).encode(
        y="gap:Q",
        color=alt.Color("preset:N", title="Source", legend=palette.legend("Source")),
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
            color=alt.Color(
                "country_name:N",
                title="Country",
                scale=palette.scale(list(dict.fromkeys(df["country_name"]))),
                legend=palette.legend("Country"),
            ),
            strokeDash=alt.StrokeDash("preset:N", title="Source", legend=palette.legend()),
            tooltip=["snapshot_date:T", "country_name:N", f"{column}:Q", "best_model:N"],
        )
        .properties(title=title, width=560, height=260)
    )


def models_explorer(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Models per year by country with controls (which models, counting, attribution) bound
    to the embedded rows; `frame` holds year, name, models, share and one column per control
    (subset, method, attribution), every combination precomputed."""
    chart, names = explorer_lines(
        frame, title, {"subset": "Models", "method": "Counting", "attribution": "Attribution"}
    )
    return chart.encode(
        x=alt.X("year:Q", title="Year", axis=YEAR_AXIS, scale=alt.Scale(zero=False)),
        y=alt.Y("models:Q", title="Models"),
        color=alt.Color("name:N", scale=palette.scale(names), legend=palette.legend("Country")),
        tooltip=[
            "name:N",
            "year:Q",
            alt.Tooltip("models:Q", format=",.1f"),
            alt.Tooltip("share:Q", format=".1%"),
            "subset:N",
            "method:N",
            "attribution:N",
        ],
    ).properties(width=560, height=300)


def concentration_lines(frame: pd.DataFrame, title: str) -> alt.Chart:
    """The leading organization's share of each country's models per year (HHI and the
    organization in the tooltip); `frame` holds year, name, top_share, hhi, top_org_name,
    entries, organizations."""
    names = list(dict.fromkeys(frame["name"]))
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:Q", title="Year", axis=YEAR_AXIS, scale=alt.Scale(zero=False)),
            y=alt.Y("top_share:Q", title="Leading organization's share", axis=alt.Axis(format="%")),
            color=alt.Color("name:N", scale=palette.scale(names), legend=palette.legend("Country")),
            tooltip=[
                "name:N",
                "year:Q",
                alt.Tooltip("top_share:Q", title="leading organization's share", format=".1%"),
                alt.Tooltip("top_org_name:N", title="leading organization"),
                alt.Tooltip("hhi:Q", title="HHI", format=".2f"),
                alt.Tooltip("entries:Q", title="models"),
                alt.Tooltip("organizations:Q"),
            ],
        )
        .properties(width=560, height=260)
    )


def video_boards(frame: pd.DataFrame, k: int, title: str) -> alt.FacetChart:
    """Entries each country has in the top k of each video board per snapshot (best model and
    rank in the tooltip); `frame` holds board, snapshot, name, entries, best_rank,
    best_rank_ub, best_model, best_org."""
    names = list(dict.fromkeys(frame["name"]))
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("snapshot:N", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("name:N", sort=names),
            y=alt.Y("entries:Q", title=f"Models in the top {k}", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "name:N", sort=names, scale=palette.scale(names), legend=palette.legend("Country")
            ),
            tooltip=[
                "board:N",
                "snapshot:N",
                "name:N",
                alt.Tooltip("entries:Q", title=f"models in the top {k}"),
                alt.Tooltip("best_rank:Q", title="best rank"),
                alt.Tooltip("best_rank_ub:Q", title="best rank (CI-aware)"),
                "best_model:N",
                "best_org:N",
            ],
        )
        .properties(width=260, height=200)
        .facet(column=alt.Column("board:N", title=None))
    )
