"""Data dates (issue 19 item 2): what each source's data describe, when upstream's copy was made
and when it was loaded, stored with every load and carried by every measure result. Expected
dates come from the SOURCE.md files and the data files themselves."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from aicensus.ingest.hub import load_hub_dumps
from aicensus.measures import boards, hub, models
from aicensus.measures import papers as pm
from aicensus.measures.provenance import DataPeriod, data_dates, data_periods
from aicensus.upstream import upstream
from aicensus.warehouse import connect

HUB_SHARE_CLAIM = """\
claims:
  - id: hub-share
    claim: Most Hub models are American.
    tests:
      - measure: hub.share
        filters: {weight: count}
        subject: US
        condition: share > 0.5
"""  # decided on the Hub table alone (data end 2024-09)


def _date_after(path: Path, pattern: str) -> date:
    m = re.search(pattern, path.read_text())
    assert m, f"{path}: {pattern!r} not found"
    return date.fromisoformat(m.group(1))


@pytest.fixture(scope="module")
def claims_con(claims_db: Path):
    con = duckdb.connect(str(claims_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def hub_table_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dates") / "hub.duckdb"
    con = connect(path)
    load_hub_dumps(con, str(data_root / "hf_models_table"))
    con.close()
    return path


def test_paperlists_and_epoch_periods(claims_con, data_root):
    """Paper years from the file names; Epoch publication dates from the CSV; copy dates from
    SOURCE.md (commit dates)."""
    periods = data_periods(claims_con)
    years = [int(re.search(r"(\d{4})\.json", f.name).group(1))  # type: ignore[union-attr]
             for f in (data_root / "paperlists").glob("*/*.json.gz")]  # fmt: skip
    p = periods["paperlists"]
    assert isinstance(p, DataPeriod)
    assert (p.start, p.end) == (date(min(years), 1, 1), date(max(years), 12, 31))
    assert p.copied == _date_after(
        data_root / "paperlists/SOURCE.md", r"committed (\d{4}-\d\d-\d\d)"
    )
    assert p.publisher == "Paper Copilot" and p.loaded.tzinfo is not None
    with (data_root / "epoch_notable_models/notable_ai_models.csv").open(newline="") as fh:
        dates = [r["Publication date"] for r in csv.DictReader(fh) if r["Publication date"]]
    e = periods["epoch"]
    assert (str(e.start), str(e.end)) == (min(dates)[:10], max(dates)[:10])
    md = data_root / "epoch_notable_models/SOURCE.md"
    assert e.copied == _date_after(md, r"\(committed (\d{4}-\d\d-\d\d)\)")
    assert "orgs" not in periods  # the registry describes no period


def test_board_text_ends_with_the_last_snapshot(claims_con, data_root):
    """The text board's data end at the last LMArena snapshot SOURCE.md lists (2025-11)."""
    md = data_root / "arena_text_history/SOURCE.md"
    last = _date_after(md, r"15 distinct dates, \d{4}-\d\d-\d\d \.\. (\d{4}-\d\d-\d\d)")
    meta = boards.standing(claims_con, boards.BoardQuery(board="text")).meta
    assert meta["data_period"]["end"] == str(last)
    (arena,) = meta["data_sources"]
    assert arena["source"] == "arena" and arena["loaded"]
    cut = boards.standing(claims_con, boards.BoardQuery(board="text", end="2024-12-31")).meta
    assert cut["data_period"]["end"] <= "2024-12-31"


def test_hub_table_is_september_2024(hub_table_db, data_root):
    md = data_root / "hf_models_table/SOURCE.md"
    newest = _date_after(md, r"newest `lastModified` is (\d{4}-\d\d-\d\d)")
    con = duckdb.connect(str(hub_table_db), read_only=True)
    p = data_periods(con)["hf_models_table"]
    r = hub.share(con, hub.HubQuery())
    summary = data_dates(con).set_index("source")
    con.close()
    assert p.start == p.end == newest
    assert p.copied == _date_after(md, r'\("Added Hugging Face Scrapper",\s+(\d{4}-\d\d-\d\d)')
    assert r.meta["data_period"] == {"start": str(newest), "end": str(newest)}
    assert r.meta["data_sources"][0]["copied"] == str(p.copied)
    row = summary.loc["hf_models_table"]
    assert row["data_period"] == f"{newest} .. {newest}" and row["copied"] == str(p.copied)


