"""`aicensus report` and `aicensus run` (the main job: load the bundled data, write the report)."""

from __future__ import annotations

from pathlib import Path

import typer

from aicensus.cli.common import console, settings
from aicensus.cli.load import arena as load_arena_cmd
from aicensus.cli.load import epoch as load_epoch_cmd
from aicensus.cli.load import hub as load_hub_cmd
from aicensus.cli.load import paperlists as load_paperlists_cmd
from aicensus.cli.load import paperlists_affonly as load_affonly_cmd
from aicensus.cli.openalex import load_file as load_openalex_cmd
from aicensus.cli.resolve import evaluate as evaluate_cmd
from aicensus.report import html
from aicensus.warehouse import open_readonly


def report(
    ctx: typer.Context,
    output: Path = typer.Option(None, "--output", help="HTML file (default from settings)."),
    claims: Path = typer.Option(
        None, "--claims", help="Claim file to check in the report (default claims/debate.yaml)."
    ),
) -> None:
    """Write the self-contained HTML report from the warehouse."""
    s = settings(ctx)
    path = output or s.report
    with open_readonly(s.db) as con:
        html.write(con, path, claims or s.claims)
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
    load_paperlists_cmd(ctx, source=None, online=online, venues=None, years=None)
    load_epoch_cmd(ctx, source=None, online=online)
    load_arena_cmd(ctx, sources=None, preset=None)  # no upstream URL: bundled copies
    load_affonly_cmd(ctx, source=None, venues=None, years=None)  # bundled copies
    evaluate_cmd(
        ctx, holdout="file", venues=None, save=True, confusion=10, fmt="table", output=None
    )  # the agreement quoted beside every inferred figure
    load_hub_cmd(ctx, sources=None, snapshot=None)  # Hub dumps (bundled)
    load_openalex_cmd(ctx, location=None, institutions=False)  # bundled OpenAlex works
    report(ctx, output=output, claims=claims)
