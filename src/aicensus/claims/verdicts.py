"""Verdicts over a claim's variants: `supported` (holds under every decided variant),
`refuted` (fails under every one), `depends` (naming the axis choices that flip it) or
`insufficient data` (naming what is missing), with the numbers, coverage, source dates and a
chart as evidence. Variants too close to call (the interval straddles the condition) are counted
apart: they neither support nor refute, and the reason names them, as it names thin ones."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from aicensus.claims import evidence, grammar, registry
from aicensus.claims.files import Claim
from aicensus.claims.variants import (
    CLOSE,
    FAILS,
    HOLDS,
    INSUFFICIENT,
    Evaluator,
    TestResult,
    Variant,
)
from aicensus.config import STALE_AFTER_DAYS

if TYPE_CHECKING:
    import altair as alt
    import duckdb

SUPPORTED, REFUTED, DEPENDS, INSUFFICIENT_DATA = (
    "supported",
    "refuted",
    "depends",
    "insufficient data",
)
COLORS = {HOLDS: "#2e7d32", FAILS: "#c62828", CLOSE: "#b26a00", INSUFFICIENT: "#9e9e9e"}
OUTCOME_WORDS = {
    HOLDS: "holds",
    FAILS: "fails",
    CLOSE: "too close to call",
    INSUFFICIENT: "insufficient data",
}


@dataclass
class Verdict:
    """The overall verdict on one claim and its evidence."""

    id: str
    claim: str
    where: str
    verdict: str
    reason: str
    variants: list[Variant]
    flips: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    notes: str = ""
    stale: list[str] = field(default_factory=list)  # sources of decided tests, data too old

    @property
    def counts(self) -> Counter:
        return Counter(v.outcome for v in self.variants)

    def grid(self) -> pd.DataFrame:
        """One row per variant and test: choices, numbers read (with their 95% intervals),
        sample size, outcome."""
        rows = []
        for v in self.variants:
            for t in v.tests:
                nums = ", ".join(
                    f"{k}={_fmt(x)}" + _span(t.intervals.get(k))
                    for k, x in t.values.items()
                    if x is not None
                )
                if t.labels:
                    nums += " · " + "; ".join(f"{k}: {x}" for k, x in t.labels.items())
                rows.append(
                    {
                        **v.choices,
                        "test": t.label,
                        "condition": t.condition,
                        "numbers": nums,
                        "sample": f"{t.sample:,} {t.sample_unit}" if t.sample is not None else "",
                        "outcome": t.outcome,
                        "missing": t.missing or "",
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim": self.claim,
            "where": self.where,
            "verdict": self.verdict,
            "reason": self.reason,
            "counts": dict(self.counts),
            "flips": self.flips,
            "missing": self.missing,
            "sources": self.sources,
            "notes": self.notes,
            "stale": self.stale,
            "variants": [
                {"choices": v.choices, "outcome": v.outcome, "tests": [asdict(t) for t in v.tests]}
                for v in self.variants
            ],
            "chart": chart(self).to_dict(),
        }


def _span(iv: list[float] | None) -> str:
    return f" [{_fmt(iv[0])}-{_fmt(iv[1])}]" if iv and iv[0] != iv[1] else ""


def _fmt(x: float) -> str:
    if abs(x) < 1 and x != 0:
        return f"{x:.4f}"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def decide(claim: Claim, variants: list[Variant]) -> Verdict:
    """The overall verdict from the variants' outcomes: decided variants (holds / fails) give
    it; close calls and variants without enough data are counted apart and named."""
    decided = [v for v in variants if v.outcome in (HOLDS, FAILS)]
    close = [v for v in variants if v.outcome == CLOSE]
    missing = sorted({t.missing for v in variants for t in v.tests if t.missing})
    flips: dict[str, dict[str, str]] = {}
    if not decided:
        kind = INSUFFICIENT_DATA
        parts = []
        if close:
            parts.append(f"{len(close)} too close to call ({_close_note(close)})")
        if missing:
            parts.append("; ".join(missing[:3]))
        reason = "no variant could be decided: " + "; ".join(parts)
    elif all(v.outcome == HOLDS for v in decided):
        kind, reason = SUPPORTED, f"holds under all {len(decided)} decided variants"
    elif all(v.outcome == FAILS for v in decided):
        kind, reason = REFUTED, f"fails under all {len(decided)} decided variants"
    else:
        kind = DEPENDS
        flips = flipping_axes(decided)
        parts = []
        for axis, by in flips.items():
            parts.append(f"{axis}: " + ", ".join(f"{lab} {frac}" for lab, frac in by.items()))
        n_hold = sum(v.outcome == HOLDS for v in decided)
        reason = f"holds under {n_hold} of {len(decided)} variants; flips with " + (
            "; ".join(parts) or "combinations of choices"
        )
    n_insufficient = sum(v.outcome == INSUFFICIENT for v in variants)
    if decided and close:
        reason += f"; {len(close)} too close to call ({_close_note(close)})"
    if decided and n_insufficient:
        reason += f" ({n_insufficient} variant(s) lacked data: {'; '.join(missing[:2])})"
    return Verdict(
        id=claim.id,
        claim=claim.claim,
        where=claim.where,
        verdict=kind,
        reason=reason,
        variants=variants,
        flips=flips,
        missing=missing,
        sources=registry.source_dates(
            _unique([s for v in variants for t in v.tests for s in t.sources])
        ),
        notes=claim.notes,
    )


def _close_note(close: list[Variant]) -> str:
    """The first close call in words: its choices and the interval that straddles."""
    v = close[0]
    t = next(t for t in v.tests if t.outcome == CLOSE)
    spans = ", ".join(
        f"{k} {_fmt(lo)}-{_fmt(hi)}" for k, (lo, hi) in t.intervals.items() if k in t.values
    )
    more = f" and {len(close) - 1} more" if len(close) > 1 else ""
    return f"{v.label}: {t.condition} with {spans or 'its interval'}{more}"


def _unique(sources: list[dict]) -> list[dict]:
    seen, out = set(), []
    for s in sources:
        key = (s.get("source"), s.get("key"), s.get("content_hash"))
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def flipping_axes(decided: list[Variant]) -> dict[str, dict[str, str]]:
    """Axes where changing that one choice (all else equal) changes the outcome, with the
    fraction of variants holding under each of the axis' values."""
    axes = list(decided[0].choices) if decided else []
    out: dict[str, dict[str, str]] = {}
    for axis in axes:
        groups: dict[tuple, set[str]] = defaultdict(set)
        for v in decided:
            rest = tuple((k, x) for k, x in v.choices.items() if k != axis)
            groups[rest].add(v.outcome)
        if any(len(s) > 1 for s in groups.values()) or (axis == "test" and not out):
            by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for v in decided:
                by[v.choices[axis]][0] += v.outcome == HOLDS
                by[v.choices[axis]][1] += 1
            out[axis] = {lab: f"holds {h}/{n}" for lab, (h, n) in by.items() if lab != "-"}
    return out


