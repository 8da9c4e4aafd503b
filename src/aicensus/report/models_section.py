"""The report's models-and-leaderboards section (Epoch AI notable models, arena boards)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pandas as pd

from aicensus.measures import boards as bm
from aicensus.measures import models as mm
from aicensus.measures.cache import cached
from aicensus.measures.provenance import has_rows
from aicensus.report.models_charts import (
    concentration_lines,
    gap_over_time,
    models_explorer,
    video_boards,
)
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


def models_section(con: duckdb.DuckDBPyConnection) -> Section:
    s = Section(
        "models",
        "Models and leaderboards",
        "Notable, frontier and open-weights models by country (Epoch AI), and standing on "
        "arena leaderboards. Countries are those Epoch states for each model unless marked "
        "'registry HQ'; leaderboard countries come from the organization registry's "
        "headquarters (or the country the leaderboard states).",
    )
    if has_rows(con, "models"):
        s.part("Epoch data could not be measured", lambda: _epoch(con, s))
    else:
        s.text("No Epoch AI data loaded (run 'aicensus load epoch').")
    if has_rows(con, "board_entries"):
        _boards(con, s)
    else:
        s.text("No leaderboard data loaded (run 'aicensus load arena').")
    return s


def _epoch(con: duckdb.DuckDBPyConnection, s: Section) -> None:
    years = tuple(range(2019, 2027))
    frames = []
    for subset, method, attr, t in _counts(con, years):
        keep = t.groupby("country")["models"].sum().nlargest(5).index
        t = t[t["country"].isin(keep.union(["CN", "US"]))]
        frames.append(
            t.assign(
                subset=subset,
                method=method,
                attribution="Epoch's countries" if attr == "source" else "registry HQ",
            )[["year", "name", "models", "share", "subset", "method", "attribution"]]
        )
    explorer = pd.concat(frames, ignore_index=True)
    span = f"{int(explorer['year'].min())}–{int(explorer['year'].max())}"
    s.chart(
        models_explorer(explorer, f"Models per year by country, {span}"),
        f"Source: Epoch AI notable AI models, {span} (2026 partial). Choose the models "
        "(notable, open-weight, frontier), the counting (full: a model counts once for each "
        "country of its organizations; fractional: split between them) and the attribution "
        "(the countries Epoch states, or the organization registry's headquarters). The five "
        "countries with the most models under each choice, plus China and the US.",
        controls=True,
    )
    rows = []
    for subset, method, attr, t in _counts(con, (2024, 2025)):
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
    s.table(
        pd.DataFrame(rows),
        "United States and China, 2024 and 2025, under each counting and attribution choice.",
    )
    conc = cached(
        con,
        mm.concentration,
        mm.ModelQuery(years=(2024, 2025), orgs="rollup", countries=("US", "CN")),
    ).table
    s.table(
        conc[["year", "country", "entries", "organizations", "hhi", "top_org_name", "top_share"]],
        "Concentration of notable models across organizations (parents rolled up): HHI and "
        "the leading organization's share.",
        percent=("top_share",),
    )
    conc_years = tuple(range(2019, 2026))
    over = cached(
        con,
        mm.concentration,
        mm.ModelQuery(years=conc_years, orgs="rollup", countries=("US", "CN")),
    ).table
    s.chart(
        concentration_lines(
            over[["year", "name", "top_share", "hhi", "top_org_name", "entries", "organizations"]],
            f"Concentration within each country: the leading organization's share, "
            f"{conc_years[0]}–{conc_years[-1]}",
        ),
        f"Source: Epoch AI notable AI models, {conc_years[0]}–{conc_years[-1]}; within China "
        "and within the US, the leading organization's share of the country's model entries "
        "(parents rolled up; full counting: a model counts once for each of its "
        "organizations); HHI and the organization in the tooltip. Higher: more concentrated.",
    )


def _boards(con: duckdb.DuckDBPyConnection, s: Section) -> None:
    boards = bm.boards_loaded(con)
    if "text" in boards:
        g = cached(con, bm.gap, bm.BoardQuery(presets=("lmarena-csv", "lmarena-history-csv")))
        if g.table["gap"].notna().any():
            dates = pd.to_datetime(g.table.dropna(subset=["gap"])["snapshot_date"])
            s.chart(
                gap_over_time(g, title="Text arena: best US model minus best Chinese model"),
                "Source: LMArena text leaderboard snapshots (lmarena CSV copies), "
                f"{dates.min():%Y-%m-%d} – {dates.max():%Y-%m-%d}; countries by the organization "
                "registry's headquarters. Line: the best US model's rating minus the best "
                "Chinese model's; band: the gap with both 95% intervals taken at their ends "
                "(above 0: the US model leads). Ratings are comparable only within one "
                "snapshot of one source.",
            )
    video = []
    for board in ("text-to-video", "image-to-video"):
        if board not in boards:
            continue
        st = cached(
            con, bm.standing, bm.BoardQuery(board=board, top=10, attribution="source")
        ).table
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
        video.append(st.assign(board=board))
    if video:
        v = pd.concat(video, ignore_index=True)
        v["snapshot"] = pd.to_datetime(v["snapshot_date"]).dt.strftime("%Y-%m-%d")
        v = (
            v[v["entries_top10"] > 0]
            .drop(columns=["entries"])
            .rename(columns={"entries_top10": "entries", "country_name": "name"})
        )
        s.chart(
            video_boards(
                v[["board", "snapshot", "name", "entries", "best_rank", "best_rank_ub"]]
                .assign(best_model=v["best_model"], best_org=v["best_org"])
                .sort_values(["board", "snapshot"]),
                10,
                "Video leaderboards: models each country has in the top 10",
            ),
            "Source: Artificial Analysis video arenas (text-to-video, image-to-video), "
            f"snapshots {', '.join(sorted(v['snapshot'].unique()))}; countries as the arena "
            "states them; each model counts once (full counting). Best rank and model in the "
            "tooltip.",
        )


def _counts(
    con: duckdb.DuckDBPyConnection, years: tuple[int, ...]
) -> Iterator[tuple[str, str, str, pd.DataFrame]]:
    """Epoch's model counts in `years` under every choice the section shows (models, counting,
    attribution), through the measure cache."""
    for subset, method, attr in itertools.product(
        ("notable", "open-weights", "frontier"), ("full", "fractional"), ("source", "hq")
    ):
        query = mm.ModelQuery(years=years, subset=subset, method=method, attribution=attr)
        yield subset, method, attr, cached(con, mm.count, query).table
