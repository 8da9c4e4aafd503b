"""Models created on the Hugging Face Hub week by week in 2025 (../shared/data/
hf_added_models_2025): the weekly CSV parsed by DuckDB's CSV reader, no per-row Python.

Rules (SOURCE.md): header `week_end_mmdd_2025,model_id,type,base_model`; the week is kept as its
last day (`0319` -> 2025-03-19); `type` is the relation to the base model (finetune, adapter,
quantized, merge; empty = no base model); a merge's comma-separated parents are split into one
link each, in the order written, repeats (case-insensitive) dropped. A model listed in several
weekly files (ids compared case-insensitively, as the Hub does) counts once, at its earliest
week (file order breaks a tie); the later listings stay in the table flagged
`first_listing = FALSE`. Rows that do not fit (wrong column count, unreadable week, an id that is
not `namespace/name`, an unknown type, a type without a base model or the reverse) are
quarantined with their line and reason.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.warehouse.tables import quarantine_row

PARSER_VERSION = "hub_added.1"
SOURCE = "hf_added_models_2025"
YEAR = 2025
HEADER = ("week_end_mmdd_2025", "model_id", "type", "base_model")
RELATIONS = ("finetune", "adapter", "quantized", "merge")
_ID = r"[^/\s,]+/[^/\s,]+"  # a Hub model id: namespace/name, no spaces or commas

MODELS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("record_no", pa.int32()),
        ("week_end", pa.date32()),
        ("model_id", pa.string()),
        ("namespace", pa.string()),
        ("relation", pa.string()),
        ("base_model", pa.string()),
        ("n_parents", pa.int32()),
        ("first_listing", pa.bool_()),
    ]
)
LINKS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("model_id", pa.string()),
        ("parent_id", pa.string()),
        ("position", pa.int32()),
        ("parent_in_file", pa.bool_()),
    ]
)

_CHECKS = f"""
CREATE TEMP TABLE rows AS
SELECT k, line, w, mid, rel, base,
    CASE
        WHEN w IS NULL OR NOT regexp_full_match(w, '[0-9]{{4}}')
             OR try_strptime('{YEAR}' || w, '%Y%m%d') IS NULL
            THEN 'week_end_mmdd_2025 is not a date MMDD of {YEAR}: ' || coalesce(w, '(empty)')
        WHEN mid IS NULL OR NOT regexp_full_match(mid, '{_ID}')
            THEN 'model_id is not namespace/name: ' || coalesce(mid, '(empty)')
        WHEN rel IS NOT NULL AND rel NOT IN {RELATIONS!r}
            THEN 'type is not one of {", ".join(RELATIONS)} or empty: ' || rel
        WHEN rel IS NULL AND base IS NOT NULL THEN 'base_model without a type'
        WHEN rel IS NOT NULL AND base IS NULL THEN 'type ' || rel || ' without a base_model'
        WHEN base IS NOT NULL AND NOT list_bool_and(list_transform(string_split(base, ','),
                 lambda p: regexp_full_match(trim(p), '{_ID}')))
            THEN 'base_model names an id that is not namespace/name: ' || base
    END AS problem
FROM (
    SELECT k, line, nullif(trim(week_end_mmdd_2025), '') AS w, nullif(trim(model_id), '') AS mid,
           nullif(trim("type"), '') AS rel, nullif(trim(base_model), '') AS base
    FROM raw
)
"""

_MODELS = f"""
CREATE TEMP TABLE good AS
SELECT k, line, strptime('{YEAR}' || w, '%Y%m%d')::DATE AS week_end, mid AS model_id,
       split_part(mid, '/', 1) AS namespace, rel AS relation, base AS base_model,
       row_number() OVER (PARTITION BY lower(mid) ORDER BY w, k) = 1 AS first_listing
FROM rows WHERE problem IS NULL;
CREATE TEMP TABLE links AS
WITH split AS (
    SELECT g.model_id, trim(p.parent) AS parent_id, p.pos
    FROM good g, LATERAL (
        SELECT unnest(string_split(g.base_model, ',')) AS parent,
               generate_subscripts(string_split(g.base_model, ','), 1) AS pos
    ) p
    WHERE g.first_listing AND g.base_model IS NOT NULL
), firsts AS (
    SELECT model_id, parent_id, pos,
           row_number() OVER (PARTITION BY model_id, lower(parent_id) ORDER BY pos) AS r
    FROM split
)
SELECT model_id, parent_id,
       (row_number() OVER (PARTITION BY model_id ORDER BY pos) - 1)::INTEGER AS position,
       lower(parent_id) IN (SELECT lower(model_id) FROM good) AS parent_in_file
