"""Shared fixtures: the real data root (../shared/data or AICENSUS_DATA) and a warehouse with
every Paper Copilot file loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from aicensus.ingest.paperlists import load_paperlists
from aicensus.warehouse import connect

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("AICENSUS_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not (DATA / "paperlists").is_dir():
        pytest.fail(f"real data not found at {DATA} (set AICENSUS_DATA)")
    return DATA


@pytest.fixture(scope="session")
def paperlists_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a warehouse holding all 246 paperlists files (built once, read-only after)."""
    path = tmp_path_factory.mktemp("wh") / "paperlists.duckdb"
    con = connect(path)
    load_paperlists(con, str(data_root / "paperlists"))
    con.close()
    return path


@pytest.fixture()
def paperlists_con(paperlists_db: Path):
    con = duckdb.connect(str(paperlists_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def claims_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with paperlists, Epoch notable models and every leaderboard loaded (what
    `aicensus run` loads), for the claim checks."""
    from aicensus.ingest.arenas import load_arenas
    from aicensus.ingest.epoch import load_epoch

    path = tmp_path_factory.mktemp("wh") / "claims.duckdb"
    con = connect(path)
    load_paperlists(con, str(data_root / "paperlists"))
    load_epoch(con, str(data_root / "epoch_notable_models" / "notable_ai_models.csv"))
    load_arenas(con, [str(data_root / "arena_text_history"), str(data_root / "arena_video")])
    con.close()
    return path


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory):
    """One SparkSession for the whole test session (local[2], 4 shuffle partitions, no UI)."""
    if os.environ.get("CI"):  # CI installs the extra: a missing pyspark is a failure there
        import pyspark  # noqa: F401
    pytest.importorskip("pyspark", reason="install the 'spark' extra (scripts/setup.sh)")
    from aicensus.engines.spark import SparkEngine

    export = tmp_path_factory.mktemp("spark_export")
    return SparkEngine({"master": "local[2]", "export_dir": str(export)})


@pytest.fixture(scope="session")
def github_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the GitHub keyword rankings and Epoch notable models loaded (the
    registry-models definition reads Epoch's model names), built once."""
    from aicensus.ingest.epoch import load_epoch
    from aicensus.ingest.github import load_github

    path = tmp_path_factory.mktemp("wh") / "github.duckdb"
    con = connect(path)
    load_epoch(con, str(data_root / "epoch_notable_models" / "notable_ai_models.csv"))
    load_github(con, str(data_root / "github_rankings" / "ai_keyword_lists"))
    con.close()
    return path
