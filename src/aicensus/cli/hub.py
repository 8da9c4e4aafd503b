"""`aicensus hub ...`: pull the Hugging Face Hub live, and measure open models by country and
organization (count, downloads, derivatives; uploader vs root family)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from aicensus.cli.common import ENGINE, console, err_console, run_on, settings
from aicensus.cli.measure_output import emit_result as emit
from aicensus.measures import hub as hm
from aicensus.report import charts
from aicensus.report.hub_charts import families_bars, share_bars
from aicensus.warehouse import connect, open_readonly

app = typer.Typer(
    help="Hugging Face Hub: live pull, open-model share, families.", no_args_is_help=True
)

BY = typer.Option("country", help="country | org")
WEIGHT = typer.Option("count", help="count | downloads | derivatives")
ATTR = typer.Option("root", help="root (root family's organization) | uploader (own namespace)")
SNAP = typer.Option(None, help="Snapshot date YYYY-MM-DD (default: the latest loaded).")
SRC = typer.Option(None, help="hf_models_api | hf_models_table | hub_pull (default: any).")
FMT = typer.Option("table", "--format", help="table | csv | json | parquet")
OUT = typer.Option(None, "--output", help="Write to this file.")
CHART = typer.Option(None, "--chart", help="Write a chart (.svg, .png or .html).")


def _q(by, weight, attribution, snapshot, source) -> hm.HubQuery:
    return hm.HubQuery(
        by=by, weight=weight, attribution=attribution, snapshot=snapshot, source=source
    ).checked()


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

    from aicensus.ingest.hub_pull import DEFAULT_ENDPOINT, PullFilters, pull

    ep = endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    f = PullFilters(
        author=author,
        pipeline_tag=pipeline_tag,
        library=library,
        created_after=created_after,
    )
    s = settings(ctx)
    con = connect(s.db)
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]hub pull[/bold] {task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)
            total = [0]

            def tick(page: int, n: int) -> None:
                total[0] += n
                bar.update(task, description=f"page {page:,}: {total[0]:,} models this run")

            summary = pull(con, ep, f, progress=tick, timeout=timeout)
    finally:
        con.close()
    state = "resumed" if summary.resumed else "new"
    console.print(
        f"hub pull {summary.pull_id} ({state}): {summary.pages:,} page(s) fetched, "
        f"snapshot {summary.snapshot} complete with {summary.models:,} models → {s.db}"
    )


@app.command("share")
def share_cmd(
    ctx: typer.Context,
    by: str = BY,
    weight: str = WEIGHT,
    attribution: str = ATTR,
    snapshot: str = SNAP,
    source: str = SRC,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = CHART,
) -> None:
    """Share of open models by country or organization (unknown always shown)."""
    q = _q(by, weight, attribution, snapshot, source)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        r = hm.share(con, q, engine=eng)
    if chart is not None:
        charts.save(share_bars(r), chart)
    emit(
        r,
        fmt,
        output,
        f"Hub models by {by} ({weight}, {attribution} attribution, "
        f"{r.meta['source']} {r.meta['snapshot']})",
    )
    u = r.meta["unknown"]
    if fmt == "table" and output is None:
        console.print(
            f"[dim]unknown: {u['models']:,} models, {100 * u['share']:.2f}% of "
            f"{weight}; rules: {r.meta['attribution_rules']}[/dim]"
        )


@app.command("families")
def families_cmd(
    ctx: typer.Context,
    weight: str = WEIGHT,
    snapshot: str = SNAP,
    source: str = SRC,
    top: int = typer.Option(20, help="Rows (0 = all)."),
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
    chart: Path = CHART,
) -> None:
    """Top root families: models, derivatives, share of derivatives, downloads."""
    q = _q("country", weight, "root", snapshot, source)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        r = hm.top_families(con, q, top=top or None, engine=eng)
    if chart is not None:
        charts.save(families_bars(r), chart)
    emit(r, fmt, output, f"Root families by {weight} ({r.meta['source']} {r.meta['snapshot']})")


@app.command("concentration")
def concentration_cmd(
    ctx: typer.Context,
    weight: str = WEIGHT,
    attribution: str = ATTR,
    snapshot: str = SNAP,
    source: str = SRC,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Concentration of each country's open models across organizations (HHI, top-1 share)."""
    q = _q("country", weight, attribution, snapshot, source)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        r = hm.concentration(con, q, engine=eng)
    emit(r, fmt, output, f"Concentration by organization within country ({weight})")


@app.command("change")
def change_cmd(
    ctx: typer.Context,
    from_snapshot: str = typer.Option(..., "--from", help="Earlier snapshot date."),
    to_snapshot: str = typer.Option(..., "--to", help="Later snapshot date."),
    by: str = BY,
    weight: str = WEIGHT,
    attribution: str = ATTR,
    engine: str = ENGINE,
    fmt: str = FMT,
    output: Path = OUT,
) -> None:
    """Share per unit in two snapshots and the change in percentage points."""
    q = _q(by, weight, attribution, None, None)
    eng = run_on(ctx, engine)
    with open_readonly(settings(ctx).db) as con:
        r = hm.change(con, q, from_snapshot, to_snapshot, engine=eng)
    emit(r, fmt, output, f"Change {from_snapshot} → {to_snapshot} ({weight}, {attribution})")


@app.command("snapshots")
def snapshots_cmd(ctx: typer.Context) -> None:
    """Loaded Hub snapshots."""
    from aicensus.cli.common import print_table

    with open_readonly(settings(ctx).db) as con:
        print_table(hm.snapshots(con), title="Hub snapshots")
