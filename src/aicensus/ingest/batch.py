"""What the loads of several files share: parse every file first (so a bad one aborts before
anything is written), then write them all in one transaction, and say which were written and
which skipped as unchanged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import duckdb

from aicensus.orgs import Registry
from aicensus.warehouse import LocationRows, load
from aicensus.warehouse.loading import Loader, LoadResult

if TYPE_CHECKING:
    from aicensus.geo.affiliations.resolver import Resolver

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
    which skipped as unchanged, rows quarantined and the parsers' notes (each load's summary
    adds its own counts)."""

    files: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    quarantined: int = 0
    notes: Counter[str] = field(default_factory=Counter)

    def took(self, result: LoadResult) -> None:
        """Record what the load transaction wrote and skipped."""
        self.written = result.written
        self.unchanged = result.unchanged

    def add(self, rows: LocationRows, *own: str) -> None:
        """Count a written location's quarantined rows and its notes, but for the `own` ones
        (those the load counts in fields of its own)."""
        self.quarantined += rows.rows_quarantined
        self.notes.update({k: v for k, v in rows.notes.items() if k not in own})


@dataclass
class LocationLoadSummary:
    """What a load of one location did: whether it was written (not unchanged), rows
    quarantined and the parser's other notes (each load's summary adds its own counts)."""

    location: str
    written: bool = False
    quarantined: int = 0
    notes: dict[str, int] = field(default_factory=dict)


def registry_version(parser_version: str, registry: Registry) -> str:
    """The parser version a load of organization-matched rows is stored under: a registry
    change re-matches organizations on the next load."""
    return f"{parser_version}+orgs.{registry.content_hash[:12]}"


def write_one(
    con: duckdb.DuckDBPyConnection, source: str, parser_version: str, rows: LocationRows
) -> bool:
    """Write one parsed location in its own transaction; whether it was written (False:
    content and parser unchanged)."""
    with load(con, source, parser_version) as loader:
        loader.add(rows)
    return bool(loader.result.written)


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


S = TypeVar("S", bound=FilesLoadSummary)


@dataclass(frozen=True)
class ResolvedFiles(Generic[K, S]):
    """A source of venue-year files whose countries the affiliation resolver infers: how its
    files are found (with discovery notes), parsed, summarized and counted."""

    source: str
    parser_version: str
    discover: Callable[[str, Iterable[str] | None, Iterable[int] | None], tuple[list[K], list[str]]]
    parse: Callable[[K, Resolver], LocationRows]
    summary: Callable[[list[K], list[str]], S]  # the summary of the selected files, empty
    count: Callable[[S, LocationRows], None]  # after each location is written


def load_resolved(
    kind: ResolvedFiles[K, S],
    con: duckdb.DuckDBPyConnection,
    location: str,
    resolver: Resolver,
    venues: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    progress: Progress | None = None,
    files: list[K] | None = None,
    finish: Finish | None = None,
) -> S:
    """Parse and resolve the selected files of `kind` (those under `location`, or `files`: an
    online load's downloaded ones, each completed by `finish`), then write them in one
    transaction."""
    files, notes = (files, []) if files is not None else kind.discover(location, venues, years)
    summary = kind.summary(files, notes)
    parsed = parse_each(files, lambda f: kind.parse(f, resolver), progress, finish)
    written = write_all(
        con, kind.source, kind.parser_version, parsed, lambda rows: kind.count(summary, rows)
    )
    summary.took(written)
    return summary
