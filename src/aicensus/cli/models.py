"""`aicensus models ...`: notable / frontier / open-weights models by country and organization."""

from __future__ import annotations

from pathlib import Path

import typer

from aicensus.cli.common import COUNTRY, ENGINE, run_on, settings
from aicensus.cli.measure_output import emit_result as emit
from aicensus.measures import models as mm
from aicensus.options import parse_list, parse_years
from aicensus.report import charts
from aicensus.report.models_charts import models_over_time
from aicensus.warehouse import open_readonly

app = typer.Typer(help="Models: counts, compute, concentration (Epoch AI).", no_args_is_help=True)

SOURCE = typer.Option("epoch", help="Which loaded model source to measure.")
YEARS = typer.Option(None, help="Years, e.g. 2023-2025 (default: all loaded).")
SUBSET = typer.Option("notable", help="notable | frontier | open-weights")
METHOD = typer.Option("full", help="full | fractional")
ATTR = typer.Option(
    "source", help="source (country Epoch states) | hq (registry HQ) | hq-rollup (root's HQ)"
)
ORGS = typer.Option("registry", help="raw (source strings) | registry | rollup (root parents)")
PER = typer.Option("year", help="year | all")
FMT = typer.Option("table", "--format", help="table | csv | json | parquet")
OUT = typer.Option(None, "--output", help="Write to this file.")


def _q(source, years, subset, method, attribution, by, orgs, per, country) -> mm.ModelQuery:
    return mm.ModelQuery(
        source=source,
        years=parse_years(years),
        subset=subset,
        method=method,
        attribution=attribution,
        by=by,
        orgs=orgs,
        per=per,
        countries=parse_list(country),
    ).checked()


@app.command("count")
def count(
    ctx: typer.Context,
    source: str = SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    method: str = METHOD,
    attribution: str = ATTR,
    by: str = typer.Option("country", help="country | org"),
    orgs: str = ORGS,
    per: str = PER,
    country: str = COUNTRY,
    top: int = typer.Option(15, help="Rows per group (0 = all)."),
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = typer.Option(None, help="Models per year (.svg, .png or .html)."),
) -> None:
    """Models by country or organization per year, full or fractional counting."""
    q = _q(source, years, subset, method, attribution, by, orgs, per, country)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = mm.count(con, q, top=top or None, engine=eng)
        if chart is not None:
            charts.save(models_over_time(mm.count(con, q, engine=eng)), chart)
    emit(result, fmt, output, f"{subset} models by {by} ({method}, attribution {attribution})")


@app.command("orgs")
def organizations(
    ctx: typer.Context,
    source: str = SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    attribution: str = ATTR,
    orgs: str = ORGS,
    per: str = PER,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Distinct organizations with at least one model, per country."""
    q = _q(source, years, subset, "full", attribution, "org", orgs, per, country)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = mm.organizations(con, q, engine=eng)
    emit(result, fmt, output, "Organizations with models, by country")


@app.command("compute")
def compute(
    ctx: typer.Context,
    source: str = SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    attribution: str = ATTR,
    per: str = PER,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Training compute by country: sum, max, models at or above 1e23/1e24/1e25 FLOP."""
    q = _q(source, years, subset, "full", attribution, "country", "registry", per, country)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = mm.compute(con, q, engine=eng)
    emit(result, fmt, output, "Training compute by country")


@app.command("concentration")
def concentration(
    ctx: typer.Context,
    source: str = SOURCE,
    years: str = YEARS,
    subset: str = SUBSET,
    attribution: str = ATTR,
    orgs: str = ORGS,
    per: str = PER,
    country: str = COUNTRY,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Concentration of a country's models across organizations (HHI, top-1 share)."""
    q = _q(source, years, subset, "full", attribution, "org", orgs, per, country)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        result = mm.concentration(con, q, engine=eng)
    emit(result, fmt, output, f"Concentration by organization ({orgs})")
