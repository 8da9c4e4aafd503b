"""One option set per concept in the CLI: every command that prints or writes a result table
takes --format and --output as options.FORMAT declares them (same help everywhere), and a
measure command --engine before them, last in its --help."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

from aicensus.cli import options
from aicensus.cli.main import app

# `check --format` chooses table, json or markdown for verdicts, not a result table's format.
OWN_FORMAT = {("check",)}


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_format_and_output_are_declared_once():
    tables = 0
    for path, cmd in _commands(typer.main.get_command(app)):
        params = {p.name: p for p in cmd.params}
        if "fmt" not in params or path in OWN_FORMAT:
            continue
        tables += 1
        assert params["fmt"].help == options.FMT.help, path
        assert params["output"].help == options.OUT.help, path
        names = [p.name for p in cmd.params]
        assert names[-2:] == ["fmt", "output"], path
        if "engine" in names:
            assert names[-3] == "engine" and params["engine"].help == options.ENGINE.help, path
    assert (
        tables >= 28
    )  # papers 6, models 4, board 4, hub 6, github 3, openalex 1, resolve 2, orgs 2


def test_openalex_api_options_declared_once_and_passed_as_api_options(monkeypatch):
    """`openalex fetch` takes options.OPENALEX_API first (after the context, before its own
    options) and hands exactly those to the library as `api_options`, the rest as filters."""
    from typer.testing import CliRunner

    import aicensus.cli.openalex as cli_openalex

    fetch = {c.name: c for c in typer.main.get_command(app).commands["openalex"].commands.values()}
    names = [p.name for p in fetch["fetch"].params]
    assert names[: len(options.OPENALEX_API)] == list(options.OPENALEX_API)
    seen: dict[str, Any] = {}

    class Stop(Exception):
        pass

    class Library:
        def fetch(self, **kwargs: Any) -> None:
            seen.update(kwargs)
            raise Stop

    monkeypatch.setattr(
        cli_openalex, "warehouse", lambda ctx: type("W", (), {"openalex": Library()})()
    )
    args = ["openalex", "fetch", "--base-url", "http://x", "--max-requests", "5", "--years", "2024"]
    r = CliRunner().invoke(app, args)
    assert isinstance(r.exception, Stop), r.output
    assert seen["api_options"] == {
        "base_url": "http://x",
        "rate_limit": None,
        "concurrency": None,
        "max_requests": 5,
    }
    assert seen["years"] == "2024" and "base_url" not in seen and "max_requests" not in seen
