"""`aicensus check claims/debate.yaml` on the real data: every verdict kind, with the numbers
pinned (paper shares against paperlists/SOURCE.md, video ranks against arena_video/SOURCE.md)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from aicensus.claims import evidence as evidence_mod
from aicensus.claims import files, registry, verdicts
from aicensus.cli.main import app
from tests.reference import markdown_table

REPO = Path(__file__).resolve().parents[1]
DEBATE = REPO / "claims" / "debate.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def evidence(claims_db: Path) -> dict[str, dict]:
    """The full JSON evidence of `aicensus check claims/debate.yaml --format json`."""
    r = runner.invoke(app, ["--db", str(claims_db), "check", str(DEBATE), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    return {v["id"]: v for v in doc["verdicts"]}


def variant(v: dict, **choices: str) -> dict:
    hits = [x for x in v["variants"] if all(x["choices"].get(k) == c for k, c in choices.items())]
    assert len(hits) == 1, (choices, len(hits))
    return hits[0]


def decided_by_interval(lo: float, hi: float, threshold: float, above: bool) -> str:
    """The outcome of `value > threshold` (above) or `<` over an interval."""
    if (lo > threshold) if above else (hi < threshold):
        return "holds"
    if (hi <= threshold) if above else (lo >= threshold):
        return "fails"
    return "too close to call"


def test_every_claim_has_a_verdict_with_evidence(evidence):
    """Every claim gets one of the four verdicts, with its reason, variants and chart (the
    choices' grid beside the values read). With intervals Kling is no longer supported: its
    lead over Sora/Runway is within the arena's rank intervals (below)."""
    assert len(evidence) == len(files.load(DEBATE))
    kinds = {v["verdict"] for v in evidence.values()}
    assert {"refuted", "depends", "insufficient data"} <= kinds
    assert kinds <= {"supported", "refuted", "depends", "insufficient data"}
    oa = evidence["ml-papers-china-most-openalex"]
    assert oa["verdict"] == "insufficient data" and "no openalex papers loaded" in oa["reason"]
    for v in evidence.values():
        assert v["reason"] and v["variants"]
        grid, values = v["chart"]["hconcat"]
        assert grid["mark"]["type"] == "text"
        assert [layer["mark"]["type"] for layer in values["layer"]][:2] == ["rule", "point"]
        if v["verdict"] != "insufficient data":
            assert v["sources"], v["id"]
            assert all(s["retrieved"] for s in v["sources"])


@pytest.mark.parametrize(
    ("vy", "venue", "year"), [("ijcai2024", "ijcai", "2024"), ("nips2018", "neurips", "2018")]
)
def test_ml_papers_shares_match_source_md(evidence, data_root, vy, venue, year):
    """The claim's numbers equal SOURCE.md's independently computed CN shares (source regions)
    under every counting method; `share > 0.5` holds at IJCAI 2024 and fails at NeurIPS 2018."""
    ref = next(
        r
        for r in markdown_table(data_root / "paperlists" / "SOURCE.md", "venue-year")
        if r["venue-year"] == vy
    )
    columns = {
        "full": "CN full",
        "country-fractional": "CN country-frac",
        "author-fractional": "CN author-frac",
        "first-author": "CN first",
    }
    v = evidence["ml-papers-china-most"]
    for method, col in columns.items():
        x = variant(v, method=method, regions="source", venues=venue, years=year)
        t = x["tests"][0]
        share = t["values"]["share"]
        assert share * 100 == pytest.approx(float(ref[col]), abs=0.005), (method, vy)
        assert t["sample_unit"] == "papers" and t["sample"] >= 100
        lo, hi = t["intervals"]["share"]
        assert (lo, hi) == pytest.approx(evidence_mod.wilson(share, t["sample"]))
        if year == "2018":  # `period: now`: figures computed and shown, never decided
            assert x["outcome"] == "insufficient"
            assert t["missing"].startswith("data end 2018-12, claim is about now")
        else:
            assert x["outcome"] == decided_by_interval(lo, hi, 0.5, above=True)
    x = variant(v, method="full", regions="source", venues=venue, years=year)
    assert x["outcome"] == {"ijcai2024": "holds", "nips2018": "insufficient"}[vy]
    x = variant(v, method="author-fractional", regions="source", venues=venue, years=year)
    assert x["outcome"] == {"ijcai2024": "too close to call", "nips2018": "insufficient"}[vy]


def test_depends_names_the_choices_that_flip(evidence):
    v = evidence["ml-papers-china-most"]
    assert v["verdict"] == "depends"
    assert "venues" in v["flips"]
    # NeurIPS has 2018 data only: under `period: now` it decides nothing (named, not counted)
    assert "neurips" not in v["flips"]["venues"]
    assert v["flips"]["venues"]["ijcai"].startswith("holds ")
    # venue-years not loaded are missing data, named, and do not decide the verdict
    x = variant(v, method="full", regions="source", venues="neurips", years="2024")
    assert x["outcome"] == "insufficient"
    assert "nips" in x["tests"][0]["missing"] and "2024" in x["tests"][0]["missing"]
    assert "lacked data" in v["reason"]


def test_refuted_and_too_close_to_call(evidence):
    """Kling's best rank (3) beats the best Sora/Runway rank (13), but the arena's CI-aware
    ranges overlap (3-5 against 4-21): every variant is too close to call, and the reason says
    so; Hunyuan is behind beyond the intervals."""
    assert evidence["ml-papers-china-vast-majority"]["verdict"] == "refuted"
    kling = evidence["video-kling-above-sora-runway"]
    assert kling["verdict"] == "insufficient data"
    assert kling["counts"] == {"too close to call": 8}
    assert "8 too close to call" in kling["reason"] and "rank 3-5" in kling["reason"]
    assert evidence["video-hunyuan-above-sora-runway"]["verdict"] == "refuted"


# (claim, board, rank) -> (family's best rank, best Sora/Runway rank), all rows, latest snapshot
# (2026-05-14), from the family table of ../shared/data/arena_video/SOURCE.md.
VIDEO = {
    ("kling", "text-to-video", "strict"): (3, 13),
    ("kling", "text-to-video", "ub"): (3, 4),
    ("vidu", "text-to-video", "strict"): (7, 13),
    ("vidu", "text-to-video", "ub"): (4, 4),
    ("hailuo", "text-to-video", "strict"): (33, 13),
    ("hunyuan", "text-to-video", "strict"): (65, 13),
    ("kling", "image-to-video", "strict"): (7, 18),
    ("vidu", "image-to-video", "strict"): (6, 18),
    ("hailuo", "image-to-video", "strict"): (13, 18),
    ("hunyuan", "image-to-video", "strict"): (59, 18),
}


@pytest.mark.parametrize(("family", "board", "rank"), list(VIDEO))
def test_video_family_ranks(evidence, family, board, rank):
    v = evidence[f"video-{family}-above-sora-runway"]
    x = variant(v, board=board, rank=rank, current_only="False")
    t = x["tests"][0]
    values = t["values"]
    mine, theirs = VIDEO[(family, board, rank)]
    assert (values["rank"], values["other.rank"]) == (mine, theirs)
    (lo, hi), (olo, ohi) = t["intervals"]["rank"], t["intervals"]["other.rank"]
    assert lo <= mine <= hi and olo <= theirs <= ohi
    assert t["sample_unit"] == "votes" and t["sample"] > 0
    expected = "holds" if hi < olo else "fails" if lo >= ohi else "too close to call"
    assert x["outcome"] == expected


def test_video_evidence_names_the_models(evidence):
    x = variant(
        evidence["video-kling-above-sora-runway"],
        board="text-to-video",
        rank="strict",
        current_only="False",
    )
    labels = x["tests"][0]["labels"]
    assert labels["subject"].startswith("Kling 3.0 1080p (Pro) (KlingAI, 2026-05-14")
    assert labels["other"].startswith("Runway Gen-4.5 (Runway, 2026-05-14")


def test_video_close_calls_counted_apart(evidence):
    """Vidu: every variant within the rank intervals; Hailuo: behind on text-to-video beyond
    them, too close to call on image-to-video (counted apart, named in the reason)."""
    v = evidence["video-vidu-above-sora-runway"]
    assert v["verdict"] == "insufficient data" and "too close to call" in v["reason"]
    h = evidence["video-hailuo-above-sora-runway"]
    assert h["verdict"] == "refuted" and h["counts"] == {"fails": 4, "too close to call": 4}
    assert "4 too close to call (board=image-to-video" in h["reason"]


def test_hub_variants_are_insufficient_naming_the_source(evidence):
    v = evidence["open-weights-china-most"]
    hub = [x for x in v["variants"] if x["choices"]["test"].startswith("Hub")]
    assert len(hub) == 12 and all(x["outcome"] == "insufficient" for x in hub)
    assert all("Hugging Face Hub snapshot" in x["tests"][0]["missing"] for x in hub)
    epoch = [x for x in v["variants"] if x["choices"]["test"].startswith("Epoch")]
    # the claim is about 2025 (`period: 2025`): the 2024-only variants cannot speak to it
    for x in epoch:
        if x["choices"]["years"] == "2024":
            assert x["outcome"] == "insufficient"
            assert x["tests"][0]["missing"] == "data end 2024-12, claim is about 2025"
        else:
            assert x["outcome"] in ("holds", "fails", "too close to call")
    assert v["verdict"] != "insufficient data"


def test_insufficient_data_when_nothing_decides(claims_db):
    claims = files.loads(
        """\
claims:
  - id: hub-only
    claim: Most Hub downloads are of Chinese models.
    tests:
      - measure: hub.share
        filters: {weight: downloads}
        subject: CN
        condition: share > 0.5
  - id: papers-not-loaded
    claim: China wrote most NeurIPS 2024 papers.
    tests:
      - measure: papers.share
        filters: {venues: [nips], years: [2024]}
        subject: CN
        condition: share > 0.5
""",
        "t.yaml",
    )
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        hub, nips = verdicts.check(con, claims)
    finally:
        con.close()
    assert hub.verdict == nips.verdict == "insufficient data"
    assert "Hugging Face Hub snapshot" in hub.reason
    assert "nips" in nips.reason and "2024" in nips.reason


def _epoch_table(data_root: Path, heading: str) -> list[tuple[str, float]]:
    """(country name, full count) rows of one country table of the Epoch SOURCE.md, in order."""
    text = (data_root / "epoch_notable_models" / "SOURCE.md").read_text(encoding="utf-8")
    m = re.search(rf"### {re.escape(heading)}[^\n]*\n\| Country.*?\n\|---.*?\n((?:\|.*\n)+)", text)
    assert m, heading
    rows = [line.strip("|").split("|") for line in m.group(1).strip().splitlines()]
    return [(r[0].strip(), float(r[1])) for r in rows]


def test_epoch_and_board_claims_read_their_numbers(evidence, claims_db, data_root):
    """Korea and Japan: Epoch's notable models are evidence (South Korea third in 2025, from
    SOURCE.md); a board that lists no Japanese model makes its test insufficient data, naming
    Japan, instead of counting zero; frontier models read 0 for both in 2023-2025."""
    v = evidence["korea-japan-not-competitive"]
    assert v["verdict"] == "depends" and "test" in v["flips"]
    ref = _epoch_table(data_root, "Notable models, 2025")
    kr = next(i for i, (name, _) in enumerate(ref) if name.startswith("Korea"))
    jp = [n for name, n in ref if name == "Japan"]
    x = variant(v, test="Epoch notable models", years="2025", attribution="source")
    assert x["tests"][0]["values"]["models"] == ref[kr][1] + sum(jp)
    assert x["outcome"] == "fails"
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        frame = registry.get("models.count").run(con, {"subset": "notable", "years": [2025]})
    finally:
        con.close()
    rank = frame.summarize(frame.rows[frame.rows["country"] == "KR"], frame.rows)["rank"]
    assert rank == kr + 1 == 3
    x = variant(v, test="Epoch frontier models", years="2023-2025", attribution="source")
    assert x["tests"][0]["values"]["models"] == 0.0 and x["outcome"] == "holds"
    board = [x for x in v["variants"] if x["choices"]["test"].startswith("Text arena")]
    assert len(board) == 4
    for x in board:
        assert x["outcome"] == "insufficient"
        missing = x["tests"][0]["missing"]
        assert "lists no model from Japan (JP)" in missing and "Korea" not in missing
    assert "lists no model from Japan" in v["reason"]


def test_a_board_subject_it_lists_is_measured(claims_db):
    """Korea is on the text board (below the top 10): its test decides; Japan's does not."""
    claims = files.loads(
        """\
claims:
  - id: kr
    claim: Korea has no model in the text arena's top 10.
    tests:
      - measure: board.rank
        filters: {board: text}
        subject: KR
        condition: entries_top == 0
  - id: jp
    claim: Japan has no model in the text arena's top 10.
    tests:
      - measure: board.rank
        filters: {board: text}
        subject: JP
        condition: entries_top == 0
""",
        "t.yaml",
    )
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        kr, jp = verdicts.check(con, claims)
    finally:
        con.close()
    t = kr.variants[0].tests[0]
    assert kr.verdict == "supported" and t.values["entries_top"] == 0 and t.values["rating"] > 0
    assert jp.verdict == "insufficient data" and "lists no model from Japan (JP)" in jp.reason


def test_concentration_claim_reads_its_numbers(evidence):
    c = evidence["china-no-dominant-company"]
    x = variant(
        c, test="Epoch notable models", orgs="registry", **{"attribution@models": "hq"}, top="-"
    )
    vals = x["tests"][0]["values"]
    assert 0 < vals["hhi"] < 1 and 0 < vals["other.hhi"] < 1
    point = vals["hhi"] < vals["other.hhi"] and vals["top_share"] < vals["other.top_share"]
    assert x["outcome"] in (("holds" if point else "fails"), "too close to call")


def test_cli_table_and_explain(claims_db, tmp_path):
    small = tmp_path / "small.yaml"
    small.write_text(DEBATE.read_text())
    r = runner.invoke(
        app, ["--db", str(claims_db), "check", str(small), "--explain", "meta-xai-not-at-top"]
    )
    assert r.exit_code == 0, r.output
    assert "meta-xai-not-at-top" in r.output and "snapshot" in r.output and "rank" in r.output


def test_cli_invalid_file_exits_nonzero_with_one_line(claims_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "claims:\n  - id: x\n    claim: y\n    tests:\n      - measure: papers.share\n"
        "        subject: CN\n        condition: share >\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "aicensus", "--db", str(claims_db), "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"{bad}:7:" in lines[0] and "cannot parse" in lines[0]


def test_hub_adapter_reads_the_hub_measures(claims_db, monkeypatch):
    """Against the interface of aicensus.measures.hub (built on its own branch): a stand-in
    module returning the documented tables is read as shares and concentrations."""
    import types

    import pandas as pd

    from aicensus.measures import hub as real_hub
    from aicensus.measures.base import MeasureResult

    fake = types.ModuleType("aicensus.measures.hub")
    seen = []

    @dataclasses.dataclass(frozen=True)
    class HubQuery(real_hub.HubQuery):  # the query's interface (choices, of), recording each
        def __post_init__(self):
            super().__post_init__()
            seen.append(dataclasses.asdict(self))

    def share(con, q):
        t = pd.DataFrame(
            {
                "unit": ["US", "CN", "unknown"],
                "name": ["United States", "China", "unknown"],
                "value": [60, 30, 10],
                "share": [0.6, 0.3, 0.1],
                "share_known": [2 / 3, 1 / 3, None],
                "models": [60, 30, 10],
            }
        )
        return MeasureResult("hub_share", t, {"sources": [{"key": "k", "retrieved_at": "x"}]})

    def concentration(con, q):
        t = pd.DataFrame(
            {
                "unit": ["US", "CN"],
                "name": ["United States", "China"],
                "value": [6000, 3000],  # models: enough for the shares' intervals to decide
                "orgs": [10, 5],
                "hhi": [0.2, 0.3],
                "top_org": ["meta", "alibaba"],
                "top1_share": [0.3, 0.5],
            }
        )
        return MeasureResult("hub_concentration", t, {"sources": []})

    fake.HubQuery, fake.share, fake.concentration = HubQuery, share, concentration
    monkeypatch.setitem(__import__("sys").modules, "aicensus.measures.hub", fake)
    import aicensus.measures

    monkeypatch.setattr(aicensus.measures, "hub", fake, raising=False)
    claims = files.loads(
        """\
claims:
  - id: hub
    claim: c
    axes:
      denominator: [all, known]
    tests:
      - measure: hub.share
        filters: {weight: downloads, attribution: root}
        subject: CN
        condition: share < 0.5 and rank == 2
      - measure: hub.concentration
        subject: CN
        other: US
        condition: hhi > other.hhi and top_share > other.top_share
""",
        "t.yaml",
    )
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        (v,) = verdicts.check(con, claims)
    finally:
        con.close()
    assert v.verdict == "supported", v.reason
    shares = [var.tests[0].values["share"] for var in v.variants]
    assert shares == [pytest.approx(0.3), pytest.approx(1 / 3)]
    assert {"weight": "downloads", "attribution": "root"}.items() <= seen[0].items()


@pytest.fixture(scope="module")
def hub_claims_db(claims_db: Path, data_root: Path, tmp_path_factory) -> Path:
    """The claims warehouse (paperlists, Epoch, leaderboards) with the Hub dumps loaded too."""
    path = tmp_path_factory.mktemp("hubclaims") / "claims-hub.duckdb"
    shutil.copyfile(claims_db, path)
    r = runner.invoke(app, ["--db", str(path), "--data", str(data_root), "load", "hub"])
    assert r.exit_code == 0, r.output
    return path


def table_rows(output: str) -> list[dict[str, str]]:
    """The rows of a rich table as printed: headers and cells joined across folded lines, one
    dict per row (a row starts where its `outcome` cell is filled)."""
    head = [ln.strip("┃").split("┃") for ln in output.splitlines() if ln.startswith("┃")]
    names = ["".join(p.strip() for p in parts) for parts in zip(*head, strict=True)]
    rows: list[dict[str, str]] = []
    for ln in output.splitlines():
        if not ln.startswith("│"):
            continue
        cells = dict(zip(names, (c.strip() for c in ln.strip("│").split("│")), strict=True))
        if cells["outcome"]:
            rows.append(cells)
        else:
            for k, v in cells.items():
                rows[-1][k] = f"{rows[-1][k]} {v}".strip()
    return rows


@pytest.mark.parametrize("claim", ["open-weights-china-most", "china-no-dominant-company"])
def test_explain_with_scoped_axes(hub_claims_db, claim):
    """`--explain` on claims with `axis@scope` axes (`attribution@models`) printed the grid by
    attribute name and crashed with KeyError: now every axis is a column, every variant and test
    a row with the choices and outcome of the JSON evidence, and Hub tests are decided."""
    args = ["--db", str(hub_claims_db), "check", str(DEBATE), "--explain", claim]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{claim}: ") and "verdict: " in r.output
    doc = runner.invoke(app, [*args, "--format", "json"])
    (v,) = json.loads(doc.output)["verdicts"]
    expected = [
        {**var["choices"], "outcome": t["outcome"]} for var in v["variants"] for t in var["tests"]
    ]
    rows = table_rows(r.output)
    axes = ["attribution@models", "attribution@hub", *expected[0]]
    assert [{k: row[k] for k in axes} for row in rows] == [
        {k: e[k] for k in axes} for e in expected
    ]
    hub = [row for row in rows if row["attribution@hub"] != "-"]
    if claim == "open-weights-china-most":  # about 2025; the Hub dumps end 2024-09
        assert hub and all(row["outcome"] == "insufficient" for row in hub)
        missing = [t["missing"] for var in v["variants"] for t in var["tests"]]
        assert any(m and m.startswith("data end 2024-09, claim is about 2025") for m in missing)
    else:
        assert hub and all(row["outcome"] in ("holds", "fails", "too close to call") for row in hub)
    assert {row["attribution@hub"] for row in hub} == {"uploader", "root"}
    assert {row["attribution@models"] for row in rows} == {"source", "hq", "-"}


def test_citations_claim_tests_rates_with_intervals(evidence, claims_db):
    """The citations claim reads PP(top 10%) and mean citations (rates, not the share of the
    top papers), each with its interval and the number of papers, as papers.impact gives them."""
    from aicensus.measures import papers as pm

    v = evidence["china-papers-cited-less"]
    x = variant(
        v, test="PP(top 10%) within venue-year", method="full", venues="ijcai", years="2023-2024"
    )
    vals = x["tests"][0]["values"]
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        q = pm.PaperQuery(venues=("ijcai",), years=(2023, 2024), by="all", method="full")
        t = pm.impact(con, q).table.set_index("country")
    finally:
        con.close()
    for who, code in (("", "CN"), ("other.", "US")):
        for col in ("pp_top10", "pp_top10_lo", "pp_top10_hi", "mean_citations", "n_papers"):
            assert vals[who + col] == pytest.approx(t.loc[code, col]), (who, col)
        assert vals[who + "pp_top10_lo"] <= vals[who + "pp_top10"] <= vals[who + "pp_top10_hi"]
    # `pp_top10 < other.pp_top10` is decided only when the bootstrap intervals do not overlap
    if vals["pp_top10_hi"] < vals["other.pp_top10_lo"]:
        want = "holds"
    elif vals["pp_top10_lo"] > vals["other.pp_top10_hi"]:
        want = "fails"
    else:
        want = "too close to call"
    assert x["outcome"] == want
    assert x["tests"][0]["intervals"]["pp_top10"] == pytest.approx(
        [vals["pp_top10_lo"], vals["pp_top10_hi"]]
    )
    assert "top10_share" not in vals
    assert x["tests"][0]["coverage"]["reference_set"] == "venue+year"


def test_all_with_countries_is_resolved_from_the_warehouse(evidence, claims_db):
    """The `all-with-countries` venue set holds every venue with an author country in the
    variant's years (queried here directly), AAAI/WWW/ACM MM included where they have data."""
    from aicensus.measures import papers as pm

    v = evidence["ml-papers-china-most"]
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        for year in (2018, 2024):
            want = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT venue FROM works_current w JOIN affiliations a "
                    "USING (work_id, load_id) WHERE w.source = 'paperlists' AND w.year = ? "
                    "AND a.country IS NOT NULL ORDER BY 1",
                    [year],
                ).fetchall()
            ]
            x = variant(
                v, method="full", regions="source", venues="all-with-countries", years=str(year)
            )
            test = x["tests"][0]
            assert test["coverage"]["venues"] == want
            q = pm.PaperQuery(venues=tuple(want), years=(year,), by="all", regions="source")
            share = pm.share(con, q).table.set_index("country").loc["CN", "share"]
            assert test["values"]["share"] == pytest.approx(share)
    finally:
        con.close()
    assert {"www", "acmmm"} <= set(want) and "nips" not in want
    assert "AAAI" in v["notes"] and "WWW" in v["notes"]


