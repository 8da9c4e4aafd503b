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
def spark_engine(tmp_path_factory: pytest.TempPathFactory):
    """One SparkSession for the whole test session (local[2], 4 shuffle partitions, no UI)."""
    pytest.importorskip("pyspark", reason="install the 'spark' extra (scripts/setup.sh)")
    from aicensus.engines.spark import SparkEngine

    export = tmp_path_factory.mktemp("spark_export")
    return SparkEngine({"master": "local[2]", "export_dir": str(export)})
