"""`aicensus openalex ...`: pull from the API, read the snapshot or files, group_by counts."""

from __future__ import annotations

import sys

import typer

from aicensus.cli.common import console, err_console, settings, warehouse
from aicensus.cli.load import print_openalex
from aicensus.errors import AicensusError
from aicensus.options import parse_list, parse_years

app = typer.Typer(help="OpenAlex: API pulls, snapshot and file loads.", no_args_is_help=True)

YEARS = typer.Option(None, help="Publication years, e.g. 2015-2024.")
SUBFIELDS = typer.Option(None, help="Primary-topic subfield ids, e.g. 1702,1707.")
FIELDS = typer.Option(None, help="Primary-topic field ids, e.g. 17.")
TOPICS = typer.Option(None, help="Primary-topic ids, e.g. T10036.")
INST_C = typer.Option(None, "--institution-countries", help="institutions.country_code values.")
AUTH_C = typer.Option(None, "--countries", help="authorships.countries values, e.g. CN,US.")
TYPES = typer.Option(None, help="Work types, e.g. article,preprint.")
SOURCES = typer.Option(None, "--sources", help="OpenAlex source ids (venues), e.g. S4306420609.")
RAW = typer.Option(None, "--filter", help="A raw OpenAlex filter expression appended as is.")
BASE = typer.Option(None, "--base-url", help="API base URL (env OPENALEX_BASE_URL).")
RATE = typer.Option(None, "--rate-limit", help="Requests per second (default 10).")
CONC = typer.Option(None, "--concurrency", help="Streams fetched at once (default 4).")
BUDGET = typer.Option(None, "--max-requests", help="Request allowance for this run.")


def _filter(years, subfields, fields, topics, inst_c, auth_c, types, sources, raw, split=True):
    from aicensus.sources.openalex import api

    ys = parse_years(years)
    return api.WorkFilter(
        years=(ys[0], ys[-1]) if ys else None,
        subfields=parse_list(subfields),
        fields=parse_list(fields),
        topics=parse_list(topics),
        institution_countries=tuple(c.upper() for c in parse_list(inst_c)),
        authorship_countries=tuple(c.upper() for c in parse_list(auth_c)),
        types=parse_list(types),
        source_ids=parse_list(sources),
        extra=raw,
        split_years=split,
    )


