"""`aicensus board ...`: leaderboard measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import emit, warehouse
from aicensus.cli.options import BOARD_QUERY, BOARD_TOP, CHART, COUNTRY, ORGS, OUTPUT, takes
from aicensus.errors import AicensusError

app = typer.Typer(help="Leaderboards: ranks, standing, gaps, concentration.", no_args_is_help=True)
TOP_COLUMNS = ["snapshot_date", "preset", "rank_strict", "rank_strict_max", "rank_ub", "rank_lb",
               "model", "org_name", "country", "rating", "ci_plus", "ci_minus", "votes",
               "open_weights"]  # fmt: skip


def _query(o: dict[str, Any], **more: Any) -> dict[str, Any]:
    """The library's BoardQuery fields from the CLI options."""
    names = {"preset": "presets", "since": "start", "until": "end", "current": "current_only"}
    keep = {names.get(k, k): v for k, v in o.items() if k not in ("fmt", "output", "country")}
    rows = {"countries": o["country"]} if o.get("country") else {}
    return {**keep, **rows, **more}


@app.command("top")
@takes(BOARD_QUERY, OUTPUT)
def top_entries(
    ctx: typer.Context,
    on: str = typer.Option(None, "--date", help="Snapshot date (default: all selected)."),
    top: int = BOARD_TOP,
    orgs: str = ORGS,
    **o: Any,
) -> None:
    """The top-k entries of each snapshot with strict and CI-aware ranks."""
    df = warehouse(ctx).board.entries(snapshot_date=on, **_query(o, top=top, orgs=orgs))
    title = f"Top {top} on the {o['board']} board"
    emit(df, o["fmt"], o["output"], title, columns=TOP_COLUMNS)


@app.command("standing")
@takes(BOARD_QUERY, OUTPUT)
def standing(
    ctx: typer.Context,
    top: int = BOARD_TOP,
    by: str = typer.Option("country", help="country (the only grouping for now)"),
    orgs: str = ORGS,
    country: str = COUNTRY,
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Standing by country per snapshot: best rank, top-k entries, organizations, open weights."""
    if by != "country":
        raise AicensusError(f"--by {by!r}: only 'country' is supported")
    df = warehouse(ctx).board.standing(**_query({**o, "country": country}, top=top, orgs=orgs))
    if chart is not None:
        from aicensus.api.families import result_of
        from aicensus.report import charts
        from aicensus.report.models_charts import standing_over_time

        title = f"Entries in the top {top}, {o['board']}"
        charts.save(standing_over_time(result_of(df), f"entries_top{top}", title), chart)
    emit(df, o["fmt"], o["output"], f"Standing on the {o['board']} board (top {top})")


@app.command("gap")
@takes(BOARD_QUERY, OUTPUT)
def gap(
    ctx: typer.Context,
    a: str = typer.Option("US", help="Country A (ISO)."),
    b: str = typer.Option("CN", help="Country B (ISO)."),
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Rating gap between the best model of country A and of country B, with its interval."""
    df = warehouse(ctx).board.gap(a=a, b=b, **_query(o))
    if chart is not None:
        from aicensus.api.families import result_of
        from aicensus.report import charts
        from aicensus.report.models_charts import gap_over_time

        charts.save(gap_over_time(result_of(df)), chart)
    title = f"Best {a.upper()} vs best {b.upper()} on the {o['board']} board"
    emit(df, o["fmt"], o["output"], title)


@app.command("concentration")
@takes(BOARD_QUERY, OUTPUT)
def concentration(
    ctx: typer.Context,
    top: int = BOARD_TOP,
    orgs: str = ORGS,
    country: str = COUNTRY,
    **o: Any,
) -> None:
    """Concentration of each country's top-k entries across organizations (HHI, top-1)."""
    q = _query({**o, "country": country}, top=top, orgs=orgs)
    df = warehouse(ctx).board.concentration(**q)
    emit(df, o["fmt"], o["output"], f"Concentration of top-{top} entries ({orgs})")
