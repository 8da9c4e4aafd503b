"""`aicensus board ...`: leaderboard measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.measure import command, query_of, show
from aicensus.cli.options import BOARD_ORGS, BOARD_QUERY, BOARD_TOP, CHART, COUNTRY
from aicensus.errors import AicensusError

app = typer.Typer(help="Leaderboards: ranks, standing, gaps, concentration.", no_args_is_help=True)
TOP_COLUMNS = ["snapshot_date", "preset", "rank_strict", "rank_strict_max", "rank_ub", "rank_lb",
               "model", "org_name", "country", "rating", "ci_plus", "ci_minus", "votes",
               "open_weights"]  # fmt: skip


def _query(o: dict[str, Any], **more: Any) -> dict[str, Any]:
    """The library's BoardQuery fields from the CLI options."""
    names = {"preset": "presets", "since": "start", "until": "end", "current": "current_only"}
    keep = {names.get(k, k): v for k, v in query_of(o, "country").items()}
    rows = {"countries": o["country"]} if o.get("country") else {}
    return {**keep, **rows, **more}


@command(app, "top", BOARD_QUERY)
def top_entries(
    ctx: typer.Context,
    on: str = typer.Option(None, "--date", help="Snapshot date (default: all selected)."),
    top: int = BOARD_TOP,
    orgs: str = BOARD_ORGS,
    **o: Any,
) -> None:
    """The top-k entries of each snapshot with strict and CI-aware ranks."""
    q = _query(o, top=top, orgs=orgs, snapshot_date=on)
    show(ctx, "board.entries", q, o, f"Top {top} on the {o['board']} board", columns=TOP_COLUMNS)


@command(app, "standing", BOARD_QUERY)
def standing(
    ctx: typer.Context,
    top: int = BOARD_TOP,
    by: str = typer.Option("country", help="country (the only grouping for now)"),
    orgs: str = BOARD_ORGS,
    country: str = COUNTRY,
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Standing by country per snapshot: best rank, top-k entries, organizations, open weights."""
    if by != "country":
        raise AicensusError(f"--by {by!r}: only 'country' is supported")
    q = _query({**o, "country": country}, top=top, orgs=orgs)
    show(
        ctx,
        "board.standing",
        q,
        o,
        f"Standing on the {o['board']} board (top {top})",
        chart=chart,
        draw="models_charts.standing_over_time",
        draw_args=(f"entries_top{top}", f"Entries in the top {top}, {o['board']}"),
    )


@command(app, "gap", BOARD_QUERY)
def gap(
    ctx: typer.Context,
    a: str = typer.Option("US", help="Country A (ISO)."),
    b: str = typer.Option("CN", help="Country B (ISO)."),
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Rating gap between the best model of country A and of country B, with its interval."""
    title = f"Best {a.upper()} vs best {b.upper()} on the {o['board']} board"
    show(
        ctx,
        "board.gap",
        _query(o, a=a, b=b),
        o,
        title,
        chart=chart,
        draw="models_charts.gap_over_time",
    )


@command(app, "concentration", BOARD_QUERY)
def concentration(
    ctx: typer.Context,
    top: int = BOARD_TOP,
    orgs: str = BOARD_ORGS,
    country: str = COUNTRY,
    **o: Any,
) -> None:
    """Concentration of each country's top-k entries across organizations (HHI, top-1)."""
    q = _query({**o, "country": country}, top=top, orgs=orgs)
    show(ctx, "board.concentration", q, o, f"Concentration of top-{top} entries ({orgs})")
