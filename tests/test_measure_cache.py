"""The measure-result cache (aicensus.measures.cache, table measure_cache) on the real Epoch,
arena and IJCAI files: a hit gives byte-identical verdicts, a load invalidates, a variant grid
computes each distinct measure call once, and a warehouse another process reads is still
checked (then nothing is stored)."""

from __future__ import annotations

import csv
import functools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

import aicensus
from aicensus.cli.main import app
from aicensus.measures import boards, cache, models, papers
from aicensus.measures.base import MeasureResult
from aicensus.warehouse import connect

REPO = Path(__file__).resolve().parents[1]
DEBATE = REPO / "claims" / "debate.yaml"
MODEL_AND_BOARD_CLAIMS = (
    "korea-japan-not-competitive",
    "meta-xai-not-at-top",
    "video-kling-above-sora-runway",
)
runner = CliRunner()

CHINA_MODELS = """\
claims:
  - id: china-models
    claim: China has more than ten notable models.
    tests:
      - measure: models.count
        subject: CN
        condition: models > 10
"""


@pytest.fixture(scope="module")
def small_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Epoch notable models, both arenas and Paper Copilot's IJCAI 2024."""
    from aicensus.ingest.arenas import load_arenas
    from aicensus.ingest.epoch import load_epoch
    from aicensus.ingest.paperlists import load_paperlists

    path = tmp_path_factory.mktemp("cache") / "small.duckdb"
    con = connect(path)
    load_paperlists(con, str(data_root / "paperlists"), venues=["ijcai"], years=[2024])
    load_epoch(con, str(data_root / "epoch_notable_models" / "notable_ai_models.csv"))
    load_arenas(con, [str(data_root / "arena_text_history"), str(data_root / "arena_video")])
    con.close()
    return path


@pytest.fixture()
def db(small_db: Path, tmp_path: Path) -> Path:
    """A private copy of the small warehouse, with an empty cache (file and process memory)."""
    path = tmp_path / "wh.duckdb"
    shutil.copyfile(small_db, path)
    cache.clear()
    cache.stats = cache.Stats()
    yield path
    cache.clear()


def _keep_scorecard_rows(doc: dict) -> None:
    """A part of the debate file keeps the scorecard rows of the claims it keeps (a row naming
    a claim the file lacks is an error)."""
    kept = {c["id"] for c in doc["claims"]}
    card = doc.get("scorecard") or {}
    card["rows"] = [r for r in card.get("rows", []) if r["claim"] in kept]


@pytest.fixture()
def claims_file(tmp_path: Path) -> Path:
    """Debate claims that read Epoch and both leaderboards (the others need papers)."""
    import yaml

    doc = yaml.safe_load(DEBATE.read_text())
    doc["claims"] = [c for c in doc["claims"] if c["id"] in MODEL_AND_BOARD_CLAIMS]
    _keep_scorecard_rows(doc)
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def check_json(db: Path, claims: Path, *extra: str) -> str:
    """`check --format json`, computed: the stored output of an earlier identical check (a
    replay, tests/test_cli_replay.py) is forgotten first, so the measure cache is what serves."""
    forget_outputs(db)
    r = runner.invoke(app, ["--db", str(db), "check", str(claims), "--format", "json", *extra])
    assert r.exit_code == 0, r.output
    return r.output


