"""`aicensus load ...`: fetch sources into the warehouse."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aicensus.cli.common import console, err_console, parse_list, parse_years, settings
from aicensus.config import PAPERLISTS_UPSTREAM
from aicensus.ingest.paperlists import PaperlistsLoadSummary, load_paperlists
from aicensus.sources import paperlists as pl
from aicensus.warehouse import connect

app = typer.Typer(help="Load sources into the warehouse.", no_args_is_help=True)


@app.command("paperlists")
def paperlists(
    ctx: typer.Context,
    source: str = typer.Option(
        None,
        "--from",
        help="Directory mirroring upstream, a file, a URL, or a URL pattern "
        "with {venue} and {year}. Default: the bundled data directory.",
    ),
    online: bool = typer.Option(False, "--online", help="Read from the upstream raw URLs."),
    venues: str = typer.Option(None, help="Comma-separated venue codes, e.g. icml,ijcai."),
    years: str = typer.Option(None, help="Years, e.g. 2015-2024 or 2019,2021."),
) -> None:
    """Load Paper Copilot paper lists (all files, or the selected venues and years)."""
    s = settings(ctx)
    location = (
        PAPERLISTS_UPSTREAM if online else (source or s.source_location("paperlists", "paperlists"))
    )
    files, _ = pl.discover(location, parse_list(venues), parse_years(years))
    con = connect(s.db)
    try:
        with Progress(
            TextColumn("[bold]paperlists"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=len(files))
            summary = load_paperlists(
                con,
                location,
                parse_list(venues),
                parse_years(years),
                progress=lambda key, i: bar.update(task, completed=i, description=key),
            )
    finally:
        con.close()
    print_summary(summary, str(s.db))


@app.command("paperlists-affonly")
def paperlists_affonly(
    ctx: typer.Context,
    source: str = typer.Option(None, "--from", help="Directory or file (default: bundled)."),
    venues: str = typer.Option(None, help="Comma-separated venue codes, e.g. cvpr,icml."),
    years: str = typer.Option(None, help="Years, e.g. 2023-2024."),
) -> None:
    """Load Paper Copilot files without country indexes, inferring countries from affiliations."""
    from aicensus.geo.affiliations.build import default_resolver
    from aicensus.ingest.paperlists_affonly import load_affonly

    s = settings(ctx)
    location = source or s.source_location("paperlists_affonly", "paperlists_affonly")
    err_console.print("building the affiliation resolver (ROR, OpenAlex, paperlists pairs)…")
    resolver = default_resolver(s)
    con = connect(s.db)
    try:
        summary = load_affonly(con, location, resolver, parse_list(venues), parse_years(years))
    finally:
        con.close()
    print_summary(summary, str(s.db))


def print_summary(summary: PaperlistsLoadSummary, db: str) -> None:
    console.print(
        f"paperlists: {summary.files} file(s): {len(summary.written)} written, "
        f"{len(summary.unchanged)} unchanged, {len(summary.not_found)} not found upstream"
    )
    console.print(
        f"  {summary.records:,} records: {summary.loaded:,} papers loaded, "
        f"{summary.quarantined:,} quarantined  →  {db}"
    )
    for note in summary.discover_notes:
        console.print(f"  [yellow]{note}[/yellow]")
    for note, count in sorted(summary.notes.items()):
        console.print(f"  [dim]{note}: {count:,}[/dim]")
