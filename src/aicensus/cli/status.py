"""`aicensus status`: what the warehouse holds, per source, with quarantine counts."""

from __future__ import annotations

import typer

from aicensus.cli.common import console, print_table, settings
from aicensus.measures.provenance import quarantine_reasons, source_summary
from aicensus.warehouse import open_readonly


def status(
    ctx: typer.Context,
    quarantine: bool = typer.Option(False, help="List quarantine reasons with counts."),
) -> None:
    """Summarise loads: sources, files, rows loaded and quarantined, snapshot dates."""
    s = settings(ctx)
    with open_readonly(s.db) as con:
        console.print(f"warehouse {s.db}")
        print_table(source_summary(con), title="Loaded sources")
        if quarantine:
            print_table(quarantine_reasons(con), title="Quarantine", limit=200)
