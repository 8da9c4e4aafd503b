"""`aicensus hub ...`: pull the Hugging Face Hub live, and measure open models by country and
organization (count, downloads, derivatives; uploader vs root family)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import console, emit, err_console, print_table, warehouse
from aicensus.cli.load import print_hub_top
from aicensus.cli.options import (
    ADDED_BY,
    ADDED_PER,
    ADDED_QUERY,
    CHART,
    HUB_BY,
    HUB_QUERY,
    HUB_SNAPSHOT,
    OUTPUT,
    takes,
)

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


def _query(o: dict[str, Any], **more: Any) -> dict[str, Any]:
    """The library's HubQuery fields from the CLI options."""
    return {**{k: v for k, v in o.items() if k not in ("fmt", "output")}, **more}


@app.command("share")
@takes(HUB_QUERY, HUB_SNAPSHOT, OUTPUT)
def share_cmd(ctx: typer.Context, by: str = HUB_BY, chart: Path = CHART, **o: Any) -> None:
    """Share of open models by country or organization (unknown always shown)."""
    df = warehouse(ctx).hub.share(**_query(o, by=by))
    m = df.attrs["meta"]
    _chart(chart, "share_bars", df)
    title = f"Hub models by {by} ({o['weight']}, {o['attribution']} attribution, "
    emit(df, o["fmt"], o["output"], title + f"{m['source']} {m['snapshot']})")
    if o["fmt"] == "table" and o["output"] is None:
        u = m["unknown"]
        console.print(
            f"[dim]unknown: {u['models']:,} models, {100 * u['share']:.2f}% of "
            f"{o['weight']}; rules: {m['attribution_rules']}[/dim]"
        )


@app.command("families")
@takes(HUB_QUERY, HUB_SNAPSHOT, OUTPUT)
def families_cmd(
    ctx: typer.Context,
    top: int = typer.Option(20, help="Rows (0 = all)."),
    chart: Path = CHART,
    **o: Any,
) -> None:
    """Top root families: models, derivatives, share of derivatives, downloads."""
    df = warehouse(ctx).hub.families(top=top or None, **_query(o))
    m = df.attrs["meta"]
    _chart(chart, "families_bars", df)
    title = f"Root families by {o['weight']} ({m['source']} {m['snapshot']})"
    emit(df, o["fmt"], o["output"], title)


@app.command("concentration")
@takes(HUB_QUERY, HUB_SNAPSHOT, OUTPUT)
def concentration_cmd(ctx: typer.Context, **o: Any) -> None:
    """Concentration of each country's open models across organizations (HHI, top-1 share)."""
    df = warehouse(ctx).hub.concentration(**_query(o))
    title = f"Concentration by organization within country ({o['weight']})"
    emit(df, o["fmt"], o["output"], title)


@app.command("change")
@takes(HUB_QUERY, OUTPUT)
def change_cmd(
    ctx: typer.Context,
    from_snapshot: str = typer.Option(..., "--from", help="Earlier snapshot date."),
    to_snapshot: str = typer.Option(..., "--to", help="Later snapshot date."),
    by: str = HUB_BY,
    **o: Any,
) -> None:
    """Share per unit in two snapshots and the change in percentage points."""
    q = _query(o, by=by)
    df = warehouse(ctx).hub.change(from_snapshot, to_snapshot, **q)
    title = f"Change {from_snapshot} → {to_snapshot} ({o['weight']}, {o['attribution']})"
    emit(df, o["fmt"], o["output"], title)


@app.command("snapshots")
def snapshots_cmd(ctx: typer.Context) -> None:
    """Loaded Hub snapshots."""
    print_table(warehouse(ctx).hub.snapshots(), title="Hub snapshots")


@app.command("added")
@takes(ADDED_QUERY, OUTPUT)
def added_cmd(
    ctx: typer.Context, by: str = ADDED_BY, per: str = ADDED_PER, chart: Path = CHART, **o: Any
) -> None:
    """New derivatives on the Hub, March-July 2025, by root family's country or organization."""
    df = warehouse(ctx).hub_added.derivatives(**_query(o, by=by, per=per))
    m = df.attrs["meta"]
    if chart is not None and per == "week" and by == "country":
        _chart(chart, "weekly_added_lines", df)
    p = m["period"]
    title = (
        f"New derivatives ({o['relation']}) by root {by}, {p['first_week_end']} .. "
        f"{p['last_week_end']}"
    )
    emit(df, o["fmt"], o["output"], title)
    if o["fmt"] == "table" and o["output"] is None:
        left = ", ".join(f"{x['namespace']} {x['derivatives']:,}" for x in m["excluded_uploaders"])
        console.print(
            f"[dim]{m['total']:,} derivatives; unknown {m['unknown']['value']:,} "
            f"({100 * m['unknown']['share']:.1f}%); left out: {left or 'none'}; "
            f"{m['caveat']}[/dim]"
        )


@app.command("uploaders")
@takes(ADDED_QUERY, OUTPUT)
def uploaders_cmd(
    ctx: typer.Context, top: int = typer.Option(20, help="Rows (0 = all)."), **o: Any
) -> None:
    """The uploaders with the most new 2025 derivatives, with cumulative share."""
    df = warehouse(ctx).hub_added.uploaders(top=top, **_query(o))
    m = df.attrs["meta"]
    emit(df, o["fmt"], o["output"], f"Uploaders of new derivatives ({m['uploaders']:,} in all)")


def _chart(path: Path | None, draw: str, df: object) -> None:
    if path is not None:
        from aicensus.api.families import result_of
        from aicensus.report import charts, hub_charts

        charts.save(getattr(hub_charts, draw)(result_of(df)), path)
