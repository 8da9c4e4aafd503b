"""The report's OpenAlex section on the real works file: the works count (counted here from the
file itself), every counting method, the AI definitions, and the text when nothing is loaded."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from aicensus.ingest.openalex import load_files
from aicensus.measures import papers as pm
from aicensus.report.openalex_section import _by_method, _definitions, openalex_section
from aicensus.warehouse import connect


@pytest.fixture(scope="module")
def con(data_root: Path, tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("oa_report") / "w.duckdb")
    load_files(c, str(data_root / "openalex_works" / "works.jsonl.gz"))
    yield c
    c.close()


def test_section_counts_the_loaded_works(con, data_root):
    raw = gzip.decompress((data_root / "openalex_works" / "works.jsonl.gz").read_bytes())
    ids = {orjson.loads(line)["id"] for line in raw.splitlines() if line.strip()}
    s = openalex_section(con)
    assert f"<strong>{len(ids):,} works</strong>" in s.blocks[0]
    assert len(s.blocks) == 3 and "<table" in s.blocks[1] and "<table" in s.blocks[2]


def test_by_method_table(con):
    t = _by_method(con, pm.PaperQuery(source="openalex", by="all"))
    assert list(t.columns) == ["country", "name", *pm.METHODS]
    assert t["country"].iloc[-1] == pm.UNKNOWN_UNIT and len(t) == 11
    full = pm.share(con, pm.PaperQuery(source="openalex", by="all")).table.set_index("country")
    for row in t.head(10).itertuples():
        assert row.full == pytest.approx(full.loc[row.country, "share"])
    assert t["full"].head(10).is_monotonic_decreasing
    # the unknown row only exists for the author-level methods
    assert t[pm.METHODS[2]].iloc[-1] > 0 and t["full"].isna().iloc[-1]


def test_definitions_table(con):
    t = _definitions(con)
    n = con.execute("SELECT count(*) FROM works_current WHERE source = 'openalex'").fetchone()[0]
    assert len(t) == 3 and (t["works kept"] <= n).all()
    assert (t["with a country"] <= t["works kept"]).all()
    assert t["works kept"].sum() > 0


def test_section_without_openalex(tmp_path):
    c = connect(tmp_path / "empty.duckdb")
    s = openalex_section(c)
    assert "No OpenAlex works loaded" in s.blocks[0]
    c.close()
