"""`aicensus load ...`: fetch sources into the warehouse."""

from __future__ import annotations

from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aicensus.cli import options as opts
from aicensus.cli.common import console, err_console, warehouse
from aicensus.config import EPOCH_URL

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
    online: bool = opts.PAPERLISTS_ONLINE,
    venues: str = typer.Option(None, help="Comma-separated venue codes, e.g. icml,ijcai."),
    years: str = typer.Option(None, help="Years, e.g. 2015-2024 or 2019,2021."),
) -> None:
    """Load Paper Copilot paper lists (all files, or the selected venues and years)."""
    wh = warehouse(ctx)
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
        summary = wh.load(
            "paperlists",
            source,
            online=online,
            venues=venues,
            years=years,
            progress=lambda key, i, n: bar.update(task, completed=i, total=n, description=key),
        )
    print_summary(summary, str(wh.path))
    print_statuses(wh.paper_statuses("paperlists"), summary)


@app.command("paperlists-affonly")
def paperlists_affonly(
    ctx: typer.Context,
    source: str = typer.Option(None, "--from", help="Directory or file (default: bundled)."),
    online: bool = opts.AFFONLY_ONLINE,
    venues: str = typer.Option(None, help="Comma-separated venue codes, e.g. cvpr,icml."),
    years: str = typer.Option(None, help="Years, e.g. 2023-2024."),
) -> None:
    """Load Paper Copilot files without country indexes, inferring countries from affiliations."""
    wh = warehouse(ctx)
    if not online:  # online, it is built only if a changed file needs it
        err_console.print("building the affiliation resolver (ROR, OpenAlex, paperlists pairs)…")
    summary = wh.load("paperlists-affonly", source, online=online, venues=venues, years=years)
    print_summary(summary, str(wh.path), "paperlists-affonly")
    print_statuses(wh.paper_statuses("paperlists_affonly"), summary)


@app.command("openreview")
def openreview(
    ctx: typer.Context,
    source: str = typer.Option(
        None, "--from", help="Directory with lists/ and authors/ (default: bundled)."
    ),
    online: bool = opts.OPENREVIEW_ONLINE,
    venues: str = typer.Option(None, help="Comma-separated venue codes, e.g. nips,icml."),
    years: str = typer.Option(None, help="Years, e.g. 2022-2025."),
) -> None:
    """Load OpenReview author files joined to accepted-paper lists (countries inferred)."""
    wh = warehouse(ctx)
    if not online:  # online, it is built only if a changed file needs it
        err_console.print("building the affiliation resolver (ROR, OpenAlex, paperlists pairs)…")
    summary = wh.load("openreview", source, online=online, venues=venues, years=years)
    print_openreview(summary, str(wh.path))


def print_openreview(summary: Any, db: str) -> None:
    console.print(
        f"openreview_authors: {summary.files} venue-year(s): {len(summary.written)} written, "
        f"{len(summary.unchanged)} unchanged; {summary.papers:,} accepted papers, "
        f"{summary.author_records:,} author records, {summary.quarantined:,} quarantined  →  {db}"
    )
    for note, count in sorted(summary.notes.items()):
        console.print(f"  [dim]{note}: {count:,}[/dim]")
    print_online(summary)


def print_online(summary: Any) -> None:
    """What an online Paper Copilot load fetched (nothing for a bundled load)."""
    o = getattr(summary, "online", None)
    if o is None:
        return
    console.print(
        f"  online: {o.requests} request(s) ({o.retries} retried) to {o.upstream}: "
        f"{len(o.downloaded)} file(s) downloaded, {len(o.not_modified)} unchanged upstream "
        f"(not downloaded), {len(o.same_content)} downloaded with the content already loaded "
        "(not parsed)"
    )
    if o.classes:
        shown = ", ".join(f"{n} {c}" for c, n in sorted(o.classes.items()))
        console.print(f"  lists downloaded by class: {shown}")


