"""A measure command, written once: `command` registers it with its option sets and the output
options; `show` is its tail (one library call, an optional chart, one printer). Heavy libraries
load inside, so `--help` stays quick."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from aicensus.cli.common import emit, warehouse
from aicensus.cli.options import OUTPUT, Spec, takes
from aicensus.cli.replay import replayed

if TYPE_CHECKING:
    import pandas as pd

Command = Callable[..., None]


def command(app: typer.Typer, name: str, *sets: Spec) -> Callable[[Command], Command]:
    """Register a measure command `name` on `app`: its own options, then those of `sets`, then
    --engine, --format and --output (every measure command takes them, in this order). It
    reads the warehouse only, so a repeat prints its stored output (cli/replay.py)."""

    def wrap(fn: Command) -> Command:
        return app.command(name)(replayed(takes(*sets, OUTPUT)(fn)))

    return wrap


def query_of(o: dict[str, Any], *drop: str, **more: Any) -> dict[str, Any]:
    """A command's options as the library's query takes them: without --format and --output
    (nor `drop`), with `more`."""
    return {**{k: v for k, v in o.items() if k not in ("fmt", "output", *drop)}, **more}


def rows(ctx: typer.Context, measure: str, query: dict[str, Any]) -> pd.DataFrame:
    """The library's `measure` ('papers.share': family and measure of aicensus.api) over
    `query`: the one call a measure command makes into the library."""
    family, name = measure.split(".")
    return getattr(getattr(warehouse(ctx), family), name)(**query)


def save_chart(path: Path | None, draw: str, df: pd.DataFrame, *args: Any) -> None:
    """Draw `df` with the report's chart function `draw` ('hub_charts.share_bars': module of
    aicensus.report and function) into `path` (.svg, .png or .html), if a path was given."""
    if path is None:
        return
    import importlib

    from aicensus.api.families import result_of
    from aicensus.report import charts

    module, name = draw.split(".")
    drawer = getattr(importlib.import_module(f"aicensus.report.{module}"), name)
    charts.save(drawer(result_of(df), *args), path)


def on_screen(o: dict[str, Any]) -> bool:
    """Whether the result goes to the screen as a table (not to a file nor as csv/json)."""
    return bool(o["fmt"] == "table" and o["output"] is None)


def show(
    ctx: typer.Context,
    measure: str,
    query: dict[str, Any],
    o: dict[str, Any],
    title: str | Callable[[dict[str, Any]], str],
    *,
    chart: Path | None = None,
    draw: str = "",
    draw_args: tuple[Any, ...] = (),
    whole: bool = False,
    columns: list[str] | None = None,
    notes: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """A measure command's tail: `measure` over `query` (see `rows`); the chart `draw` into
    `chart` if asked (`whole`: from every row, the measure again without `top`); the rows
    printed or written as --format and --output say, under `title` (a function of the result's
    metadata where it names what was counted); `notes(meta)` under the table on screen."""
    df = rows(ctx, measure, query)
    if chart is not None:
        drawn = rows(ctx, measure, {**query, "top": None}) if whole and query.get("top") else df
        save_chart(chart, draw, drawn, *draw_args)
    meta = df.attrs.get("meta", {})
    emit(df, o["fmt"], o["output"], title(meta) if callable(title) else title, columns)
    if notes is not None and on_screen(o):
        notes(meta)
