"""`aicensus models ...`: Epoch AI model measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.measure import command, query_of, show
from aicensus.cli.options import CHART, MODEL_BY, MODEL_METHOD, MODEL_QUERY, ORGS, TOP

app = typer.Typer(help="Models: counts, compute, concentration (Epoch AI).", no_args_is_help=True)


def _query(o: dict[str, Any], **fixed: Any) -> dict[str, Any]:
    """The library's ModelQuery fields from the CLI options (`--country` selects rows)."""
    return query_of(o, "country", countries=o.get("country"), **fixed)


@command(app, "count", MODEL_QUERY)
def count(
    ctx: typer.Context,
    method: str = MODEL_METHOD,
    by: str = MODEL_BY,
    orgs: str = ORGS,
    top: int = TOP,
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Models by country or organization per year, full or fractional counting."""
    q = _query(o, method=method, by=by, orgs=orgs, top=top)
    title = f"{o['subset']} models by {by} ({method}, attribution {o['attribution']})"
    show(
        ctx,
        "models.count",
        q,
        o,
        title,
        chart=chart,
        draw="models_charts.models_over_time",
        whole=True,
    )


@command(app, "orgs", MODEL_QUERY)
def organizations(ctx: typer.Context, orgs: str = ORGS, **o: Any) -> None:
    """Distinct organizations with at least one model, per country."""
    q = _query(o, by="org", orgs=orgs)
    show(ctx, "models.organizations", q, o, "Organizations with models, by country")


@command(app, "compute", MODEL_QUERY)
def compute(ctx: typer.Context, **o: Any) -> None:
    """Training compute by country: sum, max, models at or above 1e23/1e24/1e25 FLOP."""
    show(ctx, "models.compute", _query(o), o, "Training compute by country")


@command(app, "concentration", MODEL_QUERY)
def concentration(ctx: typer.Context, orgs: str = ORGS, **o: Any) -> None:
    """Concentration of a country's models across organizations (HHI, top-1 share)."""
    q = _query(o, by="org", orgs=orgs)
    show(ctx, "models.concentration", q, o, f"Concentration by organization ({orgs})")
