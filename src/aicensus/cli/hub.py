"""`aicensus hub ...`: pull the Hugging Face Hub live, and measure open models by country and
organization (count, downloads, derivatives; uploader vs root family)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import console, err_console, print_table, warehouse
from aicensus.cli.measure import command, query_of, show
from aicensus.cli.options import (
    ADDED_BY,
    ADDED_PER,
    ADDED_QUERY,
    CHART,
    HUB_BY,
    HUB_QUERY,
    HUB_SNAPSHOT,
)
from aicensus.cli.summaries import print_hub_top

app = typer.Typer(
    help="Hugging Face Hub: live pull, open-model share, families.", no_args_is_help=True
)


@app.command("pull")
def pull_cmd(
    ctx: typer.Context,
    endpoint: str = typer.Option(
        None, help="Hub endpoint (env HF_ENDPOINT; default https://huggingface.co)."
    ),
    author: str = typer.Option(None, help="Only this namespace."),
    pipeline_tag: str = typer.Option(None, "--pipeline-tag", help="e.g. text-generation"),
    library: str = typer.Option(None, help="e.g. transformers, gguf"),
    created_after: str = typer.Option(None, "--created-after", help="YYYY-MM-DD (createdAt)."),
    timeout: float = typer.Option(30.0, help="Seconds per request before a retry."),
) -> None:
    """Pull model listings (token from HF_TOKEN, never printed); re-run to resume."""
    import os

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from aicensus.ingest.hub_pull import DEFAULT_ENDPOINT, PullFilters, pull

    ep = endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    f = PullFilters(
        author=author,
        pipeline_tag=pipeline_tag,
        library=library,
        created_after=created_after,
    )
    wh = warehouse(ctx)
    with (
        wh.writing() as con,
        Progress(
            SpinnerColumn(),
            TextColumn("[bold]hub pull[/bold] {task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("", total=None)
        total = [0]

        def tick(page: int, n: int) -> None:
            total[0] += n
            bar.update(task, description=f"page {page:,}: {total[0]:,} models this run")

        summary = pull(con, ep, f, progress=tick, timeout=timeout)
    state = "resumed" if summary.resumed else "new"
    console.print(
        f"hub pull {summary.pull_id} ({state}): {summary.pages:,} page(s) fetched, "
        f"snapshot {summary.snapshot} complete with {summary.models:,} models → {wh.path}"
    )


@app.command("snapshot")
def snapshot_cmd(
    ctx: typer.Context,
    top: int = typer.Option(1000, "--top", help="How many models (the Hub lists 1,000 a page)."),
    sort: str = typer.Option("downloads", "--sort", help="downloads | trending"),
    endpoint: str = typer.Option(
        None, help="Hub endpoint (env HF_ENDPOINT, AICENSUS_HUB_UPSTREAM; default huggingface.co)."
    ),
    max_parents: int = typer.Option(
        500, "--max-parents", help="Lineage parents the snapshot lacks to look up, at most."
    ),
    refresh: bool = typer.Option(False, help="List again if today's snapshot is stored."),
) -> None:
    """Today's top-N models by downloads or trending as a dated snapshot (token from HF_TOKEN,
    never printed), then the lineage parents it lacks; re-run to go on after a stop."""
    s = warehouse(ctx).hub.top_snapshot(
        top=top, sort=sort, endpoint=endpoint, max_parents=max_parents, refresh=refresh
    )
    print_hub_top(s)


@command(app, "share", HUB_QUERY, HUB_SNAPSHOT)
def share_cmd(ctx: typer.Context, by: str = HUB_BY, chart: Path = CHART, **o: Any) -> None:
    """Share of open models by country or organization (unknown always shown)."""
    title = f"Hub models by {by} ({o['weight']}, {o['attribution']} attribution, "

    def unknown(m: dict[str, Any]) -> None:
        u = m["unknown"]
        console.print(
            f"[dim]unknown: {u['models']:,} models, {100 * u['share']:.2f}% of "
            f"{o['weight']}; rules: {m['attribution_rules']}[/dim]"
        )

    show(
        ctx,
        "hub.share",
        query_of(o, by=by),
        o,
        lambda m: title + f"{m['source']} {m['snapshot']})",
        chart=chart,
        draw="hub_charts.share_bars",
        notes=unknown,
    )


@command(app, "families", HUB_QUERY, HUB_SNAPSHOT)
def families_cmd(
    ctx: typer.Context,
    top: int = typer.Option(20, help="Rows (0 = all)."),
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Top root families: models, derivatives, share of derivatives, downloads."""
    show(
        ctx,
        "hub.families",
        query_of(o, top=top or None),
        o,
        lambda m: f"Root families by {o['weight']} ({m['source']} {m['snapshot']})",
        chart=chart,
        draw="hub_charts.families_bars",
    )


