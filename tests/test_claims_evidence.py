"""Verdicts a reader can trust (issue 19): claim files checked before anything runs, errors in
measure code propagating, sample sizes and minimums, intervals and close calls, claim periods."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from aicensus.claims import evidence, files, registry, verdicts
from aicensus.claims.files import ClaimFileError
from aicensus.claims.variants import CLOSE, FAILS, HOLDS, INSUFFICIENT, Evaluator
from aicensus.cli.main import main
from aicensus.errors import MeasureError, NoDataError
from aicensus.measures import papers

TYPOS = """\
claims:
  - id: typos
    claim: Most ML papers come from the UK.
    axes:
      method: [full, fractional]
      venues:
        neurips: [neurips]
        ijcai: [ijcai]
    tests:
      - measure: papers.share
        subject: UK
        condition: share > 50 or models > 3
"""


def test_five_typos_five_file_line_errors_exit_1(tmp_path, capsys, monkeypatch):
    """`subject: UK`, `method: fractional`, `share > 50`, `venues: [neurips]` and `models` on
    papers.share: five `file:line: problem` lines, exit 1, before any warehouse is opened."""
    path = tmp_path / "typos.yaml"
    path.write_text(TYPOS)
    db = tmp_path / "none.duckdb"
    monkeypatch.setattr(sys, "argv", ["aicensus", "--db", str(db), "check", str(path)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 1
    lines = [ln.removeprefix("error: ") for ln in capsys.readouterr().err.splitlines()]
    assert len(lines) == 5, lines
    assert all(ln.startswith(f"{path}:") for ln in lines)
    by_line = [(int(ln.split(":")[1]), ln) for ln in lines]
    assert [n for n, _ in by_line] == [5, 7, 11, 12, 12]
    method, venue, country, names, share = (ln for _, ln in by_line)
    assert "unknown method 'fractional'" in method and ", ".join(papers.METHODS) in method
    assert "unknown venue 'neurips' (did you mean 'nips'?)" in venue
    assert "unknown country code 'UK': did you mean GB?" in country
    assert "does not produce 'models'" in names and "share, papers, rank" in names
    assert "shares are fractions 0-1; did you mean 0.5?" in share
    assert not db.exists()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("subject: UK", "subject: XX"), "unknown country code 'XX' (not an ISO 3166-1"),
        (("subject: UK", "subject: {country: [CN, UK]}"), "did you mean GB?"),
        (("venues:\n", "venues:\n        www: [thewebconf]\n"), "did you mean 'www'?"),
        (("share > 50", "other.share > 0.1"), "reads 'other.share' but the test has no 'other'"),
        (("share > 50", "share > 2/3 and rest.share < 40%"), None),
        (("    tests:", "    period: 20x4\n    tests:"), "period: '20x4' is not YYYY"),
        (("    tests:", "    min_sample: -1\n    tests:"), "min_sample must be a whole number"),
        (("    tests:", "    min_sample: {pages: 3}\n    tests:"), "unknown unit 'pages'"),
        (("        subject", "        filters: {regions: sources}\n        subject"), "regions"),
    ],
)
def test_each_check_names_the_problem(change, problem):
    good = (
        TYPOS.replace("fractional]", "author-fractional]")
        .replace("[neurips]", "[nips]")
        .replace("subject: UK", "subject: GB")
        .replace("share > 50 or models > 3", "share > 0.5")
    )
    old, new = change
    if old == "subject: UK":
        old = "subject: GB"
    if old == "share > 50":
        old = "share > 0.5"
    assert old in good
    text = good.replace(old, new, 1)
    if problem is None:
        files.loads(text, "c.yaml")
        return
    with pytest.raises(ClaimFileError) as exc:
        files.loads(text, "c.yaml")
    assert problem in str(exc.value) and str(exc.value).startswith("c.yaml:")


def test_period_and_min_sample_are_read():
    text = TYPOS.replace(
        "    tests:", "    period: 2024-2025\n    min_sample: {papers: 300}\n    tests:"
    )
    text = text.replace("fractional]", "author-fractional]").replace("[neurips]", "[nips]")
    text = text.replace("UK", "GB").replace("share > 50 or models > 3", "share > 0.5")
    (c,) = files.loads(text, "c.yaml")
    assert (c.period, c.years) == ("2024-2025", (2024, 2025))
    assert c.min_sample == {**files.MIN_SAMPLE, "papers": 300}
    (now,) = files.loads(text.replace("2024-2025", "now"), "c.yaml")
    assert (now.period, now.years) == ("now", None)


def test_wilson_interval():
    """Known values of the Wilson score interval (95%)."""
    lo, hi = evidence.wilson(0.5, 100)
    assert (lo, hi) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))
    assert evidence.wilson(0.0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert evidence.wilson(1.0, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)


# ------------------------------------------------------------------ a stand-in measure


def _frame(share: float, n: int, meta: dict | None = None) -> registry.Frame:
    rows = pd.DataFrame({"country": ["CN", "US"], "share": [share, 1 - share]})

    def summarize(sel: pd.DataFrame, all_: pd.DataFrame) -> dict:
        return {"share": float(sel["share"].sum()), "papers": float(sel["share"].sum() * n)}

    return registry.Frame(
        rows=rows,
        kinds={"country": "country"},
        summarize=summarize,
        better={"share": "max"},
        meta={"source": "paperlists", **(meta or {})},
        coverage={"papers_counted": n},
        sources=[{"source": "paperlists", "retrieved_at": "2026-01-01"}],
    )


def _claim(extra: str = "") -> files.Claim:
    (c,) = files.loads(
        "claims:\n  - id: c\n    claim: China leads.\n" + extra + "    tests:\n"
        "      - measure: papers.share\n        subject: CN\n        condition: share > 0.5\n",
        "c.yaml",
    )
    return c


@pytest.fixture()
def stand_in(monkeypatch):
    """papers.share replaced by a function the test sets (no warehouse needed)."""
    box: dict = {}
    spec = dataclasses.replace(
        registry.MEASURES["papers.share"], run=lambda con, f: box["run"](con, f)
    )
    monkeypatch.setitem(registry.MEASURES, "papers.share", spec)
    return box


@pytest.mark.parametrize(
    ("share", "n", "outcome"),
    [(0.52, 100, CLOSE), (0.52, 100_000, HOLDS), (0.45, 100, CLOSE), (0.40, 1_000, FAILS)],
)
def test_close_calls_are_counted_apart(stand_in, share, n, outcome):
    stand_in["run"] = lambda con, f: _frame(share, n)
    (v,) = verdicts.check(None, [_claim()])  # type: ignore[arg-type]
    (t,) = v.variants[0].tests
    assert (t.outcome, t.sample, t.sample_unit) == (outcome, n, "papers")
    lo, hi = t.intervals["share"]
    assert lo < share < hi
    assert (lo > 0.5 or hi < 0.5) == (outcome != CLOSE)
    if outcome == CLOSE:
        assert v.verdict == verdicts.INSUFFICIENT_DATA and "1 too close to call" in v.reason
        assert f"share {lo:.4f}-{hi:.4f}" in v.reason
    else:
        assert v.verdict == (verdicts.SUPPORTED if outcome == HOLDS else verdicts.REFUTED)


def test_below_min_sample_is_insufficient_naming_the_count(stand_in):
    stand_in["run"] = lambda con, f: _frame(0.9, 68)
    (v,) = verdicts.check(None, [_claim()])  # type: ignore[arg-type]
    assert v.verdict == verdicts.INSUFFICIENT_DATA
    assert "sample of 68 papers, below the minimum of 100" in v.reason
    (lower,) = verdicts.check(None, [_claim("    min_sample: 50\n")])  # type: ignore[arg-type]
    assert lower.verdict == verdicts.SUPPORTED


def test_period_data_ending_before_is_insufficient(stand_in):
    old = {"data_period": {"start": "2018-01-01", "end": "2018-12-31"}}
    stand_in["run"] = lambda con, f: _frame(0.9, 10_000, old)
    (v,) = verdicts.check(None, [_claim("    period: 2024-2025\n")])  # type: ignore[arg-type]
    assert v.verdict == verdicts.INSUFFICIENT_DATA
    assert "data end 2018-12, claim is about 2024-2025" in v.reason
    assert v.variants[0].tests[0].data_period == {"start": "2018-01-01", "end": "2018-12-31"}
    # a claim about 2018, or data dates unknown (the key absent): decided
    (ok,) = verdicts.check(None, [_claim("    period: 2018\n")])  # type: ignore[arg-type]
    assert ok.verdict == verdicts.SUPPORTED
    stand_in["run"] = lambda con, f: _frame(0.9, 10_000)
    (unknown,) = verdicts.check(None, [_claim("    period: 2024-2025\n")])  # type: ignore[arg-type]
    assert unknown.verdict == verdicts.SUPPORTED


def test_period_now_is_the_two_latest_years_of_the_source(stand_in):
    old = {"data_period": {"start": "2018-01-01", "end": "2018-12-31"}}
    stand_in["run"] = lambda con, f: _frame(0.9, 10_000, old)
    claim = _claim("    period: now\n")
    ev = Evaluator(None)  # type: ignore[arg-type]
    ev._periods = {"paperlists": SimpleNamespace(end=date(2025, 12, 31))}
    (t,) = ev.claim(claim)[0].tests
    assert t.outcome == INSUFFICIENT
    assert t.missing == (
        "data end 2018-12, claim is about now (2024-2025, the two latest years of paperlists)"
    )
    ev._periods = {"paperlists": SimpleNamespace(end=date(2019, 6, 30))}
    assert ev.claim(claim)[0].outcome == HOLDS


def test_no_data_is_insufficient_but_a_bug_is_an_error(stand_in):
    def missing(con, f):
        raise NoDataError("no paperlists papers loaded for venues nips, years 2024")

    stand_in["run"] = missing
    (v,) = verdicts.check(None, [_claim()])  # type: ignore[arg-type]
    assert v.verdict == verdicts.INSUFFICIENT_DATA and "nips" in v.reason

    def broken(con, f):
        return {}["share"]  # a bug inside a measure adapter

    stand_in["run"] = broken
    with pytest.raises(MeasureError) as exc:
        verdicts.check(None, [_claim()])  # type: ignore[arg-type]
    assert str(exc.value).startswith("papers.share with {}: KeyError: 'share'")
    assert "\n" not in str(exc.value)

    def bad_option(con, f):
        raise MeasureError("unknown method 'x'")

    stand_in["run"] = bad_option
    with pytest.raises(MeasureError, match="unknown method 'x'"):
        verdicts.check(None, [_claim()])  # type: ignore[arg-type]


def test_a_bug_in_a_measure_exits_1_with_one_line(
    stand_in, claims_db, tmp_path, capsys, monkeypatch
):
    stand_in["run"] = lambda con, f: {}["share"]
    path = tmp_path / "c.yaml"
    path.write_text(
        "claims:\n  - id: c\n    claim: x\n    tests:\n      - measure: papers.share\n"
        "        subject: CN\n        condition: share > 0.5\n"
    )
    monkeypatch.setattr(sys, "argv", ["aicensus", "--db", str(claims_db), "check", str(path)])
    with pytest.raises(SystemExit) as exc:
        main()
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert exc.value.code == 1 and len(err) == 1 and "KeyError" in err[0], err


def test_debate_file_sets_periods():
    by_id = {c.id: c for c in files.load(Path(__file__).parents[1] / "claims" / "debate.yaml")}
    assert by_id["ml-papers-china-most"].period == "now"
    assert by_id["open-weights-china-most"].years == (2025, 2025)
