"""Headline variants, plain-language sentences and the scorecard block of a claim file: checked
when the file is read (one `file:line: problem` each), filled from the claim engine's own
results, and shown first in the report."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from aicensus.claims import files, headline, sentences, variants, verdicts
from aicensus.claims.files import ClaimFileError
from aicensus.measures import cache

REPO = Path(__file__).resolve().parents[1]
DEBATE = REPO / "claims" / "debate.yaml"

BASE = """\
claims:
  - id: ok
    claim: China leads.
    headline: {headline}
    sentence: "{sentence}"
    axes:
      method: [full, author-fractional]
      years: {{"2024": [2024]}}
    tests:
      - measure: papers.share
        filters: {{venues: [ijcai]}}
        subject: CN
        condition: share > 0.5
"""


def claim_file(headline: str = "{method: full}", sentence: str = "China {share:.0%}") -> str:
    return BASE.format(headline=headline, sentence=sentence)


def test_headline_and_sentence_read():
    (c,) = files.loads(claim_file("{method: author-fractional}", "{share:.1%} in {years}"))
    # the headline names one axis; the other takes its first value
    assert c.headline == {"method": "author-fractional", "years": "2024"}
    assert c.sentence == "{share:.1%} in {years}"


@pytest.mark.parametrize(
    ("head", "sentence", "problem"),
    [
        ("{metod: full}", "x", "headline: unknown axis 'metod' (axes: method, years)"),
        ("{method: fractional}", "x", "headline: axis 'method' has no value 'fractional'"),
        ("{test: nope}", "x", "headline: no test labelled 'nope'"),
        ("{method: full}", "{models}", "sentence: unknown field {models}"),
        ("{method: full}", "{share.real}", "is not a plain name (no attribute access"),
        ("{method: full}", "{share[0]}", "is not a plain name"),
        ("{method: full}", "{0}", "is not a plain name"),
        ("{method: full}", "{share!r}", "takes a format spec only"),
        ("{method: full}", "{venues:.0%}", "unknown field {venues}"),
        ("{method: full}", "{years:.0%}", "sentence: field {years:.0%}"),
        ("{method: full}", "{share:d}", "sentence: field {share:d}"),
        ("{method: full}", "open { brace", "sentence: "),
    ],
)
def test_bad_headline_or_sentence_names_file_and_line(head, sentence, problem):
    with pytest.raises(ClaimFileError) as exc:
        files.loads(claim_file(head, sentence), "c.yaml")
    msg = str(exc.value)
    line = 4 if problem.startswith("headline") else 5
    assert msg.startswith(f"c.yaml:{line}: "), msg
    assert problem in msg, msg


def test_scorecard_block_checked():
    text = claim_file() + (
        "scorecard:\n"
        "  rows:\n"
        "    - {dimension: Papers, claim: nope, by: share, section: papers}\n"
        "    - {dimension: Papers, claim: ok, by: models, section: papers}\n"
        "    - {dimension: Papers, claim: ok, by: share, section: papers, among: [UK]}\n"
    )
    with pytest.raises(ClaimFileError) as exc:
        files.reads(text, "c.yaml")
    lines = str(exc.value).splitlines()
    assert lines == [
        "c.yaml:16: scorecard row: no claim with id 'nope'",
        "c.yaml:17: scorecard row: papers.share does not produce 'models' (valid names: "
        "share, papers, rank)",
        "c.yaml:18: scorecard row: unknown country code 'UK': did you mean GB?",
    ]
    good = files.reads(
        claim_file() + "scorecard:\n  rows:\n    - {dimension: P, claim: ok, "
        "by: share, section: papers}\n",
        "c.yaml",
    )
    assert good.scorecard.question == files.QUESTION
    assert [(r.claim, r.by, r.section) for r in good.scorecard.rows] == [("ok", "share", "papers")]


def test_fill_is_plain_and_missing_reads_na():
    assert sentences.fill("{a:.1%} of {b}", {"a": 0.5234, "b": "IJCAI"}) == "52.3% of IJCAI"
    assert sentences.fill("{a:.1%} {{x}}", {"a": None}) == "n/a {x}"


def test_every_debate_claim_has_headline_and_sentence_and_the_scorecard_its_dimensions():
    raw = yaml.safe_load(DEBATE.read_text())
    assert all("headline" in c and "sentence" in c for c in raw["claims"])
    doc = files.read(DEBATE)
    dims = [r.dimension for r in doc.scorecard.rows]
    assert len(dims) == 8 and doc.scorecard.question == "Does China lead AI?"
    for word in ("Papers", "Notable", "Open-weight", "derivatives", "GitHub", "Text", "Video"):
        assert any(word in d for d in dims), (word, dims)


@pytest.fixture(scope="module")
def card(claims_db):
    """The debate file's scorecard on paperlists + Epoch + every leaderboard (Hub, GitHub and
    OpenAlex not loaded: their rows and claims say so)."""
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        with cache.session(con):
            yield headline.build(con, DEBATE), con
    finally:
        con.close()


@pytest.mark.slow
def test_scorecard_rows_read_the_measures(card):
    from aicensus.measures import papers

    got, con = card
    rows = {r.dimension: r for r in got.rows}
    paper = rows["Papers at top venues"]
    # the headline variant of ml-papers-china-most: every venue with author countries in 2024
    # (looked up here directly), full counting, source regions
    venues = tuple(
        r[0]
        for r in con.execute(
            "SELECT DISTINCT venue FROM works_current w JOIN affiliations a "
            "USING (work_id, load_id) WHERE w.source = 'paperlists' AND w.year = 2024 "
            "AND a.country IS NOT NULL ORDER BY 1"
        ).fetchall()
    )
    assert "ijcai" in venues and len(venues) > 5
    q = papers.PaperQuery(venues=venues, years=(2024,), method="full", regions="source", by="all")
    t = papers.share(con, q).table.set_index("country")["share"]
    assert paper.figure("CN").value == pytest.approx(t["CN"])
    assert paper.figure("US").value == pytest.approx(t["US"])
    assert paper.leader.value == pytest.approx(t.drop(papers.UNKNOWN_UNIT, errors="ignore").max())
    assert paper.period == "2024"
    # ranks: lower leads; every standing is ordered
    video = rows["Video leaderboards"]
    assert [f.value for f in video.standings] == sorted(f.value for f in video.standings)
    assert video.period.endswith("2026-05-14")  # the last video snapshot (arena_video SOURCE.md)
    # sources not loaded here: the row says so instead of a leader
    hub = rows["Open-model derivatives"]
    assert hub.leader is None and hub.missing
    # the answer counts the rows
    tally = got.tally
    assert sum(tally.values()) == len(got.rows)
    assert f"China leads in {tally['CN']} of {len(got.rows)}" in got.answer


@pytest.mark.slow
def test_claim_sentences_are_filled_from_the_headline_variant(card):
    got, _ = card
    lines = {c.id: c for c in got.claims}
    claims = {c.id: c for c in files.load(DEBATE)}
    v = next(x for x in got.verdicts if x.id == "ml-papers-china-most")
    t = headline.headline_result(claims[v.id], v)
    assert t is not None and t.filters["venues"] == ["all-with-countries"]
    assert t.filters["method"] == "full"
    want = f"{t.values['share']:.1%} of the 2024 papers of every Paper Copilot venue"
    assert want in lines[v.id].sentence
    assert "{" not in "".join(c.sentence for c in got.claims)
    for c in got.claims:
        if c.verdict == verdicts.DEPENDS:
            assert c.depends_on, c.id
    assert "the counting method" in lines["ml-papers-china-most"].depends_on


@pytest.mark.slow
def test_report_opens_with_the_scorecard_and_every_link_resolves(card):
    from aicensus.report.claims_section import claims_section
    from aicensus.report.scorecard_section import scorecard_section

    got, con = card
    ids = ["claims", "papers", "models", "hub", "github"]
    front = scorecard_section(got, ids)
    detail = claims_section(con, DEBATE, got)
    text = "".join(front.blocks) + "".join(detail.blocks)
    anchors = set(re.findall(r'id="([^"]+)"', text)) | set(ids)
    links = re.findall(r'href="#([^"]+)"', text)
    assert {f"claim-{c.id}" for c in got.claims} <= set(links)
    assert links and all(x in anchors for x in links), sorted(set(links) - anchors)
    assert front.id == "scorecard" and front.title == "Does China lead AI?"


def test_text_board_row_states_the_snapshot_it_decides_on(claims_db):
    """The headline variant ranks on the latest text snapshot: the row's and the claim line's
    period is that snapshot's date, not the span of every snapshot the measure read."""
    doc = files.read(DEBATE)
    spec = next(r for r in doc.scorecard.rows if r.dimension == "Text leaderboards")
    claim = next(c for c in doc.claims if c.id == spec.claim)
    con = duckdb.connect(str(claims_db), read_only=True)
    try:
        first, last = con.execute(
            "SELECT min(snapshot_date), max(snapshot_date) FROM board_snapshots "
            "WHERE board = 'text'"
        ).fetchall()[0]
        ev = variants.Evaluator(con)
        got = headline.row(ev, claim, spec)
        line = headline.claim_line(claim, verdicts.decide(claim, ev.claim(claim)), ev)
    finally:
        con.close()
    assert first < last  # the measure reads many snapshots
    assert got.standings and got.period == str(last)
    assert line.period == str(last)
