"""The variant grid of a claim (every combination of its axes) and the evaluation of each
variant: run the tests' measures with the variant's choices, pick the subject's numbers, decide
the condition. Measure results are cached, so claims sharing a measure cost one query.

A test states its sample size (papers, works, models or votes) and is insufficient data below
the claim's `min_sample` or when its data end before the claim's `period`. Shares carry a 95%
Wilson interval over the units counted (claims.uncertainty), leaderboard ranks the arena's
CI-aware range: a condition holds or fails only when it does over the whole interval, otherwise
the test is too close to call. Only the project's no-data errors become insufficient data: any
other error in a measure stops the check with one line naming the claim and measure."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from aicensus.claims import evidence, registry
from aicensus.claims.files import Claim, ClaimFileError, Test
from aicensus.claims.grammar import MissingValue
from aicensus.errors import AicensusError, MeasureError, NoDataError
from aicensus.measures.base import is_storage_failure

if TYPE_CHECKING:
    import duckdb

TEST_AXIS = "test"
MAX_VARIANTS = 1_000  # per claim: each variant runs its tests' measures (debate.yaml: at most 48)
HOLDS, FAILS, INSUFFICIENT, CLOSE = "holds", "fails", "insufficient", "too close to call"


@dataclass
class TestResult:
    """One test under one variant: the numbers it read and whether it held."""

    label: str
    measure: str
    condition: str
    filters: dict[str, Any]
    values: dict[str, float | None]
    outcome: str
    missing: str | None = None
    coverage: dict[str, Any] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # subject/other -> e.g. best model
    intervals: dict[str, list[float]] = field(default_factory=dict)  # name -> [low, high]
    data_sources: list[str] = field(default_factory=list)  # source names (loads.source) read
    sample: int | None = None  # papers, works, models or votes the test rests on
    sample_unit: str = ""
    data_period: dict[str, str] | None = None  # {"start", "end"} of the data read (ISO dates)
    params: dict[str, float] = field(default_factory=dict)  # named numbers of the axes (n, k)


@dataclass
class Variant:
    """One combination of axis choices and its outcome (all tests must hold)."""

    choices: dict[str, str]
    tests: list[TestResult]
    outcome: str

    @property
    def label(self) -> str:
        return " · ".join(f"{k}={v}" for k, v in self.choices.items()) or "as stated"


def axis_filter(axis: str, measure: str) -> str | None:
    """The filter an axis sets for `measure`: `attribution` sets it for every measure that has
    it; `attribution@hub` only for measures whose name starts with `hub`."""
    name, _, scope = axis.partition("@")
    if scope and not measure.startswith(scope):
        return None
    return name if name in registry.get(measure).filters else None


def relevant(claim: Claim, test: Test) -> set[str]:
    """The axes a test reads: those that set one of its filters or name a number it uses."""
    return {a for a in claim.axes if axis_filter(a, test.measure) or a in test.condition.names}


def count(claim: Claim) -> tuple[int, str]:
    """How many variants `grid` yields (at most: tests sharing a label share variants) and the
    product behind it, from the axis sizes alone, so nothing is built to count them."""
    sizes = {n: len(v) for n, v in claim.axes.items()}
    if claim.tests_are == "all":
        return math.prod(sizes.values()), " x ".join(map(str, sizes.values())) or "1"
    per_test = [math.prod(sizes[n] for n in relevant(claim, t)) for t in claim.tests]
    return sum(per_test), " + ".join(map(str, per_test)) + " over the tests"


def too_many(claim: Claim) -> str | None:
    """The problem when the claim has more than MAX_VARIANTS variants, else None."""
    n, how = count(claim)
    if n <= MAX_VARIANTS:
        return None
    return f"claim {claim.id}: {n:,} variants ({how}); at most {MAX_VARIANTS:,} per claim"


def grid(claim: Claim) -> Iterator[tuple[dict[str, str], list[int]]]:
    """(choices, indexes of the tests to run) for every variant of the claim, lazily. With
    `tests_are: variants` each test is a value of an extra axis `test`, and axes a test does
    not read are not multiplied for it ("-")."""
    problem = too_many(claim)
    if problem:
        raise ClaimFileError(f"{claim.file}:{claim.line}: {problem}")
    names = list(claim.axes)
    if claim.tests_are == "all":
        every = list(range(len(claim.tests)))
        for labels in itertools.product(*(list(claim.axes[n]) for n in names)):
            yield dict(zip(names, labels, strict=True)), every
        return
    seen: set[tuple] = set()
    for j, t in enumerate(claim.tests):
        rel = [n for n in names if n in relevant(claim, t)]
        for labels in itertools.product(*(list(claim.axes[n]) for n in rel)):
            picked = dict(zip(rel, labels, strict=True))
            choices = {TEST_AXIS: t.label, **{n: picked.get(n, "-") for n in names}}
            key = tuple(choices.items())
            if key not in seen:
                seen.add(key)
                yield choices, [j]


class Evaluator:
    """Evaluates claims against one warehouse connection, caching measure frames."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._cache: dict[tuple, registry.Frame | NoDataError] = {}
        self._periods: dict[str, Any] | None = None

    def frame(self, measure: str, filters: dict[str, Any]) -> registry.Frame:
        """The measure's frame for `filters`; NoDataError when the data are not loaded (the
        variant is insufficient data). Any other error propagates: a MeasureError as it is, an
        unexpected exception as one line naming the measure (a bug is not missing data)."""
        key = (measure, _freeze(filters))
        if key not in self._cache:
            try:
                self._cache[key] = registry.get(measure).run(self.con, filters)
            except NoDataError as exc:
                self._cache[key] = exc
            except AicensusError:
                raise
            except Exception as exc:
                if is_storage_failure(exc):  # a damaged file: the storage error says so
                    raise
                raise MeasureError(
                    f"{measure} with {dict(filters)}: {type(exc).__name__}: {exc}"
                ) from exc
        got = self._cache[key]
        if isinstance(got, NoDataError):
            raise got
        return got

    def periods(self) -> dict[str, Any]:
        """Each source's data period (measures.provenance.data_periods), {} where unknown."""
        if self._periods is None:
            from aicensus.measures import provenance

            # no connection (measures stood in for, as the unit tests do): no periods known
            self._periods = {} if self.con is None else dict(provenance.data_periods(self.con))
        return self._periods

    def claim(self, claim: Claim) -> list[Variant]:
        return [self.variant(claim, choices, idx) for choices, idx in grid(claim)]

    def variant(self, claim: Claim, choices: dict[str, str], tests: list[int]) -> Variant:
        results = [self.test(claim, claim.tests[j], choices) for j in tests]
        outcomes = {r.outcome for r in results}
        # a test that fails decides the variant; otherwise missing data, then a close call
        order = (FAILS, INSUFFICIENT, CLOSE)
        outcome = next((o for o in order if o in outcomes), HOLDS)
        return Variant(choices=dict(choices), tests=results, outcome=outcome)

    def test(self, claim: Claim, test: Test, choices: dict[str, str]) -> TestResult:
        spec = registry.get(test.measure)
        filters, params = settings(claim, test, choices)
        base = TestResult(
            label=test.label,
            measure=test.measure,
            condition=test.condition.text,
            filters=filters,
            values={},
            outcome=INSUFFICIENT,
        )
        try:
            frame = self.frame(test.measure, filters)
        except NoDataError as exc:
            base.missing = str(exc) if spec.needs in str(exc) else f"{spec.needs}: {exc}"
            return base
        base.coverage, base.sources = frame.coverage, frame.sources
        base.data_period = evidence.data_period(frame.meta)
        named = frame.meta.get("data_sources") or frame.sources  # entries with a "source" name
        base.data_sources = sorted({str(x["source"]) for x in named if x.get("source")})
        env = {k: v for k, v in params.items() if isinstance(v, int | float)}
        base.params = {k: float(v) for k, v in env.items()}
        try:
            subject, bounds = _subject_values(frame, test, test.condition.names)
        except registry.MissingSource as exc:  # the source lists no row for the subject
            base.missing = str(exc)
            return base
        env.update(subject)
        base.sample, base.sample_unit = evidence.sample(test.measure, frame, subject)
        if frame.label:
            rows = frame.rows
            picks = {"subject": test.subject, "other": test.other}
            for who, subj in picks.items():
                text = frame.label(rows[_match(frame, subj)]) if subj else None
                if text:
                    base.labels[who] = text
        base.values = {k: _clean(v) for k, v in env.items() if k not in params}
        base.intervals = {k: [float(lo), float(hi)] for k, (lo, hi) in bounds.items()}
        # every reason the test cannot decide, the sample first
        least = claim.min_sample.get(base.sample_unit, 0)
        thin = base.sample is not None and base.sample < least
        reasons = [
            f"sample of {base.sample:,} {base.sample_unit}, below the minimum of {least:,} "
            f"({_describe(test)})"
            if thin
            else None,
            evidence.too_old(claim, base.data_period, named, self.periods()),
        ]
        if any(reasons):
            base.missing = "; ".join(r for r in reasons if r)
            return base
        try:
            holds = test.condition.evaluate(env)
        except MissingValue as exc:
            base.missing = f"no value for {exc.name!r} ({_describe(test)})"
            return base
        try:
            judged = test.condition.judge(env, bounds)
        except MissingValue:  # a branch the point value skipped lacks a number: undecided
            judged = None
        base.outcome = CLOSE if judged is None else HOLDS if holds else FAILS
        return base


