"""Load Paper Copilot files into the warehouse: fetch and parse every selected file first, then
write all of them in one transaction (a bad file aborts before anything is written)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import httpx

from aicensus.errors import SourceError
from aicensus.sources import paperlists as pl
from aicensus.warehouse import LocationRows, load

Progress = Callable[[str, int, int], None]  # (what just finished, how many so far, total)


@dataclass
class PaperlistsLoadSummary:
    """What a paperlists load did, for the CLI and tests."""

    files: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    records: int = 0
    loaded: int = 0
    quarantined: int = 0
    notes: Counter[str] = field(default_factory=Counter)
    discover_notes: list[str] = field(default_factory=list)


def load_paperlists(
    con: duckdb.DuckDBPyConnection,
    location: str,
    venues: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    progress: Progress | None = None,
    workers: int = 4,
) -> PaperlistsLoadSummary:
    """Load the selected venue-years from `location` (directory, file, or URL pattern)."""
    files, notes = pl.discover(location, venues, years)
    summary = PaperlistsLoadSummary(files=len(files), discover_notes=notes)
    parsed: list[LocationRows] = []
    pattern = "{venue}" in location
    with httpx.Client(timeout=60.0, follow_redirects=True) as client:

        def one(vy: pl.VenueYear) -> LocationRows | None:
            try:
                return pl.read(vy, client=client)
            except pl.NotFound:
                if pattern:  # a URL pattern probes venue-years that may not exist upstream
                    return None
                raise

        # Threads overlap network waits. Local files parse in this process: worker processes
        # were measured slower here (2 cores; pickling the parsed tables back costs more
        # than the parallel parse saves).
        with ThreadPoolExecutor(max_workers=workers if pattern else 1) as pool:
            for i, (vy, rows) in enumerate(zip(files, pool.map(one, files), strict=True), 1):
                if rows is None:
                    summary.not_found.append(vy.key)
                else:
                    parsed.append(rows)
                if progress:
                    progress(vy.key, i, len(files))
    if not parsed:
        raise SourceError(f"{location}: none of the selected venue-years could be found")
    with load(con, pl.SOURCE, pl.PARSER_VERSION) as loader:
        for rows in parsed:
            loader.add(rows)
            summary.records += rows.notes.get("records", 0)
            summary.loaded += rows.rows_loaded
            summary.quarantined += rows.rows_quarantined
            summary.notes.update({k: v for k, v in rows.notes.items() if k != "records"})
    summary.written = loader.result.written
    summary.unchanged = loader.result.unchanged
    return summary
