"""`aicensus resolve ...`: affiliation text to country, and how accurate that is."""

from __future__ import annotations

from typing import Any

import typer

from aicensus.cli.common import console, emit, settings, warehouse
from aicensus.cli.measure import on_screen
from aicensus.cli.options import FORMAT, takes

app = typer.Typer(help="Affiliation resolver: strings to countries, and its accuracy.")


@app.command("string")
def string(
    ctx: typer.Context,
    text: str = typer.Argument(None, help="Affiliation text."),
    email: str = typer.Option(None, help="Email domain, e.g. cs.unc.edu"),
) -> None:
    """Resolve one affiliation string (and/or email domain); print country, institution, rule."""
    from aicensus.ingest.affiliations.build import default_resolver

    r = default_resolver(settings(ctx)).resolve(text, email)
    console.print(
        f"countries={','.join(r.countries) or 'unknown'}  institution={r.institution}  "
        f"rule={r.rule}  confidence={r.confidence:.2f}"
        + ("  (headquarters)" if r.headquarters else "")
    )


@app.command("compare")
@takes(FORMAT)
def compare(ctx: typer.Context, **o: Any) -> None:
    """Compare the countries inferred from two affiliation sources (paperlists_affonly and the
    OpenReview author files) on the papers both hold, per venue-year, differences by reason."""
    result = warehouse(ctx).compare_affiliations()
    title = "Inferred country sets: paperlists_affonly vs openreview_authors"
    emit(result, o["fmt"], o["output"], title)


@app.command("evaluate")
@takes(FORMAT)
def evaluate(
    ctx: typer.Context,
    holdout: str = typer.Option(
        "file", help="Hold out pairs learned from the evaluated file, or from its whole venue."
    ),
    venues: str = typer.Option(None, help="Score only these venues (default: all)."),
    save: bool = typer.Option(False, help="Store the figures in the warehouse."),
    confusion: int = typer.Option(15, help="Rows of the confusion table."),
    **o: Any,
) -> None:
    """Hide the country indexes of the paperlists files, infer, compare (per venue, overall)."""
    from aicensus.geo.affiliations.resolver import RESOLVER_VERSION
    from aicensus.measures.base import MeasureResult

    wh = warehouse(ctx)
    ev = wh.evaluate_resolver(holdout, venues, save=save)
    overall = ev.overall()
    meta = {
        "measure": "resolve.evaluate",
        "resolver_version": RESOLVER_VERSION,
        "holdout": f"leave-one-{holdout}-out (pairs learned from the scored {holdout} excluded)",
        "files": len(ev.files),
        "paper_agreement": overall.agree / overall.covered if overall.covered else None,
        "paper_coverage": overall.covered / overall.known if overall.known else None,
        "confusion": ev.confusion_table(top=confusion).to_dict(orient="records"),
        "rules": dict(ev.rules.most_common()),
    }
    result = MeasureResult("resolve.evaluate", ev.table(), meta)
    emit(
        result,
        o["fmt"],
        o["output"],
        f"Resolver agreement with source countries ({meta['holdout']})",
    )
    if on_screen(o):
        console.print(ev.confusion_table(top=confusion).to_string(index=False))
        console.print(f"[dim]rules: {meta['rules']}[/dim]")
    if save:
        console.print(f"[dim]saved to {wh.path} (table resolver_evaluation)[/dim]")
