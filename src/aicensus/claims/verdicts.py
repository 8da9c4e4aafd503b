"""Verdicts over a claim's variants: `supported` (holds under every decided variant),
`refuted` (fails under every one), `depends` (naming the axis choices that flip it) or
`insufficient data` (naming what is missing), with the numbers, coverage, source dates and a
chart as evidence. Variants too close to call (the interval straddles the condition) are counted
apart: they neither support nor refute, and the reason names them, as it names thin ones."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

from aicensus.claims import grammar, registry
from aicensus.claims.files import Claim
from aicensus.claims.variants import CLOSE, FAILS, HOLDS, INSUFFICIENT, Evaluator, Variant

if TYPE_CHECKING:
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

    @property
    def counts(self) -> Counter:
        return Counter(v.outcome for v in self.variants)

    def grid(self) -> pd.DataFrame:
        """One row per variant and test: choices, numbers read, outcome."""
        rows = []
        for v in self.variants:
            for t in v.tests:
                nums = ", ".join(f"{k}={_fmt(x)}" for k, x in t.values.items() if x is not None)
                if t.labels:
                    nums += " · " + "; ".join(f"{k}: {x}" for k, x in t.labels.items())
                rows.append(
                    {
                        **v.choices,
                        "test": t.label,
                        "condition": t.condition,
                        "numbers": nums,
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
            "variants": [
                {"choices": v.choices, "outcome": v.outcome, "tests": [asdict(t) for t in v.tests]}
                for v in self.variants
            ],
            "chart": chart(self).to_dict(),
        }


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


def check(con: duckdb.DuckDBPyConnection, claims: list[Claim]) -> list[Verdict]:
    """Evaluate every claim's variant grid and decide each verdict."""
    ev = Evaluator(con)
    return [decide(c, ev.claim(c)) for c in claims]


def chart(v: Verdict) -> alt.LayerChart | alt.FacetChart:
    """Per variant and test: the first number the condition reads, coloured by outcome."""
    rows = []
    for var in v.variants:
        for t in var.tests:
            key = next((k for k in t.values if not k.startswith(("other.", "rest."))), None)
            val = t.values.get(key) if key else None
            label = var.label if len(var.tests) == 1 else f"{var.label} · {t.label}"
            rows.append(
                {
                    "variant": label,
                    "value": val if val is not None else 0.0,
                    "compared_with": _reference(t.condition, t.values, key),
                    "measure": f"{t.measure}: {key or '-'}",
                    "condition": t.condition,
                    "outcome": t.outcome,
                }
            )
    df = pd.DataFrame(rows)
    n = max(1, df["variant"].nunique()) if len(df) else 1
    base = alt.Chart(df, title=f"{v.id}: {v.verdict}")
    ticks = (
        base.transform_filter("isValid(datum.compared_with)")
        .mark_tick(color="#1d2433", thickness=2)
        .encode(
            y=alt.Y("variant:N", sort=None),
            x=alt.X("compared_with:Q"),
            tooltip=["variant", "condition", "compared_with"],
        )
    )
    bars = base.mark_bar().encode(
        y=alt.Y("variant:N", sort=None, title=None, axis=alt.Axis(labelLimit=420)),
        x=alt.X("value:Q", title="value the condition reads"),
        color=alt.Color(
            "outcome:N",
            scale=alt.Scale(domain=list(COLORS), range=list(COLORS.values())),
        ),
        tooltip=["variant", "measure", "condition", "value", "outcome"],
    )
    return alt.layer(bars, ticks).properties(width=360, height=min(900, 16 * n))


def _reference(condition: str, values: dict[str, float | None], key: str | None) -> float | None:
    """What the first value is compared with (drawn as a tick): the next name the condition
    reads (`other.rank`), or its number when it reads one name (`share > 0.5`)."""
    try:
        cond = grammar.parse(condition)
    except grammar.ConditionError:
        return None
    names = [n for n in cond.names if n != key]
    if names:
        return values.get(names[0])
    for comp in cond.tree.find_data("comparison"):
        for side in comp.children[::2]:
            if not list(side.scan_values(lambda t: getattr(t, "type", "") == "NAME")):
                try:
                    return float(grammar._eval(side, {}))
                except (grammar.MissingValue, grammar.ConditionError):
                    return None
    return None
