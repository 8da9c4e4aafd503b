"""`aicensus papers ...`: paper geography measures."""

from __future__ import annotations

from pathlib import Path

import typer

from aicensus.cli.common import COUNTRIES, COUNTRY, ENGINE, emit, run_on, settings
from aicensus.errors import AicensusError
from aicensus.measures import papers as pm
from aicensus.options import parse_list, parse_years
from aicensus.report import charts
from aicensus.warehouse import open_readonly

app = typer.Typer(help="Paper geography: shares, collaboration, citations.", no_args_is_help=True)

VENUES = typer.Option(None, help="Comma-separated venue codes (default: all loaded).")
YEARS = typer.Option(None, help="Years, e.g. 2020-2024 (default: all loaded).")
METHOD = typer.Option("full", help="full | country-fractional | author-fractional | first-author")
REGIONS = typer.Option(
    "recovered",
    help="source (as Paper Copilot folds HK/MO/TW into CN) | "
    "recovered (HK/MO/TW recovered; default)",
)
GROUP = typer.Option(None, help="Country grouping, e.g. 'CN=CN,HK,MO'.")
BY = typer.Option("venue-year", help="venue-year | year | venue | all")
ALIGN = typer.Option("strict", help="strict | realigned (author-level methods)")
FMT = typer.Option("table", "--format", help="table | csv | json | parquet")
OUT = typer.Option(None, "--output", help="Write to this file.")
SOURCE = typer.Option("paperlists", help="Which loaded paper source: paperlists | openalex.")
DEFINITION = typer.Option(
    None,
    "--field-definition",
    help="What counts as AI: openalex-subfields | oecd-concepts | ai-venues (default: no filter).",
)
UNKNOWN = typer.Option(
    "drop",
    help="drop | count (author-level methods: authors without a country count as "
    "'unknown', as OpenAlex SOURCE.md counts)",
)


def _query(
    venues,
    years,
    method,
    regions,
    group,
    by,
    alignment,
    unit,
    source,
    definition=None,
    unknown="drop",
    countries="source",
    country=None,
) -> pm.PaperQuery:
    return pm.PaperQuery(
        venues=parse_list(venues),
        years=parse_years(years),
        method=method,
        regions=regions,
        group=group,
        by=by,
        alignment=alignment,
        unit=unit,
        source=source,
        field_definition=definition,
        unknown=unknown,
        countries=countries,
        country_filter=tuple(c.upper() for c in parse_list(country)),
    ).checked()


@app.command("share")
def share(
    ctx: typer.Context,
    venues: str = VENUES,
    years: str = YEARS,
    method: str = METHOD,
    regions: str = REGIONS,
    group: str = GROUP,
    by: str = BY,
    alignment: str = ALIGN,
    unit: str = typer.Option("country", help="country | institution"),
    top: int = typer.Option(15, help="Rows per group (0 = all)."),
    source: str = SOURCE,
    definition: str = DEFINITION,
    unknown: str = UNKNOWN,
    country: str = COUNTRY,
    countries: str = COUNTRIES,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = typer.Option(None, help="Draw share over time (.svg, .png or .html)."),
) -> None:
    """Share of papers by country (or institution) per venue and year."""
    q = _query(
        venues,
        years,
        method,
        regions,
        group,
        by,
        alignment,
        unit,
        source,
        definition,
        unknown,
        countries,
        country,
    )
    with open_readonly(settings(ctx).db) as con:
        result = pm.share(con, q, top=top or None, engine=run_on(ctx, engine))
        if chart is not None:
            full = result if not top else pm.share(con, q, engine=run_on(ctx, engine))
            charts.save(charts.share_over_time(full), chart)
    emit(result, fmt, output, f"Share of papers by {unit} ({method})")


@app.command("compare-methods")
def compare_methods(
    ctx: typer.Context,
    country: str = COUNTRY,
    countries: str = COUNTRIES,
    venues: str = VENUES,
    years: str = YEARS,
    regions: str = REGIONS,
    group: str = GROUP,
    by: str = BY,
    alignment: str = ALIGN,
    source: str = SOURCE,
    definition: str = DEFINITION,
    unknown: str = UNKNOWN,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = typer.Option(None, help="Bar chart (.svg/.png/.html)."),
) -> None:
    """Countries' shares (default CN,US) under all four counting methods, side by side."""
    q = _query(
        venues,
        years,
        "full",
        regions,
        group,
        by,
        alignment,
        "country",
        source,
        definition,
        unknown,
        countries,
    )
    units = [c.upper() for c in parse_list(country or "CN,US")]
    if not units:
        raise AicensusError("--country: give at least one ISO code, e.g. CN")
    with open_readonly(settings(ctx).db) as con:
        result = pm.compare_methods(con, q, units, engine=run_on(ctx, engine))
    if chart is not None:
        charts.save(charts.methods_bars(result), chart)
    emit(result, fmt, output, f"Share of papers for {', '.join(units)} under each method")


@app.command("collaboration")
def collaboration(
    ctx: typer.Context,
    venues: str = VENUES,
    years: str = YEARS,
    regions: str = REGIONS,
    group: str = GROUP,
    by: str = BY,
    source: str = SOURCE,
    definition: str = DEFINITION,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """International collaboration rate (papers with two or more countries)."""
    q = _query(venues, years, "full", regions, group, by, "strict", "country", source, definition)
    with open_readonly(settings(ctx).db) as con:
        result = pm.collaboration(con, q, engine=run_on(ctx, engine))
    emit(result, fmt, output, "International collaboration")


@app.command("coauthorship")
def coauthorship(
    ctx: typer.Context,
    pair: str = typer.Option(None, help="Two ISO codes, e.g. CN,US (default: all pairs)."),
    venues: str = VENUES,
    years: str = YEARS,
    regions: str = REGIONS,
    group: str = GROUP,
    by: str = BY,
    source: str = SOURCE,
    definition: str = DEFINITION,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Papers co-authored by two countries: count and share."""
    codes = parse_list(pair)
    if pair and len(codes) != 2:
        raise AicensusError(f"--pair: expected two ISO codes, got {pair!r}")
    q = _query(venues, years, "full", regions, group, by, "strict", "country", source, definition)
    with open_readonly(settings(ctx).db) as con:
        result = pm.coauthorship(con, q, *(codes or (None, None)), engine=run_on(ctx, engine))
    emit(result, fmt, output, "Co-authored papers")


@app.command("citations")
def citations(
    ctx: typer.Context,
    venues: str = VENUES,
    years: str = YEARS,
    method: str = METHOD,
    regions: str = REGIONS,
    group: str = GROUP,
    by: str = BY,
    alignment: str = ALIGN,
    source: str = SOURCE,
    definition: str = DEFINITION,
    unknown: str = UNKNOWN,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Citations by country: mean, median, top-10%-cited share, PP(top 10%)."""
    q = _query(
        venues, years, method, regions, group, by, alignment, "country", source, definition, unknown
    )
    with open_readonly(settings(ctx).db) as con:
        result = pm.citations(con, q, engine=run_on(ctx, engine))
    emit(result, fmt, output, f"Citations by country ({method})")
