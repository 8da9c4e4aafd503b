"""Arrow schemas of the warehouse tables that several sources write (one definition each).

Sources write the columns they have: a source extends a base schema with its own columns
(`extend(AFFILIATIONS, ...)`) or selects a subset; column order is the tuple order its rows use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyarrow as pa

QUARANTINE = pa.schema(
    [
        ("source", pa.string()),
        ("location", pa.string()),
        ("record_id", pa.string()),
        ("record_no", pa.int32()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)

# Columns of `works` every paper source fills, first (identity) and as the counting block.
WORK_IDENTITY = [
    ("work_id", pa.string()),
    ("source", pa.string()),
    ("venue", pa.string()),
    ("year", pa.int32()),
    ("source_record_id", pa.string()),
    ("record_no", pa.int32()),
    ("title", pa.string()),
]
WORK_COUNTING = [
    ("has_country_table", pa.bool_()),
    ("aligned", pa.bool_()),
    ("realigned", pa.bool_()),
    ("citations", pa.int64()),
    ("citation_source", pa.string()),
]
# `authorships`: one row per author in byline order; sources add their own columns.
AUTHORSHIPS = pa.schema(
    [
        ("work_id", pa.string()),
        ("position", pa.int32()),
        ("author_name", pa.string()),
        ("raw_affiliation", pa.string()),
    ]
)

AFFILIATIONS = pa.schema(
    [
        ("work_id", pa.string()),
        ("layout", pa.string()),
        ("slot", pa.int32()),
        ("seq", pa.int32()),
        ("author_position", pa.int32()),
        ("author_position_realigned", pa.int32()),
        ("institution_id", pa.string()),
        ("institution_name", pa.string()),
        ("country_source_name", pa.string()),
        ("country_source", pa.string()),
        ("country", pa.string()),
        ("country_rule", pa.string()),
    ]
)

INSTITUTIONS = pa.schema(
    [
        ("institution_id", pa.string()),
        ("name", pa.string()),
        ("url", pa.string()),
        ("ror", pa.string()),
        ("country", pa.string()),
        ("n_rows", pa.int64()),
    ]
)


def extend(base: pa.Schema, *fields: tuple[str, pa.DataType]) -> pa.Schema:
    """`base` followed by a source's own columns."""
    return pa.schema([*base, *fields])


RAW_LIMIT = 2000  # characters of the offending record kept in quarantine


def quarantine_row(
    source: str,
    location: str,
    record_no: int | None,
    record_id: str | None,
    reason: str,
    raw: object,
) -> dict:
    """One quarantine row: the one builder every source and pipeline uses, so each row names
    its source, location, record and reason alike (the raw record cut at RAW_LIMIT)."""
    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
    return {
        "source": source,
        "location": location,
        "record_id": record_id,
        "record_no": record_no,
        "reason": reason,
        "raw": text[:RAW_LIMIT],
    }


def quarantine_table(
    source: str, location: str, problems: Iterable[tuple[int | None, str | None, str, object]]
) -> pa.Table:
    """Quarantine rows of one location from (record_no, record_id, reason, raw) tuples."""
    return rows_table([quarantine_row(source, location, *p) for p in problems])


def rows_table(rows: list[dict], schema: pa.Schema = QUARANTINE) -> pa.Table:
    """Rows built by quarantine_row (from several locations) as one Arrow table."""
    return pa.Table.from_pylist(rows, schema)
