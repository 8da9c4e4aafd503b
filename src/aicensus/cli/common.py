"""Shared CLI helpers: option parsing, Rich tables, printing a measure result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from aicensus.config import Settings, load_settings
from aicensus.engines import Engine, get_engine
from aicensus.measures.base import MeasureResult, listing
from aicensus.measures.output import render

if TYPE_CHECKING:
    from aicensus.api import Warehouse

# Wide enough for measure tables when output is a pipe or file (Rich falls back to 80 columns).
console = Console(width=None if Console().is_terminal else 160)
err_console = Console(stderr=True)
# Columns kept out of the on-screen table (they stay in csv/json/parquet output).
_SCREEN_HIDDEN = ("papers_loaded",)


# One country option set for every measure command: which rows to show, and (papers) which
# countries to count.
COUNTRY = typer.Option(
    None,
    "--country",
    help="Only these countries' rows (ISO codes, comma-separated); figures are computed over "
    "all countries.",
)
COUNTRIES = typer.Option(
    "source",
    "--countries",
    help="Countries (and institutions) counted: source | inferred (from affiliation text) | "
    "inferred-where-missing",
)

ENGINE = typer.Option(
    "duckdb",
    "--engine",
    help="duckdb (default) | spark (master from AICENSUS_SPARK_MASTER or [spark] master)",
)


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
    return get_engine(name, settings(ctx).spark)


def _fmt(col: str, value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        if col in ("share", "coverage", "agreement", "rate", "top10_share", "pp_top10") or col in (
            "full",
            "country-fractional",
            "author-fractional",
            "first-author",
        ):
            return f"{100 * value:.2f}%"
        return f"{value:,.2f}"
    if isinstance(value, int) and col != "year":
        return f"{value:,}"
    return str(value)


def print_table(df: pd.DataFrame, title: str | None = None, limit: int = 200) -> None:
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
    m = result.meta
    parts = [f"method={m.get('method')}", f"regions={m.get('regions')}"]
    if m.get("group"):
        parts.append(f"group={m['group']}")
    parts += [f"alignment={m.get('alignment')}", f"by={m.get('by')}"]
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
            f"[dim]no paper with a known {m.get('unit')} in {listing(empty)} "
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
        dates = sorted({s["retrieved_at"][:10] for s in srcs})
        console.print(
            f"[dim]sources: {len(srcs)} {what}, retrieved {', '.join(dates)};"
            f" hashes in --format json[/dim]"
        )


def emit(result: MeasureResult, fmt: str, output: Path | None, title: str) -> None:
    """Print or write a result in the requested format."""
    if fmt == "table" and output is None:
        print_table(result.table, title=title)
        print_meta(result)
        return
    text = render(result, "csv" if fmt == "table" else fmt, output)
    if text is not None:
        typer.echo(text, nl=False)
    else:
        err_console.print(f"wrote {output}")
