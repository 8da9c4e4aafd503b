"""`aicensus status`: what the warehouse holds, per source, with quarantine counts."""

from __future__ import annotations

import typer

from aicensus.cli.common import console, print_table, settings


def status(
    ctx: typer.Context,
    quarantine: bool = typer.Option(False, help="List quarantine reasons with counts."),
    statuses: bool = typer.Option(
        False, "--statuses", help="Paper records per file and status (and whether they count)."
    ),
    check: bool = typer.Option(
        False,
        "--verify",
        help="Read every table in full (checksums every block) to find damage in the file.",
    ),
) -> None:
    """Summarise loads: sources, files, rows loaded (per table) and quarantined, snapshot dates."""
    from aicensus.measures.provenance import (
        data_dates,
        paper_statuses,
        quarantine_reasons,
        source_summary,
        status_totals,
    )
    from aicensus.warehouse import open_readonly
    from aicensus.warehouse.verify import verify

    s = settings(ctx)
    with open_readonly(s.db) as con:  # read everything first: damage is one line, no half output
        checked = verify(con, s.db) if check else None
        summary = source_summary(con)
        dates = data_dates(con, s.stale_after_days)
        reasons = quarantine_reasons(con) if quarantine else None
        per_file = paper_statuses(con)
    console.print(f"warehouse {s.db}")
    print_table(summary, title="Loaded sources")
    print_table(
        dates,
        title=f"Data dates (what the data describe, upstream copy, load; stale after "
        f"{s.stale_after_days} days)",
    )
    if not per_file.empty:
        totals = status_totals(per_file)
        totals["counted"] = totals["counted"].map({True: "yes", False: "no"})
        print_table(totals, title="Paper records per status", limit=500)
        if statuses:
            print_table(per_file, title="Paper records per file and status", limit=len(per_file))
    if reasons is not None:
        print_table(reasons, title="Quarantine", limit=200)
    if checked is not None:
        print_table(checked, title="Verified", limit=len(checked))
        console.print(
            f"verified: {len(checked)} tables, {checked['rows'].sum():,} rows read, no damage found"
        )
