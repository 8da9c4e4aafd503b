"""Load Paper Copilot's OpenReview author files and paper lists (one transaction for all)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from aicensus.geo.affiliations.resolver import Resolver
from aicensus.ingest.paperlists import Finish, Progress
from aicensus.sources import openreview_authors as ora
from aicensus.warehouse import load


@dataclass
class OpenReviewLoadSummary:
    """What a load did: venue-years, papers and author records loaded, join rules, notes."""

    files: int = 0
    papers: int = 0
    author_records: int = 0
    quarantined: int = 0
    notes: Counter[str] = field(default_factory=Counter)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def load_openreview(
    con: duckdb.DuckDBPyConnection,
    location: str,
    resolver: Resolver,
    venues: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    progress: Progress | None = None,
    files: list[ora.VenueYearFiles] | None = None,
    finish: Finish | None = None,
) -> OpenReviewLoadSummary:
    """Parse, resolve and join the selected venue-years, then write them in one transaction
    (`files` and `finish` as in load_paperlists: an online load's downloaded files)."""
    files = files if files is not None else ora.discover(location, venues, years)
    summary = OpenReviewLoadSummary(files=len(files))
    parsed = []
    for i, vy in enumerate(files, 1):
        rows = ora.parse(vy, resolver)
        parsed.append(finish(rows) if finish else rows)
        if progress:
            progress(vy.key, i, len(files))
    with load(con, ora.SOURCE, ora.PARSER_VERSION) as loader:
        for rows in parsed:
            loader.add(rows)
            works = rows.tables.get("works")
            summary.papers += 0 if works is None else works.num_rows
            summary.author_records += rows.notes.get("author records", 0)
            summary.quarantined += rows.rows_quarantined
            summary.notes.update(rows.notes)
    summary.written = loader.result.written
    summary.unchanged = loader.result.unchanged
    return summary
