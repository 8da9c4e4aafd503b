"""Load OpenAlex into the warehouse: saved files, snapshot partitions (incremental) and merged ids.

Each file or partition is its own location and transaction, so memory stays bounded by one
partition and an interrupted snapshot load resumes at the next unloaded partition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb

from aicensus.errors import AicensusError
from aicensus.sources.openalex import files, snapshot
from aicensus.sources.openalex.normalize import PARSER_VERSION, SOURCE
from aicensus.warehouse import LocationRows, load

Progress = Callable[[str, int, int], None]  # (key just finished, done, total)


@dataclass
class OpenAlexLoadSummary:
    """What an OpenAlex load did, for the CLI and tests."""

    locations: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already loaded (incremental)
    records: int = 0
    loaded: int = 0  # works (institution records count in `institutions`)
    institutions: int = 0
    quarantined: int = 0
    merged_files: int = 0
    notes: Counter[str] = field(default_factory=Counter)

    def add(self, rows: LocationRows, written: bool) -> None:
        (self.written if written else self.unchanged).append(rows.key)
        self.records += rows.notes.get("records", 0)
        works = rows.tables.get("works")
        if works is not None:
            self.loaded += works.num_rows
        else:  # an institutions file or partition
            self.institutions += rows.rows_loaded
        self.quarantined += rows.rows_quarantined
        self.notes.update({k: v for k, v in rows.notes.items() if k != "records"})


def write(con: duckdb.DuckDBPyConnection, rows: LocationRows, summary: OpenAlexLoadSummary) -> None:
    """One location in one transaction."""
    with load(con, SOURCE, PARSER_VERSION) as loader:
        loader.add(rows)
    summary.add(rows, bool(loader.result.written))


def load_files(
    con: duckdb.DuckDBPyConnection,
    location: str,
    entity: str = "works",
    progress: Progress | None = None,
) -> OpenAlexLoadSummary:
    """Load works files (JSON Lines, saved API pages, arrays) or an institutions JSON Lines file."""
    paths = files.works_files(location)
    summary = OpenAlexLoadSummary(locations=len(paths))
    for i, path in enumerate(paths, 1):
        with _committed(i - 1, len(paths)):
            read = files.read_works_file if entity == "works" else files.read_institutions_file
            rows = read(path)
            write(con, rows, summary)
        if progress:
            progress(rows.key, i, len(paths))
    return summary


@contextmanager
def _committed(done: int, total: int) -> Iterator[None]:
    """An error while reading or writing one location also says how many of this run's
    locations were committed before it (each is its own transaction, so they stay loaded)."""
    try:
        yield
    except AicensusError as exc:
        if total < 2:
            raise
        then = "; a re-run resumes after them" if done else ""
        msg = f"{exc} ({done} of {total} location(s) committed before this error{then})"
        raise type(exc)(msg) from None


def loaded_snapshot_keys(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT key FROM loads WHERE source = ? AND key LIKE 'snapshot/%'", [SOURCE]
    ).fetchall()
    return {r[0] for r in rows}


def load_snapshot(
    con: duckdb.DuckDBPyConnection,
    root: str,
    entities: tuple[str, ...] = ("works",),
    progress: Progress | None = None,
    full: bool = False,
) -> OpenAlexLoadSummary:
    """Load the partitions of `root` not loaded yet (all of them with `full`), then merged ids.

    A partition already in `loads` is skipped without being read (a snapshot partition never
    changes once published); `full` re-reads every partition (unchanged ones are still skipped
    by content hash).
    """
    done = set() if full else loaded_snapshot_keys(con)
    todo: list = []
    summary = OpenAlexLoadSummary()
    for entity in entities:
        for part in snapshot.discover(root, entity):
            (summary.skipped.append(part.key) if part.key in done else todo.append(part))
        for merged in snapshot.discover_merged(root, entity):
            (summary.skipped.append(merged.key) if merged.key in done else todo.append(merged))
    summary.locations = len(todo) + len(summary.skipped)
    for i, item in enumerate(todo, 1):
        with _committed(i - 1, len(todo)):
            if isinstance(item, snapshot.MergedFile):
                rows = snapshot.read_merged(item)
                summary.merged_files += 1
            else:
                rows = snapshot.read_partition(item)
            write(con, rows, summary)
        if progress:
            progress(item.key, i, len(todo))
    return summary
