"""`aicensus models ...`: Epoch AI model measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import emit, warehouse
from aicensus.cli.options import (
    CHART,
    COUNTRY,
    ENGINE,
    FMT,
    MODEL_ATTR,
    MODEL_METHOD,
    MODEL_SOURCE,
    ORGS,
    OUT,
    PER,
    SUBSET,
    TOP,
    YEARS,
)

app = typer.Typer(help="Models: counts, compute, concentration (Epoch AI).", no_args_is_help=True)


@app.command("count")
def count(
    ctx: typer.Context,
    source: str = MODEL_SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    method: str = MODEL_METHOD,
    attribution: str = MODEL_ATTR,
    by: str = typer.Option("country", help="country | org"),
    orgs: str = ORGS,
    per: str = PER,
    country: str = COUNTRY,
    top: int = TOP,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = CHART,
) -> None:
    """Models by country or organization per year, full or fractional counting."""
    opts: dict[str, Any] = dict(
        source=source, years=years, subset=subset, method=method, by=by, per=per,
        attribution=attribution, orgs=orgs, countries=country, engine=engine,
    )  # fmt: skip
    wh = warehouse(ctx)
    df = wh.models.count(top=top, **opts)
    if chart is not None:
        from aicensus.api.families import result_of
        from aicensus.report import charts
        from aicensus.report.models_charts import models_over_time

        charts.save(models_over_time(result_of(wh.models.count(**opts))), chart)
    emit(df, fmt, output, f"{subset} models by {by} ({method}, attribution {attribution})")


@app.command("orgs")
def organizations(
    ctx: typer.Context,
    source: str = MODEL_SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    attribution: str = MODEL_ATTR,
    orgs: str = ORGS,
    per: str = PER,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Distinct organizations with at least one model, per country."""
    df = warehouse(ctx).models.organizations(
        source=source, years=years, subset=subset, by="org", attribution=attribution, orgs=orgs,
        per=per, countries=country, engine=engine,
    )  # fmt: skip
    emit(df, fmt, output, "Organizations with models, by country")


@app.command("compute")
def compute(
    ctx: typer.Context,
    source: str = MODEL_SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    attribution: str = MODEL_ATTR,
    per: str = PER,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Training compute by country: sum, max, models at or above 1e23/1e24/1e25 FLOP."""
    df = warehouse(ctx).models.compute(
        source=source, years=years, subset=subset, attribution=attribution, per=per,
        countries=country, engine=engine,
    )  # fmt: skip
    emit(df, fmt, output, "Training compute by country")


@app.command("concentration")
def concentration(
    ctx: typer.Context,
    source: str = MODEL_SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    attribution: str = MODEL_ATTR,
    orgs: str = ORGS,
    per: str = PER,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Concentration of a country's models across organizations (HHI, top-1 share)."""
    df = warehouse(ctx).models.concentration(
        source=source, years=years, subset=subset, by="org", attribution=attribution, orgs=orgs,
        per=per, countries=country, engine=engine,
    )  # fmt: skip
    emit(df, fmt, output, f"Concentration by organization ({orgs})")
