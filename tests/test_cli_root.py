"""The root command: `--db`, `--data` and `--wait` accepted before or after the sub-command,
help output without stray markup or `<bool>` metavars, and `--source` checked for paper
measures (issue 17, items 20 and 21)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from aicensus.cli.main import ROOT_OPTIONS, app
from aicensus.errors import MeasureError
from aicensus.ingest.paperlists import load_paperlists
from aicensus.measures.papers import PAPER_SOURCES, PaperQuery
from aicensus.sources import openreview_authors, paperlists, paperlists_affonly
from aicensus.sources.openalex import normalize
from aicensus.warehouse import connect
from tests.test_bad_input import assert_one_line_error
from tests.test_warehouse_robustness import hold, release


@pytest.fixture(scope="module")
def db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """IJCAI 2024 loaded (read-only for these tests)."""
    path = tmp_path_factory.mktemp("root") / "w.duckdb"
    con = connect(path)
    load_paperlists(con, str(data_root / "paperlists"), ["ijcai"], [2024])
    con.close()
    return path


def aicensus(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m aicensus ARGS` with no root options added (the test places them)."""
    return subprocess.run(
        [sys.executable, "-m", "aicensus", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def commands() -> Iterator[tuple[list[str], Any]]:
    """Every command and group of the CLI (Typer's own Click classes) with its path of names
    (the root's is [])."""
    stack: list[tuple[list[str], Any]] = [([], typer.main.get_command(app))]
    while stack:
        path, cmd = stack.pop()
        yield path, cmd
        stack.extend(([*path, name], sub) for name, sub in getattr(cmd, "commands", {}).items())


# -- item 20: root options anywhere ---------------------------------------------------------


def test_db_after_the_subcommand_is_the_same_as_before(db):
    before = aicensus("--db", str(db), "status")
    after = aicensus("status", "--db", str(db))
    assert before.returncode == 0, before.stderr
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout and "paperlists" in after.stdout


def test_db_equals_form_between_subcommand_options(db):
    share = ("papers", "share", "--venues", "ijcai", "--format", "csv")
    before = aicensus("--db", str(db), *share)
    after = aicensus(*share[:4], f"--db={db}", *share[4:])
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout != ""


def test_data_after_the_subcommand_sets_the_data_root(data_root, tmp_path):
    """With AICENSUS_DATA pointing nowhere, `--data` after the sub-command must win."""
    env = {**os.environ, "AICENSUS_DATA": str(tmp_path / "nowhere")}
    db = tmp_path / "w.duckdb"
    load = ("load", "paperlists", "--venues", "ijcai", "--years", "2024")
    nowhere = aicensus("--db", str(db), *load, env=env)
    assert nowhere.returncode == 1 and "nowhere" in nowhere.stderr, nowhere.stderr
    proc = aicensus(*load, "--data", str(data_root), "--db", str(db), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "1 written" in proc.stdout and "1,048 records" in proc.stdout


def test_wait_after_the_subcommand_reaches_the_open(db, tmp_path):
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(db.read_bytes())
    holder = hold(copy)
    try:
        proc = aicensus("status", "--wait", "1", "--db", str(copy))
        assert_one_line_error(proc, f"in use by PID {holder.pid}", "gave up after waiting 1 s")
    finally:
        release(holder)


def test_root_option_after_the_subcommand_is_validated_by_the_root(db):
    proc = aicensus("status", "--db", str(db), "--wait", "-1")
    assert proc.returncode == 2 and "Invalid value for '--wait'" in proc.stderr


def test_root_option_without_its_value_is_a_usage_error(db):
    proc = aicensus("status", "--db")
    assert proc.returncode == 2 and "Option '--db' requires an argument" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_subcommand_defines_a_root_option():
    """Lifting the root options out of the argument list must never take a sub-command's own."""
    subs = [(path, cmd) for path, cmd in commands() if path]
    assert len(subs) > 40
    for path, cmd in subs:
        opts = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
        assert not opts & set(ROOT_OPTIONS), (path, opts & set(ROOT_OPTIONS))


# -- item 21: help output -------------------------------------------------------------------


def test_no_bool_metavar_in_any_help():
    runner = CliRunner()
    seen = 0
    for path, _cmd in commands():
        result = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, (path, result.output)
        assert "--help" in result.output
        seen += 1
    assert seen > 40  # every group and command was visited


def test_engine_help_keeps_the_spark_section_name():
    result = CliRunner().invoke(app, ["papers", "share", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "AICENSUS_SPARK_MASTER or [spark] master" in text


# -- item 21: --source for paper measures ---------------------------------------------------


def test_paper_sources_are_the_sources_that_load_papers():
    assert set(PAPER_SOURCES) == {
        paperlists.SOURCE,
        paperlists_affonly.SOURCE,
        openreview_authors.SOURCE,
        normalize.SOURCE,
    }


def test_unknown_paper_source_names_the_valid_ones():
    with pytest.raises(MeasureError) as exc:
        PaperQuery(source="bogus").checked()
    msg = str(exc.value)
    assert "'bogus'" in msg and all(s in msg for s in PAPER_SOURCES)
    for s in PAPER_SOURCES:
        PaperQuery(source=s).checked()


def test_unknown_paper_source_at_the_cli(db):
    proc = aicensus("--db", str(db), "papers", "share", "--source", "bogus")
    assert_one_line_error(proc, "unknown source 'bogus'", *PAPER_SOURCES)