def test_an_empty_venue_set_is_insufficient_not_every_venue(claims_db):
    """A named venue set that holds no venue in the years asked is missing data naming the set,
    never widened to every loaded venue."""
    claims = files.loads(
        """\
claims:
  - id: empty-set
    claim: China wrote most papers of 1980.
    tests:
      - measure: papers.share
        filters: {venues: [all-with-countries], years: [1980]}
        subject: CN
        condition: share > 0.5
""",
        "t.yaml",
    )
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        (v,) = verdicts.check(con, claims)
    finally:
        con.close()
    assert v.verdict == "insufficient data"
    assert "all-with-countries: no paperlists venue with author countries in years 1980" in v.reason


@pytest.mark.slow
def test_explain_works_for_every_claim(evidence, claims_db):
    """`check claims/debate.yaml --explain ID` for every claim of the file (after `evidence`
    has filled the measure cache): exit 0, the claim's verdict and one grid row per test."""
    for claim in files.load(DEBATE):
        r = runner.invoke(
            app, ["--db", str(claims_db), "check", str(DEBATE), "--explain", claim.id]
        )
        assert r.exit_code == 0, (claim.id, r.output)
        assert r.output.startswith(f"{claim.id}: ") and "verdict: " in r.output
        assert f"{evidence[claim.id]['verdict']} — " in r.output
        assert len(table_rows(r.output)) == sum(
            len(x["tests"]) for x in evidence[claim.id]["variants"]
        )