FROM firsts WHERE r = 1
"""


@dataclass
class Parsed:
    """The listings and links of one weekly CSV, plus the quarantine rows."""

    models: pa.Table
    links: pa.Table
    quarantine: list[dict]


def _check_header(content: bytes, location: str) -> None:
    first = content[:4096].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip()
    got = tuple(c.strip().strip('"') for c in first.split(","))
    if got != HEADER:
        raise SourceError(
            f"{location}: not the weekly added-models CSV (header {first[:120]!r}, expected "
            f"{','.join(HEADER)})"
        )


def _lines(n_rows: int, rejected: list[int]) -> np.ndarray:
    """CSV line of each accepted row (header = line 1): the lines left once the rejected ones
    are taken out, in order (a record spanning several lines would shift these; the file has
    none)."""
    every = np.arange(2, n_rows + len(rejected) + 2, dtype=np.int64)
    keep = np.ones(len(every), dtype=bool)
    keep[np.asarray(rejected, dtype=np.int64) - 2] = False
    return every[keep][:n_rows]


def parse(content: bytes, location: str, source: str = SOURCE) -> Parsed:
    """Parse the weekly CSV's bytes (already decompressed) into listings and links."""
    _check_header(content, location)
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in HEADER) + "}"
    with tempfile.TemporaryDirectory(prefix="aicensus-hub-added-") as tmp:
        path = Path(tmp) / "added.csv"
        path.write_bytes(content)
        con = duckdb.connect()
        try:
            con.execute("SET threads = 1; SET preserve_insertion_order = true")
            try:
                con.execute(
                    "CREATE TEMP TABLE raw0 AS SELECT * FROM read_csv(?, header = true, "
                    "delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
                    f"store_rejects = true, columns = {columns})",
                    [str(path)],
                )
            except duckdb.Error as exc:
                msg = str(exc).splitlines()[0]
                raise SourceError(f"{location}: unreadable CSV ({msg})") from None
            rejects = con.execute(
                "SELECT line, error_type::VARCHAR, csv_line FROM reject_errors ORDER BY line"
            ).fetchall()
            n = con.execute("SELECT count(*) FROM raw0").fetchall()[0][0]
            lines = _lines(n, sorted({int(r[0]) for r in rejects}))
            con.register("line_no", pa.table({"line": pa.array(lines, pa.int64())}))
            con.execute(
                "CREATE TEMP TABLE raw AS SELECT r.*, l.line FROM "
                "(SELECT row_number() OVER () AS k, * FROM raw0) r "
                "JOIN (SELECT row_number() OVER () AS k, line FROM line_no) l USING (k)"
            )
            con.execute(_CHECKS)
            con.execute(_MODELS)
            quarantine = [
                quarantine_row(source, location, int(line), None, f"csv: {kind.lower()}", raw)
                for line, kind, raw in rejects
            ]
            bad = con.execute(
                "SELECT line, mid, problem, concat_ws(',', w, mid, rel, base) FROM rows "
                "WHERE problem IS NOT NULL ORDER BY line"
            ).fetchall()
            quarantine += [quarantine_row(source, location, int(a), b, c, d) for a, b, c, d in bad]
            models = con.sql(
                f"SELECT '{source}' AS source, line::INTEGER AS record_no, week_end, model_id, "
                "namespace, relation, base_model, coalesce(len(list_distinct(list_transform("
                "string_split(base_model, ','), lambda p: lower(trim(p))))), 0)::INTEGER AS "
                "n_parents, first_listing FROM good ORDER BY line"
            ).to_arrow_table()
            links = con.sql(
                f"SELECT '{source}' AS source, model_id, parent_id, position, parent_in_file "
                "FROM links ORDER BY model_id, position"
            ).to_arrow_table()
        finally:
            con.close()
    return Parsed(models.cast(MODELS_SCHEMA), links.cast(LINKS_SCHEMA), quarantine)
