"""Load Paper Copilot's OpenReview author files and paper lists (one transaction for all)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from aicensus.ingest.batch import FilesLoadSummary, ResolvedFiles, load_resolved
from aicensus.sources import openreview_authors as ora
from aicensus.warehouse import LocationRows


@dataclass
class OpenReviewLoadSummary(FilesLoadSummary):
    """What a load did: venue-years, papers and author records loaded, join rules, notes."""

    papers: int = 0
    author_records: int = 0


def _count(summary: OpenReviewLoadSummary, rows: LocationRows) -> None:
    works = rows.tables.get("works")
    summary.papers += 0 if works is None else works.num_rows
    summary.author_records += rows.notes.get("author records", 0)
    summary.add(rows)


OPENREVIEW: ResolvedFiles[ora.VenueYearFiles, OpenReviewLoadSummary] = ResolvedFiles(
    ora.SOURCE,
    ora.PARSER_VERSION,
    discover=lambda location, venues, years: (ora.discover(location, venues, years), []),
    parse=ora.parse,
    summary=lambda files, notes: OpenReviewLoadSummary(files=len(files)),
    count=_count,
)
# load_openreview(con, location, resolver, venues, years, progress, files, finish): parse,
# resolve and join the selected venue-years, then write them in one transaction.
load_openreview = functools.partial(load_resolved, OPENREVIEW)