def check(
    con: duckdb.DuckDBPyConnection,
    claims: list[Claim],
    stale_after_days: int = STALE_AFTER_DAYS,
    today: date | None = None,
    ev: Evaluator | None = None,
) -> list[Verdict]:
    """Evaluate every claim's variant grid and decide each verdict; a verdict whose decided
    tests read a source with data older than `stale_after_days` (on `today`) names it stale.
    `ev`: an evaluator to share (its measure results) with a caller reading more of them."""
    ev = ev or Evaluator(con)
    out = []
    for c in claims:
        v = decide(c, ev.claim(c))
        used = {
            s for var in v.variants for t in var.tests if t.outcome != INSUFFICIENT
            for s in t.data_sources
        }  # fmt: skip
        v.stale = evidence.stale(used, ev.periods(), stale_after_days, today)
        if v.stale:
            v.reason += f"; stale data: {', '.join(v.stale)}"
        out.append(v)
    return out


def _primary(t: TestResult) -> str | None:
    """The number a test's condition is about: its first name read for the subject (else
    the first name it reads at all)."""
    try:
        names = grammar.parse(t.condition).names
    except grammar.ConditionError:
        return None
    names = [n for n in names if n in t.values]
    own = [n for n in names if not n.startswith(("other.", "rest."))]
    picked = own or names
    return picked[0] if picked else None


def _reference(t: TestResult, key: str | None) -> tuple[float | None, str | None]:
    """(threshold, other value) the condition compares `key` with: the number or named
    number (`share > 0.5`, `rank > k`), and the other subject's value (`rank < other.rank`)."""
    if key is None:
        return None, None
    cond = grammar.parse(t.condition)
    threshold = next((x for name, _, x in cond.thresholds() if name == key), None)
    if threshold is None:
        threshold = next((t.params[n] for n in cond.names if n in t.params), None)
    base = key.rpartition(".")[2]
    other = next((n for n in (f"other.{base}", f"rest.{base}") if n in cond.names), None)
    return threshold, other


