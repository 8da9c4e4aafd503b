"""Reference records for the affiliation resolver: ROR organization records (schema v1 and v2)
and OpenAlex institutions, one JSON object per line (gzip detected from the content)."""

from __future__ import annotations

from pathlib import Path

import orjson

from aicensus.errors import SourceError
from aicensus.sources.fetch import read_location


def read_jsonl(location: str | Path) -> list[dict]:
    """Every JSON object of a JSONL(.gz) location; a bad line is one error naming file and line."""
    content = read_location(str(location)).content
    out: list[dict] = []
    for no, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise SourceError(f"{location}:{no}: not JSON ({exc})") from None
        if not isinstance(rec, dict):
            raise SourceError(f"{location}:{no}: expected a JSON object, got {type(rec).__name__}")
        out.append(rec)
    return out