def test_paper_and_model_meta_period_of_counted_rows(claims_con):
    """papers share filtered to 2024 describes 2024; Epoch's counted models their dates."""
    r = pm.share(claims_con, pm.PaperQuery(venues=("ijcai",), years=(2024,)), regions_moved=False)
    assert r.meta["data_period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    (src,) = r.meta["data_sources"]
    assert src["source"] == "paperlists" and src["copied"] == "2026-02-23"
    m = models.count(claims_con, models.ModelQuery(years=(2023,)))
    lo, hi = claims_con.execute(
        "SELECT min(publication_date), max(publication_date) FROM models WHERE year = 2023"
    ).fetchone()
    assert m.meta["data_period"] == {"start": str(lo), "end": str(hi)}


def test_copy_date_by_location():
    """A bundled folder takes its SOURCE.md copy date; an online load its fetch date; any
    other local file none."""
    fetched = datetime(2027, 1, 5, 12, tzinfo=UTC)
    assert upstream("paperlists", "/x/data/paperlists/nips/nips2018.json.gz").copied == date(
        2026, 2, 23
    )
    url = "https://raw.githubusercontent.com/papercopilot/paperlists/main/nips/nips2018.json"
    assert upstream("paperlists", url, fetched).copied == date(2027, 1, 5)
    assert upstream("paperlists", "/tmp/mine.json").copied is None
    assert upstream("no-such-source").publisher == "no-such-source"


def test_status_and_report_show_data_dates(hub_table_db):
    """`status` and the report's provenance section name publisher, period, copy and load."""
    from typer.testing import CliRunner

    from aicensus.cli.main import app
    from aicensus.report.html import provenance_section

    out = CliRunner().invoke(app, ["--db", str(hub_table_db), "status"])
    assert out.exit_code == 0, out.output
    assert "Data dates" in out.output and "2024-09-20 .. 2024-09-20" in out.output
    con = duckdb.connect(str(hub_table_db), read_only=True)
    html = "".join(provenance_section(con).blocks)
    con.close()
    for column in ("period described", "upstream copy", "loaded", "age of data"):
        assert f"<th>{column}</th>" in html, column
    assert "2024-09-20 .. 2024-09-20" in html and "(stale)" in html
    assert "Hugging Face Hub (top downloads table)" in html


def test_freshness_marks_old_sources_stale(hub_table_db, monkeypatch):
    """A source whose data end more than `stale_after_days` ago is stale in `status`'s data
    dates and in every verdict that decides on it; the limit comes from settings."""
    from datetime import date

    from aicensus.claims import files, verdicts
    from aicensus.config import STALE_AFTER_DAYS, load_settings
    from aicensus.errors import AicensusError
    from aicensus.measures.provenance import data_dates, freshness

    con = duckdb.connect(str(hub_table_db), read_only=True)
    try:
        end = date(2024, 9, 20)  # the table's snapshot (hf_models_table SOURCE.md)
        on = date(2026, 12, 1)
        f = freshness(con, STALE_AFTER_DAYS, on).set_index("source")
        assert f.loc["hf_models_table", "age_days"] == (on - end).days
        assert bool(f.loc["hf_models_table", "stale"])
        assert not freshness(con, (on - end).days, on)["stale"].any()
        d = data_dates(con, STALE_AFTER_DAYS, on).set_index("source")
        assert d.loc["hf_models_table", "fresh"] == "stale"
        assert d.loc["hf_models_table", "age"] == f"{(on - end).days:,} days"
        claim = files.loads(HUB_SHARE_CLAIM, "t.yaml")
        (v,) = verdicts.check(con, claim, STALE_AFTER_DAYS, on)
        assert v.stale == ["hf_models_table (data end 2024-09, 26 months old)"]
        assert v.reason.endswith("; stale data: hf_models_table (data end 2024-09, 26 months old)")
        (fresh,) = verdicts.check(con, claim, 10_000, on)
        assert fresh.stale == [] and "stale" not in fresh.reason
    finally:
        con.close()
    monkeypatch.setenv("AICENSUS_STALE_AFTER_DAYS", "30")
    assert load_settings().stale_after_days == 30
    monkeypatch.setenv("AICENSUS_STALE_AFTER_DAYS", "six months")
    with pytest.raises(AicensusError, match="stale_after_days: expected a whole number"):
        load_settings()


def test_report_and_check_use_the_freshness_setting(hub_table_db, data_root, tmp_path, monkeypatch):
    """`Settings.stale_after_days` (here AICENSUS_STALE_AFTER_DAYS) decides what the report
    calls stale, in the claims section and the provenance table alike, as it does for `check`."""
    import shutil

    import aicensus

    db = tmp_path / "hub.duckdb"
    shutil.copy(hub_table_db, db)  # check and report store their measure results
    claims = tmp_path / "c.yaml"
    claims.write_text(HUB_SHARE_CLAIM, encoding="utf-8")
    for days, stale in ((30, True), (100_000, False)):  # the default (183) calls it stale
        monkeypatch.setenv("AICENSUS_STALE_AFTER_DAYS", str(days))
        wh = aicensus.open(db, data_root)
        assert wh.settings.stale_after_days == days
        (v,) = wh.check(claims)
        text = wh.report(tmp_path / f"report-{days}.html", claims).read_text(encoding="utf-8")
        assert bool(v.stale) is stale
        assert ("stale data: hf_models_table" in text) is stale
        assert bool(re.search(r"[\d,]+ days \(stale\)", text)) is stale
        assert bool(re.search(r"[\d,]+ days \(ok\)", text)) is not stale
