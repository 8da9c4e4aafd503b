"""`aicensus github ...`: GitHub star rankings by country and organization under a named
definition of "model repository" (top-100 lists, not a census)."""

from __future__ import annotations

from typing import Any

import typer

from aicensus.cli.common import console
from aicensus.cli.measure import command, query_of, show
from aicensus.cli.options import GH_BY, GITHUB_PERIOD, GITHUB_QUERY

app = typer.Typer(help="GitHub star rankings: who owns the most-starred repositories.")


def _caveats(meta: dict) -> None:
    c = meta.get("definition_counts")
    console.print(
        f"[dim]{meta['coverage']['caveat']}; lists in force on {meta['date']}: "
        f"{', '.join(meta['coverage']['lists_in_force'])}[/dim]"
    )
    if c:
        console.print(
            f"[dim]definition {c['name']}: {c['rule']}; kept {c['kept']['repos']:,} "
            f"repositories ({c['kept']['stars']:,} stars), left out {c['left_out']['repos']:,} "
            f"({c['left_out']['stars']:,})[/dim]"
        )
    period = meta["coverage"].get("period")
    if period and period.get("spans_coverage_change"):
        console.print("[yellow]the period spans the 2025-03-04 coverage change (2 -> 15 keywords)")


@command(app, "share", GITHUB_QUERY, GITHUB_PERIOD)
def share_cmd(ctx: typer.Context, by: str = GH_BY, **o: Any) -> None:
    """Repositories, stars or star growth by country or organization (unknown always shown)."""
    title = f"GitHub {o['weight']} by {by} ({o['definition']}, "
    show(
        ctx, "github.share", query_of(o, by=by), o, lambda m: f"{title}{m['date']})", notes=_caveats
    )


@command(app, "top", GITHUB_QUERY)
def top_cmd(ctx: typer.Context, k: int = typer.Option(10, help="Repositories."), **o: Any) -> None:
    """The most-starred repositories of a definition on a date, with owner country."""

    def notes(m: dict[str, Any]) -> None:
        _caveats(m)
        console.print(f"standing by country: {m['standing']}")

    title = f"Top {k} {o['definition']} repositories ("
    show(ctx, "github.top", query_of(o, k=k), o, lambda m: f"{title}{m['date']})", notes=notes)


@command(app, "trend", GITHUB_QUERY)
def trend_cmd(
    ctx: typer.Context,
    countries: str = typer.Option("CN,US", help="Countries (ISO codes)."),
    per_country: int = typer.Option(3, "--per-country", help="Repositories per country."),
    **o: Any,
) -> None:
    """Stars over time of each country's top repositories (era marks the 2025-03-04 change)."""
    q = query_of(o, countries=countries, per_country=per_country)
    show(ctx, "github.trend", q, o, f"Stars over time ({o['definition']})")
