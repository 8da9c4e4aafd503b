"""`papers.impact`: PP(top 10%) and mean citations per paper with bootstrap intervals, checked
against a computation from the raw paperlists records of one venue-year."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from aicensus.measures import papers as pm

VENUE, YEAR = "ijcai", 2024


def _raw_papers(data_root: Path) -> list[tuple[set[str], int | None]]:
    """(country-name set, citations or None) per paper of the raw file, by SOURCE.md's rules:
    the country set is the union of the names the index entries point to ('' and 'Unknown'
    are unknown); a citation count is a non-negative integer (-1 means not crawled)."""
    path = data_root / "paperlists" / VENUE / f"{VENUE}{YEAR}.json.gz"
    out = []
    with gzip.open(path) as f:
        records = json.load(f)
    for p in records:
        names = str(p.get("aff_country_unique") or "").split(";")
        countries: set[str] = set()
        for entry in str(p.get("aff_country_unique_index") or "").split(";"):
            for i in entry.split("+"):
                if i.strip().isdigit() and int(i) < len(names):
                    name = names[int(i)].strip()
                    if name and name != "Unknown":
                        countries.add(name)
        c = p.get("gs_citation")
        out.append((countries, int(c) if str(c).strip().lstrip("-").isdigit() else None))
    return [(s, c if c is not None and c >= 0 else None) for s, c in out]


def _top10(cites: list[int]) -> list[float]:
    """Leiden-style top-10% membership: (0.1 n - papers cited more) / papers cited as much,
    clipped to [0, 1]."""
    n = len(cites)
    return [
        min(1.0, max(0.0, (0.1 * n - sum(x > c for x in cites)) / sum(x == c for x in cites)))
        for c in cites
    ]


@pytest.fixture(scope="module")
def raw(data_root):
    papers = [(s, c) for s, c in _raw_papers(data_root) if c is not None]
    tops = _top10([c for _, c in papers])
    return [(s, c, t) for (s, c), t in zip(papers, tops, strict=True)]


@pytest.mark.parametrize("method", ["full", "country-fractional"])
@pytest.mark.parametrize(("code", "name"), [("CN", "China"), ("US", "United States")])
def test_pp_top10_from_raw_records(paperlists_con, raw, method, code, name):
    assert sum(t for _, _, t in raw) == pytest.approx(0.1 * len(raw))
    mine = [(1.0 if method == "full" else 1 / len(s), c, t) for s, c, t in raw if name in s]
    weight = sum(w for w, _, _ in mine)
    q = pm.PaperQuery(venues=(VENUE,), years=(YEAR,), by="all", method=method, regions="source")
    r = pm.impact(paperlists_con, q)
    row = r.table.set_index("country").loc[code]
    assert row["n_papers"] == len(mine)
    assert row["papers"] == pytest.approx(weight)
    assert row["pp_top10"] == pytest.approx(sum(w * t for w, _, t in mine) / weight)
    assert row["mean_citations"] == pytest.approx(sum(w * c for w, c, _ in mine) / weight)
    for v in ("pp_top10", "mean_citations"):
        assert row[f"{v}_lo"] < row[v] < row[f"{v}_hi"]
    assert r.meta["reference_set"] == "venue+year"
    assert r.meta["interval"]["seed"] == pm.BOOTSTRAP_SEED
    assert r.meta["interval"]["resamples"] == pm.BOOTSTRAP_RESAMPLES


def test_reference_set_is_the_venue_year(paperlists_con):
    """Each venue-year has its own top 10%, whatever the query spans: a unit's top-cited
    weight over two years is the sum of its weights over each year alone."""

    def cn(years: tuple[int, ...]):
        q = pm.PaperQuery(venues=(VENUE,), years=years, by="all")
        return pm.impact(paperlists_con, q).table.set_index("country").loc["CN"]

    both, y1, y2 = cn((2023, YEAR)), cn((2023,)), cn((YEAR,))
    assert both["top10_papers"] == pytest.approx(y1["top10_papers"] + y2["top10_papers"])
    assert both["n_papers"] == y1["n_papers"] + y2["n_papers"]


def test_intervals_are_seeded(paperlists_con):
    """The same query gives the same intervals (seeded), and a unit's interval does not depend
    on the other units in the result (recovered regions add HK/MO/TW units, GB is unchanged)."""
    cols = ["pp_top10_lo", "pp_top10_hi", "mean_citations_lo", "mean_citations_hi"]

    def gb(regions: str) -> list[float]:
        q = pm.PaperQuery(venues=(VENUE,), years=(YEAR,), by="all", regions=regions)
        return pm.impact(paperlists_con, q).table.set_index("country").loc["GB", cols].tolist()

    assert gb("source") == gb("source") == gb("recovered")


def test_impact_through_the_cli_and_api(paperlists_db):
    """`papers impact` (CLI) and `wh.papers.impact` (API) give the measure's figures."""
    import json

    from typer.testing import CliRunner

    import aicensus
    from aicensus.cli.main import app

    args = ["--db", str(paperlists_db), "papers", "impact", "--venues", "ijcai"]
    out = CliRunner().invoke(app, [*args, "--years", "2024", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = {r["country"]: r for r in json.loads(out.output)["rows"]}
    df = aicensus.open(paperlists_db).papers.impact(venues="ijcai", years="2024")
    cn = df.set_index("country").loc["CN"]
    assert rows["CN"]["pp_top10"] == pytest.approx(cn["pp_top10"])
    assert cn["pp_top10_lo"] <= cn["pp_top10"] <= cn["pp_top10_hi"]
