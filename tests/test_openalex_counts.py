"""OpenAlex country counts at full scale against the fake API serving the real works: the
group_by counts per (AI definition, year) equal a count over the served records, the seeded
sample's fractional share equals an independent computation on the sampled records, faults
(429 with Retry-After, truncated body, 500) are survived, nothing is fetched twice."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

import aicensus
from aicensus.cli.main import app
from aicensus.errors import AicensusError, MeasureError
from tests.fakes.openalex_server import FakeOpenAlex, load_records

YEARS = [2019, 2020, 2021, 2022, 2023]


def _short(v: str | None) -> str:
    return (v or "").rsplit("/", 1)[-1]


def counts_as_ai(rec: dict, definition: str) -> bool:
    """The definitions as ai_definitions documents them, read off the raw record."""
    if definition == "openalex-subfields":
        pt = rec.get("primary_topic") or {}
        return _short((pt.get("subfield") or {}).get("id")) in ("1702", "1707")
    ids = {_short(c.get("id")) for c in rec.get("concepts") or ()}
    return bool(ids & {"C154945302", "C119857082"})


def authorship_countries(a: dict) -> set[str]:
    """SOURCE.md's country rule: `countries` when the key exists, else institution codes."""
    if "countries" in a:
        return {c for c in a.get("countries") or () if c}
    return {i["country_code"] for i in a.get("institutions") or () if i.get("country_code")}


def full_counts(records: list[dict]) -> Counter:
    out: Counter = Counter()
    for r in records:
        cs = set().union(*[authorship_countries(a) for a in r.get("authorships") or ()])
        out.update(cs or {"unknown"})
    return out


def author_fractional(records: list[dict]) -> tuple[dict[str, float], int]:
    """SOURCE.md author-fractional with unknown: per-country mean over works with authorships."""
    total: dict[str, float] = defaultdict(float)
    n = 0
    for r in records:
        auth = r.get("authorships") or []
        if not auth:
            continue
        n += 1
        for a in auth:
            cs = authorship_countries(a)
            for c in cs or {"unknown"}:
                total[c] += 1 / len(auth) / max(1, len(cs))
    return {c: v / n for c, v in total.items()}, n


@pytest.fixture(scope="module")
def works(data_root: Path) -> list[dict]:
    return load_records(data_root / "openalex_works" / "works.jsonl.gz")


@pytest.fixture(scope="module")
def served(works, tmp_path_factory):
    """One fake server and one warehouse with both definitions' counts and a sample fetched
    (faults injected on the way)."""
    with FakeOpenAlex(works) as srv:
        srv.faults = [("429", 0), ("truncate",), ("500",)]
        wh = aicensus.open(tmp_path_factory.mktemp("oa") / "w.duckdb")
        sub = wh.openalex.country_counts("openalex-subfields", "2019-2023", base_url=srv.url)
        first = len(srv.requests)
        oecd = wh.openalex.country_counts(
            "oecd-concepts", "2019-2023", sample=8, seed=7, base_url=srv.url
        )
        yield srv, wh, sub, oecd, first


@pytest.mark.parametrize("definition", ["openalex-subfields", "oecd-concepts"])
def test_group_by_counts_equal_counts_over_served_records(served, works, definition):
    srv, _wh, sub, oecd, _ = served
    df = sub if definition == "openalex-subfields" else oecd
    assert not srv.faults  # every injected fault was served and survived
    for y in YEARS:
        matched = [
            r for r in works if r.get("publication_year") == y and counts_as_ai(r, definition)
        ]
        part = df[df["year"] == y]
        got = dict(zip(part["country"], part["works"], strict=True))
        got = {k: v for k, v in got.items() if v}
        assert got == dict(full_counts(matched)), (definition, y)
        assert df.attrs["meta"]["works_per_year"][y] == len(matched)
        share = part.set_index("country")["share"]
        for c, n in full_counts(matched).items():
            assert share[c] == pytest.approx(n / len(matched))


