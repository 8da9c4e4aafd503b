"""Local or downloaded OpenAlex files: JSON Lines of works (`works.jsonl.gz`), saved API list
responses (`{"meta", "results", "group_by"}`), JSON arrays of works, and institutions JSON Lines.

Each file is one warehouse location keyed `file/<name>`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from aicensus.errors import SourceError
from aicensus.sources.fetch import read_location
from aicensus.sources.openalex import normalize as nz
from aicensus.sources.openalex.stream import LineStream
from aicensus.warehouse import LocationRows

_JSONL = (".jsonl", ".jsonl.gz", ".ndjson", ".gz")


def file_key(location: str) -> str:
    return "file/" + location.rstrip("/").rsplit("/", 1)[-1]


def is_jsonl(location: str) -> bool:
    return location.endswith(_JSONL) and not location.endswith(".json.gz")


def _read_lines(
    location: str, norm: nz.WorkNormalizer | nz.InstitutionNormalizer, key: str | None
) -> LocationRows:
    """Stream a JSON Lines file through one normalizer into one location's rows."""
    stream = LineStream(location)
    for no, line in enumerate(stream.lines(), start=1):
        norm.add_line(line, no)
    return LocationRows(
        key=key or file_key(location),
        location=location,
        content_hash=stream.content_hash,
        retrieved_at=datetime.now(UTC),
        tables=norm.tables(),
        notes=norm.summary_notes(),
    )


def read_works_file(location: str, key: str | None = None) -> LocationRows:
    """A works JSON Lines file (streamed) or a JSON page/array/single work."""
    if is_jsonl(location):
        return _read_lines(location, nz.WorkNormalizer(location), key)
    fetched = read_location(location)
    try:
        doc = orjson.loads(fetched.content)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{location}: malformed JSON ({exc})") from None
    if isinstance(doc, dict) and "results" in doc:
        records = doc["results"]
        if not isinstance(records, list):
            raise SourceError(f"{location}: 'results' is not a list")
    elif isinstance(doc, list):
        records = doc
    elif isinstance(doc, dict) and "id" in doc:
        records = [doc]
    else:
        raise SourceError(f"{location}: expected an API page, a list of works or one work")
    norm = nz.normalize_works(records, location)
    return LocationRows(
        key=key or file_key(location),
        location=location,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables=norm.tables(),
        notes=norm.summary_notes(),
    )


def read_institutions_file(location: str, key: str | None = None) -> LocationRows:
    """Institution records as JSON Lines (snapshot or saved API results)."""
    return _read_lines(location, nz.InstitutionNormalizer(location), key)


def works_files(location: str) -> list[str]:
    """One file, or every works file in a directory (JSON Lines and saved pages)."""
    path = Path(location)
    if path.is_dir():
        files = sorted(
            str(f)
            for f in path.iterdir()
            if f.is_file() and (f.suffix in (".json", ".gz", ".jsonl"))
        )
        if not files:
            raise SourceError(f"{location}: no .json/.jsonl(.gz) files here")
        return files
    return [location]
