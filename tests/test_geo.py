"""Country mapping, HK/MO/TW recovery rules on real institution strings, country groups."""

from __future__ import annotations

import pytest

from aicensus.geo.countries import country_name, to_iso2
from aicensus.geo.regions import parse_group, recover, region_from_name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("United States", "US"),
        ("South Korea", "KR"),
        ("Türkiye", "TR"),
        ("Russian Federation", "RU"),
        ("Russia", "RU"),
        ("Czech Republic", "CZ"),
        ("State of Palestine", "PS"),
        ("China", "CN"),
        ("Hong Kong", "HK"),
        ("Taiwan", "TW"),
        ("Macao", "MO"),
        ("United Kingdom", "GB"),
        ("Viet Nam", "VN"),
    ],
)
def test_country_names(name, code):
    assert to_iso2(name) == code


@pytest.mark.parametrize("name", ["", "Unknown", "  ", None, "Atlantis"])
def test_unknown_or_unmapped(name):
    assert to_iso2(name) is None


def test_every_country_name_in_the_data_maps(paperlists_con):
    names = [
        r[0]
        for r in paperlists_con.execute(
            "SELECT DISTINCT country_source_name FROM affiliations "
            "WHERE country_source_name IS NOT NULL"
        ).fetchall()
    ]
    assert len(names) >= 100
    assert all(to_iso2(n) for n in names)
    loads_with_unmapped = paperlists_con.execute(
        "SELECT count(*) FROM loads WHERE notes LIKE '%unmapped country name%'"
    ).fetchone()[0]
    assert loads_with_unmapped == 0


@pytest.mark.parametrize(
    ("inst", "code"),
    [
        ("Hong Kong University of Science and Technology", "HK"),
        ("Chinese University of Hong Kong", "HK"),
        ("Hong Kong Polytechnic University", "HK"),
        ("City University of Hong Kong", "HK"),
        ("University of Macau", "MO"),
        ("National Taiwan University", "TW"),
        ("National Tsing Hua University", "TW"),
        ("Academia Sinica", "TW"),
        ("Tsinghua University", None),  # Beijing
        ("Chinese University of Hong Kong, Shenzhen", None),
        ("Hong Kong University of Science and Technology (Guangzhou)", None),
        ("Peking University", None),
    ],
)
def test_region_from_real_names(inst, code):
    assert region_from_name(inst) == code


def test_recover_rules():
    assert recover("CN", "HKUST", None, None, 1) == ("HK", "inst-name")
    assert recover("CN", "Some Lab", "http://www.ust.hk", None, 1) == ("HK", "inst-url")
    assert recover("CN", "Some Lab", None, "cs.nthu.edu.tw", 1) == ("TW", "email")
    # the email rule needs a single China-coded affiliation for the author
    assert recover("CN", "Some Lab", None, "cs.nthu.edu.tw", 2) == ("CN", "source")
    # a mainland email outweighs a HK-sounding name (CUHK-Shenzhen authors)
    assert recover("CN", "Chinese University of Hong Kong", None, "link.cuhk.edu.cn", 1) == (
        "CN",
        "source",
    )
    # other countries are never touched
    assert recover("US", "Hong Kong Lab", None, "x.hk", 1) == ("US", "source")


def test_recovered_in_real_data(paperlists_con):
    rows = dict(
        paperlists_con.execute("""
        SELECT institution_name, any_value(country) FROM affiliations
        WHERE institution_name IN ('Hong Kong University of Science and Technology',
          'National Taiwan University', 'University of Macau', 'Tsinghua University')
          AND country_source = 'CN' GROUP BY 1""").fetchall()
    )
    assert rows == {
        "Hong Kong University of Science and Technology": "HK",
        "National Taiwan University": "TW",
        "University of Macau": "MO",
        "Tsinghua University": "CN",
    }


def test_groups():
    assert parse_group("CN=CN,HK,MO") == {"CN": "CN", "HK": "CN", "MO": "CN"}
    assert parse_group("GC=CN,HK;EU=DE,FR") == {"CN": "GC", "HK": "GC", "DE": "EU", "FR": "EU"}
    for bad in ("CN", "=CN", "CN=", "CN=CHN", "A=CN;B=CN"):
        with pytest.raises(ValueError):
            parse_group(bad)


def test_country_name():
    assert country_name("KR") in ("Korea, Republic of", "South Korea")
    assert country_name("TW") == "Taiwan"
