"""`aicensus check FILE`: the verdict on every claim of a claim file, with `--explain` for one
claim's variant grid. Exit 0 whatever the verdicts; 1 for an invalid file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from aicensus.cli.common import console, warehouse
from aicensus.errors import AicensusError

if TYPE_CHECKING:
    from aicensus.claims.verdicts import Verdict

STYLE = {"supported": "green", "refuted": "red", "depends": "yellow", "insufficient data": "dim"}


def check(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A claim file (YAML), e.g. claims/debate.yaml."),
    fmt: str = typer.Option(
        "table",
        "--format",
        help="table, json (the full evidence) or markdown (the README's claims table).",
    ),
    explain: str = typer.Option(None, "--explain", help="Show the variant grid of one claim."),
    readme: Path = typer.Option(
        None, "--readme", help="With --format markdown: also write the table into this file."
    ),
) -> None:
    """Check written claims against the warehouse: supported / refuted / depends / insufficient
    data, under every combination of the claim's axes."""
    if fmt not in ("table", "json", "markdown"):
        raise AicensusError(f"unknown --format {fmt!r} (choose from table, json, markdown)")
    if readme is not None and fmt != "markdown":
        raise AicensusError("--readme needs --format markdown")
    if fmt == "markdown":
        typer.echo(warehouse(ctx).claims_table(file, readme), nl=False)
        return
    results = warehouse(ctx).check(file, explain)
    if fmt == "json":
        doc = {"file": str(file), "verdicts": [v.to_dict() for v in results]}
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    if explain:
        print_explain(results[0])
        return
    table = Table(title=f"claims in {file}", show_lines=True)
    for col in ("claim", "verdict", "why"):
        table.add_column(col, overflow="fold")
    for v in results:
        table.add_row(
            f"[bold]{v.id}[/bold]\n{v.claim}",
            f"[{STYLE[v.verdict]}]{v.verdict}[/]",
            v.reason,
        )
    console.print(table)


def print_explain(v: Verdict) -> None:
    console.print(f"[bold]{v.id}[/bold]: {v.claim}")
    if v.where:
        console.print(f"[dim]where: {v.where}[/dim]")
    console.print(f"verdict: [{STYLE[v.verdict]}]{v.verdict}[/] — {v.reason}")
    grid = v.grid()
    # rows as dicts keyed by column name: axes like `attribution@models` are not identifiers,
    # so itertuples() would rename them (KeyError)
    shown = [c for c in grid.columns if c != "missing" or grid[c].astype(bool).any()]
    table = Table(show_lines=False)
    for col in shown:
        table.add_column(col, overflow="fold", no_wrap=col == "outcome")
    for d in grid.to_dict("records"):
        style = {"holds": "green", "fails": "red"}.get(d["outcome"], "dim")
        table.add_row(*(str(d[c]) for c in shown), style=style)
    console.print(table)
    for s in v.sources:
        console.print(
            f"[dim]source {s['source']}: {s['locations']} location(s), "
            f"retrieved {', '.join(s['retrieved'])}[/dim]"
        )
