"""The debate's front page as data: each claim under its headline variant (a plain sentence with
its numbers, the verdict, the axes it depends on in words, the period its data cover) and the
scorecard, one row per dimension of the debate (who leads under the headline variant, China's
and the US's figures, the runner-up) with a short answer to the file's question counted from
the rows. Built from the claim engine's own results: the report and the README only print it.

Who leads: the country with the best value of the row's `by` number (highest, or lowest where
the measure says lower is better: ranks, concentration). When the leader's 95% interval
overlaps the runner-up's, no one leads: the row is too close to call (counted apart)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicensus.claims import evidence, files, sentences, variants, verdicts
from aicensus.config import STALE_AFTER_DAYS
from aicensus.errors import NoDataError
from aicensus.geo.countries import country_name

if TYPE_CHECKING:
    import duckdb

CHINA, US = "CN", "US"
CLOSE = "too close to call"
# An axis in words, for "depends on ...": (name before any @scope) -> words
AXIS_WORDS = {
    "test": "the source and measure used",
    "method": "the counting method",
    "venues": "the venue set",
    "years": "the years counted",
    "regions": "how Hong Kong, Macao and Taiwan are counted",
    "attribution": "how models are attributed to countries",
    "denominator": "the denominator (known countries or all)",
    "board": "the leaderboard",
    "rank": "strict or CI-aware ranks",
    "current_only": "whether retired models count",
    "n": "how many organizations make 'several'",
    "top": "the top-k cut-off",
    "k": "what counts as the top",
    "snapshot": "the latest snapshot or all of them",
    "orgs": "labs or their parent companies",
    "relation": "the kind of derivative",
    "exclude_top": "whether the largest uploaders count",
    "field_definition": "the definition of AI",
    "definition": "the definition of a model repository",
}


@dataclass
class Figure:
    """One country's number on a scorecard row."""

    country: str  # ISO alpha-2
    name: str
    value: float
    text: str  # the value as printed (48.2%, #3, 0.21, 1,234)
    interval: tuple[float, float] | None = None
    best: str | None = None  # a leaderboard's best entry of the country


@dataclass
class ClaimLine:
    """A claim under its headline variant: the filled sentence and its verdict in words."""

    id: str
    claim: str
    sentence: str  # filled template ("" when the claim has none)
    verdict: str
    reason: str
    depends_on: list[str]  # axes in words that flip the verdict
    period: str  # the period the headline variant's data cover
    sources: list[dict]
    headline: dict[str, str]  # the headline variant's choices
    outcome: str  # the headline variant's outcome (holds, fails, ...)
    missing: str = ""  # why the headline variant has no number, if it has none


@dataclass
class Row:
    """One dimension of the debate: who leads under the headline variant and by how much."""

    dimension: str
    claim: str
    section: str
    by: str  # the number countries are ranked by
    reads: str  # the headline test's label
    period: str
    choices: str = ""  # the headline variant's axis choices in one line
    standings: list[Figure] = field(default_factory=list)
    close: bool = False
    missing: str = ""  # why there is no standing (source not loaded, ...)

    @property
    def leader(self) -> Figure | None:
        return self.standings[0] if self.standings else None

    @property
    def runner_up(self) -> Figure | None:
        return self.standings[1] if len(self.standings) > 1 else None

    @property
    def leads(self) -> str | None:
        """The leading country's code; None when too close to call or without data."""
        return None if self.close or not self.standings else self.standings[0].country

    @property
    def next_country(self) -> Figure | None:
        """The best-placed country other than China and the US."""
        return next((f for f in self.standings if f.country not in (CHINA, US)), None)

    @property
    def counted(self) -> str:
        """The number and the headline variant's choices, in one line."""
        return f"{self.by}: {self.reads}" + (f" ({self.choices})" if self.choices else "")

    def figure(self, code: str) -> Figure | None:
        return next((f for f in self.standings if f.country == code), None)


