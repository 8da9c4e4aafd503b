"""The README's main job end to end: `aicensus run` loads every bundled source, checks the
debate claims and writes the report; a second run changes nothing."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import duckdb
import orjson
import pytest
import yaml
from typer.testing import CliRunner

from aicensus.cli.main import app
from tests.shared import FullRun, copy_of
from tests.test_load_paperlists import snapshot


@pytest.mark.slow
def test_run_builds_every_source_and_the_report(full_run: FullRun, data_root, tmp_path):
    """`full_run` is `aicensus run` from an empty warehouse (built once per test run, shared
    with the README tests); the second run is made here, on a copy, from the CLI."""
    assert full_run.returncode == 0, full_run.output
    db, report = full_run.db, full_run.report
    con = duckdb.connect(str(db), read_only=True)
    try:
        sources = {r[0] for r in con.execute("SELECT DISTINCT source FROM loads").fetchall()}
        evaluated = con.execute("SELECT count(*) FROM resolver_evaluation").fetchone()[0]
    finally:
        con.close()
    assert {"paperlists", "paperlists_affonly", "epoch", "openalex", "orgs"} <= sources
    assert any(s.startswith("hf_models") or s.startswith("hub") for s in sources), sources
    assert any("arena" in s or "board" in s for s in sources), sources
    assert evaluated > 0
    assert_rows_match_the_files(db, data_root)
    text = report.read_text()
    sections = ("claims", "papers", "inferred", "openalex", "models", "hub", "provenance")
    for section in (f'id="{s}"' for s in sections):
        assert section in text
    # the OpenAlex claim is decided now that the bundled works are loaded
    assert "no openalex papers loaded" not in text
    db = copy_of(db, tmp_path)
    before = snapshot(db)
    args = ["--db", str(db), "--data", str(data_root), "run", "--output", str(tmp_path / "r.html")]
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert snapshot(db) == before


# Files beside the arena leaderboards that are not leaderboards (SOURCE.md of each folder).
ARENA_NOT_BOARDS = {"SOURCE.md", "MANIFEST.csv", "key_to_model.csv"}


def csv_rows(path: Path) -> int:
    """Data rows of a (possibly gzipped) CSV, quoted newlines kept inside their field."""
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    return sum(1 for _ in csv.DictReader(io.StringIO(text, newline="")))


def jsonl_rows(path: Path) -> int:
    return sum(1 for line in gzip.decompress(path.read_bytes()).splitlines() if line.strip())


def json_list_total(root: Path) -> int:
    """Records in every Paper Copilot file under `root` (each a JSON array)."""
    total = 0
    for f in root.glob("*/*.json*"):
        raw = f.read_bytes()
        total += len(orjson.loads(gzip.decompress(raw) if f.suffix == ".gz" else raw))
    return total


def arena_records(path: Path) -> int:
    """Entries in one leaderboard file: CSV rows, the models of an Artificial Analysis JSON,
    or the entries of data.js's CHART_DATA_HIGHEST (the series loaded; LATEST repeats it)."""
    if path.suffix == ".csv":
        return csv_rows(path)
    if path.suffix == ".json":
        return len(json.loads(path.read_text())["models"])
    return path.read_text().split("const CHART_DATA_LATEST")[0].count('"model_name"')


def assert_rows_match_the_files(db: Path, data: Path) -> None:
    """Every source's rows loaded (+ quarantined where a record can be) equal a count made here
    from the bundled files themselves."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        loads = con.execute(
            "SELECT source, location, rows_loaded, rows_quarantined FROM loads"
        ).fetchall()
    finally:
        con.close()
    total: dict[str, list[int]] = {}
    for source, _, loaded, quarantined in loads:
        total.setdefault(source, [0, 0])
        total[source][0] += loaded
        total[source][1] += quarantined
    records = {s: loaded + q for s, (loaded, q) in total.items()}
    assert records["paperlists"] == json_list_total(data / "paperlists")
    assert records["paperlists_affonly"] == json_list_total(data / "paperlists_affonly")
    epoch = data / "epoch_notable_models" / "notable_ai_models.csv"
    assert records["epoch"] == csv_rows(epoch)
    assert records["openalex"] == jsonl_rows(data / "openalex_works" / "works.jsonl.gz")
    # Hub quarantine rows are lineage links ignored, not models: every model is loaded.
    api = data / "hf_models_api" / "hf_models_api_2022-02.jsonl.gz"
    assert total["hf_models_api"][0] == jsonl_rows(api)
    table = data / "hf_models_table" / "hf_models_top_downloads_2024-09.csv.gz"
    assert total["hf_models_table"][0] == csv_rows(table)
    registry = Path(__file__).resolve().parents[1] / "src/aicensus/orgs/registry.yaml"
    assert total["orgs"][0] == len(yaml.safe_load(registry.read_text()))
    arena = {Path(loc): (n, q) for s, loc, n, q in loads if s == "arena"}
    boards = {
        f
        for d in ("arena_text_history", "arena_video")
        for f in (data / d).rglob("*")
        if f.is_file() and f.name not in ARENA_NOT_BOARDS
    }
    assert set(arena) == boards
    for path, (loaded, quarantined) in arena.items():
        # a CSV's duplicate rows are quarantined; the JSON boards quarantine only notes
        # about kept entries (unknown organization), so there every entry is loaded
        got = loaded + quarantined if path.suffix == ".csv" else loaded
        assert got == arena_records(path), path