@command(app, "concentration", HUB_QUERY, HUB_SNAPSHOT)
def concentration_cmd(ctx: typer.Context, **o: Any) -> None:
    """Concentration of each country's open models across organizations (HHI, top-1 share)."""
    title = f"Concentration by organization within country ({o['weight']})"
    show(ctx, "hub.concentration", query_of(o), o, title)


@command(app, "change", HUB_QUERY)
def change_cmd(
    ctx: typer.Context,
    from_snapshot: str = typer.Option(..., "--from", help="Earlier snapshot date."),
    to_snapshot: str = typer.Option(..., "--to", help="Later snapshot date."),
    by: str = HUB_BY,
    **o: Any,
) -> None:
    """Share per unit in two snapshots and the change in percentage points."""
    q = query_of(o, by=by, from_snapshot=from_snapshot, to_snapshot=to_snapshot)
    title = f"Change {from_snapshot} → {to_snapshot} ({o['weight']}, {o['attribution']})"
    show(ctx, "hub.change", q, o, title)


@app.command("snapshots")
def snapshots_cmd(ctx: typer.Context) -> None:
    """Loaded Hub snapshots."""
    print_table(warehouse(ctx).hub.snapshots(), title="Hub snapshots")


@command(app, "added", ADDED_QUERY)
def added_cmd(
    ctx: typer.Context, by: str = ADDED_BY, per: str = ADDED_PER, chart: Path = CHART, **o: Any
) -> None:
    """New derivatives on the Hub, March-July 2025, by root family's country or organization."""

    def title(m: dict[str, Any]) -> str:
        p = m["period"]
        return (
            f"New derivatives ({o['relation']}) by root {by}, {p['first_week_end']} .. "
            f"{p['last_week_end']}"
        )

    def left_out(m: dict[str, Any]) -> None:
        left = ", ".join(f"{x['namespace']} {x['derivatives']:,}" for x in m["excluded_uploaders"])
        console.print(
            f"[dim]{m['total']:,} derivatives; unknown {m['unknown']['value']:,} "
            f"({100 * m['unknown']['share']:.1f}%); left out: {left or 'none'}; "
            f"{m['caveat']}[/dim]"
        )

    weekly = per == "week" and by == "country"  # the one chart drawn: weekly, by country
    show(
        ctx,
        "hub_added.derivatives",
        query_of(o, by=by, per=per),
        o,
        title,
        chart=chart if weekly else None,
        draw="hub_charts.weekly_added_lines",
        notes=left_out,
    )


@command(app, "uploaders", ADDED_QUERY)
def uploaders_cmd(
    ctx: typer.Context, top: int = typer.Option(20, help="Rows (0 = all)."), **o: Any
) -> None:
    """The uploaders with the most new 2025 derivatives, with cumulative share."""
    show(
        ctx,
        "hub_added.uploaders",
        query_of(o, top=top),
        o,
        lambda m: f"Uploaders of new derivatives ({m['uploaders']:,} in all)",
    )
