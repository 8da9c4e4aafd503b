"""`aicensus models ...`: Epoch AI model measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import emit, warehouse
from aicensus.cli.options import CHART, MODEL_METHOD, MODEL_QUERY, ORGS, OUTPUT, TOP, takes

app = typer.Typer(help="Models: counts, compute, concentration (Epoch AI).", no_args_is_help=True)


def _query(o: dict[str, Any], **fixed: Any) -> dict[str, Any]:
    """The library's ModelQuery fields from the CLI options (`--country` selects rows)."""
    keep = {k: v for k, v in o.items() if k not in ("fmt", "output", "country")}
    return {**keep, "countries": o.get("country"), **fixed}


@app.command("count")
@takes(MODEL_QUERY, OUTPUT)
def count(
    ctx: typer.Context,
    method: str = MODEL_METHOD,
    by: str = typer.Option("country", help="country | org"),
    orgs: str = ORGS,
    top: int = TOP,
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Models by country or organization per year, full or fractional counting."""
    wh = warehouse(ctx)
    q = _query(o, method=method, by=by, orgs=orgs)
    df = wh.models.count(top=top, **q)
    if chart is not None:
        from aicensus.api.families import result_of
        from aicensus.report import charts
        from aicensus.report.models_charts import models_over_time

        charts.save(models_over_time(result_of(wh.models.count(**q))), chart)
    title = f"{o['subset']} models by {by} ({method}, attribution {o['attribution']})"
    emit(df, o["fmt"], o["output"], title)


@app.command("orgs")
@takes(MODEL_QUERY, OUTPUT)
def organizations(ctx: typer.Context, orgs: str = ORGS, **o: Any) -> None:
    """Distinct organizations with at least one model, per country."""
    df = warehouse(ctx).models.organizations(**_query(o, by="org", orgs=orgs))
    emit(df, o["fmt"], o["output"], "Organizations with models, by country")


@app.command("compute")
@takes(MODEL_QUERY, OUTPUT)
def compute(ctx: typer.Context, **o: Any) -> None:
    """Training compute by country: sum, max, models at or above 1e23/1e24/1e25 FLOP."""
    df = warehouse(ctx).models.compute(**_query(o))
    emit(df, o["fmt"], o["output"], "Training compute by country")


@app.command("concentration")
@takes(MODEL_QUERY, OUTPUT)
def concentration(ctx: typer.Context, orgs: str = ORGS, **o: Any) -> None:
    """Concentration of a country's models across organizations (HHI, top-1 share)."""
    df = warehouse(ctx).models.concentration(**_query(o, by="org", orgs=orgs))
    emit(df, o["fmt"], o["output"], f"Concentration by organization ({orgs})")
