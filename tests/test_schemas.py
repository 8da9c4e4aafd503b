"""Every Arrow schema a source or pipeline writes is checked against the warehouse tables the
SQL migrations create: each column exists there with the same DuckDB type. The migrations are
the one definition; a schema that drifts from them fails here, not in a user's load."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from aicensus.warehouse import connect

# (module, attribute, warehouse table or None when the attribute maps table -> schema)
DECLARED = [
    ("aicensus.warehouse.tables", "QUARANTINE", "quarantine"),
    ("aicensus.warehouse.tables", "AFFILIATIONS", "affiliations"),
    ("aicensus.warehouse.tables", "INSTITUTIONS", "institutions"),
    ("aicensus.warehouse.tables", "AUTHORSHIPS", "authorships"),
    ("aicensus.sources.paperlists", "_SCHEMAS", None),
    ("aicensus.warehouse.resume", "SCHEMA", "resume_points"),
    ("aicensus.sources.epoch", "MODELS_SCHEMA", "models"),
    ("aicensus.sources.epoch", "MODEL_ORGS_SCHEMA", "model_orgs"),
    ("aicensus.sources.epoch", "MODEL_COUNTRIES_SCHEMA", "model_countries"),
    ("aicensus.sources.arenas", "SNAPSHOT_SCHEMA", "board_snapshots"),
    ("aicensus.sources.arenas", "ENTRY_SCHEMA", "board_entries"),
    ("aicensus.sources.github", "SNAPSHOTS_SCHEMA", "github_snapshots"),
    ("aicensus.sources.github", "LIST_DAYS_SCHEMA", "github_list_days"),
    ("aicensus.sources.github", "REPOS_SCHEMA", "github_repos"),
    ("aicensus.sources.openalex.normalize", "SCHEMAS", None),
    ("aicensus.sources.paperlists_affonly", "_AFF_SCHEMA", "affiliations"),
    ("aicensus.sources.openreview_authors", "SCHEMAS", None),
    ("aicensus.sources.openreview_authors", "AUTHORS_SCHEMA", "openreview_authors"),
    ("aicensus.sources.openreview_authors", "RECORD_AFF_SCHEMA", "openreview_affiliations"),
    ("aicensus.sources.openreview_authors", "JOINS_SCHEMA", "openreview_joins"),
    ("aicensus.ingest.openalex_pull", "_GROUP_SCHEMA", "group_by_counts"),
    ("aicensus.ingest.openalex_counts", "SAMPLE_SCHEMA", "openalex_samples"),
    ("aicensus.ingest.spark", "MERGED_SCHEMA", "merged_ids"),
    ("aicensus.sources.openalex.snapshot", "MERGED_IDS", "merged_ids"),
    ("aicensus.ingest.spark", "LOADS_SCHEMA", "loads"),
    ("aicensus.sources.hub_added", "MODELS_SCHEMA", "hub_added_models"),
    ("aicensus.sources.hub_added", "LINKS_SCHEMA", "hub_added_links"),
]
NOT_TABLES = {("aicensus.ingest.spark", "_PAYLOAD")}  # Spark's worker exchange, never stored
# Columns the Spark ingest's Parquet `loads` keeps beyond the warehouse's (per-partition record
# counts against the manifest, for its own completeness check).
EXTRA = {("aicensus.ingest.spark.LOADS_SCHEMA", "loads"): {"records", "manifest_count"}}


def _declared() -> list[tuple[str, str, pa.Schema]]:
    out = []
    for module, attr, table in DECLARED:
        value = getattr(importlib.import_module(module), attr)
        items = value.items() if table is None else [(table, value)]
        out += [(f"{module}.{attr}", t, s) for t, s in items]
    return out


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    c = connect(Path(tmp_path_factory.mktemp("schemas")) / "w.duckdb")
    yield c
    c.close()


def _warehouse_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
        [table],
    ).fetchall()
    return dict(rows)


@pytest.mark.parametrize(("where", "table", "schema"), _declared(), ids=lambda x: str(x)[:40])
def test_declared_schema_matches_migrations(con, where, table, schema):
    have = _warehouse_types(con, table)
    assert have, f"{where}: no warehouse table {table!r}"
    empty = pa.Table.from_batches([], schema)  # noqa: F841 (DuckDB names the Arrow types)
    arrow_types = {r[0]: r[1] for r in duckdb.sql("DESCRIBE SELECT * FROM empty").fetchall()}
    for column, typ in arrow_types.items():
        if column in EXTRA.get((where, table), ()):
            continue
        assert column in have, f"{where}: column {column!r} not in warehouse table {table!r}"
        assert have[column] == typ, f"{where}: {table}.{column} is {have[column]}, Arrow {typ}"


def test_every_declared_schema_is_listed():
    """Catches a new module-level schema that this test does not know about."""
    listed = {(m, a) for m, a, _ in DECLARED}
    package = Path(importlib.import_module("aicensus").__file__).parent
    found = set()
    for path in package.rglob("*.py"):
        mod = ".".join(path.with_suffix("").relative_to(package.parent).parts)
        for line in path.read_text().splitlines():
            name = line.split(" = pa.schema(")[0]
            if line.startswith(f"{name} = pa.schema(") and name.isupper():
                found.add((mod, name))
    assert found, "no module-level schema found: the scan is broken"
    assert found - NOT_TABLES <= listed, (
        f"schemas not checked against the migrations: {found - NOT_TABLES - listed}"
    )