@pytest.fixture(scope="module")
def openalex_claims_db(claims_db: Path, data_root: Path, tmp_path_factory) -> Path:
    """The claims warehouse with the bundled OpenAlex sample (1,219 works) loaded too."""
    import aicensus

    path = tmp_path_factory.mktemp("oaclaims") / "claims-openalex.duckdb"
    shutil.copyfile(claims_db, path)
    aicensus.open(db=path, data=data_root).load("openalex")
    return path


def test_openalex_sample_is_insufficient_naming_the_sample(openalex_claims_db):
    """`ml-papers-china-most-openalex` on the 1,219-work convenience sample: each variant counts
    at most 68 AI works, below the minimum of 100: insufficient data naming the counts (it was
    "refuted" on 7 and 68 works)."""
    r = runner.invoke(
        app,
        [
            "--db",
            str(openalex_claims_db),
            "check",
            str(DEBATE),
            "--format",
            "json",
            "--explain",
            "ml-papers-china-most-openalex",
        ],
    )
    assert r.exit_code == 0, r.output
    (v,) = json.loads(r.output)["verdicts"]
    assert v["verdict"] == "insufficient data"
    tests = [t for x in v["variants"] for t in x["tests"]]
    assert {t["sample_unit"] for t in tests} == {"works"}
    assert all(t["sample"] < 100 and t["outcome"] == "insufficient" for t in tests)
    for t in tests:
        assert t["missing"].startswith(f"sample of {t['sample']:,} works, below the minimum of 100")
    assert "sample of " in v["reason"] and " works, below the minimum of 100" in v["reason"]


def test_now_variants_use_no_old_data(evidence):
    """`period: now` (the two latest years of each source): the NeurIPS/IJCAI 2018 variants of
    "most ML papers now" are insufficient data naming where the data end, never decided."""
    v = evidence["ml-papers-china-most"]
    old = [x for x in v["variants"] if x["choices"].get("years") == "2018"]
    assert old
    for x in old:
        assert x["outcome"] == "insufficient"
        for t in x["tests"]:  # IJCAI has no 2018 file in the bundled lists
            assert t["missing"].startswith(
                ("data end 2018-12, claim is about now", "no paperlists papers loaded")
            )
    assert any("data end 2018-12" in t["missing"] for x in old for t in x["tests"])
    assert any(x["outcome"] != "insufficient" for x in v["variants"] if x not in old)
