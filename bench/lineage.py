"""Lineage resolution on >= 1,000,000 models: aicensus (numpy pointer jumping over the
primary-parent array, with string-id matching and cycle checks) vs a straightforward networkx
implementation (DiGraph of all links, cycle check, topological order, root propagation) vs the
engine floor (pointer jumping on ready-made integer arrays, no id matching).

Graph: the 9,715 real records of the 2024 tabular dump replicated with rewritten ids
(`<ns>/r<k>-<name>`); links rewritten into the same replica (merges keep all their parents),
and every model of replica k without a parent in the data chained to its copy in replica k-1,
so chains are ~100 deep. Each contender runs in a forked child; peak memory = the child's peak
RSS minus its RSS at fork. Run: .venv/bin/python bench/lineage.py [--models 1000000]
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import networkx as nx
import numpy as np

from aicensus.config import load_settings
from aicensus.hub import lineage
from aicensus.sources.fetch import read_location
from aicensus.sources.hub import parse


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def build(n_target: int) -> tuple[list[str], list[str | None], list[tuple[str, str, int]]]:
    """(ids, primary parents, all links (child, parent, position)); ids lower-cased."""
    root = load_settings().data_root / "hf_models_table"
    f = next(root.glob("*.csv*"))
    recs = parse(read_location(str(f)).content, str(f), "bench").records
    base = [(r.model_id.lower(), [p.lower() for p, *_ in r.links()]) for r in recs]
    present = {m for m, _ in base}
    reps = math.ceil(n_target / len(base))

    def rw(mid: str, k: int) -> str:
        ns, _, name = mid.partition("/")
        return f"{ns}/r{k}-{name}"

    ids, prim, links = [], [], []
    for k in range(reps):
        for mid, parents in base:
            child = rw(mid, k)
            ps = []
            for p in dict.fromkeys(parents):
                ps.append(rw(p, k) if p in present else p)
            if k and (not ps or parents[0] not in present):
                ps = [rw(mid, k - 1), *ps]  # chain to the previous replica
            ids.append(child)
            prim.append(ps[0] if ps else None)
            links.extend((child, p, i) for i, p in enumerate(ps))
    return ids, prim, links


def run_aicensus(ids, prim, links):
    r = lineage.resolve(np.array(ids, dtype=object), np.array(prim, dtype=object))
    return r.root


def run_networkx(ids, prim, links):
    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_edges_from((c, p, {"position": i}) for c, p, i in links)
    primary = nx.DiGraph()
    primary.add_nodes_from(ids)
    present = set(ids)
    primary.add_edges_from(
        (c, p) for c, p, d in g.edges(data=True) if d["position"] == 0 and p in present and p != c
    )
    try:
        cyc = nx.find_cycle(primary)
    except nx.NetworkXNoCycle:
        cyc = []
    assert not cyc
    root = {}
    for n in reversed(list(nx.topological_sort(primary))):  # parents before children
        succ = next(iter(primary.successors(n)), None)
        root[n] = n if succ is None else root[succ]
    index = {m: i for i, m in enumerate(ids)}
    return np.array([index[root[m]] for m in ids])


def run_floor(parent_int):
    root = parent_int.copy()
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt


def timed_in_child(fn, *args):
    """Run fn in a forked child: (seconds, peak MB above the fork point, result checksum)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        start = _rss_kb("VmRSS:")
        t = time.perf_counter()
        out = fn(*args)
        dt = time.perf_counter() - t
        peak = _rss_kb("VmHWM:") - start
        digest = int(np.asarray(out, dtype=np.int64).sum())
        os.write(w, f"{dt} {peak / 1024} {digest}".encode())
        os._exit(0)
    os.close(w)
    data = os.read(r, 1000).decode()
    os.waitpid(pid, 0)
    dt, mb, digest = data.split()
    return float(dt), float(mb), int(digest)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=1_000_000)
    a = ap.parse_args()
    t = time.perf_counter()
    ids, prim, links = build(a.models)
    print(
        f"graph: {len(ids):,} models, {len(links):,} links, built in {time.perf_counter() - t:.1f}s"
    )
    index = {m: i for i, m in enumerate(ids)}
    parent_int = np.array([index.get(p, i) if p else i for i, p in enumerate(prim)], np.int64)
    rows = [
        ("aicensus (numpy pointer jumping)", timed_in_child(run_aicensus, ids, prim, links)),
        ("baseline (networkx topo order)", timed_in_child(run_networkx, ids, prim, links)),
        ("floor (int arrays, no id match)", timed_in_child(run_floor, parent_int)),
    ]
    base_t, base_m = rows[1][1][0], rows[1][1][1]
    depth = lineage.resolve(np.array(ids, dtype=object), np.array(prim, dtype=object)).depth
    print(f"max depth {int(depth.max())}, mean depth {depth.mean():.1f}")
    print(
        f"{'contender':34} {'seconds':>9} {'peak MB':>9} {'x faster':>9} {'mem ratio':>10}  roots"
    )
    for name, (dt, mb, digest) in rows:
        print(f"{name:34} {dt:9.2f} {mb:9.0f} {base_t / dt:9.1f} {mb / base_m:10.2f}  {digest}")
    same = len({d for _, (_, _, d) in rows}) == 1
    print("roots identical across contenders:", same)


if __name__ == "__main__":
    main()
