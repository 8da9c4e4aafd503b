"""How much evidence a claim test rests on: its sample size (papers, works, models, votes), the
95% interval of each number a condition reads, and whether its data end before the period the
claim is about.

Intervals:
- a share of counted units (`share`, `top_share`, `pp_top10`): the Wilson score interval with
  n = the units counted (papers or works in the denominator, models, a country's models for its
  top organization's share). Under fractional counting a paper adds a fraction to the numerator
  and 1 to n: each paper's part lies in [0, 1], so its variance is at most a 0/1 paper's with the
  same mean and Wilson's interval is, if anything, wide (conservative). Shares weighted by
  downloads have no interval (a handful of models hold most downloads: n would overstate it).
- a leaderboard rank: the arena's own CI-aware range, best plausible rank (`rank_ub`) to worst
  (`rank_lb`) of the subject's best entry.
- counts (`papers`, `models`, `organizations`, `entries_top`) are exact tallies of what the
  source lists: no interval.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from aicensus.claims.files import Claim
    from aicensus.claims.registry import Frame

Z95 = 1.959963984540054  # the two-sided 95% normal quantile
_WILSON = ("share", "top_share", "pp_top10")


def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion p observed over n units (n > 0)."""
    p = min(max(p, 0.0), 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    return (0.0 if p == 0 else lo), (1.0 if p == 1 else hi)  # exact ends despite rounding


def _number(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _share_n(measure: str, frame: Frame) -> float | None:
    """The units a share of this frame is a fraction of (None: no interval)."""
    cov, meta = frame.coverage, frame.meta
    if measure == "papers.share":
        return _number(cov.get("papers_counted"))
    if measure == "models.count":
        return _number(cov.get("models_with_unit"))
    if measure == "hub.share":
        if meta.get("weight") not in (None, "count", "derivatives"):
            return None
        if "models" in frame.rows.columns:
            return _number(frame.rows["models"].sum())
    return None


def intervals(
    measure: str, frame: Frame, sel: pd.DataFrame, values: dict[str, Any]
) -> dict[str, tuple[float, float]]:
    """name -> (low, high) for the numbers one subject's rows `sel` yield (`values`)."""
    out: dict[str, tuple[float, float]] = {}
    for name in values:  # the measure's own interval (`x_lo`, `x_hi`, e.g. a bootstrap) first
        lo, hi = _number(values.get(f"{name}_lo")), _number(values.get(f"{name}_hi"))
        if lo is not None and hi is not None and _number(values[name]) is not None:
            out[name] = (lo, hi)
    for name in _WILSON:
        p = _number(values.get(name))
        if p is None or name in out:
            continue
        if name == "share":
            n = _share_n(measure, frame)
        elif name == "top_share":  # entries are counts, except in a weighted Hub measure
            weighted = frame.meta.get("weight") not in (None, "count", "derivatives")
            n = None if weighted else _number(values.get("entries"))
        else:
            n = _number(values.get("papers"))
        if n and n > 0:
            out[name] = wilson(p, n)
    rank = _number(values.get("rank"))
    if rank is not None and len(sel) and {"rank_ub", "rank_lb"} <= set(sel.columns):
        lo, hi = _number(sel["rank_ub"].min()), _number(sel["rank_lb"].min())
        if lo is not None and hi is not None:
            out["rank"] = (min(lo, rank), max(hi, rank))
    return out


def sample(measure: str, frame: Frame, values: dict[str, Any]) -> tuple[int | None, str]:
    """(how many units the test rests on, what they are) or (None, "") when not stated."""
    rows, cov = frame.rows, frame.coverage
    n: float | None = None
    unit = "models"
    if measure == "papers.share":
        n = _number(cov.get("papers_counted"))
        unit = "works" if frame.meta.get("source") == "openalex" else "papers"
    elif measure == "papers.citations":
        n, unit = _number(values.get("papers")), "papers"
    elif measure == "models.count":
        n = _number(cov.get("models_with_unit"))
    elif measure == "models.organizations" and "models" in rows.columns:
        n = _number(rows["models"].sum())
    elif measure == "models.concentration":
        n = _number(values.get("entries"))
    elif measure == "hub.share" and "models" in rows.columns:
        n = _number(rows["models"].sum())
    elif measure.startswith("board.") and "votes" in rows.columns:
        n, unit = _number(rows["votes"].sum()), "votes"
    return (None, "") if n is None else (round(n), unit)


def _day(v: Any) -> date | None:
    if v is None:
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def data_period(meta: dict) -> dict[str, str] | None:
    """The measure result's `data_period` ({"start", "end"} ISO dates), None when unknown."""
    got = meta.get("data_period")
    if not isinstance(got, dict):
        return None
    start, end = _day(got.get("start")), _day(got.get("end"))
    if end is None:
        return None
    return {"start": str(start) if start else "", "end": str(end)}


def claim_years(
    claim: Claim, sources: list[dict], periods: dict[str, Any]
) -> tuple[tuple[int, int], str] | None:
    """The years a claim is about for one test's data and how to say it: the claim's `period`
    years, or for `now` the two latest years of the source's data (None when unknown)."""
    if claim.years:
        return claim.years, str(claim.period)
    if claim.period is None:
        return None
    for s in sources:
        name = s.get("source")
        got = periods.get(str(name)) if name else None
        end = _day(getattr(got, "end", None) if got is not None else None)
        if end is None and isinstance(got, dict):
            end = _day(got.get("end"))
        if end is not None:
            years = (end.year - 1, end.year)
            return years, f"now ({years[0]}-{years[1]}, the two latest years of {name})"
    return None


def too_old(
    claim: Claim, period: dict[str, str] | None, sources: list[dict], periods: dict[str, Any]
) -> str | None:
    """The reason a test's data cannot speak to the claim's period (they end before it), or
    None (no period, unknown dates, or data reaching into the period)."""
    if period is None:
        return None
    about = claim_years(claim, sources, periods)
    end = _day(period.get("end"))
    if about is None or end is None:
        return None
    (first, _last), said = about
    if end < date(first, 1, 1):
        return f"data end {end:%Y-%m}, claim is about {said}"
    return None


def stale(
    used: set[str], periods: dict[str, Any], after_days: int, today: date | None = None
) -> list[str]:
    """The sources among `used` whose data end more than `after_days` before `today`, each as
    "source (data end YYYY-MM, N months old)"."""
    today = today or date.today()
    out = []
    for name in sorted(used):
        got = periods.get(name)
        end = _day(getattr(got, "end", None)) if got is not None else None
        if end is not None and (today - end).days > after_days:
            months = (today.year - end.year) * 12 + today.month - end.month
            months -= today.day < end.day  # whole months
            out.append(f"{name} (data end {end:%Y-%m}, {months} months old)")
    return out
