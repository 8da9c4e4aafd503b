"""`aicensus papers ...`: paper geography measures (option parsing, one library call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.measure import command, query_of, show
from aicensus.cli.options import (
    ALIGN,
    CHART,
    COUNTRIES,
    COUNTRY,
    METHOD,
    PAPER_FILTERS,
    TOP,
    UNIT,
    UNKNOWN,
    Spec,
)
from aicensus.errors import AicensusError

app = typer.Typer(help="Paper geography: shares, collaboration, citations.", no_args_is_help=True)
# How the citation measures count a paper's authors (their own options, before the filters).
CITATION_COUNTING: Spec = {
    "method": (str, METHOD),
    "alignment": (str, ALIGN),
    "unknown": (str, UNKNOWN),
}


def _query(o: dict[str, Any], country: str | None = None, **more: Any) -> dict[str, Any]:
    """The library's PaperQuery fields from the CLI options (`--country` selects rows)."""
    rows = {"country_filter": country.upper()} if country else {}
    return query_of(o, "definition", field_definition=o.get("definition"), **rows, **more)


@command(app, "share", PAPER_FILTERS)
def share(
    ctx: typer.Context,
    method: str = METHOD,
    alignment: str = ALIGN,
    unit: str = UNIT,
    top: int = TOP,
    unknown: str = UNKNOWN,
    country: str = COUNTRY,
    countries: str = COUNTRIES,
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Share of papers by country (or institution) per venue and year."""
    q = _query(o, country, method=method, alignment=alignment, unit=unit, unknown=unknown,
               countries=countries, top=top)  # fmt: skip
    show(
        ctx,
        "papers.share",
        q,
        o,
        f"Share of papers by {unit} ({method})",
        chart=chart,
        draw="charts.share_over_time",
        whole=True,
    )


@command(app, "compare-methods", PAPER_FILTERS)
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
    q = _query(o, alignment=alignment, unknown=unknown, countries=countries, units=units)
    show(
        ctx,
        "papers.compare_methods",
        q,
        o,
        f"Share of papers for {units} under each method",
        chart=chart,
        draw="charts.methods_bars",
    )


@command(app, "collaboration", PAPER_FILTERS)
def collaboration(ctx: typer.Context, **o: Any) -> None:
    """International collaboration rate (papers with two or more countries)."""
    show(ctx, "papers.collaboration", _query(o), o, "International collaboration")


@command(app, "coauthorship", PAPER_FILTERS)
def coauthorship(
    ctx: typer.Context,
    pair: str = typer.Option(None, help="Two ISO codes, e.g. CN,US (default: all pairs)."),
    **o: Any,
) -> None:
    """Papers co-authored by two countries: count and share."""
    show(ctx, "papers.coauthorship", _query(o, pair=pair), o, "Co-authored papers")


@command(app, "citations", CITATION_COUNTING, PAPER_FILTERS)
def citations(ctx: typer.Context, **o: Any) -> None:
    """Citations by country: mean, median, top-10%-cited share, PP(top 10%)."""
    show(ctx, "papers.citations", _query(o), o, f"Citations by country ({o['method']})")


@command(app, "impact", CITATION_COUNTING, PAPER_FILTERS)
def impact(ctx: typer.Context, **o: Any) -> None:
    """Citation rates by country: PP(top 10%) and mean citations, 95% bootstrap intervals."""
    show(ctx, "papers.impact", _query(o), o, f"Citation rates by country ({o['method']})")
