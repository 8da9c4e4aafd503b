"""`aicensus board ...`: leaderboard measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import emit, warehouse
from aicensus.cli.options import (
    BOARD,
    BOARD_ATTR,
    BOARD_TOP,
    CHART,
    COUNTRY,
    CURRENT,
    ENGINE,
    FMT,
    ORGS,
    OUT,
    PRESET,
    SINCE,
    UNTIL,
)
from aicensus.errors import AicensusError

app = typer.Typer(help="Leaderboards: ranks, standing, gaps, concentration.", no_args_is_help=True)
TOP_COLUMNS = ["snapshot_date", "preset", "rank_strict", "rank_strict_max", "rank_ub", "rank_lb",
               "model", "org_name", "country", "rating", "ci_plus", "ci_minus", "votes",
               "open_weights"]  # fmt: skip


def _options(board, preset, since, until, attribution, current, engine, **kw: Any) -> dict:
    """CLI spellings to the library's BoardQuery fields."""
    return dict(board=board, presets=preset, start=since, end=until, attribution=attribution,
                current_only=current, engine=engine, **kw)  # fmt: skip


def _chart(path: Path | None, draw: Any, *args: Any) -> None:
    if path is not None:
        from aicensus.report import charts

        charts.save(draw(*args), path)


@app.command("top")
def top_entries(
    ctx: typer.Context,
    board: str = BOARD,
    preset: str = PRESET,
    on: str = typer.Option(None, "--date", help="Snapshot date (default: all selected)."),
    since: str = SINCE,
    until: str = UNTIL,
    top: int = BOARD_TOP,
    attribution: str = BOARD_ATTR,
    orgs: str = ORGS,
    current: bool = CURRENT,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """The top-k entries of each snapshot with strict and CI-aware ranks."""
    opts = _options(board, preset, since, until, attribution, current, engine, top=top, orgs=orgs)
    df = warehouse(ctx).board.entries(snapshot_date=on, **opts)
    emit(df, fmt, output, f"Top {top} on the {board} board", columns=TOP_COLUMNS)


@app.command("standing")
def standing(
    ctx: typer.Context,
    board: str = BOARD,
    preset: str = PRESET,
    since: str = SINCE,
    until: str = UNTIL,
    top: int = BOARD_TOP,
    by: str = typer.Option("country", help="country (the only grouping for now)"),
    attribution: str = BOARD_ATTR,
    orgs: str = ORGS,
    current: bool = CURRENT,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = CHART,
) -> None:
    """Standing by country per snapshot: best rank, top-k entries, organizations, open weights."""
    if by != "country":
        raise AicensusError(f"--by {by!r}: only 'country' is supported")
    opts = _options(board, preset, since, until, attribution, current, engine, top=top,
                    orgs=orgs, countries=country)  # fmt: skip
    df = warehouse(ctx).board.standing(**opts)
    if chart is not None:
        from aicensus.api.families import result_of
        from aicensus.report.models_charts import standing_over_time

        title = f"Entries in the top {top}, {board}"
        _chart(chart, standing_over_time, result_of(df), f"entries_top{top}", title)
    emit(df, fmt, output, f"Standing on the {board} board (top {top})")


@app.command("gap")
def gap(
    ctx: typer.Context,
    a: str = typer.Option("US", help="Country A (ISO)."),
    b: str = typer.Option("CN", help="Country B (ISO)."),
    board: str = BOARD,
    preset: str = PRESET,
    since: str = SINCE,
    until: str = UNTIL,
    attribution: str = BOARD_ATTR,
    current: bool = CURRENT,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = CHART,
) -> None:
    """Rating gap between the best model of country A and of country B, with its interval."""
    opts = _options(board, preset, since, until, attribution, current, engine)
    df = warehouse(ctx).board.gap(a=a, b=b, **opts)
    if chart is not None:
        from aicensus.api.families import result_of
        from aicensus.report.models_charts import gap_over_time

        _chart(chart, gap_over_time, result_of(df))
    emit(df, fmt, output, f"Best {a.upper()} vs best {b.upper()} on the {board} board")


@app.command("concentration")
def concentration(
    ctx: typer.Context,
    board: str = BOARD,
    preset: str = PRESET,
    since: str = SINCE,
    until: str = UNTIL,
    top: int = BOARD_TOP,
    attribution: str = BOARD_ATTR,
    orgs: str = ORGS,
    current: bool = CURRENT,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Concentration of each country's top-k entries across organizations (HHI, top-1)."""
    opts = _options(board, preset, since, until, attribution, current, engine, top=top,
                    orgs=orgs, countries=country)  # fmt: skip
    df = warehouse(ctx).board.concentration(**opts)
    emit(df, fmt, output, f"Concentration of top-{top} entries ({orgs})")