def settings(
    claim: Claim, test: Test, choices: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A test's filters under a variant's choices, and the named numbers (`n`, `k`) it reads."""
    filters = dict(test.filters)
    params: dict[str, Any] = {}
    for axis, label in choices.items():
        if axis == TEST_AXIS or label == "-" or axis not in claim.axes:
            continue
        value = claim.axes[axis][label]
        target = axis_filter(axis, test.measure)
        if target:
            filters[target] = value
        elif axis in test.condition.names:
            params[axis] = value
    return filters, params


def _describe(test: Test) -> str:
    kind, vals = next(iter(test.subject.items()))
    return f"{kind} {','.join(vals)}"


def _clean(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    return v


def _match(frame: registry.Frame, subject: dict[str, list[str]]) -> pd.Series:
    kind, vals = next(iter(subject.items()))
    col = frame.kinds.get(kind)
    rows = frame.rows
    if col is None or col not in rows.columns:
        raise MeasureError(f"this measure has no {kind} column")
    s = rows[col].astype("string")
    if kind == "country":
        return s.str.upper().isin(vals).fillna(False).astype(bool)
    if kind == "org":
        return s.str.lower().isin(vals).fillna(False).astype(bool)
    low = s.str.lower()
    hit = pd.Series(False, index=rows.index)
    for v in vals:
        hit |= low.str.contains(v, regex=False).fillna(False).astype(bool)
    return hit


def _subject_values(
    frame: registry.Frame, test: Test, names: list[str]
) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """The numbers the condition may read (subject, `other.`, `rest.`) and their intervals."""
    rows = frame.rows
    for who in (test.subject, test.other):
        kind, vals = next(iter(who.items())) if who else ("", [])
        gone = [v for v in vals if frame.absent and not _match(frame, {kind: [v]}).any()]
        if frame.absent and gone:
            raise registry.MissingSource(frame.absent(kind, gone))
    sel = _match(frame, test.subject)
    env: dict[str, Any] = dict(frame.summarize(rows[sel], rows))
    bounds = evidence.intervals(test.measure, frame, rows[sel], env)
    taken = sel.copy()
    if test.other:
        osel = _match(frame, test.other)
        taken |= osel
        mine = frame.summarize(rows[osel], rows)
        env.update({f"other.{k}": v for k, v in mine.items()})
        theirs = evidence.intervals(test.measure, frame, rows[osel], mine)
        bounds.update({f"other.{k}": b for k, b in theirs.items()})
    if any(n.startswith("rest.") for n in names):
        kind = next(iter(test.subject))
        col = frame.kinds[kind]
        rest = rows[~taken & rows[col].notna()]
        best: dict[str, float] = {}
        for _, g in rest.groupby(col, sort=False):
            for k, v in frame.summarize(g, rows).items():
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    continue
                how = frame.better.get(k, "max")
                if k not in best or (v > best[k] if how == "max" else v < best[k]):
                    best[k] = v
        env.update({f"rest.{k}": v for k, v in best.items()})
        if "share" in best:  # the best of the rest's share, with its own interval
            got = evidence.intervals(test.measure, frame, rest.iloc[:0], {"share": best["share"]})
            bounds.update({f"rest.{k}": b for k, b in got.items() if k == "share"})
        if not rest.empty:
            env["rest.units"] = float(rest[col].nunique())
    return env, bounds
