"""Load Paper Copilot files into the warehouse: fetch files (a few threads, a bounded number
ahead), parse them in batches in DuckDB, and write all of them in one transaction (a bad file
aborts before anything is committed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import httpx

from aicensus.errors import SourceError
from aicensus.sources import paperlists as pl
from aicensus.sources.fetch import Fetched, is_url, read_location
from aicensus.warehouse import LocationRows, load

Progress = Callable[[str, int, int], None]  # (what just finished, how many so far, total)

# Decompressed JSON per parse batch: large enough that DuckDB's per-statement cost is small,
# small enough to bound memory (all 246 local files hold 280 MB).
BATCH_BYTES = 48_000_000


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
    remote = is_url(location) and not location.startswith("file:")
    with (
        httpx.Client(timeout=60.0, follow_redirects=True) as client,
        # Threads, not processes: reading is gunzip + sha256 (both release the GIL) or network
        # waits, and a killed load leaves no worker behind.
        ThreadPoolExecutor(max_workers=workers if remote else 2) as pool,
        pl.Parser() as parser,
        load(con, pl.SOURCE, pl.PARSER_VERSION) as loader,
    ):

        def fetch(vy: pl.VenueYear) -> Fetched | None:
            try:
                return read_location(vy.location, client=client)
            except pl.NotFound:
                if pattern:  # a URL pattern probes venue-years that may not exist upstream
                    return None
                raise

        done = 0
        for batch, missing in _batches(files, _ahead(pool, fetch, files, 2 * workers)):
            # Each parsed batch goes into the open transaction as it arrives; any error (a bad
            # file) rolls the whole load back.
            summary.not_found.extend(vy.key for vy in missing)
            for rows in parser.parse(batch):
                loader.add(rows)
                _count(summary, rows)
            done += len(batch) + len(missing)
            if progress:
                progress((batch or [(missing[-1], None)])[-1][0].key, done, len(files))
        if not loader.result.written and not loader.result.unchanged:
            raise SourceError(f"{location}: none of the selected venue-years could be found")
    summary.written = loader.result.written
    summary.unchanged = loader.result.unchanged
    return summary


def _count(summary: PaperlistsLoadSummary, rows: LocationRows) -> None:
    summary.records += rows.notes.get("records", 0)
    summary.loaded += rows.rows_loaded
    summary.quarantined += rows.rows_quarantined
    summary.notes.update({k: v for k, v in rows.notes.items() if k != "records"})


def _ahead(
    pool: ThreadPoolExecutor,
    fn: Callable[[pl.VenueYear], Fetched | None],
    items: list[pl.VenueYear],
    ahead: int,
) -> Iterator[Fetched | None]:
    """`fn` over `items` in order, at most `ahead` running or waiting (bounded memory)."""
    pending: list[Future] = []
    it = iter(items)
    for vy in it:
        pending.append(pool.submit(fn, vy))
        if len(pending) >= ahead:
            break
    while pending:
        result = pending.pop(0).result()
        nxt = next(it, None)
        if nxt is not None:
            pending.append(pool.submit(fn, nxt))
        yield result


def _batches(
    files: list[pl.VenueYear], fetched: Iterator[Fetched | None]
) -> Iterator[tuple[list[tuple[pl.VenueYear, Fetched]], list[pl.VenueYear]]]:
    """Group fetched files into parse batches of about BATCH_BYTES (and the files not found)."""
    batch: list[tuple[pl.VenueYear, Fetched]] = []
    missing: list[pl.VenueYear] = []
    size = 0
    for vy, f in zip(files, fetched, strict=True):
        if f is None:
            missing.append(vy)
            continue
        batch.append((vy, f))
        size += len(f.content)
        if size >= BATCH_BYTES:
            yield batch, missing
            batch, missing, size = [], [], 0
    if batch or missing:
        yield batch, missing
