"""Load Paper Copilot files into the warehouse: fetch and parse every selected file first, then
write all of them in one transaction (a bad file aborts before anything is written)."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import httpx

from aicensus.errors import SourceError
from aicensus.sources import paperlists as pl
from aicensus.sources.fetch import is_url
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
    pattern = "{venue}" in location
    with (
        httpx.Client(timeout=60.0, follow_redirects=True) as client,
        _pool(location, len(files), workers) as pool,
        load(con, pl.SOURCE, pl.PARSER_VERSION) as loader,
    ):

        def one(vy: pl.VenueYear) -> LocationRows | None:
            try:
                return pl.read(vy, client=client)
            except pl.NotFound:
                if pattern:  # a URL pattern probes venue-years that may not exist upstream
                    return None
                raise

        if isinstance(pool, ProcessPoolExecutor):
            results = pool.map(_read_local, files, chunksize=4)
        else:
            results = pool.map(one, files)
        # Each parsed file goes into the open transaction as it arrives; any error (a bad
        # file) rolls the whole load back.
        for i, (vy, rows) in enumerate(zip(files, results, strict=True), 1):
            if rows is None:
                summary.not_found.append(vy.key)
            else:
                loader.add(rows)
                summary.records += rows.notes.get("records", 0)
                summary.loaded += rows.rows_loaded
                summary.quarantined += rows.rows_quarantined
                summary.notes.update({k: v for k, v in rows.notes.items() if k != "records"})
            if progress:
                progress(vy.key, i, len(files))
        if not loader.result.written and not loader.result.unchanged:
            raise SourceError(f"{location}: none of the selected venue-years could be found")
    summary.written = loader.result.written
    summary.unchanged = loader.result.unchanged
    return summary


def _read_local(vy: pl.VenueYear) -> LocationRows:
    """Worker-process entry: read and parse one local file."""
    return pl.read(vy)


def _pool(location: str, n_files: int, workers: int) -> Executor:
    """Threads for URLs (network waits); for local files, worker processes when there are
    several cores (parsing is CPU-bound Python: measured 5.8 s serial vs 2.8 s on 2 forked
    workers for all 246 files). fork, not spawn/forkserver: those re-import the caller's
    __main__; the children only parse, never touching the parent's DuckDB connection."""
    if is_url(location) and not location.startswith("file:"):
        return ThreadPoolExecutor(max_workers=workers)
    cores = os.cpu_count() or 1
    if cores < 2 or workers < 2 or n_files < 8:
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(
        max_workers=min(cores, workers), mp_context=multiprocessing.get_context("fork")
    )
