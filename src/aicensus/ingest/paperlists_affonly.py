"""Load `paperlists_affonly` files with inferred countries (one transaction for all files)."""

from __future__ import annotations

import functools

from aicensus.ingest.batch import ResolvedFiles, load_resolved
from aicensus.ingest.paperlists import PaperlistsLoadSummary
from aicensus.sources import paperlists as pl
from aicensus.sources import paperlists_affonly as pa_
from aicensus.sources.fetch import read_location
from aicensus.warehouse import LocationRows


def _count(summary: PaperlistsLoadSummary, rows: LocationRows) -> None:
    summary.records += rows.notes.get("records", 0)
    summary.loaded += rows.rows_loaded
    summary.add(rows, "records")


AFFONLY: ResolvedFiles[pl.VenueYear, PaperlistsLoadSummary] = ResolvedFiles(
    pa_.SOURCE,
    pa_.PARSER_VERSION,
    discover=pl.discover,
    parse=lambda vy, resolver: pa_.parse_file(vy, read_location(vy.location), resolver),
    summary=lambda files, notes: PaperlistsLoadSummary(files=len(files), discover_notes=notes),
    count=_count,
)
# load_affonly(con, location, resolver, venues, years, progress, files, finish): parse and
# resolve the selected files, then write them in one transaction.
load_affonly = functools.partial(load_resolved, AFFONLY)