def print_summary(summary: Any, db: str, name: str = "paperlists") -> None:
    """What a paperlists (or affiliation-only) load did, and what an online load fetched."""
    console.print(
        f"{name}: {summary.files} file(s): {len(summary.written)} written, "
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
    affonly = getattr(summary, "affonly", None)
    if affonly is not None:
        console.print(
            f"  paperlists_affonly (lists with affiliation text, no countries; inferred): "
            f"{len(affonly.written)} written, {len(affonly.unchanged)} unchanged, "
            f"{affonly.loaded:,} papers loaded, {affonly.quarantined:,} quarantined"
        )
    print_online(summary)


def print_statuses(statuses: Any, summary: Any) -> None:
    """Records per status in the files just loaded (written or unchanged): counted statuses in
    one line, each status not counted with the files holding it."""
    keys = set(summary.written) | set(summary.unchanged)
    df = statuses[statuses["file"].isin(keys)]
    if df.empty:
        return
    counted = df[df["counted"]].groupby("status")["records"].sum().sort_values(ascending=False)
    shown = "; ".join(f"{s or '(none)'} {n:,}" for s, n in counted.items())
    console.print(f"  counted as accepted: {int(counted.sum()):,} records ({shown})")
    for status, rows in df[~df["counted"]].groupby("status"):
        files = ", ".join(f"{f} {n:,}" for f, n in zip(rows["file"], rows["records"], strict=True))
        total = int(rows["records"].sum())
        console.print(f"  [yellow]not counted ({status}): {total:,} — {files}[/yellow]")


@app.command("epoch")
def epoch(
    ctx: typer.Context,
    source: str = typer.Option(
        None,
        "--from",
        help="A CSV file or URL. Default: the bundled copy (or the configured location).",
    ),
    online: bool = typer.Option(False, "--online", help=f"Read Epoch's public CSV ({EPOCH_URL})."),
) -> None:
    """Load Epoch AI's Notable AI Models CSV."""
    wh = warehouse(ctx)
    print_epoch_summary(wh.load("epoch", source, online=online), str(wh.path))


def print_epoch_summary(summary: Any, db: str) -> None:
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
        None,
        help="Column mapping (a preset name: see README, leaderboards); default: detected from "
        "the file's columns.",
    ),
    online: bool = opts.ARENA_ONLINE,
) -> None:
    """Load arena-style leaderboards (text, text-to-video, image-to-video, ...)."""
    wh = warehouse(ctx)
    print_arena_summary(wh.load("arena", sources, preset=preset, online=online), str(wh.path))


def print_arena_summary(summary: Any, db: str) -> None:
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
    if hasattr(summary, "fetched"):  # an online load
        console.print(
            f"  online: {len(summary.fetched)} file(s) fetched, {summary.already} already "
            f"loaded, {summary.requests} request(s) ({summary.retries} retried) from "
            f"{', '.join(summary.upstreams)}"
        )
        for group, newest in sorted(summary.newest.items()):
            console.print(f"  newest snapshot fetched: {group}: {newest}")


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
    wh = warehouse(ctx)
    print_hub_summaries(wh.load("hub", sources, snapshot=snapshot), str(wh.path))


def print_hub_summaries(summaries: list, db: str) -> None:
    for x in summaries:
        state = "written" if x.written else "unchanged (same content, parser and registry)"
        console.print(f"hub: {x.location}: {state}")
        console.print(
            f"  {x.source} snapshot {x.snapshot}: {x.models:,} models, "
            f"{x.quarantined:,} quarantined  →  {db}"
        )
        for note, count in sorted(x.notes.items()):
            console.print(f"  [dim]{note}: {count:,}[/dim]")


@app.command("hub-added")
def hub_added(
    ctx: typer.Context,
    source: str = typer.Option(
        None,
        "--from",
        help="The weekly added-models CSV (file, folder or URL). Default: the bundled "
        "hf_added_models_2025 file.",
    ),
) -> None:
    """Load the models created on the Hub each week of 2025, with their root families."""
    wh = warehouse(ctx)
    print_hub_added(wh.load("hub-added", source), str(wh.path))


def print_hub_added(x: Any, db: str) -> None:
    state = "written" if x.written else "unchanged (same content, parser and registry)"
    console.print(f"hub-added: {x.location}: {state}")
    console.print(
        f"  {x.listings:,} listings: {x.models:,} models (a repeated id counts at its first "
        f"week), {x.quarantined:,} quarantined  →  {db}"
    )
    for note, count in sorted(x.notes.items()):
        console.print(f"  [dim]{note}: {count:,}[/dim]")


