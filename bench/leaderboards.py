"""Benchmark: load every arena snapshot and compute standing by country over time.

Three ways in one run (best of N, wall clock):
- aicensus: `load_arenas` into a fresh warehouse (parse, dedupe, quarantine, registry matching,
  one transaction) + `boards.standing` (Ibis over DuckDB, CI-aware ranks by self-join);
- plain pandas: read the same files with pandas/json, dedupe, rank, map organizations with the
  registry's exact aliases, group to the same standing table (no provenance, no quarantine);
- engine floor: DuckDB SQL alone computing the standing from the already-loaded warehouse
  tables (strict rank + top-10 counts; what the engine needs for the measure itself).

    uv run python bench/leaderboards.py [--data DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

import pandas as pd

from aicensus.config import load_settings
from aicensus.ingest.arenas import load_arenas
from aicensus.measures import boards as bm
from aicensus.orgs import Registry
from aicensus.warehouse import connect


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def aicensus_run(data: Path) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "w.duckdb")
        load_arenas(con, [str(data / "arena_text_history"), str(data / "arena_video")])
        frames = [
            bm.standing(con, bm.BoardQuery(board=b, top=10)).table
            for b in ("text", "text-to-video", "image-to-video")
        ]
        con.close()
    return pd.concat(frames)


def pandas_run(data: Path) -> pd.DataFrame:
    reg = Registry.load()
    country = {n: o.country for o in reg.orgs.values() for n in o.names}
    frames = []
    text = data / "arena_text_history"
    for f in sorted((text / "fboulnois_llm-leaderboard-csv").glob("*.csv")):
        if f.name == "MANIFEST.csv":
            continue
        d = pd.read_csv(f)
        d = d.rename(columns={"arena_elo": "rating", "arena_score": "rating"})
        d["date"] = re.search(r"\d{4}-\d{2}-\d{2}", f.name).group()
        d["preset"] = "lmarena-csv"
        frames.append(d.sort_values("votes").drop_duplicates("model", keep="last"))
    d = pd.read_csv(text / "jasontrigg0_chatbot-arena-history" / "alltime.csv")
    d = d.drop_duplicates(["key", "date"]).rename(
        columns={"Model": "model", "Organization": "organization", "License": "license"}
    )
    d["date"] = pd.to_datetime(d["date"].astype(str), format="%Y%m%d").dt.strftime("%Y-%m-%d")
    d["preset"] = "arena-history-csv"
    frames.append(d)
    d = pd.read_csv(text / "kevinschaul_lmarena-leaderboard-history" / "history.csv", thousands=",")
    d = d.rename(columns={"score": "rating"}).sort_values("votes")
    d = d.drop_duplicates(["date", "model"], keep="last")
    d["preset"] = "lmarena-history-csv"
    frames.append(d)
    for f in sorted((data / "arena_video").rglob("*.json")):
        doc = json.loads(f.read_text())
        rows = [
            {"model": m["name"], "organization": m["creator"]["name"], "rating": m["elo"]}
            for m in doc["models"]
        ]
        v = pd.DataFrame(rows)
        v["date"] = doc["meta"]["fetched_at"][:10]
        v["preset"] = "artificialanalysis-json:" + doc["meta"]["endpoint"]
        frames.append(v)
    allrows = pd.concat(frames, ignore_index=True)[
        ["preset", "date", "model", "organization", "rating"]
    ]
    allrows["country"] = allrows["organization"].map(country)
    allrows["rank_strict"] = allrows.groupby(["preset", "date"])["rating"].rank(
        method="min", ascending=False
    )
    allrows["top"] = allrows["rank_strict"] <= 10
    return (
        allrows.dropna(subset=["country"])
        .groupby(["preset", "date", "country"])
        .agg(best_rank=("rank_strict", "min"), entries_top10=("top", "sum"))
        .reset_index()
    )


FLOOR_SQL = """
WITH r AS (
  SELECT e.snapshot_id, e.org_id, e.rating,
         1 + count(*) OVER (PARTITION BY e.snapshot_id ORDER BY e.rating DESC
                            RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS rank_strict
  FROM board_entries e WHERE e.snapshot_id NOT LIKE 'lab-flagships-js:%')
SELECT r.snapshot_id, o.country, min(rank_strict) AS best_rank,
       count(*) FILTER (WHERE rank_strict <= 10) AS entries_top10
FROM r JOIN orgs o USING (org_id) GROUP BY ALL
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=load_settings().data_root)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data = args.data
    t_aic, aic = best_of(lambda: aicensus_run(data), args.repeat)
    t_pd, pdf = best_of(lambda: pandas_run(data), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "w.duckdb")
        load_arenas(con, [str(data / "arena_text_history"), str(data / "arena_video")])
        t_floor, floor = best_of(lambda: con.execute(FLOOR_SQL).df(), args.repeat)
        t_meas, _ = best_of(
            lambda: bm.standing(con, bm.BoardQuery(board="text", top=10)), args.repeat
        )
        entries = con.execute("SELECT count(*) FROM board_entries").fetchone()[0]
        snaps = con.execute("SELECT count(*) FROM board_snapshots").fetchone()[0]
        con.close()
    rows = [
        ("aicensus: load + standing (3 boards)", t_aic, len(aic)),
        ("  of which standing, text board only", t_meas, None),
        ("plain pandas: read + standing", t_pd, len(pdf)),
        ("engine floor: DuckDB SQL standing", t_floor, len(floor)),
    ]
    print(f"arena leaderboards: {snaps} snapshots, {entries:,} entries, best of {args.repeat}")
    print(f"{'method':<42}{'seconds':>10}{'vs pandas':>11}{'rows':>8}")
    for name, t, n in rows:
        print(f"{name:<42}{t:>10.3f}{t / t_pd:>10.2f}x{'' if n is None else n:>8}")
    print(
        "note: aicensus also writes provenance, quarantine (292 duplicates, 3 unresolved), "
        "registry matching with rules, and CI-aware ranks; pandas does strict ranks only."
    )


if __name__ == "__main__":
    main()
