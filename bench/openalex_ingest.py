"""Bench: snapshot ingest of the real works replicated (rewritten ids) into official-layout
partitions — aicensus (streaming normalize + warehouse load) vs a plain pandas `json_normalize`
script (baseline) vs DuckDB's own `read_json` of the same files (floor). Each contender runs
in its own process, so peak memory (max RSS) is its own.

    .venv/bin/python bench/openalex_ingest.py --works 1000000 --per-partition 100000
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "openalex_works"


def build(root: Path, n_works: int, per_part: int) -> int:
    """Write n_works lines (copies of the real records, ids suffixed) as partitions."""
    lines = gzip.decompress((DATA / "works.jsonl.gz").read_bytes()).splitlines()
    ids = [json.loads(line)["id"].encode() for line in lines]
    written, part, copy = 0, 0, 0
    while written < n_works:
        d = root / "works" / f"updated_date=2024-01-{part % 28 + 1:02d}" / f"part_{part:03d}.gz"
        d.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(d, "wb", compresslevel=1) as fh:
            k = 0
            while k < per_part and written < n_works:
                i = written % len(lines)
                copy = written // len(lines)
                wid = ids[i]
                fh.write(lines[i].replace(wid, wid + b"%05d" % copy, 1) + b"\n")
                written += 1
                k += 1
        part += 1
    return part


def aicensus(root: str) -> int:
    from aicensus.ingest.openalex import load_snapshot
    from aicensus.warehouse import connect

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "b.duckdb")
        s = load_snapshot(con, root)
        con.close()
    return s.loaded


def pandas_baseline(root: str) -> int:
    import pandas as pd

    n = 0
    frames = []
    for part in sorted(Path(root).glob("works/*/part_*.gz")):
        with gzip.open(part, "rt") as fh:
            records = [json.loads(line) for line in fh]
        works = pd.json_normalize(records, max_level=1)
        auth = pd.json_normalize(records, record_path="authorships", meta=["id"], max_level=1)
        inst = auth[["id", "author_position", "institutions"]].explode("institutions")
        inst = pd.concat(
            [inst.drop(columns="institutions").reset_index(drop=True),
             pd.json_normalize(inst["institutions"].dropna().tolist())], axis=1,
        )  # fmt: skip
        frames.append(works[["id", "publication_year", "cited_by_count"]])
        n += len(works) + 0 * len(inst)
    pd.concat(frames)
    return n


def duckdb_floor(root: str) -> int:
    import duckdb

    # A database file, like aicensus's warehouse: an in-memory table of 1M nested works would
    # not fit in this machine's memory.
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "floor.duckdb"))
        con.execute(
            f"CREATE TABLE raw AS SELECT * FROM read_json('{root}/works/*/part_*.gz', "
            "format='newline_delimited', union_by_name=true, maximum_object_size=67108864)"
        )
        n = con.execute("SELECT count(*) FROM raw").fetchone()[0]
        con.close()
    return n


CONTENDERS = {"aicensus": aicensus, "pandas": pandas_baseline, "duckdb": duckdb_floor}


def child(name: str, root: str) -> None:
    t = time.perf_counter()
    n = CONTENDERS[name](root)
    dt = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "seconds": dt, "rss_mb": rss}))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--works", type=int, default=1_000_000)
    p.add_argument("--per-partition", type=int, default=100_000)
    p.add_argument("--skip", default="", help="contenders to skip, e.g. pandas")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(*a.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        parts = build(Path(tmp), a.works, a.per_partition)
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*.gz")) / 1e6
        print(f"built {a.works:,} works in {parts} partitions ({size:,.0f} MB gz) "
              f"in {time.perf_counter() - t:.0f} s")  # fmt: skip
        res = {}
        for name in CONTENDERS:
            if name in a.skip.split(","):
                continue
            out = subprocess.run([sys.executable, __file__, "--child", name, tmp],
                                 capture_output=True, text=True)  # fmt: skip
            if out.returncode:
                print(f"{name}: failed: {out.stderr.strip().splitlines()[-1]}")
                continue
            res[name] = json.loads(out.stdout.strip().splitlines()[-1])
    floor = res.get("duckdb", {}).get("seconds")
    print(f"{'contender':<10}{'works':>11}{'seconds':>9}{'works/s':>10}{'peak MB':>9}"
          f"{'x floor time':>13}")  # fmt: skip
    for name, r in res.items():
        ratio = f"{r['seconds'] / floor:.1f}" if floor else "-"
        print(f"{name:<10}{r['n']:>11,}{r['seconds']:>9.1f}{r['n'] / r['seconds']:>10,.0f}"
              f"{r['rss_mb']:>9,.0f}{ratio:>13}")  # fmt: skip


if __name__ == "__main__":
    main()