def print_resolver(ev: Any, db: str) -> None:
    overall = ev.overall()
    agree = overall.agree / overall.covered if overall.covered else 0.0
    cover = overall.covered / overall.known if overall.known else 0.0
    console.print(
        f"resolver: paper-level agreement {100 * agree:.2f}% at coverage {100 * cover:.2f}% "
        f"(leave-one-{ev.holdout}-out, {len(ev.files)} files)  →  {db}"
    )


def print_openalex(summary: Any, db: str) -> None:
    console.print(
        f"openalex: {summary.locations} location(s): {len(summary.written)} written, "
        f"{len(summary.unchanged)} unchanged, {len(summary.skipped)} already loaded; "
        f"{summary.records:,} records, {summary.loaded:,} works loaded, "
        f"{summary.quarantined:,} quarantined  →  {db}"
    )
    for note, n in sorted(summary.notes.items()):
        console.print(f"  [dim]{note}: {n:,}[/dim]")


@app.command("github")
def github(
    ctx: typer.Context,
    sources: list[str] = typer.Option(
        None,
        "--from",
        help="GitHub ranking folders or files (repeatable). Default: the bundled "
        "github_rankings/ai_keyword_lists and all_languages folders.",
    ),
    online: bool = opts.GITHUB_ONLINE,
) -> None:
    """Load GitHub star rankings (daily top-100 per AI keyword, monthly top-100 per language)."""
    wh = warehouse(ctx)
    print_github_summaries(wh.load("github", sources, online=online), str(wh.path))


def print_github_summaries(summaries: list, db: str) -> None:
    for x in summaries:
        state = "written" if x.written else "unchanged (same content, parser and registry)"
        console.print(f"github {x.lists} lists: {x.location}: {state}")
        console.print(
            f"  {x.first_date} .. {x.last_date}: {x.snapshot_rows:,} repository-days, "
            f"{x.quarantined:,} quarantined  →  {db}"
        )
        for period, names in x.list_names.items():
            console.print(f"  {period}: {len(names)} list(s): {', '.join(names)}")
        if x.coverage_change:
            console.print(f"  [yellow]{x.coverage_change}[/yellow]")
        if hasattr(x, "fetched"):  # an online load
            console.print(
                f"  online: {len(x.fetched)} new daily file(s) from {x.upstream} "
                f"({x.requests} request(s)); {x.daily_files} daily file(s) after the bundled "
                f"copy; newest day {x.newest_day}"
            )
        for note, count in sorted(x.notes.items()):
            console.print(f"  [dim]{note}: {count:,}[/dim]")


def print_hub_top(s: Any, db: str = "") -> None:
    """What a Hub top-N snapshot fetched (listing, parents looked up, left)."""
    listed = "listed" if s.listed else "already stored"
    console.print(
        f"hub snapshot {s.source} {s.snapshot} ({listed}): {s.models:,} models; "
        f"{s.parents_fetched:,} parent(s) looked up this run, {s.parents_missing:,} unknown to "
        f"the Hub, {s.parents_left:,} left (over --max-parents)"
    )


def print_openalex_counts(frames: list, db: str = "") -> None:
    """One line per definition: the years counted and the works they hold (full counting)."""
    from aicensus.options import format_years

    for df in frames:
        m = df.attrs.get("meta", {})
        works = sum((m.get("works_per_year") or {}).values())
        console.print(
            f"openalex counts {(m.get('definition') or {}).get('name')}: "
            f"{format_years(tuple(m.get('years') or ()))}, {works:,} works (full counting)  →  {db}"
        )


def print_load(source: str, summary: Any, db: str) -> None:
    """Print what one load (or the resolver evaluation) of the main job did."""
    printer = {
        "paperlists": print_summary,
        "paperlists-affonly": print_summary,
        "openreview": print_openreview,
        "epoch": print_epoch_summary,
        "arena": print_arena_summary,
        "hub": print_hub_summaries,
        "hub-added": print_hub_added,
        "resolver": print_resolver,
        "openalex": print_openalex,
        "github": print_github_summaries,
        "hub-top": print_hub_top,
        "openalex-counts": print_openalex_counts,
    }[source]
    printer(summary, db)
