"""Shared fixtures: the real data root (../shared/data or AICENSUS_DATA) and the expensive
warehouses (every Paper Copilot file; what `aicensus run` builds), each built once per test run
however many xdist workers ask (tests/shared.py), and the tests grouped so that each module's
fixtures, the SparkSession and the affiliation resolver are built on one worker (GROUPS)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from aicensus.ingest.paperlists import load_paperlists
from aicensus.warehouse import connect
from tests import shared
from tests.shared import FullRun, built, built_once

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("AICENSUS_DATA", REPO.parent / "shared" / "data"))

# Under `--dist loadgroup` (scripts/test.sh) a test without a group may run on either worker,
# so a module-scoped fixture would be built on both: every test gets a group, its module, or
# the group of the per-worker fixture it uses, so that fixture is built once per run.
GROUPS = {"spark_engine": "spark", "affiliation_resolver": "resolver", "full_run": "full-run"}


# The order groups are handed to the workers (scripts/test.sh turns off xdist's reordering by
# test count): the longest first. The full run's build and second run take one worker while the
# other takes the Spark and resolver groups; the README commands (their own group: they only
# copy the full run's folder) come next, when the full run is built; then the slowest modules.
FIRST = (
    "full-run",
    "spark",
    "resolver",
    "readme",
    "tests/test_run_online.py",
    "tests/test_measures_filters.py",
    "tests/test_warehouse_robustness.py",
    "tests/test_measures_determinism.py",
    "tests/test_openalex_api.py",
    "tests/test_resolver_kept.py",
    "tests/test_claims_check.py",
    "tests/test_report.py",
)


def group_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    if mark is None:
        return None
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist, the groups in FIRST first, in that order (the others keep theirs); a run
    without workers keeps every module's tests together."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rank = {g: i for i, g in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(group_of(item) or "", len(FIRST)))


def pytest_itemcollected(item: pytest.Item) -> None:
    """Give the test its group as it is collected (xdist reads groups on collection end)."""
    if item.get_closest_marker("xdist_group"):
        return
    names = getattr(item, "fixturenames", ())
    group = next((g for f, g in GROUPS.items() if f in names), item.nodeid.split("::")[0])
    item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not (DATA / "paperlists").is_dir():
        pytest.fail(f"real data not found at {DATA} (set AICENSUS_DATA)")
    return DATA


def _paperlists(data_root: Path) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        con = connect(path)
        load_paperlists(con, str(data_root / "paperlists"))
        con.close()

    return build


@pytest.fixture(scope="session")
def paperlists_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a warehouse holding all 246 paperlists files (this worker's copy)."""
    return built_once(tmp_path_factory, "paperlists.duckdb", _paperlists(data_root))


@pytest.fixture(scope="session")
def full_run(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> FullRun:
    """`aicensus run` on the bundled data from an empty warehouse, once per test run (the
    README's main job): tests read it, or write to a copy (tests.shared.copy_of)."""
    return shared.full_run(tmp_path_factory, data_root)


@pytest.fixture(scope="session")
def affiliation_resolver(data_root: Path):
    """The default affiliation resolver (ROR + OpenAlex + paperlists pairs), built once per
    worker (about a minute): its tests are grouped on one worker (GROUPS)."""
    from aicensus.config import load_settings
    from aicensus.ingest.affiliations.build import default_resolver

    return default_resolver(load_settings(data_root=data_root))


@pytest.fixture()
def paperlists_con(paperlists_db: Path):
    con = duckdb.connect(str(paperlists_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def claims_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with paperlists, Epoch notable models and every leaderboard loaded (what
    `aicensus run` loads), for the claim checks (this worker's copy)."""
    from aicensus.ingest.arenas import load_arenas
    from aicensus.ingest.epoch import load_epoch

    def build(path: Path) -> None:
        # the paperlists load first, as built for paperlists_db (untouched by tests)
        first = built(tmp_path_factory, "paperlists.duckdb", _paperlists(data_root))
        path.write_bytes(first.read_bytes())
        con = connect(path)
        load_epoch(con, str(data_root / "epoch_notable_models" / "notable_ai_models.csv"))
        load_arenas(con, [str(data_root / "arena_text_history"), str(data_root / "arena_video")])
        con.close()

    return built_once(tmp_path_factory, "claims.duckdb", build)


@pytest.fixture(scope="session")
def hub_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with both Hugging Face Hub dumps (the 2022 API listing and the 2024 top
    downloads table) loaded, this worker's copy."""
    from aicensus.ingest.hub import load_hub_dumps

    def build(path: Path) -> None:
        con = connect(path)
        load_hub_dumps(con, str(data_root / "hf_models_api"))
        load_hub_dumps(con, str(data_root / "hf_models_table"))
        con.close()

    return built_once(tmp_path_factory, "hub.duckdb", build)


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
    registry-models definition reads Epoch's model names), this worker's copy."""
    from aicensus.ingest.epoch import load_epoch
    from aicensus.ingest.github import load_github

    def build(path: Path) -> None:
        con = connect(path)
        load_epoch(con, str(data_root / "epoch_notable_models" / "notable_ai_models.csv"))
        load_github(con, str(data_root / "github_rankings" / "ai_keyword_lists"))
        con.close()

    return built_once(tmp_path_factory, "github.duckdb", build)