@app.command("fetch")
def fetch(
    ctx: typer.Context,
    years: str = YEARS,
    subfields: str = SUBFIELDS,
    fields: str = FIELDS,
    topics: str = TOPICS,
    institution_countries: str = INST_C,
    countries: str = AUTH_C,
    types: str = TYPES,
    sources: str = SOURCES,
    raw: str = RAW,
    base_url: str = BASE,
    rate_limit: float = RATE,
    concurrency: int = CONC,
    max_requests: int = BUDGET,
    yes: bool = typer.Option(False, "--yes", "-y", help="Start without asking."),
    refresh: str = typer.Option(None, help="Tag for a fresh pull (default: resume the same)."),
    institutions: bool = typer.Option(True, help="Also fetch institutions the works name."),
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

    from aicensus.ingest import openalex_pull as pull
    from aicensus.sources.openalex import api
    from aicensus.warehouse import connect

    cfg = api.load_config(
        base_url=base_url,
        rate_limit=rate_limit,
        concurrency=concurrency,
        max_requests=max_requests,
    )
    flt = _filter(years, subfields, fields, topics, institution_countries, countries, types,
                  sources, raw)  # fmt: skip
    con = connect(settings(ctx).db)
    client = api.Client(cfg)
    try:
        state = pull.plan(con, client, flt, tag=refresh or "")
        left = sum(1 for s in state.streams if s.cursor is not None)
        console.print(
            f"OpenAlex pull {state.pull_id}: {state.estimated_records:,} works in "
            f"{len(state.streams)} stream(s); {state.records:,} already stored; "
            f"~{state.estimated_requests:,} requests to go over {left} stream(s)"
        )
        if cfg.max_requests is not None and state.estimated_requests > cfg.max_requests:
            console.print(
                f"[yellow]the allowance ({cfg.max_requests:,} requests) is smaller than the "
                "estimate: the pull will stop when it runs out; re-run to continue[/yellow]"
            )
        if left and not yes and sys.stdin.isatty() and not typer.confirm("Start?", default=True):
            raise typer.Exit(0)
        with Progress(
            TextColumn("[bold]openalex"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("works · {task.fields[pages]} pages · {task.fields[rate]:.0f}/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task(
                "", total=state.estimated_records or None, completed=state.records,
                pages=state.pages, rate=0.0,
            )  # fmt: skip
            start = state.records

            def show(st: pull.PullState) -> None:
                el = max(1e-6, bar.tasks[0].elapsed or 1e-6)
                bar.update(task, completed=st.records, pages=st.pages,
                           rate=(st.records - start) / el)  # fmt: skip

            state = pull.run(con, client, state, progress=show)
        n_inst = 0
        if institutions and not state.stopped:
            n_inst = pull.fetch_institutions(con, client, pull.missing_institutions(con))
    finally:
        client.close()
        con.close()
    console.print(
        f"stored {state.records:,} works in {state.pages:,} pages; {client.requests:,} requests "
        f"this run ({client.retries:,} retried); {n_inst:,} institutions fetched"
    )
    if state.stopped:
        raise AicensusError(state.stopped)


@app.command("group-by")
def group_by(
    ctx: typer.Context,
    by: str = typer.Option("authorships.countries", "--group-by", help="Field to group by."),
    years: str = YEARS,
    subfields: str = SUBFIELDS,
    fields: str = FIELDS,
    topics: str = TOPICS,
    institution_countries: str = INST_C,
    countries: str = AUTH_C,
    types: str = TYPES,
    sources: str = SOURCES,
    raw: str = RAW,
    base_url: str = BASE,
) -> None:
    """Counts per group (full counting) without downloading works; stored with provenance."""
    from aicensus.ingest import openalex_pull as pull
    from aicensus.sources.openalex import api
    from aicensus.warehouse import connect

    cfg = api.load_config(base_url=base_url)
    flt = _filter(years, subfields, fields, topics, institution_countries, countries, types,
                  sources, raw, split=False)  # fmt: skip
    exprs = flt.expressions()
    if len(exprs) != 1:
        raise AicensusError("group-by takes at most 100 values per list (one request)")
    con = connect(settings(ctx).db)
    client = api.Client(cfg)
    try:
        rows = pull.fetch_group_by(con, client, exprs[0], by)
    finally:
        client.close()
        con.close()
    t = rows.tables["group_by_counts"].to_pandas()
    console.print(t[["key", "key_display_name", "count"]].head(30).to_string(index=False))
    console.print(f"[dim]{len(t)} groups stored from {rows.location}[/dim]")


@app.command("snapshot")
def snapshot(
    ctx: typer.Context,
    root: str = typer.Argument(..., help="Snapshot data directory, or an s3:// / https:// root."),
    entities: str = typer.Option("works", help="works,institutions"),
    full: bool = typer.Option(False, help="Re-read partitions already loaded."),
) -> None:
    """Load snapshot partitions not loaded yet, then merged ids (incremental)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from aicensus.ingest import openalex as ing
    from aicensus.warehouse import connect

    con = connect(settings(ctx).db)
    try:
        with Progress(TextColumn("[bold]snapshot"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:  # fmt: skip
            task = bar.add_task("", total=None)
            s = ing.load_snapshot(
                con, root, tuple(parse_list(entities)), full=full,
                progress=lambda k, i, n: bar.update(task, completed=i, total=n, description=k),
            )  # fmt: skip
    finally:
        con.close()
    print_openalex(s, str(settings(ctx).db))


@app.command("snapshot-spark")
def snapshot_spark(
    ctx: typer.Context,
    root: str = typer.Argument(..., help="Snapshot data directory (local, or a cluster path)."),
    out: str = typer.Argument(..., help="Output directory for the Parquet tables."),
    entities: str = typer.Option("works", help="works,institutions"),
    full: bool = typer.Option(False, help="Rewrite every partition (deletes OUT first)."),
) -> None:
    """Ingest snapshot partitions on Spark into Parquet (works by publication year);
    incremental: partitions already in OUT/loads are skipped."""
    from aicensus.engines.spark import session
    from aicensus.ingest.spark import ingest_snapshot

    spark = session(settings(ctx).spark)
    s = ingest_snapshot(spark, root, out, tuple(parse_list(entities)), full=full)
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