def test_one_group_by_request_per_year_and_nothing_fetched_twice(served):
    srv, wh, _sub, _oecd, first = served
    gb = [p for _t, _path, p in srv.requests[:first] if p.get("group_by")]
    # one request per year (+ the 3 faulted attempts, retried)
    assert sorted({p["filter"] for p in gb}) == sorted(
        f"publication_year:{y},primary_topic.subfield.id:1702|1707" for y in YEARS
    )
    assert len(gb) == len(YEARS) + 3
    before = len(srv.requests)
    again = wh.openalex.country_counts(
        "oecd-concepts", "2019-2023", sample=8, seed=7, base_url=srv.url
    )
    assert len(srv.requests) == before  # all stored: no request
    assert again.equals(served[3])
    m = again.attrs["meta"]
    assert m["sample"]["size"] == 8 and m["sample"]["seed"] == 7
    assert m["definition"]["name"] == "oecd-concepts"
    assert m["filter"] == "concepts.id:C154945302|C119857082"
    assert {s["location"].split("?")[0] for s in m["sources"]} == {f"{srv.url}/works"}


def test_sample_fractional_share_equals_independent_computation(served, works):
    _srv, wh, _sub, oecd, _ = served
    by_id = {_short(w["id"]): w for w in works}
    with wh.reading() as con:
        drawn = con.execute(
            "SELECT year, list(work_id ORDER BY position) FROM openalex_samples "
            "WHERE seed = 7 GROUP BY year"
        ).fetchall()
    assert sorted(y for y, _ in drawn) == YEARS
    for y, ids in drawn:
        recs = [by_id[i] for i in ids]
        assert len(recs) == 8 and all(counts_as_ai(r, "oecd-concepts") for r in recs)
        assert all(r["publication_year"] == y for r in recs)
        expect, n = author_fractional(recs)
        part = oecd[(oecd["year"] == y) & oecd["share_fractional"].notna()]
        got = dict(zip(part["country"], part["share_fractional"], strict=True))
        assert {c: v for c, v in got.items() if v} == pytest.approx(expect), y
        assert (
            set(got) == set(part["country"])
            and not oecd[oecd["year"] == y]["share_fractional"].isna().any()
        )  # countries counted in full but not drawn show 0, not blank
        assert set(part["sample_works"]) == {n}
        assert (part["share_fractional_lo"] <= part["share_fractional"] + 1e-12).all()
        assert (part["share_fractional"] <= part["share_fractional_hi"] + 1e-12).all()


def test_sample_is_deterministic_per_seed(served, works, tmp_path):
    srv = served[0]

    def drawn(seed: int) -> list[str]:
        wh = aicensus.open(tmp_path / f"s{seed}-{len(srv.requests)}.duckdb")
        wh.openalex.country_counts("oecd-concepts", "2021", sample=5, seed=seed, base_url=srv.url)
        with wh.reading() as con:
            return [r[0] for r in con.execute(
                "SELECT work_id FROM openalex_samples ORDER BY position").fetchall()]  # fmt: skip

    a, b, c = drawn(3), drawn(3), drawn(4)
    assert a == b and len(a) == 5 and a != c


def test_definitions_the_api_cannot_filter_and_a_sample_without_seed(served, tmp_path):
    srv = served[0]
    wh = aicensus.open(tmp_path / "w.duckdb")
    with pytest.raises(MeasureError, match=r"ai-venues.*regular expression"):
        wh.openalex.country_counts("ai-venues", "2020", base_url=srv.url)
    with pytest.raises(AicensusError, match="--seed"):
        wh.openalex.country_counts("oecd-concepts", "2020", sample=5, base_url=srv.url)


def test_cli_counts(served, tmp_path):
    srv = served[0]
    db = tmp_path / "cli.duckdb"
    args = ["--db", str(db), "openalex", "counts", "--definition", "openalex-subfields",
            "--years", "2020-2021", "--sample", "3", "--seed", "1",
            "--base-url", srv.url]  # fmt: skip
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "full counting, fractional on a sample of 3 seed 1" in r.output.replace("\n", " ")
    bad = CliRunner().invoke(app, [*args[:5], "ai-venues", "--years", "2020",
                                   "--base-url", srv.url])  # fmt: skip
    assert bad.exit_code == 1 and isinstance(bad.exception, MeasureError)
    assert "regular expression" in str(bad.exception)
