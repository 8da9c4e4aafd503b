"""`aicensus board ...`: leaderboard standing by country over time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from aicensus.cli.common import COUNTRY, ENGINE, run_on, settings
from aicensus.cli.measure_output import emit_result as emit
from aicensus.errors import AicensusError
from aicensus.measures import boards as bm
from aicensus.options import parse_list
from aicensus.report import charts
from aicensus.report.models_charts import gap_over_time, standing_over_time
from aicensus.warehouse import open_readonly

app = typer.Typer(help="Leaderboards: ranks, standing, gaps, concentration.", no_args_is_help=True)

BOARD = typer.Option("text", help="text | text-to-video | image-to-video | text-lab-flagships")
PRESET = typer.Option(None, help="Only these presets (sources), comma-separated.")
SINCE = typer.Option(None, help="First snapshot date (YYYY-MM-DD).")
UNTIL = typer.Option(None, help="Last snapshot date (YYYY-MM-DD).")
TOP = typer.Option(10, help="k for top-k figures.")
ATTR = typer.Option(
    "hq", help="source (leaderboard's country, else HQ) | hq (registry HQ) | hq-rollup"
)
ORGS = typer.Option("registry", help="registry | rollup (count root parents as one)")
CURRENT = typer.Option(False, "--current-only", help="Rank only current entries.")
FMT = typer.Option("table", "--format", help="table | csv | json | parquet")
OUT = typer.Option(None, "--output", help="Write to this file.")


def _date(s: str | None, flag: str) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise AicensusError(f"{flag}: {s!r} is not YYYY-MM-DD") from None


def _q(board, preset, since, until, top, attribution, orgs, current, country=None):
    return bm.BoardQuery(
        board=board,
        presets=parse_list(preset),
        start=_date(since, "--since"),
        end=_date(until, "--until"),
        top=top,
        attribution=attribution,
        orgs=orgs,
        current_only=current,
        countries=parse_list(country),
    ).checked()


@app.command("top")
def top_entries(
    ctx: typer.Context,
    board: str = BOARD,
    preset: str = PRESET,
    on: str = typer.Option(None, "--date", help="Snapshot date (default: all selected)."),
    since: str = SINCE,
    until: str = UNTIL,
    top: int = TOP,
    attribution: str = ATTR,
    orgs: str = ORGS,
    current: bool = CURRENT,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """The top-k entries of each snapshot with strict and CI-aware ranks."""
    q = _q(board, preset, since, until, top, attribution, orgs, current)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = bm.entries(con, q, _date(on, "--date"), engine=eng)
    cols = ["snapshot_date", "preset", "rank_strict", "rank_strict_max", "rank_ub", "rank_lb",
            "model", "org_name", "country", "rating", "ci_plus", "ci_minus", "votes",
            "open_weights"]  # fmt: skip
    if fmt == "table" and output is None:
        result.table = result.table[cols]
    emit(result, fmt, output, f"Top {top} on the {board} board")


@app.command("standing")
def standing(
    ctx: typer.Context,
    board: str = BOARD,
    preset: str = PRESET,
    since: str = SINCE,
    until: str = UNTIL,
    top: int = TOP,
    by: str = typer.Option("country", help="country (the only grouping for now)"),
    attribution: str = ATTR,
    orgs: str = ORGS,
    current: bool = CURRENT,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = typer.Option(None, help="Top-k entries per country over time."),
) -> None:
    """Standing by country per snapshot: best rank, top-k entries, organizations, open weights."""
    if by != "country":
        raise AicensusError(f"--by {by!r}: only 'country' is supported")
    q = _q(board, preset, since, until, top, attribution, orgs, current, country)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = bm.standing(con, q, engine=eng)
    if chart is not None:
        col = f"entries_top{top}"
        charts.save(standing_over_time(result, col, f"Entries in the top {top}, {board}"), chart)
    emit(result, fmt, output, f"Standing on the {board} board (top {top})")


@app.command("gap")
def gap(
    ctx: typer.Context,
    a: str = typer.Option("US", help="Country A (ISO)."),
    b: str = typer.Option("CN", help="Country B (ISO)."),
    board: str = BOARD,
    preset: str = PRESET,
    since: str = SINCE,
    until: str = UNTIL,
    attribution: str = ATTR,
    current: bool = CURRENT,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = typer.Option(None, help="Gap over time with its interval."),
) -> None:
    """Rating gap between the best model of country A and of country B, with its interval."""
    q = _q(board, preset, since, until, 10, attribution, "registry", current)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = bm.gap(con, q, a, b, engine=eng)
    if chart is not None:
        charts.save(gap_over_time(result), chart)
    emit(result, fmt, output, f"Best {a.upper()} vs best {b.upper()} on the {board} board")


@app.command("concentration")
def concentration(
    ctx: typer.Context,
    board: str = BOARD,
    preset: str = PRESET,
    since: str = SINCE,
    until: str = UNTIL,
    top: int = TOP,
    attribution: str = ATTR,
    orgs: str = ORGS,
    current: bool = CURRENT,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Concentration of each country's top-k entries across organizations (HHI, top-1)."""
    q = _q(board, preset, since, until, top, attribution, orgs, current, country)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = bm.concentration(con, q, engine=eng)
    emit(result, fmt, output, f"Concentration of top-{top} entries ({orgs})")
