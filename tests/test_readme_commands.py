"""Every `aicensus ...` command line in README.md's bash code blocks runs as written (issue 17,
item 19): against a warehouse built once by `aicensus run` (conftest's full_run), each must
exit without a usage error (exit 2) and without a traceback, and with 0 unless EXPECTED_EXIT
says why not.

Network commands talk to the fake servers in tests/fakes/ on 127.0.0.1 (through the same
environment variables a user sets); paths that exist only on a real deployment are replaced by
local equivalents (LOCAL, each with its reason). Commands run as subprocesses, as a user runs
them (tests/test_bad_input.py's `cli`), in a scratch directory holding a link to claims/."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.hub_server import HubServer, read_records
from tests.fakes.openalex_server import FakeOpenAlex, load_records
from tests.shared import FullRun, aicensus, copy_of

# On one worker, apart from the full run's own tests: they only read a copy of its folder
# (conftest's FIRST schedules them once the full run is built).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("readme")]

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SPARK_OUT = "/mnt/aicensus/openalex"  # the README's Spark ingest output (also a --db)

# A non-zero exit a README command may end with, and why. Empty: every command exits 0.
EXPECTED_EXIT: dict[tuple[str, ...], tuple[int, str]] = {}


def readme_commands(text: str) -> list[list[str]]:
    """The argument lists after `aicensus` of every command line in the bash code blocks
    (continuation lines joined, shell comments dropped), in README order."""
    out = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            at = [i for i, w in enumerate(words) if w == "aicensus" or w.endswith("/aicensus")]
            if at:
                out.append(words[at[0] + 1 :])
    return out


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_the_readme_shows_commands():
    """The extraction itself: every command group the README documents is found."""
    groups = {c[0] if not c[0].startswith("--") else c[2] for c in COMMANDS}
    assert {"load", "papers", "models", "board", "openalex", "hub", "check"} <= groups
    assert len(COMMANDS) > 30


def local(args: list[str], data_root: Path, scratch: Path) -> list[str]:
    """The README command with deployment-only locations replaced by local equivalents."""
    sample = str(data_root / "openalex_works" / "snapshot_sample")
    swap = {
        # the official bucket: the same layout (manifest, updated_date= partitions) from the
        # bundled snapshot sample, so the test makes no request to S3
        "s3://openalex/data": sample,
        # a cluster's snapshot copy and the Spark ingest output: the sample and a scratch folder
        "/mnt/openalex/data": sample,
        SPARK_OUT: str(scratch / "spark_out"),
    }
    return [swap.get(a, a) for a in args]


def is_spark(args: list[str]) -> bool:
    return "snapshot-spark" in args or "spark" in args


@pytest.fixture(scope="module")
def fakes(data_root: Path) -> Iterator[dict[str, str]]:
    """The fake OpenAlex API and Hugging Face Hub serving the real bundled records; yields
    the environment that points aicensus at them (OPENALEX_BASE_URL, HF_ENDPOINT)."""
    works = data_root / "openalex_works"
    oa = FakeOpenAlex(
        load_records(works / "works.jsonl.gz"), load_records(works / "institutions.jsonl.gz")
    )
    hub_records = read_records(data_root / "hf_models_api" / "hf_models_api_2022-02.jsonl.gz")
    with oa, HubServer(hub_records) as hub:
        yield {"OPENALEX_BASE_URL": oa.url, "HF_ENDPOINT": hub.url}


@pytest.fixture(scope="module")
def scratch(
    data_root: Path, fakes: dict[str, str], full_run: FullRun, tmp_path_factory
) -> Iterator[tuple]:
    """A working directory (claims/ linked in) and the environment of every command; the
    warehouse is a copy of the one `aicensus run` (the README's main job) built from nothing
    (conftest's full_run, checked by tests/test_main_job.py)."""
    assert full_run.returncode == 0, full_run.output[-3000:]
    cwd = copy_of(full_run.folder, tmp_path_factory.mktemp("readme"))
    (cwd / "claims").symlink_to(REPO / "claims", target_is_directory=True)
    own = ("AICENSUS_", "HF_", "OPENALEX_")  # the user's settings, tokens and keys left out
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update(fakes)
    env.update(
        AICENSUS_DB=str(cwd / "w.duckdb"),
        AICENSUS_DATA=str(data_root),
        AICENSUS_SPARK_MASTER="local[2]",
    )
    yield cwd, env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return aicensus(args, cwd, env, timeout=1800)


def check(args: list[str], proc: subprocess.CompletedProcess) -> None:
    """No usage error, no traceback; exit 0 unless EXPECTED_EXIT names the exit and why."""
    said = f"$ aicensus {shlex.join(args)}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback (most recent call last)" not in proc.stdout + proc.stderr, said
    assert proc.returncode != 2, f"usage error:\n{said}"
    expected, _why = EXPECTED_EXIT.get(tuple(args), (0, ""))
    assert proc.returncode == expected, said


@pytest.fixture(scope="module")
def spark_ready() -> None:
    """Spark commands need the `spark` extra and Java (scripts/setup.sh installs both)."""
    pytest.importorskip("pyspark", reason="install the 'spark' extra (scripts/setup.sh)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java 17+ (scripts/setup.sh installs it)")


@pytest.fixture(scope="module")
def spark_ingested(spark_ready, scratch, data_root: Path) -> None:
    """The README's Spark ingest run once, so the Spark measure reading its output can run
    on its own too."""
    cwd, env = scratch
    (ingest,) = [c for c in COMMANDS if "snapshot-spark" in c]
    check(ingest, run(local(ingest, data_root, cwd), cwd, env))


@pytest.mark.parametrize(
    "args",
    [pytest.param(c, id=" ".join(c)) for c in COMMANDS if not is_spark(c)],
)
def test_readme_command(args: list[str], scratch, data_root: Path):
    cwd, env = scratch
    check(args, run(local(args, data_root, cwd), cwd, env))


@pytest.mark.parametrize(
    "args",
    [pytest.param(c, id=" ".join(c)) for c in COMMANDS if is_spark(c)],
)
def test_readme_spark_command(args: list[str], scratch, spark_ingested, data_root: Path):
    """The Scale section's commands (the ingest runs again: incremental, nothing to do)."""
    cwd, env = scratch
    check(args, run(local(args, data_root, cwd), cwd, env))
