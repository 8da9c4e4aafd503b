"""Load `paperlists_affonly` files with inferred countries (one transaction for all files)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from aicensus.geo.affiliations.resolver import Resolver
from aicensus.ingest.batch import Finish, Progress, parse_each, write_all
from aicensus.ingest.paperlists import PaperlistsLoadSummary
from aicensus.sources import paperlists as pl
from aicensus.sources import paperlists_affonly as pa_
from aicensus.sources.fetch import read_location
from aicensus.warehouse import LocationRows


def load_affonly(
    con: duckdb.DuckDBPyConnection,
    location: str,
    resolver: Resolver,
    venues: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    progress: Progress | None = None,
    files: list[pl.VenueYear] | None = None,
    finish: Finish | None = None,
) -> PaperlistsLoadSummary:
    """Parse and resolve the selected files, then write them in one transaction (`files` and
    `finish` as in load_paperlists: an online load's downloaded files)."""
    files, notes = (files, []) if files is not None else pl.discover(location, venues, years)
    summary = PaperlistsLoadSummary(files=len(files), discover_notes=notes)
    parsed = parse_each(
        files, lambda vy: pa_.parse_file(vy, read_location(vy.location), resolver), progress, finish
    )

    def count(rows: LocationRows) -> None:
        summary.records += rows.notes.get("records", 0)
        summary.loaded += rows.rows_loaded
        summary.quarantined += rows.rows_quarantined
        summary.notes.update({k: v for k, v in rows.notes.items() if k != "records"})

    summary.took(write_all(con, pa_.SOURCE, pa_.PARSER_VERSION, parsed, count))
    return summary
