"""`aicensus report` and `aicensus run` (the main job: load the bundled data, write the report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aicensus.cli.common import console, err_console, warehouse
from aicensus.cli.summaries import print_load


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
    online: bool = typer.Option(
        False, "--online", help="Refresh the sources that have an upstream from it."
    ),
    only: str = typer.Option(
        None, "--only", help="Only these steps, e.g. hub,arena (default: every source)."
    ),
    claims: Path = typer.Option(
        None, "--claims", help="Claim file to check in the report (default claims/debate.yaml)."
    ),
) -> None:
    """Main job: load every source from the bundled data (or online), then write the report.
    Online, a source that cannot be reached keeps its previous rows and the run goes on."""
    from aicensus.api.loading import Skipped

    wh = warehouse(ctx)

    def step(name: str, summary: Any) -> None:
        if isinstance(summary, Skipped):
            err_console.print(
                f"[yellow]{name}: not refreshed ({summary.reason}); previous rows kept[/yellow]",
                soft_wrap=True,
            )
            return
        print_load(name, summary, str(wh.path))

    path = wh.run(output, online=online, claims=claims, on_step=step, only=only)
    console.print(f"report written: {path}")
