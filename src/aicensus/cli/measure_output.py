"""Printing model and leaderboard results: the shared table printer plus a metadata line that
names these measures' choices (attribution, counting, subset) and their sources."""

from __future__ import annotations

from pathlib import Path

from aicensus.cli.common import console, emit, print_sources, print_table
from aicensus.measures.base import MeasureResult

_SHOWN = ("subset", "method", "attribution", "by", "orgs", "per", "board", "top", "current_only")


def emit_result(result: MeasureResult, fmt: str, output: Path | None, title: str) -> None:
    """Like cli.common.emit, with a metadata line suited to model/board measures."""
    if fmt != "table" or output is not None:
        emit(result, fmt, output, title)
        return
    df = result.table.copy()
    for col in ("year", "snapshot_date"):
        if col in df.columns:
            df[col] = df[col].astype(str)
    print_table(df, title=title)
    m = result.meta
    parts = [f"{k}={m[k]}" for k in _SHOWN if m.get(k) not in (None, "")]
    console.print("[dim]" + "  ".join(parts) + "[/dim]")
    print_sources(m, "location(s) incl. the organization registry")