def chart_rows(v: Verdict) -> pd.DataFrame:
    """One row per variant and test: its axis choices, the value the condition reads with
    its interval, the threshold, the other subject's value and the outcome."""
    rows: list[dict[str, Any]] = []
    for var in v.variants:
        for t in var.tests:
            key = _primary(t)
            value = t.values.get(key) if key else None
            lo, hi = t.intervals.get(key, [value, value]) if key else [None, None]
            threshold, other = _reference(t, key)
            olo, ohi = t.intervals.get(other, [None, None]) if other else [None, None]
            rows.append(
                {
                    "row": len(rows) + 1,
                    **{k: x for k, x in var.choices.items()},
                    **({"test": t.label} if len(var.tests) > 1 else {}),
                    "reads": f"{t.measure}: {key or '-'}",
                    "value": value,
                    "low": lo,
                    "high": hi,
                    "threshold": threshold,
                    "other": t.values.get(other) if other else None,
                    "other_low": olo,
                    "other_high": ohi,
                    "condition": t.condition,
                    "sample": f"{t.sample:,} {t.sample_unit}" if t.sample is not None else "",
                    "outcome": t.outcome,
                }
            )
    return pd.DataFrame(rows)


def _widest(long: pd.DataFrame) -> int:
    """Characters of the longest axis name or choice (the grid's columns are equally wide)."""
    texts = [*long["axis"].astype(str), *long["choice"].astype(str)] if len(long) else [""]
    return max(len(x) for x in texts) + 2


_NOT_AXES = {"row", "reads", "value", "low", "high", "threshold", "other", "condition"}
_NOT_AXES |= {"sample", "outcome", "other_low", "other_high"}


def chart(v: Verdict) -> alt.HConcatChart:
    """Left, the axis choices of each variant as a compact grid (one column per axis); right,
    on the same rows, the value its condition reads with its 95% interval, the threshold (black
    tick) and the other subject's value (hollow diamond), coloured by outcome."""
    import altair as alt  # charts only: check and --explain print tables (1 s of imports)

    df = chart_rows(v)
    if df.empty:
        df = pd.DataFrame({"row": [1], "value": [None], "outcome": [INSUFFICIENT]})
    axes = [c for c in df.columns if c not in _NOT_AXES]
    order = df["row"].tolist()
    h = min(900, 14 * len(df) + 10)
    y = alt.Y("row:O", sort=order, axis=None)
    long = df.melt(id_vars=["row"], value_vars=axes, var_name="axis", value_name="choice")
    grid = (
        alt.Chart(long)
        .mark_text(fontSize=10, align="center")
        .encode(
            x=alt.X("axis:N", sort=axes, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
            y=y,
            text="choice:N",
            tooltip=["axis", "choice"],
        )
        .properties(width=len(axes) * max(60, 6 * _widest(long)), height=h)
    )
    colour = alt.Color(
        "outcome:N",
        scale=alt.Scale(domain=list(COLORS), range=list(COLORS.values())),
        legend=alt.Legend(orient="bottom"),
    )
    reads = (
        sorted(r for r in df["reads"].dropna().unique() if not r.endswith(": -"))
        if "reads" in df
        else []
    )
    title = "value the condition reads" + (f" ({', '.join(reads)})" if reads else "")
    base = alt.Chart(df)
    x = alt.X("value:Q", title=title)
    tips = ["row", "reads", "condition", "value", "low", "high", "sample", "outcome"]
    tips = [c for c in tips if c in df.columns]
    interval = (
        base.transform_filter("isValid(datum.low)")
        .mark_rule(strokeWidth=2)
        .encode(y=y, x=alt.X("low:Q", title=title), x2="high:Q", color=colour)
    )
    point = base.mark_point(filled=True, size=40).encode(y=y, x=x, color=colour, tooltip=tips)
    layers = [interval, point]
    if "threshold" in df and df["threshold"].notna().any():
        layers.append(
            base.transform_filter("isValid(datum.threshold)")
            .mark_tick(color="#1d2433", thickness=2)
            .encode(y=y, x="threshold:Q", tooltip=["condition", "threshold"])
        )
    if "other" in df and df["other"].notna().any():
        layers.append(
            base.transform_filter("isValid(datum.other_low)")
            .mark_rule(color="#8a8f98", strokeDash=[3, 2])
            .encode(y=y, x="other_low:Q", x2="other_high:Q")
        )
        layers.append(
            base.transform_filter("isValid(datum.other)")
            .mark_point(shape="diamond", filled=False, color="#1d2433", size=50)
            .encode(y=y, x="other:Q", tooltip=["condition", "other"])
        )
    values = alt.layer(*layers).properties(width=360, height=h)
    return alt.hconcat(grid, values, spacing=4, title=f"{v.id}: {v.verdict}")
