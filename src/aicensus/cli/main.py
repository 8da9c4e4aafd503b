"""The `aicensus` command: root options, sub-command groups, one-line errors."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, cast

import typer
from typer.core import TyperGroup

from aicensus.cli import (
    board,
    check,
    github,
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
from aicensus.cli.common import err_console, settings
from aicensus.cli.replay import replayed
from aicensus.config import load_settings
from aicensus.errors import AicensusError

if TYPE_CHECKING:  # typer 0.29 vendors Click: its commands take this Context, not click's
    from typer._click import Context

# Set by Ctrl-C: DuckDB surfaces it inside a query as "Query interrupted" (RuntimeError) and
# Typer turns KeyboardInterrupt into a silent exit 130, so main() asks this instead.
_SIGINT = threading.Event()

# The root's options, taken wherever they stand on the command line (no sub-command has its own).
ROOT_OPTIONS = ("--db", "--data", "--wait")


def lift_root_options(args: list[str]) -> tuple[list[str], str | None]:
    """Move each root option and its value to the front, so `aicensus check x.yaml --db w`
    means `aicensus --db w check x.yaml`; the order among them is kept (the last one wins).
    Stops at `--`. Also returns the name of a root option left without its value, if any."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name, eq, _ = arg.partition("=")
        if name not in ROOT_OPTIONS:
            rest.append(arg)
            i += 1
        elif eq:
            front.append(arg)
            i += 1
        elif i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 2
        else:
            return front + rest, name
    return front + rest, None


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """Remember the Ctrl-C, then interrupt as Python does by default (KeyboardInterrupt)."""
    _SIGINT.set()
    signal.default_int_handler(signum, frame)


class RootGroup(TyperGroup):
    """The root command group: root options accepted before or after the sub-command; DuckDB
    failing on the warehouse file (corrupt blocks met by a query in any command) becomes one
    WarehouseError line naming the file."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        lifted, missing = lift_root_options(args)
        if missing is not None:
            ctx.fail(f"Option '{missing}' requires an argument.")
        return super().parse_args(ctx, lifted)

    def invoke(self, ctx: Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if "duckdb" not in type(exc).__module__:  # `_duckdb`; duckdb loads only when used
                raise
            from aicensus.warehouse.connection import storage_failure

            failure = storage_failure(exc, settings(cast(typer.Context, ctx)).db)
            if failure is None:
                raise
            raise failure from None


app = typer.Typer(
    cls=RootGroup,
    help="aicensus: who leads in AI, measured on real open data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain Click help for every command. Typer's Rich help (typer 0.29) shows a `<bool>` type
    # next to every flag (its Rich panel asks each option for a type label without the check
    # for flags its plain formatter makes) and reads `[spark]` in help text as Rich markup.
    rich_markup_mode=None,
)
app.add_typer(load.app, name="load")
app.add_typer(papers.app, name="papers")
app.add_typer(orgs.app, name="orgs")
app.add_typer(models.app, name="models")
app.add_typer(board.app, name="board")
app.add_typer(openalex.app, name="openalex")
app.add_typer(github.app, name="github")
app.add_typer(resolve.app, name="resolve")
app.add_typer(hub.app, name="hub")
app.command("report")(report.report)
app.command("run")(report.run)
app.command("status")(status.status)
app.command("check")(replayed(check.check, reads=("file",)))  # keyed by the file's content


@app.callback()
def root(
    ctx: typer.Context,
    db: Path = typer.Option(None, "--db", help="Warehouse file (env AICENSUS_DB, aicensus.toml)."),
    data: Path = typer.Option(None, "--data", help="Bundled data root (env AICENSUS_DATA)."),
    wait: float = typer.Option(
        0.0,
        "--wait",
        envvar="AICENSUS_WAIT",
        metavar="SECONDS",
        min=0.0,
        help="Wait up to SECONDS for a warehouse another process holds (e.g. during a load).",
    ),
) -> None:
    from aicensus.warehouse.connection import set_lock_wait

    ctx.obj = load_settings(db=db, data_root=data)
    set_lock_wait(wait)


def main() -> None:
    """Entry point: run the app; AicensusError prints one line and exits 1; Ctrl-C (however
    DuckDB or Typer surface it) says nothing partial was written and exits 130."""
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        app()
    except BaseException as exc:
        if _SIGINT.is_set() or isinstance(exc, KeyboardInterrupt):
            err_console.print("[red]interrupted[/red]: nothing partial was written")
            sys.exit(130)
        if isinstance(exc, AicensusError):
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            sys.exit(1)
        raise
