"""The paperlists SOURCE.md reference figures, reproduced by the loader and measures."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import orjson
import pytest

from aicensus.measures import papers as pm
from aicensus.sources import paperlists as pl
from tests.reference import markdown_table, number_after

METHOD_COLUMNS = {
    "full": "full",
    "country-frac": "country-fractional",
    "author-frac": "author-fractional",
    "first": "first-author",
}


@pytest.fixture(scope="module")
def source_md(data_root: Path) -> Path:
    return data_root / "paperlists" / "SOURCE.md"


@pytest.fixture(scope="module")
def reference(source_md: Path) -> list[dict[str, str]]:
    return markdown_table(source_md, "venue-year")


def _split(vy: str) -> tuple[str, int]:
    m = re.fullmatch(r"([a-z]+)(\d{4})", vy)
    assert m
    return m.group(1), int(m.group(2))


@pytest.fixture(scope="module")
def shares(paperlists_db: Path, reference) -> dict[str, dict]:
    """CN/US share per venue-year and method, source regions, from the measure."""
    import duckdb

    con = duckdb.connect(str(paperlists_db), read_only=True)
    venues = tuple(sorted({_split(r["venue-year"])[0] for r in reference}))
    years = tuple(sorted({_split(r["venue-year"])[1] for r in reference}))
    out: dict[str, dict] = {}
    for method in pm.METHODS:
        q = pm.PaperQuery(venues=venues, years=years, method=method, regions="source")
        df = pm.share(con, q).table
        for row in df.itertuples():
            d = out.setdefault(f"{row.venue}{row.year}", {})
            d[(method, row.country)] = row.share
            d[(method, "denominator")] = row.denominator
            d["loaded"] = row.papers_loaded
    collab = pm.collaboration(con, pm.PaperQuery(venues=venues, years=years, regions="source"))
    for row in collab.table.itertuples():
        out[f"{row.venue}{row.year}"]["international"] = row.international
    co = pm.coauthorship(
        con, pm.PaperQuery(venues=venues, years=years, regions="source"), "CN", "US"
    )
    for row in co.table.itertuples():
        out[f"{row.venue}{row.year}"]["cn_us"] = row.papers
    con.close()
    return out


def test_reference_table_has_rows(reference):
    assert len(reference) >= 9


@pytest.mark.parametrize("i", range(9))
def test_venue_year_figures(i, reference, shares):
    ref = reference[i]
    got = shares[ref["venue-year"]]
    assert got["loaded"] == int(ref["papers"])
    assert got[("full", "denominator")] == int(ref["known"])
    assert got[("author-fractional", "denominator")] == int(ref["aligned usable"])
    for country in ("CN", "US"):
        for col, method in METHOD_COLUMNS.items():
            expected = float(ref[f"{country} {col}"])
            assert round(100 * got[(method, country)], 2) == pytest.approx(expected, abs=1e-9), (
                ref["venue-year"],
                country,
                method,
            )
    assert got["cn_us"] == int(ref["CN+US co-authored"])
    assert got["international"] == int(ref["international"])


def test_totals(paperlists_con, source_md):
    """246 files, 95,652 records (loaded + quarantined), and papers with a known country."""
    con = paperlists_con
    files, loaded, quarantined = con.execute(
        "SELECT count(*), sum(rows_loaded), sum(rows_quarantined) FROM loads "
        "WHERE source = 'paperlists'"
    ).fetchone()
    assert files == number_after(source_md, r"Totals: (\d+) files")
    assert loaded + quarantined == number_after(source_md, r"Totals: \d+ files; ([\d,]+) papers")
    # Known = non-empty country set. The reference counts every record, so repeated listings
    # (quarantined) count when the paper they repeat is known.
    known_loaded = con.execute(
        "SELECT count(DISTINCT work_id) FROM affiliations WHERE country_source IS NOT NULL"
    ).fetchone()[0]
    known_repeats = con.execute(
        """SELECT count(*) FROM quarantine q JOIN works w
           ON w.load_id = q.load_id AND w.source_record_id = q.record_id
           WHERE q.reason LIKE 'repeated listing%' AND EXISTS (SELECT 1 FROM affiliations a
             WHERE a.work_id = w.work_id AND a.country_source IS NOT NULL)"""
    ).fetchone()[0]
    assert known_loaded + known_repeats == number_after(
        source_md, r"papers; ([\d,]+) with a non-empty country set"
    )


def _literal_authors(raw: str | None) -> list[str]:
    """SOURCE.md's counting section, literally: `;`-split, trimmed, non-empty names; a byline of
    two identical halves counts its first half."""
    names = [n.strip() for n in (raw or "").split(";") if n.strip()]
    half = len(names) // 2
    return names[:half] if half and len(names) % 2 == 0 and names[:half] == names[half:] else names


def test_misaligned_total_under_literal_rule(data_root, source_md):
    """SOURCE.md's misaligned total follows its counting section literally. The loader also
    splits siggraph2025's comma bylines (a quirk SOURCE.md lists) and halves four-fold bylines
    (ICRA/IROS 2006) down to one copy; those papers make the whole difference."""
    literal = loader = 0
    differs_in = set()
    for f in sorted((data_root / "paperlists").glob("*/*.json.gz")):
        for p in orjson.loads(gzip.decompress(f.read_bytes())):
            if p.get("aff_country_unique") is None or p.get("aff_country_unique_index") is None:
                continue
            names = [n.strip() for n in p["aff_country_unique"].split(";")]
            entries = pl._index_entries(p["aff_country_unique_index"], "idx")
            known = any(
                k < len(names) and names[k] not in ("", "Unknown") for e in entries for k in e
            )
            if not known:
                continue
            lit = len(entries) != len(_literal_authors(p.get("author")))
            ours = len(entries) != len(pl.split_authors(p.get("author"))[0])
            literal += lit
            loader += ours
            if lit != ours:
                differs_in.add(f.parent.name + "/" + f.name.split(".")[0])
    assert literal == number_after(source_md, r"([\d,]+) of those misaligned")
    assert differs_in <= {"siggraph/siggraph2025", "icra/icra2006", "iros/iros2006"}
    assert "siggraph/siggraph2025" in differs_in
    assert loader != literal
