"""Resolve every affiliation string in both paperlists folders: aicensus's indexed resolver vs a
per-string fuzzy scan over all reference names (rapidfuzz extractOne), vs the floor of a plain
dict lookup of the whole string. Prints time, throughput and peak memory with ratios.

Run: .venv/bin/python bench/resolve.py [--baseline-sample 2000]
"""

from __future__ import annotations

import argparse
import gzip
import time
import tracemalloc
from pathlib import Path

import orjson
from rapidfuzz import fuzz, process

from aicensus.config import load_settings
from aicensus.geo.affiliations.normalize import key
from aicensus.ingest.affiliations.build import default_resolver


def strings(root: Path) -> list[tuple[str, str | None]]:
    """(affiliation part, email domain) for every author or CVF entry in both folders."""
    out = []
    for folder in ("paperlists", "paperlists_affonly"):
        for f in sorted((root / folder).glob("*/*.json.gz")):
            for p in orjson.loads(gzip.decompress(f.read_bytes())):
                aff = [a.strip() for a in (p.get("aff") or "").split(";")]
                dom = [d.strip() for d in str(p.get("aff_domain") or "").split(";")]
                for i, a in enumerate(aff):
                    for part in a.split("+"):
                        if part.strip():
                            out.append((part.strip(), dom[i] if i < len(dom) else None))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-sample", type=int, default=1000)
    args = ap.parse_args()
    s = load_settings()
    items = strings(s.data_root)
    print(f"{len(items):,} affiliation strings ({len({t for t, _ in items}):,} distinct)")

    tracemalloc.start()
    t0 = time.perf_counter()
    resolver = default_resolver(s)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    known = sum(resolver.resolve(t, e).known for t, e in items)
    run = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    names = list(resolver.reference.names)
    lookup = {k: v[0].country for k, v in resolver.reference.names.items()}
    t0 = time.perf_counter()
    floor_known = sum(key(t) in lookup for t, _ in items)
    floor = time.perf_counter() - t0

    sample = items[:: max(1, len(items) // args.baseline_sample)][: args.baseline_sample]
    t0 = time.perf_counter()
    base_known = 0
    for t, _ in sample:
        hit = process.extractOne(key(t), names, scorer=fuzz.ratio, score_cutoff=90)
        base_known += hit is not None
    base = (time.perf_counter() - t0) / len(sample) * len(items)

    rows = [
        ("aicensus resolver (index build)", build, None),
        ("aicensus resolver (resolve all)", run, known),
        ("baseline: fuzzy scan per string (extrapolated)", base, None),
        ("floor: exact dict lookup of whole string", floor, floor_known),
    ]
    print(f"{'method':50} {'seconds':>10} {'strings/s':>12} {'vs resolver':>12} {'resolved':>10}")
    for name, sec, k in rows:
        rate = len(items) / sec if "build" not in name else float("nan")
        print(
            f"{name:50} {sec:10.2f} {rate:12,.0f} {sec / run:11.2f}x "
            f"{'' if k is None else f'{k / len(items):.1%}':>10}"
        )
    print(f"baseline sample: {len(sample)} strings, {base_known / len(sample):.1%} matched")
    print(f"peak traced memory (resolver build + run): {peak:,.0f} MiB")
    print(f"100,000 strings at this rate: {100_000 / len(items) * run:.1f} s")


if __name__ == "__main__":
    main()
