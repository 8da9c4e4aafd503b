"""OpenAlex country counts at full scale without a snapshot: one `group_by=authorships.countries`
request per (AI definition, publication year) for full counting, and a stated random sample of
works (`sample=N&seed=S`, basic paging) per definition-year for fractional counting.

Each definition-year is one warehouse location written in one transaction, so a stopped run
keeps what it stored and the next run fetches only what is missing (a definition-year already
stored is not asked again unless `refresh`). Sampled works go through the same works parser as
every other OpenAlex load; `openalex_samples` records which works the sample drew, in order.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import duckdb
import orjson
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.ingest.openalex_pull import fetch_group_by
from aicensus.sources.openalex import api
from aicensus.sources.openalex import normalize as nz
from aicensus.warehouse import LocationRows, load

GROUP_BY = "authorships.countries"
MAX_SAMPLE = 10_000  # the API's limit on `sample`

SAMPLE_SCHEMA = pa.schema(
    [
        ("definition", pa.string()),
        ("year", pa.int32()),
        ("filter", pa.string()),
        ("sample_size", pa.int32()),
        ("seed", pa.int32()),
        ("position", pa.int32()),
        ("work_id", pa.string()),
        ("meta_count", pa.int64()),
    ]
)


def year_expression(filter_expr: str, year: int) -> str:
    """The filter of one definition-year: `publication_year:Y,<definition filter>`."""
    return f"publication_year:{year},{filter_expr}"


def stored_count_years(con: duckdb.DuckDBPyConnection, definition: str) -> set[int]:
    """Years whose group_by counts for this definition are stored (a location per year, also
    when the year has no matching work and so no group row)."""
    rows = con.execute(
        "SELECT key FROM loads WHERE source = ? AND key LIKE ?",
        [nz.SOURCE, f"counts/{definition}/%"],
    ).fetchall()
    return {int(r[0].split("/")[2]) for r in rows}


def fetch_counts(
    con: duckdb.DuckDBPyConnection,
    client: api.Client,
    definition: str,
    filter_expr: str,
    years: list[int],
    refresh: bool = False,
) -> list[int]:
    """Fetch and store the group_by counts of the years not stored yet; returns those years."""
    have = set() if refresh else stored_count_years(con, definition)
    todo = [y for y in years if y not in have]
    for y in todo:
        fetch_group_by(con, client, year_expression(filter_expr, y), GROUP_BY, definition, y)
    return todo


def stored_sample(
    con: duckdb.DuckDBPyConnection, definition: str, year: int, n: int, seed: int
) -> bool:
    row = con.execute(
        "SELECT count(*) FROM openalex_samples WHERE definition = ? AND year = ? "
        "AND sample_size = ? AND seed = ?",
        [definition, year, n, seed],
    ).fetchone()
    return bool(row and row[0])


def fetch_sample(
    con: duckdb.DuckDBPyConnection,
    client: api.Client,
    definition: str,
    filter_expr: str,
    year: int,
    n: int,
    seed: int,
) -> int:
    """Fetch the works of `sample=n&seed=seed` for one definition-year (pages of up to 200,
    basic paging as the API requires for samples), normalize them with the works parser and
    store them with their sample membership in one transaction. Returns works drawn."""
    if not 1 <= n <= MAX_SAMPLE:
        raise SourceError(f"sample size {n} is out of range (OpenAlex allows 1..{MAX_SAMPLE})")
    expr = year_expression(filter_expr, year)
    per = min(api.PER_PAGE, n)
    results: list[dict] = []
    h = hashlib.sha256()
    first_url, meta_count, page = "", None, 1
    while len(results) < n:
        r = client.get(
            "works",
            {"filter": expr, "sample": n, "seed": seed, "per_page": per, "page": page,
             "select": ",".join(api.WORK_SELECT)},
        )  # fmt: skip
        first_url = first_url or r.url
        h.update(r.body)
        meta_count = (r.doc.get("meta") or {}).get("count", meta_count)
        got = r.doc.get("results") or []
        results.extend(got)
        if len(got) < per:
            break
        page += 1
    results = results[:n]
    norm = nz.normalize_works(results, first_url)
    ids = [nz.short_id(w.get("id")) if isinstance(w, dict) else None for w in results]
    rows = [
        dict(definition=definition, year=year, filter=expr, sample_size=n, seed=seed,
             position=i, work_id=wid, meta_count=meta_count)
        for i, wid in enumerate(ids, 1)
        if wid
    ]  # fmt: skip
    tables = dict(norm.tables())
    tables["openalex_samples"] = pa.Table.from_pylist(rows, SAMPLE_SCHEMA)
    notes = {**norm.summary_notes(), "sampled": len(rows)}
    key = (
        f"sample/{definition}/{year}/n{n}-seed{seed}/"
        + hashlib.sha256(orjson.dumps([expr, n, seed])).hexdigest()[:12]
    )
    with load(con, nz.SOURCE, nz.PARSER_VERSION) as loader:
        loader.add(
            LocationRows(
                key=key,
                location=first_url,
                content_hash=h.hexdigest(),
                retrieved_at=datetime.now(UTC),
                tables=tables,
                notes=notes,
            )
        )
    return len(rows)
