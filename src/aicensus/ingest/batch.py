"""What the loads of several files share: parse every file first (so a bad one aborts before
anything is written), then write them all in one transaction, and say which were written and
which skipped as unchanged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import duckdb

from aicensus.warehouse import LocationRows, load
from aicensus.warehouse.loading import Loader, LoadResult

Progress = Callable[[str, int, int], None]  # (what just finished, how many so far, total)
Finish = Callable[[LocationRows], LocationRows]  # completes a parsed location before writing


class Keyed(Protocol):
    """A selected file (or pair of files) with the key it is loaded under."""

    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=Keyed)


@dataclass
class FilesLoadSummary:
    """What a load of several files did: how many were selected, which keys were written and
    which skipped as unchanged (each load's summary adds its own counts)."""

    files: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def took(self, result: LoadResult) -> None:
        """Record what the load transaction wrote and skipped."""
        self.written = result.written
        self.unchanged = result.unchanged


def parse_each(
    files: Sequence[K],
    parse: Callable[[K], LocationRows],
    progress: Progress | None = None,
    finish: Finish | None = None,
) -> list[LocationRows]:
    """Every file parsed (and completed by `finish`, an online load's URL and resume rows),
    reporting progress by key; nothing is written yet."""
    parsed = []
    for i, f in enumerate(files, 1):
        rows = parse(f)
        parsed.append(finish(rows) if finish else rows)
        if progress:
            progress(f.key, i, len(files))
    return parsed


def write_all(
    con: duckdb.DuckDBPyConnection,
    source: str,
    parser_version: str,
    parsed: list[LocationRows],
    count: Callable[[LocationRows], None],
    also: Callable[[Loader], None] | None = None,
) -> LoadResult:
    """Write parsed locations in one transaction, `count(rows)` after each is added and
    `also(loader)` after all of them (in the same transaction)."""
    with load(con, source, parser_version) as loader:
        for rows in parsed:
            loader.add(rows)
            count(rows)
        if also is not None:
            also(loader)
    return loader.result
