"""Write a measure result as csv, json or parquet (the table plus, for json, its metadata)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from aicensus.errors import AicensusError
from aicensus.measures.base import MeasureResult

FORMATS = ("table", "csv", "json", "parquet")


def render(result: MeasureResult, fmt: str, output: Path | None) -> str | None:
    """Serialise `result`; write to `output` if given, else return the text (parquet needs a
    file). Metadata goes into the JSON document and into the Parquet schema metadata."""
    if fmt not in FORMATS:
        raise AicensusError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if output is not None:
        writable(output, "--output")
    if fmt == "parquet":
        if output is None:
            raise AicensusError("--format parquet needs --output FILE")
        table = pa.Table.from_pandas(result.table, preserve_index=False)
        meta = {
            b"aicensus": json.dumps(
                {"measure": result.name, "meta": result.meta}, default=str
            ).encode()
        }
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
        with writing(output, "--output"):
            pq.write_table(table, output)
        return None
    text = result.table.to_csv(index=False) if fmt == "csv" else result.to_json()
    if output is not None:
        with writing(output, "--output"):
            output.write_text(text)
        return None
    return text


def writable(path: Path, flag: str) -> None:
    """Raise AicensusError naming `path` when it cannot be written as a file (a directory, or
    under a directory that does not exist), before anything is written."""
    if path.is_dir():
        raise AicensusError(f"{flag} {path}: is a directory; give a file name")
    parent = path.parent
    if not parent.exists():
        raise AicensusError(f"{flag} {path}: directory {parent} does not exist")
    if not parent.is_dir():
        raise AicensusError(f"{flag} {path}: {parent} is not a directory")


@contextmanager
def writing(path: Path, flag: str) -> Iterator[None]:
    """Turn an OS error while writing `path` (permissions, full disk) into one line."""
    try:
        yield
    except OSError as exc:
        raise AicensusError(f"{flag} {path}: cannot write ({exc.strerror or exc})") from None
