"""`aicensus openalex ...`: pull from the API, read the snapshot or files, group_by counts."""

from __future__ import annotations

import sys
from typing import Any

import typer

from aicensus.cli.common import console, err_console, file_progress, warehouse
from aicensus.cli.measure import show
from aicensus.cli.options import (
    FORMAT,
    OA_BASE,
    OA_DEFINITION,
    OA_SAMPLE,
    OA_SEED,
    OA_YEARS,
    OPENALEX_API,
    OPENALEX_FILTER,
    takes,
)
from aicensus.cli.summaries import print_openalex
from aicensus.errors import AicensusError

app = typer.Typer(help="OpenAlex: API pulls, snapshot and file loads.", no_args_is_help=True)

ENTITIES = typer.Option("works", help="works,institutions")


@app.command("fetch")
@takes(OPENALEX_FILTER, first=OPENALEX_API)
def fetch(
    ctx: typer.Context,
    yes: bool = typer.Option(False, "--yes", "-y", help="Start without asking."),
    refresh: str = typer.Option(None, help="Tag for a fresh pull (default: resume the same)."),
    institutions: bool = typer.Option(True, help="Also fetch institutions the works name."),
    **filters: Any,
) -> None:
    """Pull works matching the filters (resumable: re-run the same command to continue)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    api_options = {name: filters.pop(name) for name in OPENALEX_API}  # the rest are filters
    max_requests = api_options["max_requests"]

    def confirm(state: Any) -> bool:
        left = sum(1 for s in state.streams if s.cursor is not None)
        console.print(
            f"OpenAlex pull {state.pull_id}: {state.estimated_records:,} works in "
            f"{len(state.streams)} stream(s); {state.records:,} already stored; "
            f"~{state.estimated_requests:,} requests to go over {left} stream(s)"
        )
        if max_requests is not None and state.estimated_requests > max_requests:
            console.print(
                f"[yellow]the allowance ({max_requests:,} requests) is smaller than the "
                "estimate: the pull will stop when it runs out; re-run to continue[/yellow]"
            )
        if left and not yes and sys.stdin.isatty() and not typer.confirm("Start?", default=True):
            raise typer.Exit(0)
        bar.start()
        bar.update(task, total=state.estimated_records or None, completed=state.records,
                   pages=state.pages)  # fmt: skip
        started.append(state.records)
        return True

    def show(st: Any) -> None:
        el = max(1e-6, bar.tasks[0].elapsed or 1e-6)
        bar.update(task, completed=st.records, pages=st.pages,
                   rate=(st.records - started[0]) / el)  # fmt: skip

    bar = Progress(
        TextColumn("[bold]openalex"), BarColumn(), MofNCompleteColumn(),
        TextColumn("works · {task.fields[pages]} pages · {task.fields[rate]:.0f}/s"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True,
        auto_refresh=True,
    )  # fmt: skip
    task = bar.add_task("", total=None, pages=0, rate=0.0)
    started: list[int] = []
    try:
        state, n = warehouse(ctx).openalex.fetch(
            tag=refresh or "", institutions=institutions, api_options=api_options,
            on_plan=confirm, progress=show, **filters,
        )  # fmt: skip
    finally:
        bar.stop()
    console.print(
        f"stored {state.records:,} works in {state.pages:,} pages; {n['requests']:,} requests "
        f"this run ({n['retries']:,} retried); {n['institutions']:,} institutions fetched"
    )
    if state.stopped:
        raise AicensusError(state.stopped)


@app.command("group-by")
@takes(OPENALEX_FILTER)
def group_by(
    ctx: typer.Context,
    by: str = typer.Option("authorships.countries", "--group-by", help="Field to group by."),
    base_url: str = OA_BASE,
    **filters: Any,
) -> None:
    """Counts per group (full counting) without downloading works; stored with provenance."""
    rows = warehouse(ctx).openalex.group_by(by, base_url=base_url, **filters)
    t = rows.tables["group_by_counts"].to_pandas()
    console.print(t[["key", "key_display_name", "count"]].head(30).to_string(index=False))
    console.print(f"[dim]{len(t)} groups stored from {rows.location}[/dim]")


@app.command("counts")
@takes(FORMAT)
def counts(
    ctx: typer.Context,
    definition: str = OA_DEFINITION,
    years: str = OA_YEARS,
    sample: int = OA_SAMPLE,
    seed: int = OA_SEED,
    base_url: str = OA_BASE,
    refresh: bool = typer.Option(False, help="Fetch again what is already stored."),
    **o: Any,
) -> None:
    """Country counts of AI works per year at full scale (one group_by request per year, full
    counting), and with --sample/--seed the fractional share on a stated random sample."""
    q = {"definition": definition, "years": years, "sample": sample, "seed": seed,
         "base_url": base_url, "refresh": refresh}  # fmt: skip
    title = f"AI works by country and year ({definition}; full counting"
    title += f", fractional on a sample of {sample} seed {seed})" if sample else ")"
    show(ctx, "openalex.country_counts", q, o, title)


@app.command("snapshot")
def snapshot(
    ctx: typer.Context,
    root: str = typer.Argument(..., help="Snapshot data directory, or an s3:// / https:// root."),
    entities: str = ENTITIES,
    full: bool = typer.Option(False, help="Re-read partitions already loaded."),
) -> None:
    """Load snapshot partitions not loaded yet, then merged ids (incremental)."""
    wh = warehouse(ctx)
    with file_progress("snapshot") as progress:
        s = wh.openalex.snapshot(root, entities, full=full, progress=progress)
    print_openalex(s, str(wh.path))


@app.command("snapshot-spark")
def snapshot_spark(
    ctx: typer.Context,
    root: str = typer.Argument(..., help="Snapshot data directory (local, or a cluster path)."),
    out: str = typer.Argument(..., help="Output directory for the Parquet tables."),
    entities: str = ENTITIES,
    full: bool = typer.Option(False, help="Rewrite every partition (deletes OUT first)."),
) -> None:
    """Ingest snapshot partitions on Spark into Parquet (works by publication year);
    incremental: partitions already in OUT/loads are skipped."""
    s = warehouse(ctx).openalex.snapshot_spark(root, out, entities, full=full)
    err_console.print(
        f"spark ingest: {len(s.written)} partitions written ({s.records:,} records), "
        f"{len(s.skipped)} already in {out}; rows {s.rows}"
    )


@app.command("load")
def load_file(
    ctx: typer.Context,
    location: str = typer.Argument(None, help="works JSON Lines, saved API pages, or a dir."),
    institutions: bool = typer.Option(False, help="The file holds institution records."),
) -> None:
    """Load saved OpenAlex files (default: the bundled works.jsonl.gz)."""
    wh = warehouse(ctx)
    print_openalex(wh.load("openalex", location, institutions=institutions), str(wh.path))


@app.command("definitions")
def definitions() -> None:
    """The named "what counts as AI" definitions."""
    from aicensus.measures import ai_definitions

    for d in ai_definitions.DEFINITIONS.values():
        console.print(f"[bold]{d.name}[/bold]: {d.description}")
