"""Load arena leaderboard files into the warehouse: parse every file first, then write all of
them in one transaction (unchanged files are skipped, so reloading changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from aicensus.ingest.batch import FilesLoadSummary, registry_version, write_all
from aicensus.ingest.orgs import ensure_registry, match_orgs
from aicensus.orgs import Registry
from aicensus.sources import arenas
from aicensus.warehouse import LocationRows
from aicensus.warehouse.loading import Loader


@dataclass
class ArenaLoadSummary(FilesLoadSummary):
    """What an arena load did, for the CLI and tests."""

    snapshots: int = 0
    entries: int = 0
    rejected: dict[str, str] = field(default_factory=dict)  # file -> reason (nothing parsed)


def load_arenas(
    con: duckdb.DuckDBPyConnection,
    locations: list[str],
    preset: str | None = None,
    registry: Registry | None = None,
) -> ArenaLoadSummary:
    """Load every leaderboard file under `locations` (files, directories or URLs)."""
    registry = registry or Registry.load()
    files = [f for loc in locations for f in arenas.discover(loc)]
    parsed = [
        match_orgs(arenas.read(f, preset), registry, "board_entries", arenas.SOURCE, True)
        for f in files
    ]
    return write_parsed(con, parsed, registry, ArenaLoadSummary(files=len(files)))


def write_parsed(
    con: duckdb.DuckDBPyConnection,
    parsed: list[LocationRows],
    registry: Registry,
    summary: ArenaLoadSummary,
    also: Callable[[Loader], None] | None = None,
) -> ArenaLoadSummary:
    """Write parsed (org-matched) leaderboard files in one transaction; `also(loader)` runs in
    the same transaction after them (an online load's resume rows)."""
    ensure_registry(con, registry)
    version = registry_version(arenas.PARSER_VERSION, registry)

    def count(rows: LocationRows) -> None:
        n = rows.tables["board_entries"].num_rows
        summary.snapshots += rows.tables["board_snapshots"].num_rows
        summary.entries += n
        summary.add(rows, "records", "snapshots", "entries")
        if n == 0 and rows.rows_quarantined:
            summary.rejected[rows.location] = rows.tables["quarantine"]["reason"][0].as_py()

    summary.took(write_all(con, arenas.SOURCE, version, parsed, count, also))
    return summary
