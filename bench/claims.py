"""Benchmark: check claims/debate.yaml against a warehouse (paperlists + Epoch + arenas).

Three ways in one run (wall clock, best of N):
- aicensus: `verdicts.check` (one Evaluator: measure frames cached across variants and claims,
  so a filter set shared by several variants or claims is computed once);
- plain baseline: the same grid with no cache (every variant re-runs its measures), which is
  what a loop over the library measures per variant costs;
- engine floor: only the distinct measure calls the grid needs (no claim logic, no verdicts):
  what the measures themselves cost.

    uv run python bench/claims.py --db WAREHOUSE [--repeat 2]
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

import duckdb

from aicensus.claims import files, registry, verdicts
from aicensus.claims.variants import Evaluator, grid

REPO = Path(__file__).resolve().parents[1]


def aicensus_check(con, claims) -> int:
    return len(verdicts.check(con, claims))


def no_cache(con, claims) -> int:
    n = 0
    for c in claims:
        variants = [Evaluator(con).variant(c, ch, idx) for ch, idx in grid(c)]
        verdicts.decide(c, variants)
        n += 1
    return n


def best(fn, con, claims, repeat: int) -> tuple[float, int]:
    times, out = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(con, claims)
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--claims", default=str(REPO / "claims" / "debate.yaml"))
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    claims = files.load(a.claims)
    con = duckdb.connect(a.db, read_only=True)
    n_variants = sum(len(grid(c)) for c in claims)
    rows = [
        ("aicensus check (cached frames)", *best(aicensus_check, con, claims, a.repeat)),
        ("baseline: no cache", *best(no_cache, con, claims, a.repeat)),
    ]
    ev_floor = Evaluator(con)  # collect distinct calls once, time only the measure runs
    calls = {}
    for c in claims:
        for choices, idx in grid(c):
            for j in idx:
                t = c.tests[j]
                f = ev_floor.test(c, t, choices).filters
                calls.setdefault((t.measure, repr(sorted(f.items(), key=str))), (t.measure, f))
    times = []
    for _ in range(a.repeat):
        start = time.perf_counter()
        for m, f in calls.values():
            with contextlib.suppress(Exception):  # a missing source is a (cheap) call too
                registry.get(m).run(con, f)
        times.append(time.perf_counter() - start)
    rows.append(("floor: distinct measure calls only", min(times), len(calls)))
    base = rows[0][1]
    print(f"{len(claims)} claims, {n_variants} variants, {len(calls)} distinct measure calls")
    print(f"{'way':40} {'seconds':>8} {'vs aicensus':>12}")
    for name, sec, _ in rows:
        print(f"{name:40} {sec:8.2f} {sec / base:11.2f}x")


if __name__ == "__main__":
    main()
