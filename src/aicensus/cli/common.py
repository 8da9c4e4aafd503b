"""Shared CLI helpers: settings, the warehouse object, Rich tables, the one way a measure
result is printed or written (emit). Heavy libraries load on first use, so `--help` is quick."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from aicensus.config import Settings, load_settings

if TYPE_CHECKING:
    import pandas as pd

    from aicensus.api import Warehouse
    from aicensus.engines import Engine
    from aicensus.measures.base import MeasureResult

# Wide enough for measure tables when output is a pipe or file (Rich falls back to 80 columns).
console = Console(width=None if Console().is_terminal else 160)
err_console = Console(stderr=True)
# Columns kept out of the on-screen table (they stay in csv/json/parquet output).
_SCREEN_HIDDEN = ("papers_loaded",)
# Choices named on the metadata line of model, leaderboard and Hub results.
_SHOWN = ("subset", "method", "attribution", "by", "orgs", "per", "board", "top", "current_only")
_PERCENT = ("share", "coverage", "agreement", "rate", "top10_share", "pp_top10")
_METHODS = ("full", "country-fractional", "author-fractional", "first-author")


def settings(ctx: typer.Context) -> Settings:
    """The run's settings (set by the root callback)."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else load_settings()


def warehouse(ctx: typer.Context) -> Warehouse:
    """The library's warehouse object for this run's settings (every command goes through it)."""
    from aicensus.api import Warehouse

    return Warehouse(settings(ctx))


def run_on(ctx: typer.Context, name: str) -> Engine:
    """The execution engine named by --engine, configured from settings ([spark])."""
    from aicensus.engines import get_engine

    return get_engine(name, settings(ctx).spark)


@contextmanager
def file_progress(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A transient bar on stderr for a load that reads its files one by one; yields the
    `progress(key, i, n)` callback the library's loads take (key: the file being read)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)
        yield lambda key, i, n: bar.update(task, completed=i, total=n, description=key)


def _fmt(col: str, value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return "–"
    if isinstance(value, float):
        if col in _PERCENT or col in _METHODS:
            return f"{100 * value:.2f}%"
        return f"{value:,.2f}"
    if isinstance(value, int) and col != "year":
        return f"{value:,}"
    return str(value)


def print_table(df: pd.DataFrame, title: str | None = None, limit: int = 200) -> None:
    """A DataFrame as a Rich table (shares as percentages, counts with thousands separators)."""
    import pandas as pd
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    df = df.drop(columns=[c for c in _SCREEN_HIDDEN if c in df.columns])
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col]) and col != "year"
        table.add_column(col, justify="right" if numeric else "left")
    for row in df.head(limit).itertuples(index=False):
        table.add_row(*(_fmt(c, v) for c, v in zip(df.columns, row, strict=True)))
    console.print(table)
    if len(df) > limit:
        console.print(f"[dim]… {len(df) - limit} more rows (use --format csv for all)[/dim]")


def print_meta(result: MeasureResult) -> None:
    """Dim lines under a table: the counting choices, coverage notes and sources."""
    m = result.meta
    if "regions" not in m:  # models, leaderboards, Hub
        parts = [f"{k}={m[k]}" for k in _SHOWN if m.get(k) not in (None, "")]
        console.print("[dim]" + "  ".join(parts) + "[/dim]")
        print_sources(m, "location(s) incl. the organization registry")
        return
    parts = [f"method={m.get('method')}", f"regions={m.get('regions')}"]
    if m.get("group"):
        parts.append(f"group={m['group']}")
    parts += [f"alignment={m.get('alignment')}", f"by={m.get('by')}"]
    if m.get("status"):  # 'accepted: every status except ...' -> status=accepted
        parts.append(f"status={str(m['status']).split(':')[0]}")
    if m.get("field_definition"):
        parts.append(f"ai-definition={m['field_definition']['name']}")
    if m.get("unknown") == "count":
        parts.append("unknown=count")
    console.print("[dim]" + "  ".join(parts) + "[/dim]")
    acc = m.get("inference_accuracy")
    if acc:
        for lv in acc.get("levels", []):
            console.print(
                f"[dim]inferred countries: {lv['level']}-level agreement "
                f"{100 * lv['agreement']:.2f}% at coverage {100 * lv['coverage']:.2f}% "
                f"(leave-one-{lv['holdout']}-out, {lv['resolver_version']})[/dim]"
            )
        if not acc.get("levels"):
            console.print(f"[dim]inferred countries: {acc['status']}[/dim]")
    empty = m.get("without_data")
    if empty:
        console.print(
            f"[dim]no paper with a known {m.get('unit')} in {_listing(empty)} "
            "(left out of the table)[/dim]"
        )
    moved = m.get("regions_moved")
    if moved:
        console.print(
            f"[dim]regions: {moved['papers_moved']:,} papers have a different country set under "
            f"'recovered' than under 'source' ({moved['by_region']})[/dim]"
        )
    print_sources(m, f"{m.get('source')} file(s)")


def print_sources(meta: dict, what: str) -> None:
    """One dim line: how many source locations stand behind a result, and when retrieved."""
    srcs = meta.get("sources") or []
    if srcs:
        console.print(f"[dim]sources: {len(srcs)} {what}; hashes in --format json[/dim]")
    period = meta.get("data_period")
    dated = [
        f"{d['source']} ({d['publisher']}) copied {d['copied'] or 'date not stated'}, "
        f"loaded {d['loaded']}"
        for d in meta.get("data_sources") or []
    ]
    if period or dated:
        what_period = f"{period['start']} .. {period['end']}" if period else "no rows counted"
        console.print(f"[dim]data describe {what_period}; {'; '.join(dated)}[/dim]")


def _listing(items: list[str]) -> str:
    from aicensus.measures.base import listing

    return listing(items)


def emit(
    result: MeasureResult | pd.DataFrame,
    fmt: str,
    output: Path | None,
    title: str,
    columns: list[str] | None = None,
) -> None:
    """Print a result (a MeasureResult, or a DataFrame from the library with its metadata in
    .attrs) as a table, or write it as csv/json/parquet; `columns`: the on-screen subset."""
    from aicensus.api.families import result_of
    from aicensus.measures.output import render

    if not hasattr(result, "meta"):
        result = result_of(result)
    if fmt == "table" and output is None:
        df = result.table
        for col in ("year", "snapshot_date"):
            if col in df.columns and "regions" not in result.meta:
                df = df.assign(**{col: df[col].astype(str)})
        print_table(df[columns] if columns else df, title=title)
        print_meta(result)
        return
    text = render(result, "csv" if fmt == "table" else fmt, output)
    if text is not None:
        typer.echo(text, nl=False)
    else:
        err_console.print(f"wrote {output}")
