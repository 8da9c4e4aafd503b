"""`aicensus load ...`: fetch sources into the warehouse."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import typer

from aicensus.cli import options as opts
from aicensus.cli.common import err_console, file_progress, warehouse
from aicensus.cli.summaries import print_load, print_statuses
from aicensus.config import EPOCH_URL

app = typer.Typer(help="Load sources into the warehouse.", no_args_is_help=True)
# Sources whose load infers countries from affiliation text, and the paper table each fills.
RESOLVED = ("paperlists-affonly", "openreview")
PAPER_TABLES = {"paperlists": "paperlists", "paperlists-affonly": "paperlists_affonly"}


def _load(
    ctx: typer.Context, source: str, location: Any, bar: bool = False, **options: Any
) -> None:
    """A load command's body: one library load, then what it did, printed as `aicensus run`
    prints it (and for the paper lists, their records per status); `bar`: show file progress."""
    wh = warehouse(ctx)
    if source in RESOLVED and not options["online"]:  # online: built only if a file needs it
        err_console.print("building the affiliation resolver (ROR, OpenAlex, paperlists pairs)…")
    with file_progress(source) if bar else nullcontext(None) as progress:
        if progress is not None:
            options["progress"] = progress
        summary = wh.load(source, location, **options)
    print_load(source, summary, str(wh.path))
    if source in PAPER_TABLES:
        print_statuses(wh.paper_statuses(PAPER_TABLES[source]), summary)


def _venue_years(
    name: str,
    doc: str,
    origin: str,
    online_option: Any,
    venues: str,
    years: str,
    bar: bool = False,
) -> None:
    """Register `load NAME`, a load of Paper Copilot venue-year files: --from (`origin`: where
    it reads by default), --online, --venues and --years (their help's examples `venues` and
    `years`); `bar`: show file progress. The one declaration of a venue-year load command."""

    def command(
        ctx: typer.Context,
        source: str = opts.origin(origin),
        online: bool = online_option,
        venues: str = typer.Option(None, help=f"Comma-separated venue codes, e.g. {venues}."),
        years: str = typer.Option(None, help=f"Years, e.g. {years}."),
    ) -> None:
        _load(ctx, name, source, online=online, venues=venues, years=years, bar=bar)

    command.__doc__ = doc
    app.command(name)(command)


_venue_years(
    "paperlists",
    "Load Paper Copilot paper lists (all files, or the selected venues and years).",
    "Directory mirroring upstream, a file, a URL, or a URL pattern with {venue} and {year}. "
    "Default: the bundled data directory.",
    opts.PAPERLISTS_ONLINE,
    "icml,ijcai",
    "2015-2024 or 2019,2021",
    bar=True,
)
_venue_years(
    "paperlists-affonly",
    "Load Paper Copilot files without country indexes, inferring countries from affiliations.",
    "Directory or file (default: bundled).",
    opts.AFFONLY_ONLINE,
    "cvpr,icml",
    "2023-2024",
)
_venue_years(
    "openreview",
    "Load OpenReview author files joined to accepted-paper lists (countries inferred).",
    "Directory with lists/ and authors/ (default: bundled).",
    opts.OPENREVIEW_ONLINE,
    "nips,icml",
    "2022-2025",
)


@app.command("epoch")
def epoch(
    ctx: typer.Context,
    source: str = opts.origin(
        "A CSV file or URL. Default: the bundled copy (or the configured location)."
    ),
    online: bool = typer.Option(False, "--online", help=f"Read Epoch's public CSV ({EPOCH_URL})."),
) -> None:
    """Load Epoch AI's Notable AI Models CSV."""
    _load(ctx, "epoch", source, online=online)


@app.command("arena")
def arena(
    ctx: typer.Context,
    sources: list[str] = opts.origin(
        "Leaderboard files, directories or URLs (repeatable). Default: the bundled "
        "arena_text_history and arena_video folders."
    ),
    preset: str = typer.Option(
        None,
        help="Column mapping (a preset name: see README, leaderboards); default: detected from "
        "the file's columns.",
    ),
    online: bool = opts.ARENA_ONLINE,
) -> None:
    """Load arena-style leaderboards (text, text-to-video, image-to-video, ...)."""
    _load(ctx, "arena", sources, preset=preset, online=online)


@app.command("hub")
def hub(
    ctx: typer.Context,
    sources: list[str] = opts.origin(
        "Hub dumps: API JSON (lines or array) or CSV tables (tags as Python list "
        "literals), files, directories or URLs (repeatable). Default: the bundled "
        "hf_models_api and hf_models_table folders."
    ),
    snapshot: str = typer.Option(None, help="Snapshot date (default: newest lastModified)."),
) -> None:
    """Load Hugging Face Hub model dumps, resolving lineage to root families."""
    _load(ctx, "hub", sources, snapshot=snapshot)


@app.command("hub-added")
def hub_added(
    ctx: typer.Context,
    source: str = opts.origin(
        "The weekly added-models CSV (file, folder or URL). Default: the bundled "
        "hf_added_models_2025 file."
    ),
) -> None:
    """Load the models created on the Hub each week of 2025, with their root families."""
    _load(ctx, "hub-added", source)


@app.command("github")
def github(
    ctx: typer.Context,
    sources: list[str] = opts.origin(
        "GitHub ranking folders or files (repeatable). Default: the bundled "
        "github_rankings/ai_keyword_lists and all_languages folders."
    ),
    online: bool = opts.GITHUB_ONLINE,
) -> None:
    """Load GitHub star rankings (daily top-100 per AI keyword, monthly top-100 per language)."""
    _load(ctx, "github", sources, online=online)
