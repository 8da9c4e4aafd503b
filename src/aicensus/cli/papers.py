"""`aicensus papers ...`: paper geography measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import emit, warehouse
from aicensus.cli.options import (
    ALIGN,
    BY,
    CHART,
    COUNTRIES,
    COUNTRY,
    DEFINITION,
    ENGINE,
    FMT,
    GROUP,
    METHOD,
    OUT,
    PAPER_SOURCE,
    REGIONS,
    TOP,
    UNKNOWN,
    VENUES,
    YEARS,
)
from aicensus.errors import AicensusError

app = typer.Typer(help="Paper geography: shares, collaboration, citations.", no_args_is_help=True)


def _options(definition: str | None = None, country: str | None = None, **kw: Any) -> dict:
    """CLI spellings to the library's PaperQuery fields."""
    return {**kw, "field_definition": definition, "country_filter": (country or "").upper()}


def _chart(path: Path | None, draw: str, df: Any) -> None:
    if path is not None:
        from aicensus.api.families import result_of
        from aicensus.report import charts

        charts.save(getattr(charts, draw)(result_of(df)), path)


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
    top: int = TOP,
    source: str = PAPER_SOURCE,
    definition: str = DEFINITION,
    unknown: str = UNKNOWN,
    country: str = COUNTRY,
    countries: str = COUNTRIES,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = CHART,
) -> None:
    """Share of papers by country (or institution) per venue and year."""
    opts = _options(definition, country, venues=venues, years=years, method=method,
                    regions=regions, group=group, by=by, alignment=alignment, unit=unit,
                    source=source, unknown=unknown, countries=countries, engine=engine)  # fmt: skip
    wh = warehouse(ctx)
    df = wh.papers.share(top=top, **opts)
    if chart is not None:
        _chart(chart, "share_over_time", df if not top else wh.papers.share(**opts))
    emit(df, fmt, output, f"Share of papers by {unit} ({method})")


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
    source: str = PAPER_SOURCE,
    definition: str = DEFINITION,
    unknown: str = UNKNOWN,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = CHART,
) -> None:
    """Countries' shares (--country, default CN,US) under all four counting methods."""
    units = (country or "CN,US").upper()
    if not units.strip(", "):
        raise AicensusError("--country: give at least one ISO code, e.g. CN")
    opts = _options(definition, venues=venues, years=years, regions=regions, group=group, by=by,
                    alignment=alignment, source=source, unknown=unknown, countries=countries,
                    engine=engine)  # fmt: skip
    df = warehouse(ctx).papers.compare_methods(units=units, **opts)
    _chart(chart, "methods_bars", df)
    emit(df, fmt, output, f"Share of papers for {units} under each method")


@app.command("collaboration")
def collaboration(
    ctx: typer.Context,
    venues: str = VENUES,
    years: str = YEARS,
    regions: str = REGIONS,
    group: str = GROUP,
    by: str = BY,
    source: str = PAPER_SOURCE,
    definition: str = DEFINITION,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """International collaboration rate (papers with two or more countries)."""
    opts = _options(definition, venues=venues, years=years, regions=regions, group=group, by=by,
                    source=source, engine=engine)  # fmt: skip
    emit(warehouse(ctx).papers.collaboration(**opts), fmt, output, "International collaboration")


@app.command("coauthorship")
def coauthorship(
    ctx: typer.Context,
    pair: str = typer.Option(None, help="Two ISO codes, e.g. CN,US (default: all pairs)."),
    venues: str = VENUES,
    years: str = YEARS,
    regions: str = REGIONS,
    group: str = GROUP,
    by: str = BY,
    source: str = PAPER_SOURCE,
    definition: str = DEFINITION,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Papers co-authored by two countries: count and share."""
    opts = _options(definition, venues=venues, years=years, regions=regions, group=group, by=by,
                    source=source, engine=engine)  # fmt: skip
    emit(warehouse(ctx).papers.coauthorship(pair=pair, **opts), fmt, output, "Co-authored papers")


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
    source: str = PAPER_SOURCE,
    definition: str = DEFINITION,
    unknown: str = UNKNOWN,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Citations by country: mean, median, top-10%-cited share, PP(top 10%)."""
    opts = _options(definition, venues=venues, years=years, method=method, regions=regions,
                    group=group, by=by, alignment=alignment, source=source, unknown=unknown,
                    engine=engine)  # fmt: skip
    emit(warehouse(ctx).papers.citations(**opts), fmt, output, f"Citations by country ({method})")
