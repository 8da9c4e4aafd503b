"""The `aicensus` command: root options, sub-command groups, one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from aicensus.cli import (
    board,
    check,
    hub,
    load,
    models,
    openalex,
    orgs,
    papers,
    report,
    resolve,
    status,
)
from aicensus.cli.common import err_console
from aicensus.config import load_settings
from aicensus.errors import AicensusError

app = typer.Typer(
    help="aicensus: who leads in AI, measured on real open data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(load.app, name="load")
app.add_typer(papers.app, name="papers")
app.add_typer(orgs.app, name="orgs")
app.add_typer(models.app, name="models")
app.add_typer(board.app, name="board")
app.add_typer(openalex.app, name="openalex")
app.add_typer(resolve.app, name="resolve")
app.add_typer(hub.app, name="hub")
app.command("report")(report.report)
app.command("run")(report.run)
app.command("status")(status.status)
app.command("check")(check.check)


@app.callback()
def root(
    ctx: typer.Context,
    db: Path = typer.Option(None, "--db", help="Warehouse file (env AICENSUS_DB, aicensus.toml)."),
    data: Path = typer.Option(None, "--data", help="Bundled data root (env AICENSUS_DATA)."),
) -> None:
    ctx.obj = load_settings(db=db, data_root=data)


def main() -> None:
    """Entry point: run the app; AicensusError prints one line and exits 1, Ctrl-C exits 130."""
    try:
        app()
    except AicensusError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("[red]interrupted[/red]: nothing partial was written")
        sys.exit(130)
