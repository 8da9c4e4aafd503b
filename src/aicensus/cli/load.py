"""`aicensus load ...`: fetch sources into the warehouse."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aicensus.cli.common import console, err_console, parse_list, parse_years, settings
from aicensus.config import PAPERLISTS_ONLINE_YEARS, PAPERLISTS_UPSTREAM, PAPERLISTS_VENUES
from aicensus.errors import AicensusError
from aicensus.ingest.arenas import ArenaLoadSummary, load_arenas
from aicensus.ingest.epoch import EpochLoadSummary, load_epoch
from aicensus.ingest.hub import load_hub_dumps
from aicensus.ingest.paperlists import PaperlistsLoadSummary, load_paperlists
from aicensus.sources import arenas as arena_source
from aicensus.sources import epoch as epoch_source
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
        s.upstream("paperlists", PAPERLISTS_UPSTREAM)
        if online
        else (source or s.source_location("paperlists", "paperlists"))
    )
    venue_list, year_list = parse_list(venues), parse_years(years)
    if "{venue}" in location:  # a URL pattern cannot be listed: probe the known venue-years
        venue_list = venue_list or PAPERLISTS_VENUES
        year_list = year_list or tuple(PAPERLISTS_ONLINE_YEARS)
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
            task = bar.add_task("", total=None)
            summary = load_paperlists(
                con,
                location,
                venue_list,
                year_list,
                progress=lambda key, i, n: bar.update(task, completed=i, total=n, description=key),
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
    from aicensus.ingest.affiliations.build import default_resolver
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


@app.command("epoch")
def epoch(
    ctx: typer.Context,
    source: str = typer.Option(
        None,
        "--from",
        help="A CSV file or URL. Default: the bundled copy (or the configured location).",
    ),
    online: bool = typer.Option(
        False, "--online", help=f"Read Epoch's public CSV ({epoch_source.DEFAULT_URL})."
    ),
) -> None:
    """Load Epoch AI's Notable AI Models CSV."""
    s = settings(ctx)
    location = (
        epoch_source.DEFAULT_URL
        if online
        else source
        or str(Path(s.source_location("epoch", "epoch_notable_models")) / "notable_ai_models.csv")
    )
    if Path(location).is_dir():
        location = str(Path(location) / "notable_ai_models.csv")
    con = connect(s.db)
    try:
        summary = load_epoch(con, location)
    finally:
        con.close()
    print_epoch_summary(summary, str(s.db))
    if summary.rejected:
        raise AicensusError(f"{location}: rejected ({summary.rejected}); see the quarantine")


def print_epoch_summary(summary: EpochLoadSummary, db: str) -> None:
    state = "written" if summary.written else "unchanged (same content, parser and registry)"
    console.print(f"epoch: {summary.location}: {state}")
    console.print(
        f"  {summary.records:,} records: {summary.loaded:,} models loaded, "
        f"{summary.quarantined:,} quarantined  →  {db}"
    )
    for note, count in sorted(summary.notes.items()):
        console.print(f"  [dim]{note}: {count:,}[/dim]")


@app.command("arena")
def arena(
    ctx: typer.Context,
    sources: list[str] = typer.Option(
        None,
        "--from",
        help="Leaderboard files, directories or URLs (repeatable). Default: the bundled "
        "arena_text_history and arena_video folders.",
    ),
    preset: str = typer.Option(
        None, help=f"Column mapping ({', '.join(arena_source.PRESETS)}); default: detected."
    ),
) -> None:
    """Load arena-style leaderboards (text, text-to-video, image-to-video, ...)."""
    s = settings(ctx)
    locations = sources or [
        s.source_location("arena_text", "arena_text_history"),
        s.source_location("arena_video", "arena_video"),
    ]
    con = connect(s.db)
    try:
        summary = load_arenas(con, list(locations), preset)
    finally:
        con.close()
    print_arena_summary(summary, str(s.db))
    if summary.rejected:
        first = next(iter(summary.rejected.items()))
        raise AicensusError(
            f"{first[0]}: rejected ({first[1]}); {len(summary.rejected)} file(s) in the quarantine"
        )


def print_arena_summary(summary: ArenaLoadSummary, db: str) -> None:
    console.print(
        f"arena: {summary.files} file(s): {len(summary.written)} written, "
        f"{len(summary.unchanged)} unchanged"
    )
    console.print(
        f"  {summary.snapshots:,} snapshots, {summary.entries:,} entries, "
        f"{summary.quarantined:,} quarantined  →  {db}"
    )
    for note, count in sorted(summary.notes.items()):
        console.print(f"  [dim]{note}: {count:,}[/dim]")


@app.command("hub")
def hub(
    ctx: typer.Context,
    sources: list[str] = typer.Option(
        None,
        "--from",
        help="Hub dumps: API JSON (lines or array) or CSV tables (tags as Python list "
        "literals), files, directories or URLs (repeatable). Default: the bundled "
        "hf_models_api and hf_models_table folders.",
    ),
    snapshot: str = typer.Option(None, help="Snapshot date (default: newest lastModified)."),
) -> None:
    """Load Hugging Face Hub model dumps, resolving lineage to root families."""
    s = settings(ctx)
    locations = sources or [
        s.source_location("hf_models_api", "hf_models_api"),
        s.source_location("hf_models_table", "hf_models_table"),
    ]
    con = connect(s.db)
    try:
        summaries = [x for loc in locations for x in load_hub_dumps(con, loc, snapshot=snapshot)]
    finally:
        con.close()
    for x in summaries:
        state = "written" if x.written else "unchanged (same content, parser and registry)"
        console.print(f"hub: {x.location}: {state}")
        console.print(
            f"  {x.source} snapshot {x.snapshot}: {x.models:,} models, "
            f"{x.quarantined:,} quarantined  →  {s.db}"
        )
        for note, count in sorted(x.notes.items()):
            console.print(f"  [dim]{note}: {count:,}[/dim]")
