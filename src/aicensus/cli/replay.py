"""Measure commands and `check` replayed: a command run again with the same options, on the
same warehouse inputs, code, settings, terminal and day, prints what it printed the first time,
read from the warehouse without importing pandas, Arrow or Ibis (about 0.4 CPU s instead of 2:
see README, "Speed of check").

What a run printed is stored in `measure_cache` under a key naming everything the output
depends on (the same code and inputs fingerprints as the measure cache, so every load clears
it), in a row whose `measure` is `cli <command>`. Commands that write files (`--output`,
`--chart`, parquet) are computed every time. Hand-written because no library records a Click
command's output against a content-addressed key in the warehouse it reads.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from io import StringIO
from pathlib import Path
from typing import Any, TextIO

import typer

from aicensus.cli.common import console, settings

FORMAT = "cli-1"  # bump when what is stored or keyed changes


def replayed(fn: Callable[..., None], reads: tuple[str, ...] = ()) -> Callable[..., None]:
    """`fn` (a Typer command), printing its stored output when it ran before on the same
    everything, else running and storing what it printed. `reads`: the options naming files the
    command reads (keyed by their content); any other path is a file it writes."""

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> None:
        ctx = kwargs["ctx"]
        doc = _document(ctx, kwargs, reads)
        if doc is None:
            return fn(*args, **kwargs)
        db = settings(ctx).db
        found = lookup(db, doc)
        if found is not None and found[1] is not None:
            out, err = found[1]
            sys.stdout.write(out)
            sys.stderr.write(err)
            return None
        with captured() as (out_copy, err_copy):
            fn(*args, **kwargs)
        if found is not None:
            store(db, found[0], doc, ctx.command_path, out_copy.getvalue(), err_copy.getvalue())
        return None

    return command


def _plain(value: Any) -> Any:
    """An option value as JSON (paths as text, enums by value)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _document(ctx: typer.Context, options: dict[str, Any], reads: tuple[str, ...]) -> str | None:
    """Everything but the warehouse inputs the output depends on, as JSON; None when the
    command writes a file (its output is not what it prints) or a file it reads is missing."""
    writes = [v for k, v in options.items() if isinstance(v, Path) and k not in reads]
    if options.get("fmt") == "parquet" or writes:
        return None
    try:
        files = {k: hashlib.sha256(Path(options[k]).read_bytes()).hexdigest() for k in reads}
    except OSError:  # the command says what is wrong with it
        return None
    from aicensus.measures.fingerprint import code_fingerprint

    terminal = [console.is_terminal, console.width, console.color_system, console.no_color]
    doc = {
        "format": FORMAT,
        "command": ctx.command_path.split(" ", 1)[-1],
        "options": {k: _plain(v) for k, v in sorted(options.items()) if k != "ctx"},
        "files": files,
        "settings": repr(settings(ctx)),
        "terminal": terminal,
        "code": code_fingerprint(),
        "day": date.today().isoformat(),  # data ages and freshness are told relative to today
    }
    return json.dumps(doc, sort_keys=True, default=str)


def _key(doc: str, inputs: str) -> str:
    return hashlib.sha256(f"{doc}\n{inputs}".encode()).hexdigest()


def lookup(db: Path, doc: str) -> tuple[str, tuple[str, str] | None] | None:
    """(inputs fingerprint, stored (stdout, stderr) or None), or None when the warehouse
    cannot be opened or key its inputs (missing, locked, corrupt, no loads, a Parquet
    warehouse): then the command runs as if there were no replay and says what is wrong in its
    own order (a claim file's errors before the warehouse's), and nothing is stored."""
    import duckdb

    from aicensus.errors import WarehouseError
    from aicensus.measures.fingerprint import Uncacheable, inputs_fingerprint, read_row
    from aicensus.warehouse.connection import open_readonly

    try:
        con = open_readonly(db)
    except WarehouseError:
        return None
    try:
        inputs = inputs_fingerprint(con)
        row = read_row(con, _key(doc, inputs))
    except (Uncacheable, duckdb.Error):
        return None
    finally:
        con.close()
    if row is None:
        return inputs, None
    return inputs, (row[1].decode(), json.loads(row[2])["stderr"])


def store(db: Path, inputs: str, doc: str, command: str, out: str, err: str) -> bool:
    """Keep what the command printed, if the warehouse can be written right now and its inputs
    are still those the command read; never waits for a lock nor fails the command."""
    import duckdb

    from aicensus.measures.fingerprint import Uncacheable, inputs_fingerprint, write_row

    try:
        con = duckdb.connect(str(db))
    except duckdb.Error:  # another process has the file open, or it is read-only
        return False
    try:
        if inputs_fingerprint(con) != inputs:  # a load came in between
            return False
        write_row(
            con, _key(doc, inputs), (f"cli {command.split(' ', 1)[-1]}", out.encode(), _meta(err))
        )
        return True
    except (Uncacheable, duckdb.Error):
        return False
    finally:
        con.close()


def _meta(err: str) -> str:
    return json.dumps({"stderr": err, "format": FORMAT})


class _Tee:
    """A text stream writing to `stream` and to a copy. It has no `buffer`, so Click cannot
    write around it to the binary stream; everything else is the stream's own (isatty, width,
    encoding), so Rich and Click render exactly as they would without it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.copy = StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    @property
    def buffer(self) -> Any:
        raise AttributeError("buffer")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def captured() -> Iterator[tuple[StringIO, StringIO]]:
    """Copies of what is written to stdout and stderr inside the block (still written)."""
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        yield out.copy, err.copy
    finally:
        sys.stdout, sys.stderr = out._stream, err._stream
