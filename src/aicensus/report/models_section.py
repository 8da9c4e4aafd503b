"""The report's models-and-leaderboards section (Epoch AI notable models, arena boards)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aicensus.errors import MeasureError
from aicensus.measures import boards as bm
from aicensus.measures import models as mm
from aicensus.measures.provenance import has_rows
from aicensus.report.models_charts import gap_over_time, models_over_time

if TYPE_CHECKING:
    import duckdb

    from aicensus.report.html import Section


def models_section(con: duckdb.DuckDBPyConnection) -> Section:
    from aicensus.report.html import Section

    s = Section(
        "models",
        "Models and leaderboards",
        "Notable, frontier and open-weights models by country (Epoch AI), and standing on "
        "arena leaderboards. Countries are those Epoch states for each model unless marked "
        "'registry HQ'; leaderboard countries come from the organization registry's "
        "headquarters (or the country the leaderboard states).",
    )
    if has_rows(con, "models"):
        try:
            _epoch(con, s)
        except MeasureError as exc:
            s.text(f"Epoch data could not be measured: {exc}.")
    else:
        s.text("No Epoch AI data loaded (run 'aicensus load epoch').")
    if has_rows(con, "board_entries"):
        _boards(con, s)
    else:
        s.text("No leaderboard data loaded (run 'aicensus load arena').")
    return s


def _epoch(con: duckdb.DuckDBPyConnection, s: Section) -> None:
    years = tuple(range(2019, 2027))
    notable = mm.count(con, mm.ModelQuery(years=years))
    s.chart(
        models_over_time(notable, title="Notable models per year by country (full counting)"),
        "Epoch AI notable models; a model counts once for each country of its organizations. "
        "2026 is a partial year.",
    )
    rows = []
    for subset in ("notable", "open-weights", "frontier"):
        for method in ("full", "fractional"):
            for attr in ("source", "hq"):
                t = mm.count(
                    con,
                    mm.ModelQuery(
                        years=(2024, 2025), subset=subset, method=method, attribution=attr
                    ),
                ).table
                for year in (2024, 2025):
                    y = t[t["year"] == year].set_index("country")["models"]
                    rows.append(
                        {
                            "year": year,
                            "subset": subset,
                            "method": method,
                            "attribution": "Epoch" if attr == "source" else "registry HQ",
                            "US": float(y.get("US", 0.0)),
                            "CN": float(y.get("CN", 0.0)),
                        }
                    )
    import pandas as pd

    s.table(
        pd.DataFrame(rows),
        "United States and China, 2024 and 2025, under each counting and attribution choice.",
    )
    conc = mm.concentration(
        con, mm.ModelQuery(years=(2024, 2025), orgs="rollup", countries=("US", "CN"))
    ).table
    s.table(
        conc[["year", "country", "entries", "organizations", "hhi", "top_org_name", "top_share"]],
        "Concentration of notable models across organizations (parents rolled up): HHI and "
        "the leading organization's share.",
        percent=("top_share",),
    )


def _boards(con: duckdb.DuckDBPyConnection, s: Section) -> None:
    boards = bm.boards_loaded(con)
    if "text" in boards:
        g = bm.gap(con, bm.BoardQuery(presets=("lmarena-csv", "lmarena-history-csv")))
        if g.table["gap"].notna().any():
            s.chart(
                gap_over_time(g, title="Text arena: best US model minus best Chinese model"),
                "Band: the gap with both 95% intervals taken at their ends. Ratings are "
                "comparable only within one snapshot of one source.",
            )
    for board in ("text-to-video", "image-to-video"):
        if board not in boards:
            continue
        st = bm.standing(con, bm.BoardQuery(board=board, top=10, attribution="source")).table
        s.table(
            st[
                [
                    "snapshot_date",
                    "country",
                    "best_rank",
                    "best_rank_ub",
                    "entries_top10",
                    "orgs_top10",
                    "best_model",
                    "best_org",
                ]
            ],
            f"{board} arena (Artificial Analysis): standing by the country the arena states.",
        )
