"""The public Python API, used exactly as the README's "From Python" section shows: only
`import aicensus`. Figures are checked against SOURCE.md reference tables read at test time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import aicensus
from tests.reference import markdown_table

EPOCH_NAMES = {  # SOURCE.md country names -> ISO codes the warehouse uses
    "United States of America": "US",
    "China": "CN",
    "France": "FR",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "Singapore": "SG",
    "Saudi Arabia": "SA",
    "Hong Kong": "HK",
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory, data_root: Path) -> aicensus.Warehouse:
    w = aicensus.open(tmp_path_factory.mktemp("api") / "w.duckdb", data=data_root)
    w.load("epoch")
    w.load("paperlists", venues="ijcai,nips", years="2018,2024")
    return w


def test_models_count_reproduces_epoch_reference(wh, data_root):
    """Notable models 2024, full and fractional counting, from SOURCE.md's table."""
    text = (data_root / "epoch_notable_models" / "SOURCE.md").read_text()
    table_2024 = text.split("### Notable models, 2024", 1)[1].split("###", 1)[0]
    rows = re.findall(r"^\| ([^|]+) \| (\d+) \| ([\d.]+) \|$", table_2024, re.M)
    assert len(rows) >= 10
    full = wh.models.count(years="2024", method="full", top=0)
    frac = wh.models.count(years="2024", method="fractional", top=0)
    assert full.attrs["meta"]["sources"], "every result names its source files"
    by_full = dict(zip(full["country"], full["models"], strict=True))
    by_frac = dict(zip(frac["country"], frac["models"], strict=True))
    checked = 0
    for name, n_full, n_frac in rows:
        code = EPOCH_NAMES.get(name.strip())
        if code is None:
            continue
        assert by_full[code] == pytest.approx(float(n_full)), name
        assert round(by_frac[code], 2) == pytest.approx(float(n_frac)), name
        checked += 1
    assert checked >= 6


def test_papers_share_reproduces_paperlists_reference(wh, data_root):
    """CN and US shares of IJCAI 2024 and NeurIPS 2018 under the four counting methods."""
    ref = markdown_table(data_root / "paperlists" / "SOURCE.md", "venue-year")
    cols = {"full": "full", "country-frac": "country-fractional"}
    cols |= {"author-frac": "author-fractional", "first": "first-author"}
    checked = 0
    for row in ref:
        if row["venue-year"] not in ("ijcai2024", "nips2018"):
            continue
        venue, year = row["venue-year"][:-4], row["venue-year"][-4:]
        for col, method in cols.items():
            df = wh.papers.share(venues=venue, years=year, method=method, regions="source", top=0)
            assert df.attrs["meta"]["method"] == method
            got = dict(zip(df["country"], df["share"], strict=True))
            for c in ("CN", "US"):
                assert round(100 * got[c], 2) == pytest.approx(float(row[f"{c} {col}"])), (
                    row["venue-year"],
                    method,
                    c,
                )
                checked += 1
    assert checked == 16


def test_options_spelled_as_on_the_command_line(wh):
    a = wh.papers.share(venues="ijcai", years="2024", by="all")
    b = wh.papers.share(venues=["ijcai"], years=[2024], by="all")
    assert a.equals(b) and len(a)


def test_bad_options_are_one_line_errors(wh):
    with pytest.raises(aicensus.AicensusError, match="years: '20x' is not YYYY"):
        wh.papers.share(years="20x")
    with pytest.raises(aicensus.AicensusError, match="unknown option 'yeras'"):
        wh.papers.share(yeras="2024")
    with pytest.raises(aicensus.AicensusError, match="unknown source 'epcoh'"):
        wh.load("epcoh")
