"""Measure commands replayed from the warehouse: the same command on the same inputs prints what
it printed before, without computing (nor importing Ibis); anything that changes the output
(options, a load, a file to write) computes again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app
from aicensus.ingest.epoch import load_epoch
from aicensus.warehouse import connect

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def epoch_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "epoch.duckdb"
    con = connect(path)
    load_epoch(con, str(data_root / "epoch_notable_models" / "notable_ai_models.csv"))
    con.close()
    return path


@pytest.fixture()
def db(epoch_db: Path, tmp_path: Path) -> Path:
    """A fresh copy per test (tests write replay rows)."""
    path = tmp_path / "w.duckdb"
    shutil.copy(epoch_db, path)
    return path


def _rows(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT measure, meta FROM measure_cache WHERE measure LIKE 'cli %' ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return rows


def _invoke(db: Path, *args: str) -> str:
    result = runner.invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_second_run_prints_the_stored_output(db: Path) -> None:
    first = _invoke(db, "models", "count", "--years", "2024", "--format", "csv")
    assert first.splitlines()[0].startswith("year,country")
    assert [m for m, _ in _rows(db)] == ["cli models count"]
    # What is printed on a hit is the stored text: change it and the change is printed.
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE measure_cache SET table_ipc = ? WHERE measure = 'cli models count'",
        [b"stored,output\n"],
    )
    con.close()
    assert _invoke(db, "models", "count", "--years", "2024", "--format", "csv") == (
        "stored,output\n"
    )


def test_replay_equals_a_fresh_computation(db: Path) -> None:
    for args in (["--format", "csv"], ["--format", "json"], []):
        first = _invoke(db, "models", "count", "--years", "2023-2024", *args)
        again = _invoke(db, "models", "count", "--years", "2023-2024", *args)
        assert again == first
    assert len(_rows(db)) == 3  # one per format (the table, csv and json outputs differ)


def test_other_options_compute_their_own_result(db: Path) -> None:
    a = _invoke(db, "models", "count", "--years", "2024", "--format", "csv")
    b = _invoke(db, "models", "count", "--years", "2023", "--format", "csv")
    years = [{line.split(",")[0] for line in t.splitlines()[1:]} for t in (a, b)]
    assert years == [{"2024"}, {"2023"}]


def test_a_load_clears_the_stored_outputs(db: Path, data_root: Path) -> None:
    _invoke(db, "models", "count", "--years", "2024", "--format", "csv")
    assert _rows(db)
    con = connect(db)
    from aicensus.ingest.arenas import load_arenas

    load_arenas(con, [str(data_root / "arena_video")])
    con.close()
    assert _rows(db) == []


def test_commands_writing_files_are_not_replayed(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "count.csv"
    _invoke(db, "models", "count", "--years", "2024", "--format", "csv", "--output", str(out))
    assert out.read_text().startswith("year,country")
    assert _rows(db) == []


def test_a_locked_warehouse_is_read_and_nothing_is_stored(db: Path) -> None:
    holder = duckdb.connect(str(db), read_only=True)  # another reader: no write possible
    try:
        text = _invoke(db, "models", "count", "--years", "2024", "--format", "csv")
    finally:
        holder.close()
    assert text.startswith("year,country")


def test_a_hit_imports_no_pandas_arrow_or_ibis(db: Path) -> None:
    """The point of replaying: a repeated command does not load the computing libraries."""
    code = (
        "import sys\n"
        "from aicensus.cli.main import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in ('pandas', 'pyarrow', 'ibis') if m in sys.modules]\n"
        "print('LOADED=' + ','.join(loaded), file=sys.stderr)\n"
    )
    args = ["--db", str(db), "models", "count", "--years", "2024", "--format", "csv"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
        )
        for _ in range(2)
    ]
    assert "LOADED=pandas,pyarrow,ibis" in runs[0].stderr  # computed
    assert "LOADED=\n" in runs[1].stderr  # replayed
    assert runs[1].stdout == runs[0].stdout
    assert json.loads(_rows(db)[0][1])["stderr"] == ""


CLAIM = """claims:
  - id: china-no-dominant-company
    claim: Within China no single company dominates.
    axes:
      orgs: [registry, rollup]
    tests:
      - label: Epoch notable models
        measure: models.concentration
        filters: {years: [2020, 2021, 2022, 2023, 2024, 2025]}
        subject: CN
        other: US
        condition: hhi < other.hhi and top_share < other.top_share
"""


def test_check_is_replayed_until_the_claim_file_changes(db: Path, tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIM)
    first = _invoke(db, "check", str(claims), "--explain", "china-no-dominant-company")
    assert "verdict:" in first
    assert [m for m, _ in _rows(db)] == ["cli check"]
    assert _invoke(db, "check", str(claims), "--explain", "china-no-dominant-company") == first
    # An edit to the file is a new key: the changed claim text is printed, not the old one.
    claims.write_text(CLAIM.replace("no single company dominates", "no company dominates"))
    edited = _invoke(db, "check", str(claims), "--explain", "china-no-dominant-company")
    assert "no company dominates" in edited and "no single company" not in edited
    assert len(_rows(db)) == 2


def test_check_writing_the_readme_is_not_replayed(db: Path, tmp_path: Path) -> None:
    claims, readme = tmp_path / "claims.yaml", tmp_path / "README.md"
    claims.write_text(CLAIM)
    from aicensus.report.readme_table import BEGIN, END

    for _ in range(2):  # each run writes the file (a replay would not)
        readme.write_text(f"# x\n{BEGIN}\n{END}\n")
        _invoke(db, "check", str(claims), "--format", "markdown", "--readme", str(readme))
        assert "Within China no single company dominates." in readme.read_text()
    assert _rows(db) == []
