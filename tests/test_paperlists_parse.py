"""The paperlists parser (SQL in DuckDB) on hand-made tricky records, and against the Python
statement of its byline and index-list rules on the quirkiest real files."""

from __future__ import annotations

import gzip
import sys
from datetime import UTC, datetime

import orjson
import pytest

from aicensus.sources import paperlists as pl
from aicensus.sources import paperlists_sql
from aicensus.sources.fetch import Fetched

HKUST = "Hong Kong University of Science and Technology"
R4 = {
    "id": "r4",
    "title": "HK by name, mainland by source",
    "author": "P;Q",
    "aff_unique_norm": f"{HKUST};Peking University",
    "aff_unique_index": "0;1",
    "aff_country_unique": "China",
    "aff_country_unique_index": "0;0",
    "email": "ust.hk;pku.edu.cn",
}
RECORDS = [
    {  # 1: a four-fold byline halves twice; its country list is the repeated one
        "id": "r1",
        "title": "four-fold",
        "author": "A;B;A;B;A;B;A;B",
        "aff": "X;Y;X;Y;X;Y;X;Y",
        "aff_unique_norm": "Tsinghua University;MIT",
        "aff_unique_index": "0;1;0;1;0;1;0;1",
        "aff_country_unique": "China;United States",
        "aff_country_unique_index": "0;1;0;1;0;1;0;1",
    },
    {"id": "r2", "title": "commas", "author": "Ann Lee, Bo Chen, Cy Wu"},  # 2
    {  # 3: the country list skips the author without affiliation (realigned)
        "id": "r3",
        "title": "skipped author",
        "author": "A;B;C",
        "aff": ";IBM;IBM+RPI",
        "aff_unique_norm": "IBM;RPI",
        "aff_unique_index": ";0;0+1",
        "aff_country_unique": "United States",
        "aff_country_unique_index": "0;0+0",
    },
    R4,  # 4
    {  # 5: Taiwan from the email domain
        "id": "r5",
        "title": "email",
        "author": "E",
        "aff_unique_norm": "Some Lab",
        "aff_unique_index": "0",
        "aff_country_unique": "China",
        "aff_country_unique_index": "0",
        "email": "cs.nthu.edu.tw",
    },
    {  # 6: 'Unknown' and '' name no country
        "id": "r6",
        "title": "unknowns",
        "author": "U;V",
        "aff_country_unique": "Unknown;;Germany",
        "aff_country_unique_index": "0;1+2",
    },
    {**R4, "session": "B"},  # 7: a repeated listing (same paper fields)
    {"id": "r2", "title": "another paper, same id", "author": "S"},  # 8
    {"title": "no id", "author": "Z"},  # 9
    {
        "id": "r10",
        "title": "whitespace",
        "author": " \tAnna\u00a0;\u3000Bob ",
        "aff": "MIT\t;  ETH ",
    },
    {  # 11, 12: indexes out of range name no country (not an error)
        "id": "r11",
        "title": "huge index",
        "author": "O",
        "aff_country_unique": "France",
        "aff_country_unique_index": "99999999999999999999999",
    },
    {
        "id": "r12",
        "title": "negative index",
        "author": "O",
        "aff_country_unique": "France",
        "aff_country_unique_index": "-1",
    },
]


@pytest.fixture(scope="module")
def parsed() -> pl.LocationRows:
    content = orjson.dumps(RECORDS)
    fetched = Fetched("mem://ijcai2019.json", content, "hash", datetime.now(UTC))
    return pl.parse_file(pl.VenueYear("ijcai", 2019, "mem://ijcai2019.json"), fetched)


def _rows(parsed, table: str, work: str, *cols: str) -> list[tuple]:
    t = parsed.tables[table].to_pylist()
    rows = [tuple(r[c] for c in cols) for r in t if r["work_id"] == f"paperlists:ijcai2019:{work}"]
    return sorted(rows, key=lambda r: tuple((v is None, v) for v in r))


def test_works_and_quarantine(parsed):
    works = {w["work_id"].rsplit(":", 1)[1]: w for w in parsed.tables["works"].to_pylist()}
    assert sorted(works) == sorted(
        ["r1", "r2", "r3", "r4", "r5", "r6", "r2#8", "#9", "r10", "r11", "r12"]
    )
    assert (works["r1"]["n_authors"], works["r1"]["aligned"], works["r1"]["realigned"]) == (
        2,
        False,
        True,
    )
    assert works["r2"]["n_authors"] == 3 and works["r2"]["has_country_table"] is False
    assert (works["r3"]["aligned"], works["r3"]["realigned"]) == (False, True)
    assert works["r6"]["aligned"] is True
    assert works["r11"]["aligned"] is False and works["r12"]["aligned"] is False
    q = parsed.tables["quarantine"].to_pylist()
    assert [(r["record_no"], r["reason"]) for r in q] == [
        (7, "repeated listing of paper id 'r4' (same paper fields)")
    ]
    assert orjson.loads(q[0]["raw"]) == RECORDS[6]
    assert parsed.notes == {
        "records": 12,
        "repeated bylines halved": 1,
        "comma-separated bylines": 1,
        "papers realigned (optional 'realigned' rule)": 2,
        "papers with a country list of the wrong length": 2,
        "records sharing an id with different content (numbered)": 1,
        "records without id (numbered by position)": 1,
        "region recovered by inst-name": 1,
        "region recovered by email": 1,
    }