@dataclass
class Scorecard:
    """The front page: the question, its answer counted from the rows, rows and claim lines."""

    question: str
    rows: list[Row]
    claims: list[ClaimLine]
    verdicts: list[verdicts.Verdict]

    @property
    def tally(self) -> Counter:
        """Rows by outcome: CN, US, another country's code, CLOSE or "no data"."""
        return Counter(r.leads or (CLOSE if r.close else "no data") for r in self.rows)

    @property
    def answer(self) -> str:
        """The question answered in one or two sentences, counted from the rows."""
        if not self.rows:
            return ""
        n = len(self.rows)
        parts = []
        for who, label in ((CHINA, "China"), (US, "the United States")):
            dims = [r.dimension for r in self.rows if r.leads == who]
            parts.append(
                f"{label} leads in {len(dims)} of {n}" + (f" ({', '.join(dims)})" if dims else "")
            )
        others = [r for r in self.rows if r.leads not in (None, CHINA, US)]
        if others:
            names = ", ".join(f"{r.leader.name} in {r.dimension}" for r in others if r.leader)
            parts.append(f"another country in {len(others)} ({names})")
        close = [r.dimension for r in self.rows if r.close]
        if close:
            parts.append(f"{len(close)} too close to call ({', '.join(close)})")
        none = [r.dimension for r in self.rows if not r.standings]
        if none:
            parts.append(f"{len(none)} without data ({', '.join(none)})")
        cn, us = self.tally[CHINA], self.tally[US]
        short = (
            "Not overall"
            if us > cn
            else "In more dimensions than the US"
            if cn > us
            else "Neither leads overall"
        )
        return f"{short}: under each claim's headline way of counting, " + "; ".join(parts) + "."


def build(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    stale_after_days: int = STALE_AFTER_DAYS,
    today: date | None = None,
) -> Scorecard:
    """Check every claim of the file (as `verdicts.check` does: stale sources named past
    `stale_after_days`) and read its headline variant and the scorecard rows."""
    doc = files.read(path)
    ev = variants.Evaluator(con)
    results = verdicts.check(con, doc.claims, stale_after_days, today, ev=ev)
    by_id = {c.id: c for c in doc.claims}
    lines = [claim_line(c, v, ev) for c, v in zip(doc.claims, results, strict=True)]
    rows = [row(ev, by_id[r.claim], r) for r in doc.scorecard.rows]
    return Scorecard(doc.scorecard.question, rows, lines, results)


def headline_result(claim: files.Claim, v: verdicts.Verdict) -> variants.TestResult | None:
    """The headline variant's test result (the test its sentence reads), None if not run."""
    for var in v.variants:
        if var.choices == claim.headline:
            j = claim.headline_test if claim.tests_are == "all" else 0
            return var.tests[j] if j < len(var.tests) else None
    return None


def claim_line(
    claim: files.Claim, v: verdicts.Verdict, ev: variants.Evaluator | None = None
) -> ClaimLine:
    """A claim's verdict with its headline sentence filled from the headline variant (`ev`,
    whose cache holds the variant's measure result, adds the period its metadata states)."""
    t = headline_result(claim, v)
    values: dict[str, Any] = {}
    outcome, missing, period = variants.INSUFFICIENT, "", ""
    if t is not None:
        values = sentence_values(claim, v, t)
        outcome, missing = t.outcome, t.missing or ""
        period = period_text(t.data_period, t.filters, t.coverage, _meta(ev, t))
    sentence = sentences.fill(claim.sentence, values) if claim.sentence else ""
    return ClaimLine(
        id=claim.id,
        claim=claim.claim,
        sentence=sentence,
        verdict=v.verdict,
        reason=v.reason,
        depends_on=[axis_words(a) for a in v.flips] if v.verdict == verdicts.DEPENDS else [],
        period=period,
        sources=v.sources,
        headline=dict(claim.headline),
        outcome=outcome,
        missing=missing,
    )


def _meta(ev: variants.Evaluator | None, t: variants.TestResult) -> dict[str, Any]:
    """The metadata of a test's measure result (cached by the evaluator), {} without data."""
    if ev is None:
        return {}
    try:
        return ev.frame(t.measure, t.filters).meta
    except NoDataError:
        return {}


def sentence_values(
    claim: files.Claim, v: verdicts.Verdict, t: variants.TestResult
) -> dict[str, Any]:
    """The fields of claims.sentences for the headline variant's numbers."""
    test = claim.tests[claim.headline_test]
    out: dict[str, Any] = {sentences.field_name(k): x for k, x in t.values.items()}
    if claim.tests_are == "all" and len(claim.tests) > 1:
        var = next(x for x in v.variants if x.choices == claim.headline)
        for j, r in enumerate(var.tests, start=1):
            out |= {f"{sentences.field_name(k)}_{j}": x for k, x in r.values.items()}
    numbers = set(out)
    out |= {sentences.axis_field(a, numbers): label for a, label in claim.headline.items()}
    out["test"] = t.label
    out["subject"] = subject_words(test.subject)
    out["other"] = subject_words(test.other) if test.other else None
    out["subject_best"] = t.labels.get("subject")
    out["other_best"] = t.labels.get("other")
    out["sample"] = f"{t.sample:,} {t.sample_unit}" if t.sample is not None else None
    return out


