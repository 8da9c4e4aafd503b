"""Benchmark: interactive speed on a built warehouse (issue 18.4): start-up, one measure, and
`aicensus check`.

Every row is a fresh process (interpreter start and imports included), wall clock and CPU
seconds (user + sys: on a machine shared with other work, CPU is what the command costs),
best of --repeat:

- floor: `python -c pass`, the interpreter alone;
- baseline: `python -c "import duckdb"`;
- baseline: import duckdb and pyarrow, open the warehouse read-only and decode every cached
  measure result (the same figures, without the claim logic): the least a cached check costs;
- baseline: `python -c "import typer"` (the CLI framework alone); aicensus --help (aim 0.3 s);
- baseline: the same figure as `models count --years 2024` by one plain DuckDB query;
  aicensus models count --years 2024 computed (its stored output forgotten before each run),
  and replayed (aim 0.6 s; `cli/replay.py`);
- aicensus check claims/debate.yaml, cold (measure_cache emptied before each run);
- aicensus check claims/debate.yaml, warm: measures from the cache the cold run filled, the
  check computed (stored outputs forgotten), and replayed;
- aicensus check claims/debate.yaml --explain ID, likewise warm and replayed.

The warehouse is copied first, so the one given is left as it was.

    uv run python bench/check_speed.py --db WAREHOUSE [--repeat 3] [--cold-repeat 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]

PLAIN_COUNT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute(
    "SELECT c.country_source, count(DISTINCT m.model_id) FROM models m "
    "JOIN model_countries c USING (model_id) WHERE m.year = 2024 GROUP BY 1 ORDER BY 2 DESC"
).fetchall())
"""

READ_CACHE = """
import sys, duckdb, pyarrow as pa
con = duckdb.connect(sys.argv[1], read_only=True)
sql = "SELECT table_ipc FROM measure_cache WHERE measure NOT LIKE 'cli %'"
for (data,) in con.execute(sql).fetchall():
    pa.ipc.open_stream(data).read_all().to_pandas()
"""


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `cmd`, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def best(cmd: list[str], repeat: int, before_each=None) -> tuple[float, float]:
    """The fastest of `repeat` runs (wall and its CPU)."""
    runs = []
    for _ in range(repeat):
        if before_each:
            before_each()
        runs.append(timed(cmd))
    return min(runs)


def empty_cache(db: Path, where: str = "true") -> None:
    """Delete stored results (all of them, or the rows matching `where`)."""
    con = duckdb.connect(str(db))
    try:
        con.execute(f"DELETE FROM measure_cache WHERE {where}")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def forget_outputs(db: Path) -> None:
    """Delete the commands' stored outputs, keeping the measure results."""
    empty_cache(db, "measure LIKE 'cli %'")


def cached_rows(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = "SELECT count(*) FROM measure_cache WHERE measure NOT LIKE 'cli %'"
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="a built warehouse (aicensus run)")
    ap.add_argument("--claims", default=str(REPO / "claims" / "debate.yaml"))
    ap.add_argument("--explain", default="meta-xai-not-at-top")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold-repeat", type=int, default=1)
    a = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(a.db, db)
        check = [py, "-m", "aicensus", "--db", str(db), "check", a.claims]
        timed(check)  # migrate the copy if needed (and warm the OS file cache)
        rows = [
            ("floor: python -c pass", best([py, "-c", "pass"], a.repeat), None),
            ("baseline: import duckdb", best([py, "-c", "import duckdb"], a.repeat), None),
        ]
        aicensus = [py, "-m", "aicensus", "--db", str(db)]
        rows.append(("baseline: import typer", best([py, "-c", "import typer"], a.repeat), None))
        rows.append(("aicensus --help", best([*aicensus, "--help"], a.repeat), 0.3))
        plain = best([py, "-c", PLAIN_COUNT, str(db)], a.repeat)
        rows.append(("baseline: models per country 2024, plain DuckDB query", plain, None))
        count = [*aicensus, "models", "count", "--years", "2024"]
        computed = best(count, a.repeat, before_each=lambda: forget_outputs(db))
        rows.append(("aicensus models count --years 2024 (computed)", computed, None))
        rows.append(("aicensus models count --years 2024 (replayed)", best(count, a.repeat), 0.6))
        cold = best(check, a.cold_repeat, before_each=lambda: empty_cache(db))
        n_cached = cached_rows(db)
        read = best([py, "-c", READ_CACHE, str(db)], a.repeat)
        rows.append((f"baseline: decode the {n_cached} cached results", read, None))
        rows.append(("aicensus check (cold: cache emptied)", cold, None))
        warm = best(check, a.repeat, before_each=lambda: forget_outputs(db))
        rows.append(("aicensus check (warm measure cache)", warm, 5.0))
        rows.append(("aicensus check (replayed)", best(check, a.repeat), None))
        explain = [*check, "--explain", a.explain]
        warm = best(explain, a.repeat, before_each=lambda: forget_outputs(db))
        rows.append((f"aicensus check --explain {a.explain} (warm measure cache)", warm, 2.0))
        rows.append(
            (f"aicensus check --explain {a.explain} (replayed)", best(explain, a.repeat), 2.0)
        )
    floor_cpu = rows[0][1][1]
    base_cpu = next(r[1][1] for r in rows if r[0].startswith("baseline: decode"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{Path(a.db).name}: {n_cached} cached measure results; load average {load}")
    print(
        f"{'contender':66} {'wall s':>7} {'cpu s':>6} {'cpu ÷ floor':>11} "
        f"{'cpu ÷ decode':>12} {'target':>7}"
    )
    for name, (wall, cpu), target in rows:
        aim = f"≤ {target:g} s" if target else ""
        print(
            f"{name:66} {wall:7.2f} {cpu:6.2f} {cpu / floor_cpu:10.1f}x "
            f"{cpu / base_cpu:11.2f}x {aim:>7}"
        )


if __name__ == "__main__":
    main()
