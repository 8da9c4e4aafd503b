"""`aicensus report` and `aicensus run` (the main job: load the bundled data, write the report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import console, warehouse
from aicensus.cli.load import print_load


def report(
    ctx: typer.Context,
    output: Path = typer.Option(None, "--output", help="HTML file (default from settings)."),
    claims: Path = typer.Option(
        None, "--claims", help="Claim file to check in the report (default claims/debate.yaml)."
    ),
) -> None:
    """Write the self-contained HTML report from the warehouse."""
    path = warehouse(ctx).report(output, claims)
    console.print(f"report written: {path}")


def run(
    ctx: typer.Context,
    output: Path = typer.Option(None, "--output", help="HTML file (default from settings)."),
    online: bool = typer.Option(False, "--online", help="Read sources from upstream URLs."),
    claims: Path = typer.Option(
        None, "--claims", help="Claim file to check in the report (default claims/debate.yaml)."
    ),
) -> None:
    """Main job: load every source from the bundled data (or online), then write the report."""
    wh = warehouse(ctx)

    def step(name: str, summary: Any) -> None:
        print_load(name, summary, str(wh.path))

    path = wh.run(output, online=online, claims=claims, on_step=step)
    console.print(f"report written: {path}")
