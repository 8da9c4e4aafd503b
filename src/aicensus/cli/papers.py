"""`aicensus papers ...`: paper geography measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import emit, warehouse
from aicensus.cli.options import (
    ALIGN,
    CHART,
    COUNTRIES,
    COUNTRY,
    METHOD,
    OUTPUT,
    PAPER_FILTERS,
    TOP,
    UNKNOWN,
    takes,
)
from aicensus.errors import AicensusError

app = typer.Typer(help="Paper geography: shares, collaboration, citations.", no_args_is_help=True)


def _query(o: dict[str, Any], country: str | None = None, **more: Any) -> dict[str, Any]:
    """The library's PaperQuery fields from the CLI options (`--country` selects rows)."""
    keep = {k: v for k, v in o.items() if k not in ("fmt", "output", "definition")}
    rows = {"country_filter": country.upper()} if country else {}
    return {**keep, "field_definition": o.get("definition"), **rows, **more}


def _chart(path: Path | None, draw: str, df: Any) -> None:
    if path is not None:
        from aicensus.api.families import result_of
        from aicensus.report import charts

        charts.save(getattr(charts, draw)(result_of(df)), path)


@app.command("share")
@takes(PAPER_FILTERS, OUTPUT)
def share(
    ctx: typer.Context,
    method: str = METHOD,
    alignment: str = ALIGN,
    unit: str = typer.Option("country", help="country | institution"),
    top: int = TOP,
    unknown: str = UNKNOWN,
    country: str = COUNTRY,
    countries: str = COUNTRIES,
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Share of papers by country (or institution) per venue and year."""
    q = _query(o, country, method=method, alignment=alignment, unit=unit, unknown=unknown,
               countries=countries)  # fmt: skip
    wh = warehouse(ctx)
    df = wh.papers.share(top=top, **q)
    if chart is not None:
        _chart(chart, "share_over_time", df if not top else wh.papers.share(**q))
    emit(df, o["fmt"], o["output"], f"Share of papers by {unit} ({method})")


@app.command("compare-methods")
@takes(PAPER_FILTERS, OUTPUT)
def compare_methods(
    ctx: typer.Context,
    country: str = COUNTRY,
    countries: str = COUNTRIES,
    alignment: str = ALIGN,
    unknown: str = UNKNOWN,
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Countries' shares (--country, default CN,US) under all four counting methods."""
    units = (country or "CN,US").upper()
    if not units.strip(", "):
        raise AicensusError("--country: give at least one ISO code, e.g. CN")
    q = _query(o, alignment=alignment, unknown=unknown, countries=countries)
    df = warehouse(ctx).papers.compare_methods(units=units, **q)
    _chart(chart, "methods_bars", df)
    emit(df, o["fmt"], o["output"], f"Share of papers for {units} under each method")


@app.command("collaboration")
@takes(PAPER_FILTERS, OUTPUT)
def collaboration(ctx: typer.Context, **o: Any) -> None:
    """International collaboration rate (papers with two or more countries)."""
    df = warehouse(ctx).papers.collaboration(**_query(o))
    emit(df, o["fmt"], o["output"], "International collaboration")


@app.command("coauthorship")
@takes(PAPER_FILTERS, OUTPUT)
def coauthorship(
    ctx: typer.Context,
    pair: str = typer.Option(None, help="Two ISO codes, e.g. CN,US (default: all pairs)."),
    **o: Any,
) -> None:
    """Papers co-authored by two countries: count and share."""
    df = warehouse(ctx).papers.coauthorship(pair=pair, **_query(o))
    emit(df, o["fmt"], o["output"], "Co-authored papers")


@app.command("citations")
@takes(PAPER_FILTERS, OUTPUT)
def citations(
    ctx: typer.Context,
    method: str = METHOD,
    alignment: str = ALIGN,
    unknown: str = UNKNOWN,
    **o: Any,
) -> None:
    """Citations by country: mean, median, top-10%-cited share, PP(top 10%)."""
    df = warehouse(ctx).papers.citations(
        **_query(o, method=method, alignment=alignment, unknown=unknown)
    )
    emit(df, o["fmt"], o["output"], f"Citations by country ({method})")


@app.command("impact")
@takes(PAPER_FILTERS, OUTPUT)
def impact(
    ctx: typer.Context,
    method: str = METHOD,
    alignment: str = ALIGN,
    unknown: str = UNKNOWN,
    **o: Any,
) -> None:
    """Citation rates by country: PP(top 10%) and mean citations, 95% bootstrap intervals."""
    df = warehouse(ctx).papers.impact(
        **_query(o, method=method, alignment=alignment, unknown=unknown)
    )
    emit(df, o["fmt"], o["output"], f"Citation rates by country ({method})")
