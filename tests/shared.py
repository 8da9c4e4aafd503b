"""Expensive test state built once per test run, however many xdist workers ask: the first
caller builds it under a file lock in the run's temp folder (shared by every worker); the
others wait for it and reuse it. Callers that may write (the measure cache, a second load)
take their own copy, so the built original stays as it was built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parents[1]


def shared_root(factory: pytest.TempPathFactory) -> Path:
    """The temp folder every worker of this run sees (the worker's own one without xdist)."""
    base = factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built-once"
    root.mkdir(exist_ok=True)
    return root


def built(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The path `name` after `build(path)` wrote it, built by the first caller of the run. A
    build that raises leaves nothing behind (the next caller tries again)."""
    path = shared_root(factory) / name
    with FileLock(f"{path}.lock"):
        if not path.exists():
            scratch = path.with_name(f"{name}.building")
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.unlink(missing_ok=True)
            build(scratch)
            scratch.rename(path)
    return path


def copy_of(path: Path, into: Path) -> Path:
    """A copy of a built file or folder under `into` (tests that write get their own)."""
    into.mkdir(parents=True, exist_ok=True)
    target = into / path.name
    if path.is_dir():
        shutil.copytree(path, target, symlinks=True)
    else:
        shutil.copyfile(path, target)
    return target


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """This worker's own copy of the file `name` built once per run by `build(path)`."""
    return copy_of(built(factory, name, build), factory.mktemp(Path(name).stem))


@dataclass(frozen=True)
class FullRun:
    """`aicensus run` from an empty warehouse on the bundled data, as a user runs it: the
    folder (w.duckdb, report.html), the exit code and what the command printed."""

    folder: Path
    returncode: int
    output: str

    @property
    def db(self) -> Path:
        return self.folder / "w.duckdb"

    @property
    def report(self) -> Path:
        return self.folder / "report.html"


def aicensus(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess:
    """`python -m aicensus ARGS` in a fresh process (no stdin), its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "aicensus", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def full_run_build(data_root: Path) -> Callable[[Path], None]:
    """The builder of the full run's folder: `python -m aicensus --db ... --data ... run` in a
    fresh process, the user's AICENSUS_/HF_/OPENALEX_ settings left out; the exit code and
    output are kept beside the warehouse (a failed run fails every test that uses it)."""

    def build(folder: Path) -> None:
        folder.mkdir()
        own = ("AICENSUS_", "HF_", "OPENALEX_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
        args = ["--db", str(folder / "w.duckdb"), "--data", str(data_root), "run"]
        proc = aicensus([*args, "--output", str(folder / "report.html")], REPO, env, 3600)
        result = {"returncode": proc.returncode, "output": proc.stdout + proc.stderr}
        (folder / "run.json").write_text(json.dumps(result))

    return build


def full_run(factory: pytest.TempPathFactory, data_root: Path) -> FullRun:
    """The full run, built once per test run (read it only: copy_of it to write)."""
    folder = built(factory, "full-run", full_run_build(data_root))
    result = json.loads((folder / "run.json").read_text())
    return FullRun(folder, result["returncode"], result["output"])
