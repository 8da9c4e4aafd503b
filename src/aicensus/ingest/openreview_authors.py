"""Load Paper Copilot's OpenReview author files and paper lists (one transaction for all)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from aicensus.geo.affiliations.resolver import Resolver
from aicensus.ingest.batch import FilesLoadSummary, Finish, Progress, parse_each, write_all
from aicensus.sources import openreview_authors as ora
from aicensus.warehouse import LocationRows


@dataclass
class OpenReviewLoadSummary(FilesLoadSummary):
    """What a load did: venue-years, papers and author records loaded, join rules, notes."""

    papers: int = 0
    author_records: int = 0
    quarantined: int = 0
    notes: Counter[str] = field(default_factory=Counter)


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
    parsed = parse_each(files, lambda vy: ora.parse(vy, resolver), progress, finish)

    def count(rows: LocationRows) -> None:
        works = rows.tables.get("works")
        summary.papers += 0 if works is None else works.num_rows
        summary.author_records += rows.notes.get("author records", 0)
        summary.quarantined += rows.rows_quarantined
        summary.notes.update(rows.notes)

    summary.took(write_all(con, ora.SOURCE, ora.PARSER_VERSION, parsed, count))
    return summary
