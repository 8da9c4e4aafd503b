"""Benchmark: the same paper measures on DuckDB and on Spark (local mode) over replicated works.

The real paperlists warehouse (all 246 files, ~95k works) is replicated with rewritten ids
(`<work_id>#<copy>`) to each size. For every size and engine, in a fresh subprocess (so peak
memory is per run; for Spark it is the Python driver plus the JVM):
- aicensus: `papers.share` (full and author-fractional), `papers.citations` (country-fractional)
  and `papers.collaboration`, by year, through the one Ibis definition (Spark time includes
  exporting the warehouse tables to Parquet, shown separately);
- plain: a hand-written SQL full-count share by year on the same engine (DuckDB SQL / Spark SQL);
- engine floor: one scan aggregation of affiliations by country.
Prints a table with times, ratios and peak memory, and the crossover size (where Spark local
becomes faster than DuckDB), if any within the sizes run.

Then the snapshot ingest: works.jsonl.gz replicated (rewritten ids) into gzipped partitions,
read by the DuckDB reader (one process) and by the Spark ingest (local mode), records per second
and per core; the per-core figure is what docs/operations.md projects the full snapshot from.

    uv run python bench/engines.py [--sizes 1000000,5000000,20000000] [--ingest 100000]
        [--engines duckdb,spark] [--timeout 3600]

A run longer than --timeout seconds is stopped and shown as `>timeout` (a lower bound).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from aicensus.config import load_settings
from aicensus.engines import DUCKDB
from aicensus.ingest.paperlists import load_paperlists
from aicensus.measures import papers as pm
from aicensus.warehouse import connect

PLAIN_SQL = """
WITH pu AS (
  SELECT DISTINCT a.work_id, w.year, a.country AS unit
  FROM affiliations a JOIN works_current w ON a.work_id = w.work_id AND a.load_id = w.load_id
  WHERE a.country_source IS NOT NULL AND a.country IS NOT NULL AND w.source = 'paperlists')
SELECT year, unit, count(*) AS papers,
       count(*) / max(d.n) AS share