def subject_words(subject: dict[str, list[str]] | None) -> str:
    """A subject in words: country names, else the organizations or models as written."""
    if not subject:
        return ""
    kind, vals = next(iter(subject.items()))
    names = [country_name(x) for x in vals] if kind == "country" else list(vals)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def axis_words(axis: str) -> str:
    """An axis in words ("the counting method"); an unknown axis as its name."""
    base, _, scope = axis.partition("@")
    words = AXIS_WORDS.get(base, base.replace("_", " "))
    return f"{words} ({scope})" if scope else words


def period_text(
    data_period: dict[str, str] | None,
    filters: dict[str, Any],
    coverage: dict[str, Any],
    meta: dict[str, Any] | None = None,
) -> str:
    """The period a result's data cover: its `data_period`, else the years it counted, else the
    weeks, snapshots or day its measure states ("" when unknown)."""
    meta = meta or {}
    if data_period and data_period.get("end"):
        start, end = data_period.get("start") or "", data_period["end"]
        if start[5:] == "01-01" and end[5:] == "12-31":
            return end[:4] if start[:4] == end[:4] else f"{start[:4]}-{end[:4]}"
        return f"{start[:10]} to {end[:10]}" if start and start != end else end[:10]
    years = filters.get("years") or meta.get("years")
    if years:
        ys = sorted(int(y) for y in (years if isinstance(years, list | tuple) else [years]))
        return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}-{ys[-1]}"
    weeks = meta.get("period")
    if isinstance(weeks, dict) and weeks.get("last_week_end"):
        return f"weeks ending {weeks.get('first_week_end')} to {weeks['last_week_end']}"
    snaps = [s for s in coverage.get("snapshots") or [] if s != "…"]
    if len(snaps) == 1:
        return f"snapshot {snaps[0]}"
    if snaps:
        return f"snapshots {snaps[0]} to {snaps[-1]}"
    for key in ("snapshot", "date", "day"):
        if meta.get(key):
            return f"snapshot {meta[key]}"
    if filters.get("start") or filters.get("end"):
        return f"{filters.get('start') or '…'} to {filters.get('end') or '…'}"
    return ""


def value_text(name: str, x: float) -> str:
    """A number as the scorecard prints it: shares as percentages with one decimal, ranks as
    #n, concentration with two decimals, counts as integers."""
    if "share" in name or name.startswith("pp_"):
        return f"{x:.1%}"
    if name == "rank":
        return f"#{x:.0f}"
    if name == "hhi":
        return f"{x:.2f}"
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.1f}"


def row(ev: variants.Evaluator, claim: files.Claim, spec: files.ScorecardRow) -> Row:
    """One scorecard row: every country's `by` number under the claim's headline variant,
    best first, and whether the first two are apart beyond their intervals."""
    test = claim.tests[claim.headline_test]
    filters, _ = variants.settings(claim, test, claim.headline)
    said = ", ".join(
        f"{a} {x}" for a, x in claim.headline.items() if a != variants.TEST_AXIS and x != "-"
    )
    reads = test.measure if re.fullmatch(r"test \d+", test.label) else test.label
    out = Row(spec.dimension, claim.id, spec.section, spec.by, reads, "", said)
    try:
        frame = ev.frame(test.measure, filters)
    except NoDataError as exc:
        out.missing = str(exc)
        out.period = period_text(None, filters, {})
        return out
    out.period = period_text(evidence.data_period(frame.meta), filters, frame.coverage, frame.meta)
    col = frame.kinds.get("country")
    rows = frame.rows
    if col is None or col not in rows.columns:
        out.missing = f"{test.measure} has no country column under the headline variant"
        return out
    got = []
    for code, g in rows[rows[col].notna()].groupby(col, sort=True):
        code = str(code).upper()
        if spec.among and code not in spec.among:
            continue
        nums = frame.summarize(g, rows)
        x = nums.get(spec.by)
        if x is None or (isinstance(x, float) and math.isnan(x)):
            continue
        iv = evidence.intervals(test.measure, frame, g, nums).get(spec.by)
        best = frame.label(g) if frame.label else None
        got.append(Figure(code, country_name(code), float(x), value_text(spec.by, x), iv, best))
    low_first = frame.better.get(spec.by, "max") == "min"
    got.sort(key=lambda f: (f.value if low_first else -f.value, f.country))
    out.standings = got
    if not got:
        out.missing = f"no country has a {spec.by} under the headline variant"
    elif len(got) > 1:
        out.close = _overlap(got[0], got[1])
    return out


def _overlap(a: Figure, b: Figure) -> bool:
    """Whether two figures cannot be told apart: equal, or their intervals overlap."""
    if a.value == b.value:
        return True
    lo_a, hi_a = a.interval or (a.value, a.value)
    lo_b, hi_b = b.interval or (b.value, b.value)
    return lo_a <= hi_b and lo_b <= hi_a