def cache_rows(db: Path) -> int:
    """Stored measure results (not the commands' stored outputs, rows named 'cli ...')."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = "SELECT count(*) FROM measure_cache WHERE measure NOT LIKE 'cli %'"
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def forget_outputs(db: Path) -> None:
    try:
        con = duckdb.connect(str(db))
    except duckdb.IOException:  # held by another process (test_read_only_fallback_...): the
        return  # fixture's fresh warehouse has no stored output to forget
    try:
        con.execute("DELETE FROM measure_cache WHERE measure LIKE 'cli %'")
    finally:
        con.close()


def test_cache_hit_gives_byte_identical_verdicts(db, claims_file):
    cold = check_json(db, claims_file)
    computed, stored = cache.stats.misses, cache_rows(db)
    assert computed > 0 and stored == computed  # every measure call computed once and stored
    cache.clear()  # a new process: nothing in memory, everything in the warehouse
    cache.stats = cache.Stats()
    warm = check_json(db, claims_file)
    assert cache.stats.misses == 0 and cache.stats.hits == stored
    assert warm == cold
    cache.clear()
    explained = check_json(db, claims_file, "--explain", "meta-xai-not-at-top")
    assert cache.stats.misses == 0
    (v,) = json.loads(explained)["verdicts"]
    assert v == next(x for x in json.loads(cold)["verdicts"] if x["id"] == "meta-xai-not-at-top")


def test_fractional_paper_shares_come_back_to_the_last_bit(db, tmp_path):
    """papers.share under every counting method and region rule (the IJCAI 2024 variants of
    ml-papers-china-most; the rest lack data): warm verdicts equal computed ones byte for byte."""
    import yaml

    doc = yaml.safe_load(DEBATE.read_text())
    doc["claims"] = [c for c in doc["claims"] if c["id"] == "ml-papers-china-most"]
    _keep_scorecard_rows(doc)
    claims = tmp_path / "papers.yaml"
    claims.write_text(yaml.safe_dump(doc, sort_keys=False))
    cold = check_json(db, claims)
    (v,) = json.loads(cold)["verdicts"]
    shares = [t["values"]["share"] for x in v["variants"] for t in x["tests"] if t["values"]]
    # one call per distinct query: on this warehouse (IJCAI 2024 only) the all-with-countries
    # 2024 variants resolve to IJCAI and reuse the IJCAI calls of the same session
    named = [x for x in v["variants"] if x["choices"]["venues"] == "all-with-countries"]
    decided = [x for x in named if x["tests"][0]["values"]]
    assert len(decided) == cache.stats.memo_hits == 8
    assert len(shares) - len(decided) == cache.stats.misses == cache_rows(db) > 0
    assert any(s != round(s, 6) for s in shares)  # fractional counts: every bit matters
    cache.clear()
    assert check_json(db, claims) == cold


def test_same_measure_call_computed_once_per_check(db, claims_file, monkeypatch):
    """meta-xai-not-at-top has 4 filter sets (snapshot latest/all x rank strict/ub) but one
    board query: it was ranked 4 times per check, now once."""
    calls = []
    real = boards.ranked

    @functools.wraps(real)  # the same name: the same cache key as the real measure
    def ranked(con, q, engine=None):
        calls.append(q)
        return real(con, q, engine)

    monkeypatch.setattr(boards, "ranked", ranked)
    vs = aicensus.open(db).check(claims_file, "meta-xai-not-at-top")
    assert vs[0].verdict in ("supported", "refuted", "depends")
    assert len(calls) == 1


def write_without_china(src: Path, dst: Path) -> int:
    """Copy the Epoch CSV without its Chinese models; return how many were left out."""
    with src.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("Country (of organization)")
    kept = [r for r in rows[1:] if "China" not in r[col]]
    with dst.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([rows[0], *kept])
    return len(rows) - 1 - len(kept)


def china_models(wh: aicensus.Warehouse, claims: Path) -> float:
    (v,) = wh.check(claims)
    return v.variants[0].tests[0].values["models"]


def test_a_load_invalidates_the_cache(db, data_root, tmp_path):
    claims = tmp_path / "china.yaml"
    claims.write_text(CHINA_MODELS)
    wh = aicensus.open(db)
    before = china_models(wh, claims)
    assert before > 10 and cache_rows(db) == 1
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE stale AS SELECT * FROM measure_cache")
    con.close()
    changed = tmp_path / "notable_ai_models.csv"  # same file name: replaces the loaded one
    src = data_root / "epoch_notable_models" / "notable_ai_models.csv"
    assert write_without_china(src, changed) > 0
    wh.load("epoch", str(changed))
    assert cache_rows(db) == 0  # the load transaction deleted the cached figures
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO measure_cache SELECT * FROM stale")  # sneaked back
    con.close()
    cache.clear()
    after = china_models(wh, claims)  # the key holds the inputs: the stale row is not read
    con = duckdb.connect(str(db), read_only=True)
    try:
        direct = models.count(con, models.ModelQuery(per="all", by="country")).table
    finally:
        con.close()
    assert after < before
    assert after == direct.loc[direct["country"] == "CN", "models"].sum()


def test_read_only_fallback_while_another_process_reads(db, claims_file):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('ready', flush=True); time.sleep(120)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        held = check_json(db, claims_file)  # reads alongside; cannot write the cache
        assert cache.stats.misses > 0 and cache.stats.stored == 0 and cache.pending() == 0
    finally:
        holder.kill()
        holder.wait()
    assert cache_rows(db) == 0
    cache.clear()
    assert check_json(db, claims_file) == held  # and once free, computed and stored alike
    assert cache_rows(db) == cache.stats.stored > 0


def test_report_fills_the_cache_for_check(db, claims_file, tmp_path):
    wh = aicensus.open(db)
    wh.report(tmp_path / "report.html", claims_file)
    assert cache_rows(db) > 0
    cache.clear()
    cache.stats = cache.Stats()
    wh.check(claims_file)
    assert cache.stats.misses == 0 and cache.stats.hits > 0


def test_a_second_report_computes_no_measure(db, claims_file, tmp_path, monkeypatch):
    """The report's own sections (papers, models, boards) read their figures through the
    cache too, not only the claims: a second report on unchanged data computes none of them
    and writes the same figures."""
    wh = aicensus.open(db)
    first = wh.report(tmp_path / "first.html", claims_file).read_text()
    computed: list[str] = []
    for module, name in MEASURED:
        measure = getattr(module, name)

        def counted(*args, _measure=measure, **kwargs):
            result = _measure(*args, **kwargs)  # a call that raises (no data) is not a result
            computed.append(_measure.__name__)
            return result

        monkeypatch.setattr(module, name, functools.wraps(measure)(counted))
    cache.clear()
    second = wh.report(tmp_path / "second.html", claims_file).read_text()
    assert computed == []
    generated = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
    assert generated.sub("", second) == generated.sub("", first)


# Measures the report's sections call (counted when computed, not when read from the cache).
MEASURED = [
    (papers, "share"),
    (papers, "compare_methods"),
    (papers, "collaboration"),
    (papers, "citations"),
    (models, "count"),
    (models, "concentration"),
    (boards, "standing"),
    (boards, "gap"),
]


def test_results_that_would_not_come_back_identical_are_not_cached(db):
    """A metadata tuple would come back a list, a mixed object column would not convert:
    those results are returned as computed and never stored."""
    con = duckdb.connect(str(db))
    try:
        for fn in (tuple_meta, mixed_column):
            first = cache.cached(con, fn, models.ModelQuery())
            again = cache.cached(con, fn, models.ModelQuery())
            assert first.meta == fn(con, None).meta and again.table.equals(first.table)
        assert con.execute("SELECT count(*) FROM measure_cache").fetchone()[0] == 0
        assert cache.stats.uncacheable == 4
    finally:
        con.close()


def tuple_meta(con: duckdb.DuckDBPyConnection, q: object) -> MeasureResult:
    return MeasureResult("odd", pd.DataFrame({"x": [1, 2]}), {"pair": (1, 2)})


def mixed_column(con: duckdb.DuckDBPyConnection, q: object) -> MeasureResult:
    return MeasureResult("mixed", pd.DataFrame({"x": [1, "a"]}, dtype=object), {})