def test_authors(parsed):
    cols = ("position", "author_name", "raw_affiliation")
    assert _rows(parsed, "authorships", "r1", *cols) == [(0, "A", "X"), (1, "B", "Y")]
    assert [r[1] for r in _rows(parsed, "authorships", "r2", *cols)] == [
        "Ann Lee",
        "Bo Chen",
        "Cy Wu",
    ]
    # Python's str.strip(): tabs, no-break and ideographic spaces too.
    assert _rows(parsed, "authorships", "r10", *cols) == [(0, "Anna", "MIT"), (1, "Bob", "ETH")]


AFF = ("layout", "slot", "seq", "author_position", "author_position_realigned")
GEO = ("institution_name", "country_source", "country", "country_rule")


def test_affiliation_rows(parsed):
    r1 = _rows(parsed, "affiliations", "r1", *AFF, "country_source")
    assert r1 == sorted(
        [
            ("joint", s, 0, None, s if s < 2 else None, "CN" if s % 2 == 0 else "US")
            for s in range(8)
        ],
        key=lambda r: tuple((v is None, v) for v in r),
    )
    assert _rows(parsed, "affiliations", "r3", *AFF, "institution_name", "country_source") == [
        ("country-index", 0, 0, None, 1, None, "US"),
        ("country-index", 1, 0, None, 2, None, "US"),
        ("country-index", 1, 1, None, 2, None, "US"),
        ("institution-index", 1, 0, 1, 1, "IBM", None),
        ("institution-index", 2, 0, 2, 2, "IBM", None),
        ("institution-index", 2, 1, 2, 2, "RPI", None),
    ]
    assert _rows(parsed, "affiliations", "r4", *GEO) == [
        (HKUST, "CN", "HK", "inst-name"),
        ("Peking University", "CN", "CN", "source"),
    ]
    assert _rows(parsed, "affiliations", "r5", *GEO) == [("Some Lab", "CN", "TW", "email")]
    assert _rows(parsed, "affiliations", "r6", *AFF, "country_source") == [
        ("country-index", 1, 1, 1, 1, "DE")
    ]
    assert _rows(parsed, "affiliations", "r11", *AFF) == []
    assert _rows(parsed, "affiliations", "r12", *AFF) == []


def test_institutions(parsed):
    inst = {r["institution_id"]: r for r in parsed.tables["institutions"].to_pylist()}
    assert inst["pc:" + HKUST.lower()]["country"] == "HK"
    assert (inst["pc:tsinghua university"]["country"], inst["pc:mit"]["n_rows"]) == ("CN", 4)
    assert inst["pc:rpi"]["country"] is None and inst["pc:rpi"]["n_rows"] == 0


def test_strip_set_is_pythons():
    expected = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert expected == paperlists_sql.PY_WHITESPACE


@pytest.mark.parametrize(
    "key", ["icra/icra2006", "iros/iros2006", "siggraph/siggraph2025", "aistats/aistats2025"]
)
def test_sql_agrees_with_python_rules(paperlists_con, data_root, key):
    """Authors per paper and alignment as split_authors and _index_entries state them."""
    records = orjson.loads(
        gzip.decompress((data_root / "paperlists" / f"{key}.json.gz").read_bytes())
    )
    got = dict(
        paperlists_con.execute(
            "SELECT record_no, [n_authors, aligned::INTEGER] FROM works WHERE load_id = ?",
            [f"paperlists:{key}"],
        ).fetchall()
    )
    quarantined = {
        r[0]
        for r in paperlists_con.execute(
            "SELECT record_no FROM quarantine WHERE load_id = ?", [f"paperlists:{key}"]
        ).fetchall()
    }
    for no, p in enumerate(records, 1):
        if no in quarantined:
            continue
        authors, _ = pl.split_authors(p.get("author"))
        names = [n.strip() for n in (p.get("aff_country_unique") or "").split(";")]
        entries = (
            pl._index_entries(p["aff_country_unique_index"], "idx")
            if p.get("aff_country_unique") is not None and "aff_country_unique_index" in p
            else []
        )
        known = any(
            0 <= k < len(names) and names[k] not in ("", "Unknown") for e in entries for k in e
        )
        assert got[no] == [len(authors), int(known and len(entries) == len(authors))], (key, no)
