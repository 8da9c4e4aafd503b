"""`works_current` has two definitions: the DuckDB view (schema SQL) and the Ibis expression
Spark runs (engines/views.py). They must give the same rows on real data with every case the
view handles: paperlists works, OpenAlex works repeated across partitions, a record older than
its copy, a merged-away work."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from aicensus.engines.views import works_current
from aicensus.ingest.openalex import load_snapshot
from aicensus.ingest.paperlists import load_paperlists
from aicensus.warehouse import connect
from tests.snapshots import build_snapshot, short


@pytest.fixture(scope="module")
def warehouse(data_root: Path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("views")
    case = build_snapshot(data_root / "openalex_works", tmp / "snapshot")
    con = connect(tmp / "w.duckdb")
    load_paperlists(con, str(data_root / "paperlists"), venues=["iclr"])
    load_snapshot(con, str(tmp / "snapshot"))
    yield con, case
    con.close()


def test_ibis_definition_equals_the_view(warehouse):
    con, case = warehouse
    expr = works_current(ibis.duckdb.from_connection(con))
    con.register("from_ibis", expr.to_pyarrow())
    cols = ", ".join(r[0] for r in con.execute("DESCRIBE works_current").fetchall())
    n_view = con.execute("SELECT count(*) FROM works_current").fetchone()[0]
    assert con.execute("SELECT count(*) FROM from_ibis").fetchone()[0] == n_view
    for a, b in (("works_current", "from_ibis"), ("from_ibis", "works_current")):
        diff = con.execute(f"SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}").fetchall()
        assert diff == []
    # The cases themselves (so the equality above is not between two wrong answers).
    n_oa = con.execute("SELECT count(*) FROM from_ibis WHERE source = 'openalex'").fetchone()[0]
    assert n_oa == case["records"]  # each real work once, the merged-away new one gone
    assert n_view - n_oa > 1000  # paperlists works pass through
    cited = dict(con.execute("SELECT work_id, citations FROM from_ibis").fetchall())
    assert cited[short(case["newer"])] == 99999
    assert cited[short(case["b"])] == case["b"]["cited_by_count"]
    assert short(case["new"]) not in cited
