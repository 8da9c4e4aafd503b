"""One definition, two engines, beyond papers: every model, leaderboard and Hub measure gives
the same table on DuckDB and on Spark (local mode) for the real Epoch, arena and Hub files,
under each counting, attribution and weighting choice."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from aicensus.ingest.arenas import load_arenas
from aicensus.ingest.epoch import load_epoch
from aicensus.ingest.hub import load_hub_dumps
from aicensus.measures import boards as bm
from aicensus.measures import hub as hm
from aicensus.measures import models as mm
from aicensus.warehouse import connect
from tests.compare import both, same

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]  # one SparkSession


@pytest.fixture(scope="module")
def db(data_root: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spark_models") / "models.duckdb"
    c = connect(path)
    load_epoch(c, str(data_root / "epoch_notable_models" / "notable_ai_models.csv"))
    load_arenas(c, [str(data_root / "arena_text_history"), str(data_root / "arena_video")])
    load_hub_dumps(c, str(data_root / "hf_models_api"))
    load_hub_dumps(c, str(data_root / "hf_models_table"))
    c.close()
    return path


@pytest.fixture(scope="module")
def con(db: Path):
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def check(fn, con, spark_engine, *args, **kw):
    """The measure on both engines: same table, engine named in the metadata."""
    d, s = both(fn, con, args[0], spark_engine, *args[1:], **kw)
    assert len(d.table) > 0, f"{fn.__name__} {args}: empty (a vacuous comparison)"
    same(d.table, s.table, f"{fn.__module__}.{fn.__name__} {args} {kw}")
    return d


@pytest.mark.parametrize("subset", mm.SUBSETS)
@pytest.mark.parametrize("method", mm.METHODS)
def test_models_count(con, spark_engine, subset, method):
    check(mm.count, con, spark_engine, mm.ModelQuery(subset=subset, method=method))


@pytest.mark.parametrize(
    "q",
    [
        mm.ModelQuery(by="org", orgs="rollup", attribution="hq-rollup", per="all"),
        mm.ModelQuery(by="org", orgs="raw", attribution="source"),
        mm.ModelQuery(attribution="hq", method="fractional", per="all"),
    ],
    ids=["org-rollup", "org-raw", "hq-fractional"],
)
def test_models_count_choices(con, spark_engine, q):
    check(mm.count, con, spark_engine, q)


def test_models_organizations_compute_concentration(con, spark_engine):
    check(mm.organizations, con, spark_engine, mm.ModelQuery(attribution="hq"))
    d = check(mm.compute, con, spark_engine, mm.ModelQuery(subset="frontier"))
    assert d.meta["compute_known"] > 0
    for orgs in ("registry", "rollup"):
        check(mm.concentration, con, spark_engine, mm.ModelQuery(orgs=orgs, per="all"))


def test_boards(con, spark_engine):
    boards = [r[0] for r in con.execute("SELECT DISTINCT board FROM board_snapshots").fetchall()]
    assert len(boards) >= 2
    for board in boards:
        for attribution in bm.ATTRIBUTIONS:
            q = bm.BoardQuery(board=board, attribution=attribution)
            check(bm.standing, con, spark_engine, q)
        q = bm.BoardQuery(board=board, orgs="rollup")
        check(bm.entries, con, spark_engine, q)
        check(bm.concentration, con, spark_engine, q)
        check(bm.gap, con, spark_engine, q)


@pytest.mark.parametrize("weight", hm.WEIGHTS)
def test_hub(con, spark_engine, weight):
    for by in hm.BY:
        for attribution in hm.ATTRIBUTIONS:
            q = hm.HubQuery(by=by, weight=weight, attribution=attribution)
            check(hm.share, con, spark_engine, q)
    q = hm.HubQuery(weight=weight)
    check(hm.top_families, con, spark_engine, q)
    check(hm.concentration, con, spark_engine, q)
    snaps = hm.snapshots(con)["snapshot"].tolist()
    check(hm.change, con, spark_engine, q, snaps[0], snaps[-1])


@pytest.mark.parametrize(
    "args",
    [
        ["models", "count", "--subset", "frontier", "--top", "0"],
        ["board", "standing", "--board", "text-to-video"],
        ["hub", "share", "--by", "org", "--weight", "downloads"],
    ],
    ids=["models", "board", "hub"],
)
def test_cli_engine_option(db, spark_engine, args):
    """`--engine spark` on the model, board and Hub commands gives the DuckDB rows."""
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from aicensus.cli.main import app

    rows = {}
    for engine in ("duckdb", "spark"):
        cmd = ["--db", str(db), *args, "--engine", engine, "--format", "json"]
        result = CliRunner().invoke(app, cmd)
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output)
        assert doc["meta"]["engine"] == engine
        rows[engine] = pd.DataFrame(doc["rows"])
    assert len(rows["duckdb"]) > 0
    same(rows["duckdb"], rows["spark"], " ".join(args))