FROM pu JOIN (SELECT year AS y, count(DISTINCT work_id) AS n FROM pu GROUP BY 1) d ON d.y = pu.year
GROUP BY year, unit
"""
FLOOR_SQL = "SELECT country, count(*) FROM affiliations GROUP BY 1"
MEMORY_GB = int(os.environ.get("BENCH_MEMORY_GB", "12"))


def base_warehouse(data: Path, work: Path) -> Path:
    path = work / "base.duckdb"
    if not path.exists():
        con = connect(path)
        load_paperlists(con, str(data / "paperlists"))
        con.close()
    return path


def replicated(base: Path, size: int, work: Path) -> tuple[Path, int]:
    """A warehouse with the base works copied until there are at least `size` works."""
    path = work / f"rep_{size}.duckdb"
    con = connect(path)
    con.execute(f"ATTACH '{base}' AS b (READ_ONLY)")
    n_base = con.execute("SELECT count(*) FROM b.works").fetchone()[0]
    copies = -(-size // n_base)
    n = con.execute("SELECT count(*) FROM works").fetchone()[0]
    if n != copies * n_base:
        con.execute("DELETE FROM works; DELETE FROM affiliations; DELETE FROM loads")
        con.execute("INSERT INTO loads SELECT * FROM b.loads")
        con.execute(
            "INSERT INTO works SELECT w.* REPLACE (w.work_id || '#' || k AS work_id) "
            f"FROM b.works w, range({copies}) r(k)"
        )
        con.execute(
            "INSERT INTO affiliations SELECT a.* REPLACE (a.work_id || '#' || k AS work_id) "
            f"FROM b.affiliations a, range({copies}) r(k)"
        )
        n = con.execute("SELECT count(*) FROM works").fetchone()[0]
    con.close()
    return path, n


def fake_snapshot(data: Path, records: int, parts: int, work: Path) -> Path:
    """A snapshot layout of `records` real works (ids rewritten per copy) in `parts` files."""
    import gzip

    import orjson

    root = work / f"snapshot_{records}_{parts}"
    if (root / "works").is_dir():
        return root
    with gzip.open(data / "openalex_works" / "works.jsonl.gz") as fh:
        src = [orjson.loads(x) for x in fh if x.strip()]
    per = -(-records // parts)
    n = 0
    for p in range(parts):
        d = root / "works" / f"updated_date=2024-01-{p + 1:02d}"
        d.mkdir(parents=True)
        with gzip.open(d / "part_000.gz", "wb", compresslevel=6) as fh:
            for _ in range(per):
                if n >= records:
                    break
                rec = dict(src[n % len(src)])
                rec["id"] = f"{rec['id']}{n // len(src):04d}"
                fh.write(orjson.dumps(rec) + b"\n")
                n += 1
    return root


def bench_ingest(data: Path, records: int, work: Path) -> None:
    from aicensus.engines.spark import session
    from aicensus.ingest.openalex import load_snapshot
    from aicensus.ingest.spark import ingest_snapshot

    cores = int(os.environ.get("BENCH_SPARK_CORES", "2"))
    root = fake_snapshot(data, records, 2 * cores, work)
    db = work / "ingest.duckdb"
    db.unlink(missing_ok=True)
    con = connect(db)
    t = time.perf_counter()
    load_snapshot(con, str(root))
    duck = time.perf_counter() - t
    con.close()
    spark = session({"master": f"local[{cores}]", "conf": {"spark.driver.memory": "4g"}})
    out = work / "ingest_parquet"
    ingest_snapshot(spark, str(root), out, full=True)  # warm-up (JVM, Python workers)
    t = time.perf_counter()
    ingest_snapshot(spark, str(root), out, full=True)
    sp = time.perf_counter() - t
    print(f"\ningest {records:,} works ({2 * cores} partitions)")
    print(f"  duckdb reader (1 process): {duck:7.1f} s  {records / duck:8,.0f} works/s")
    print(
        f"  spark local[{cores}]:          {sp:7.1f} s  {records / sp:8,.0f} works/s  "
        f"{records / sp / cores:8,.0f} works/s/core"
    )


def worker(db: str, engine_name: str, export_dir: str) -> dict:
    """One engine on one warehouse: seconds per step (run in its own process)."""
    # The same memory budget for both engines (BENCH_MEMORY_GB, default 12): DuckDB spills
    # past it, Spark's driver (local mode: the executors too) gets it as heap. DuckDB's own
    # default (80% of RAM) got it OOM-killed at 20M works beside other jobs.
    con = duckdb.connect(db, read_only=True, config={"memory_limit": f"{MEMORY_GB}GB"})
    out: dict = {}
    if engine_name == "spark":
        from aicensus.engines.spark import SparkEngine

        cores = os.environ.get("BENCH_SPARK_CORES", "2")
        engine = SparkEngine(
            {
                "master": f"local[{cores}]",
                "export_dir": export_dir,
                "conf": {
                    "spark.driver.memory": f"{MEMORY_GB}g",
                    "spark.sql.shuffle.partitions": os.environ.get("BENCH_SPARK_SHUFFLE", "8"),
                },
            }
        )
        t = time.perf_counter()
        engine.prepare(con, ("works_current", "affiliations", "work_concepts"))
        out["export+register"] = time.perf_counter() - t
        spark = engine.spark
        run_sql = lambda sql: spark.sql(sql).toPandas()  # noqa: E731
    else:
        engine = DUCKDB
        run_sql = lambda sql: con.execute(sql).df()  # noqa: E731
    steps = {
        "share full": lambda: pm.share(con, pm.PaperQuery(by="year"), engine=engine),
        "share author-fractional": lambda: pm.share(
            con, pm.PaperQuery(by="year", method="author-fractional"), engine=engine
        ),
        "citations country-fractional": lambda: pm.citations(
            con, pm.PaperQuery(by="year", method="country-fractional"), engine=engine
        ),
        "collaboration": lambda: pm.collaboration(con, pm.PaperQuery(by="year"), engine=engine),
        "plain SQL share full": lambda: run_sql(PLAIN_SQL),
        "floor scan": lambda: run_sql(FLOOR_SQL),
    }
    for name, fn in steps.items():
        t = time.perf_counter()
        fn()
        out[name] = time.perf_counter() - t
    return out


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return total


def run_measured(
    db: Path, engine: str, export_dir: Path, timeout: float
) -> tuple[dict | None, int]:
    """(seconds per step, or None when stopped after `timeout`; peak resident bytes)."""
    cmd = [sys.executable, __file__, "--worker", engine, "--db", str(db)]
    cmd += ["--export", str(export_dir)]
    log = export_dir.parent / f"worker_{engine}_{db.stem}.log"  # the worker's stderr
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=log.open("w"), text=True, start_new_session=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        stdout, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)  # the worker and its JVM
        proc.communicate()
        stop.set()
        th.join()
        return None, peak
    stop.set()
    th.join()
    if proc.returncode != 0:
        raise SystemExit(f"{engine} worker failed on {db} (exit {proc.returncode}; see {log})")
    return json.loads(stdout.strip().splitlines()[-1]), peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,5000000,20000000")
    ap.add_argument(
        "--ingest", type=int, default=100_000, help="works for the ingest part (0: skip)"
    )
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per engine run")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "aicensus-bench")
    ap.add_argument("--worker", default=None)
    ap.add_argument("--db", default=None)
    ap.add_argument("--export", default=None)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.db, args.worker, args.export)))
        return
    data = args.data or load_settings().data_root
    args.work.mkdir(parents=True, exist_ok=True)
    base = base_warehouse(data, args.work)
    if args.ingest:
        bench_ingest(data, args.ingest, args.work)
    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        t = time.perf_counter()
        db, n = replicated(base, size, args.work)
        build = time.perf_counter() - t
        res = {}
        for engine in args.engines.split(","):
            export = args.work / f"export_{size}"
            res[engine] = run_measured(db, engine, export, args.timeout)
            print(f"{n:,} works, {engine}: {res[engine]}", flush=True)
        rows.append((size, n, build, res))
        report(rows, args.timeout)


def _cell(res: dict | None, step: str, timeout: float) -> str:
    if res is None:
        return f">{timeout:.0f}".rjust(9)
    return f"{res[step]:>9.2f}" if step in res else f"{'-':>9}"


def report(rows: list, timeout: float) -> None:
    steps = ["share full", "share author-fractional", "citations country-fractional"]
    steps += ["collaboration", "plain SQL share full", "floor scan"]
    print(f"\n{'works':>11} {'step':<30} {'duckdb s':>9} {'spark s':>9} {'spark/duck':>10}")
    crossover, compared = None, False
    for _size, n, build, res in rows:
        (d, dmem), (s, smem) = res.get("duckdb", ({}, 0)), res.get("spark", ({}, 0))
        for step in steps:
            ratio = f"{s[step] / d[step]:>10.1f}" if d and s and step in d else f"{'-':>10}"
            print(
                f"{n:>11,} {step:<30} {_cell(d, step, timeout)} {_cell(s, step, timeout)} {ratio}"
            )
        dm = sum(d[k] for k in steps[:4]) if d else None
        sm = sum(s[k] for k in steps[:4]) if s else None
        totals = {"4 measures total": dm} if d else d
        stotals = {"4 measures total": sm} if s else s
        step = "4 measures total"
        ratio = f"{sm / dm:>10.1f}" if dm and sm else f"{'-':>10}"
        note = f"(+ spark export {s['export+register']:.1f} s; " if s else "("
        print(
            f"{n:>11,} {step:<30} {_cell(totals, step, timeout)} "
            f"{_cell(stotals, step, timeout)} {ratio}   {note}build {build:.0f} s)"
        )
        print(f"{n:>11,} {'peak memory GB':<30} {dmem / 1e9:>9.2f} {smem / 1e9:>9.2f}")
        if d and s:
            rd = d["share full"] / max(d["plain SQL share full"], 1e-9)
            rs = s["share full"] / max(s["plain SQL share full"], 1e-9)
            print(f"{n:>11,} {'share full / plain SQL':<30} {rd:>9.1f} {rs:>9.1f}")
        if d and "spark" in res:
            compared = True
            if crossover is None and sm is not None and sm < dm:
                crossover = n
    if compared:
        found = f"Spark local faster from {crossover:,} works" if crossover else "none in sizes run"
        print("crossover: " + found)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
