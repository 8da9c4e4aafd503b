"""Epoch AI notable models: loader quirks, bad input, idempotent reload, and every reference
figure of ../shared/data/epoch_notable_models/SOURCE.md reproduced through the measures."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from aicensus.ingest.epoch import load_epoch
from aicensus.measures import models as mm
from aicensus.sources.epoch import country_code
from aicensus.warehouse import connect


@pytest.fixture(scope="module")
def epoch_csv(data_root: Path) -> Path:
    return data_root / "epoch_notable_models" / "notable_ai_models.csv"


@pytest.fixture(scope="module")
def con(epoch_csv: Path, tmp_path_factory: pytest.TempPathFactory):
    c = connect(tmp_path_factory.mktemp("epoch") / "w.duckdb")
    summary = load_epoch(c, str(epoch_csv))
    assert summary.written and summary.quarantined == 0
    yield c
    c.close()


def _reference_tables(data_root: Path) -> dict[str, dict[str, tuple[float, float]]]:
    """The country tables of SOURCE.md: heading -> {ISO code: (full, fractional)}."""
    text = (data_root / "epoch_notable_models" / "SOURCE.md").read_text(encoding="utf-8")
    tables: dict[str, dict[str, tuple[float, float]]] = {}
    for m in re.finditer(r"### ([^\n]+)\n\| Country.*?\n\|---.*?\n((?:\|.*\n)+)", text):
        rows = {}
        for line in m.group(2).strip().splitlines():
            name, full, frac = (c.strip() for c in line.strip("|").split("|"))
            rows[country_code(name)] = (float(full), float(frac))
        tables[m.group(1)] = rows
    return tables


def _table(con, **kw) -> dict[str, tuple[float, float]]:
    full = mm.count(con, mm.ModelQuery(method="full", **kw)).table
    frac = mm.count(con, mm.ModelQuery(method="fractional", **kw)).table
    f = dict(zip(frac["country"], frac["models"], strict=True))
    return {c: (n, round(f[c], 2)) for c, n in zip(full["country"], full["models"], strict=True)}


def test_general_figures(con, epoch_csv):
    assert con.execute("SELECT count(*) FROM models").fetchone()[0] == 1036
    assert con.execute("SELECT count(*) FROM models WHERE year IS NULL").fetchone()[0] == 5
    per_year = dict(con.execute("SELECT year, count(*) FROM models GROUP BY 1").fetchall())
    assert {y: per_year[y] for y in range(2021, 2027)} == {
        2021: 79,
        2022: 91,
        2023: 119,
        2024: 98,
        2025: 103,
        2026: 41,
    }
    with epoch_csv.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert len(header) == 47


def test_quirks(con, epoch_csv):
    # misaligned lists: 32 rows by a naive split on ','; the comma-space name is one of them,
    # and splitting it correctly realigns it, leaving 31 rows without organization pairing.
    naive = 0
    with epoch_csv.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            o, c = row["Organization"], row["Country (of organization)"]
            naive += bool(o) and len(o.split(",")) != len(c.split(","))
    assert naive == 32
    assert (
        con.execute("SELECT count(*) FROM models WHERE NOT orgs_aligned AND n_orgs > 0").fetchone()[
            0
        ]
        == 31
    )
    nersc = con.execute(
        "SELECT org_name, org_id FROM model_orgs WHERE org_name LIKE 'NERSC%'"
    ).fetchall()
    assert nersc == [("NERSC, Lawrence Berkeley National Laboratory", "lbnl")]
    # Facebook AI Research carries two countries: no pairing, both countries kept
    fair = con.execute(
        "SELECT list(DISTINCT mc.country_source ORDER BY mc.country_source) "
        "FROM model_countries mc "
        "JOIN model_orgs mo USING (model_id) JOIN models m USING (model_id) "
        "WHERE mo.org_name = 'Facebook AI Research' AND m.n_orgs = 1"
    ).fetchone()[0]
    assert fair == ["FR", "US"]
    # SenseTime is Hong Kong in Epoch; DeepMind GB and Google DeepMind US
    pairs = dict(
        con.execute(
            "SELECT org_name, any_value(country_source) FROM model_orgs WHERE org_name IN "
            "('SenseTime', 'DeepMind', 'Google DeepMind') GROUP BY 1"
        ).fetchall()
    )
    assert pairs == {"SenseTime": "HK", "DeepMind": "GB", "Google DeepMind": "US"}
    # embedded newlines survive; 'Multinational' is kept by name with no code
    assert (
        con.execute(
            "SELECT count(*) FROM model_countries WHERE country_source_name = 'Multinational' "
            "AND country_source IS NULL"
        ).fetchone()[0]
        == 4
    )
    no_org = con.execute("SELECT count(*), max(year) FROM models WHERE n_orgs = 0").fetchone()
    assert no_org[0] == 18 and no_org[1] < 2016


@pytest.mark.parametrize(
    ("heading", "kw"),
    [
        ("Notable models, 2023 (119 rows)", {"years": (2023,)}),
        ("Notable models, 2024 (98 rows)", {"years": (2024,)}),
        ("Notable models, 2025 (103 rows)", {"years": (2025,)}),
        ("Open-weights models, 2024 (38 rows)", {"years": (2024,), "subset": "open-weights"}),
        ("Open-weights models, 2025 (40 rows)", {"years": (2025,), "subset": "open-weights"}),
    ],
)
def test_reference_country_tables(con, data_root, heading, kw):
    expected = _reference_tables(data_root)[heading]
    assert _table(con, **kw) == expected
    n_rows = int(re.search(r"\((\d+) rows\)", heading).group(1))
    r = mm.count(con, mm.ModelQuery(**kw))
    assert int(r.table["models_loaded"].iloc[0]) == n_rows


def test_open_weights_column_agrees(con):
    assert (
        con.execute(
            "SELECT count(*) FROM models "
            "WHERE open_weights AND accessibility NOT LIKE 'Open weights%'"
        ).fetchone()[0]
        == 0
    )


def test_frontier(con):
    all_years = _table(con, subset="frontier", per="all")
    assert all_years == {
        "US": (86, 84.5), "GB": (9, 8.5), "CA": (7, 6.5), "CN": (5, 4.0), "DE": (4, 3.5),
        "CH": (2, 2.0), "IL": (1, 1.0), "JP": (1, 1.0), "KR": (1, 1.0), "ES": (1, 1.0),
        "AE": (1, 1.0), "FR": (1, 0.5), "SG": (1, 0.5),
    }  # fmt: skip
    r = mm.count(con, mm.ModelQuery(subset="frontier", per="all")).table
    assert int(r["models_loaded"].iloc[0]) == 123 and int(r["denominator"].iloc[0]) == 115
    assert _table(con, subset="frontier", years=(2023,)) == {"US": (8, 8.0), "AE": (1, 1.0)}
    assert _table(con, subset="frontier", years=(2024,)) == {"US": (10, 10.0), "CN": (1, 1.0)}
    assert _table(con, subset="frontier", years=(2025,)) == {"US": (6, 6.0)}


def test_distinct_organizations_2024(con):
    r = mm.organizations(con, mm.ModelQuery(years=(2024,), orgs="raw", countries=("US", "CN")))
    t = r.table.set_index("country")
    assert int(t.loc["US", "organizations"]) == 27
    assert int(t.loc["CN", "organizations"]) == 12
    assert t.loc["CN", "names"] == (
        "01.AI, Alibaba, Baidu, ByteDance, China Telecom, DeepSeek, Inspur, Moonshot, "
        "Peking University, Tencent, Tsinghua University, Z.ai (Zhipu AI)"
    )
    assert "Google DeepMind" in t.loc["US", "names"] and "xAI" in t.loc["US", "names"]


def test_models_per_china_organization(con):
    def per_org(year):
        q = mm.ModelQuery(years=(year,), by="org", orgs="raw", countries=("CN",))
        t = mm.count(con, q).table
        return dict(zip(t["org"], t["models"].astype(int), strict=True))

    assert per_org(2024) == {
        "ByteDance": 7, "Alibaba": 6, "Tsinghua University": 4, "DeepSeek": 3, "Tencent": 3,
        "Moonshot": 2, "01.AI": 2, "Z.ai (Zhipu AI)": 2, "China Telecom": 1, "Inspur": 1,
        "Baidu": 1, "Peking University": 1,
    }  # fmt: skip
    assert per_org(2025) == {
        "Alibaba": 11, "DeepSeek": 4, "Tsinghua University": 4, "Z.ai (Zhipu AI)": 3,
        "Moonshot": 3, "ByteDance": 3, "MiniMax": 2, "Shanghai AI Lab": 2, "Ant Group": 1,
        "Meituan Inc": 1, "Kunlun Inc.": 1, "Huawei": 1, "Baidu": 1, "Tencent": 1,
        "Shanghai Jiao Tong University": 1, "Peking University": 1,
        "CUHK Shenzhen Research Institute": 1, "Nanjing University": 1,
    }  # fmt: skip


def test_attribution_changes_the_answer(con):
    """Hand-checked: under registry headquarters Google DeepMind's 2024 models move to GB;
    rolled up to Google they are US again."""
    src = _table(con, years=(2024,))
    hq = _table(con, years=(2024,), attribution="hq")
    roll = _table(con, years=(2024,), attribution="hq-rollup")
    gdm = con.execute(
        "SELECT count(DISTINCT model_id) FROM model_orgs JOIN models USING (model_id) "
        "WHERE year = 2024 AND org_id = 'google-deepmind'"
    ).fetchone()[0]
    assert gdm > 0
    assert hq["GB"][0] > src["GB"][0]
    assert roll["GB"][0] < hq["GB"][0]
    meta = mm.count(con, mm.ModelQuery(years=(2024,), attribution="hq")).meta
    assert meta["attribution"] == "hq" and meta["sources"][0]["key"] == "notable_ai_models.csv"


def test_compute_and_concentration(con):
    t = mm.compute(con, mm.ModelQuery(years=(2024,))).table.set_index("country")
    us = con.execute(
        "SELECT count(*) FILTER (WHERE training_compute >= 1e25), max(training_compute) "
        "FROM models m WHERE year = 2024 AND EXISTS (SELECT 1 FROM model_countries c "
        "WHERE c.model_id = m.model_id AND c.country_source = 'US')"
    ).fetchone()
    assert int(t.loc["US", "n_ge_1e25"]) == us[0] and t.loc["US", "compute_max"] == us[1]
    # concentration: hand-check China 2024 with raw organizations and source pairing
    c = mm.concentration(
        con, mm.ModelQuery(years=(2024,), orgs="raw", countries=("CN",))
    ).table.iloc[0]
    counts = [7, 6, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1]
    total = sum(counts)
    assert c["top_org"] == "ByteDance" and c["top_share"] == pytest.approx(7 / total)
    assert c["hhi"] == pytest.approx(sum((n / total) ** 2 for n in counts))
    rolled = mm.concentration(
        con, mm.ModelQuery(years=(2024,), orgs="rollup", attribution="hq-rollup", countries=("US",))
    ).table.iloc[0]
    assert rolled["top_org"] == "google"


def test_reload_is_idempotent(con, epoch_csv):
    before = con.execute("SELECT count(*), max(loaded_at)::VARCHAR FROM loads").fetchone()
    s = load_epoch(con, str(epoch_csv))
    assert not s.written
    assert con.execute("SELECT count(*), max(loaded_at)::VARCHAR FROM loads").fetchone() == before


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _real_rows(epoch_csv: Path, n: int) -> tuple[list[str], list[list[str]]]:
    with epoch_csv.open(encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        return header, [next(r) for _ in range(n)]


def test_bad_input_missing_column(tmp_path, epoch_csv):
    header, rows = _real_rows(epoch_csv, 3)
    i = header.index("Country (of organization)")
    bad = _write(
        tmp_path / "bad.csv", header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows]
    )
    con = connect(tmp_path / "w.duckdb")
    s = load_epoch(con, str(bad))
    assert s.loaded == 0 and s.rejected and "'Country (of organization)'" in s.rejected
    assert con.execute("SELECT count(*) FROM models").fetchone()[0] == 0
    q = con.execute("SELECT reason, record_no FROM quarantine").fetchall()
    assert q == [("missing column(s) 'Country (of organization)'", None)]
    assert not load_epoch(con, str(bad)).written  # second load changes nothing
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1


def test_bad_input_dates_and_unknown_org(tmp_path, epoch_csv):
    header, rows = _real_rows(epoch_csv, 4)
    d, o = header.index("Publication date"), header.index("Organization")
    rows[0][d] = "24/05/2025"
    rows[1][o] = "Totally Unknown Lab"
    rows[1][header.index("Country (of organization)")] = "France"
    bad = _write(tmp_path / "dates.csv", header, rows)
    con = connect(tmp_path / "w.duckdb")
    s = load_epoch(con, str(bad))
    assert (s.loaded, s.quarantined) == (3, 1)
    reason = con.execute("SELECT reason, record_no FROM quarantine").fetchone()
    assert reason == ("unparseable publication date '24/05/2025' (expected YYYY-MM-DD)", 1)
    unk = con.execute(
        "SELECT org_id, country_source FROM model_orgs WHERE org_name = 'Totally Unknown Lab'"
    ).fetchone()
    assert unk == (None, "FR")  # kept, unmatched, listed by `aicensus orgs unmatched`
    state = con.execute("SELECT count(*) FROM models").fetchone()
    assert not load_epoch(con, str(bad)).written
    assert con.execute("SELECT count(*) FROM models").fetchone() == state


def test_missing_file_is_one_line_error(tmp_path):
    from aicensus.errors import SourceError

    con = duckdb.connect()
    with pytest.raises(SourceError, match="file not found"):
        load_epoch(con, str(tmp_path / "nope.csv"))
