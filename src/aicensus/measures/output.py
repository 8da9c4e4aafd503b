"""Write a measure result as csv, json or parquet (the table plus, for json, its metadata)."""

from __future__ import annotations

import json
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
    if fmt == "parquet":
        if output is None:
            raise AicensusError("--format parquet needs --output FILE")
        table = pa.Table.from_pandas(result.table, preserve_index=False)
        meta = {
            b"aicensus": json.dumps(
                {"measure": result.name, "meta": result.meta}, default=str
            ).encode()
        }
        pq.write_table(
            table.replace_schema_metadata({**(table.schema.metadata or {}), **meta}), output
        )
        return None
    text = result.table.to_csv(index=False) if fmt == "csv" else result.to_json()
    if output is not None:
        output.write_text(text)
        return None
    return text
