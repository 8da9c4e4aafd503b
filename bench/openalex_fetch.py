"""Bench: pull throughput from a fake OpenAlex server (50 ms latency per request, a rate limit
enforced with 429s) — aicensus vs pyalex under the same limit, and the floor the limit sets.

aicensus: the query split into one cursor stream per publication year (counted by one
group_by request), `--concurrency` streams in flight under the client's rate limiter, pages
normalized in worker processes and committed to a DuckDB warehouse up to 32 pages per
transaction with each stream's cursor (resumable). pyalex: sequential cursor paging, records
kept in memory. Floor: aicensus's requests at the limit plus one latency (no client could pull
these works faster without fewer requests). Imports happen before each clock starts.

    .venv/bin/python bench/openalex_fetch.py --copies 20 --rate-limit 100

The default limit is OpenAlex's documented one (100 requests per second for every user).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FILTER = "publication_year:2000-2024"


def start_server(copies: int, latency: float, rate: float) -> tuple[subprocess.Popen, str]:
    server = str(REPO / "tests/fakes/openalex_server.py")
    cmd = [sys.executable, server, "--data", str(DATA), "--copies", str(copies),
           "--latency", str(latency), "--rate-limit", str(rate)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    return proc, url


def run_aicensus(url: str, rate: float, concurrency: int) -> tuple[int, float, int, int, int]:
    # Warm-up outside the clock, like pyalex's import: pyarrow imports pandas lazily on its first
    # conversion (1.5-4 s here, as PYTHONDONTWRITEBYTECODE=1 recompiles it every run).
    import pandas  # noqa: F401

    from aicensus.ingest import openalex_pull as pull
    from aicensus.sources.openalex import api
    from aicensus.warehouse import connect

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "b.duckdb")
        # 5% under the server's limit: the client's spacing has no slack for clock jitter.
        cfg = api.ApiConfig(base_url=url, rate_limit=rate * 0.95, concurrency=concurrency)
        client = api.Client(cfg)
        t = time.perf_counter()
        state = pull.plan(con, client, api.WorkFilter(years=(2000, 2024)))
        state = pull.run(con, client, state)
        dt = time.perf_counter() - t
        client.close()
        con.close()
    return state.records, dt, client.requests, client.retries, client.rate_limited


def run_pyalex(url: str) -> tuple[int, float, int]:
    import pyalex

    pyalex.config.openalex_url = url
    pyalex.config.max_retries = 10

    class Works(pyalex.Works):  # pyalex hard-codes https://api.openalex.org in Works.url
        @property
        def url(self):
            return super().url.replace("https://api.openalex.org", url)

    t = time.perf_counter()
    n = 0
    pages = 0
    for page in Works().filter(publication_year="2000-2024").paginate(per_page=200, n_max=None):
        n += len(page)
        pages += 1
    return n, time.perf_counter() - t, pages


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--copies", type=int, default=20, help="replicas of the 1,219 real works")
    p.add_argument("--latency", type=float, default=0.05)
    p.add_argument("--rate-limit", type=float, default=100.0, help="requests/s, both clients")
    p.add_argument("--concurrency", type=int, default=8)
    a = p.parse_args()
    rows = []
    for name in ("pyalex", "aicensus"):
        proc, url = start_server(a.copies, a.latency, a.rate_limit)
        try:
            if name == "pyalex":
                n, dt, pages = run_pyalex(url)
                extra = f"{pages} pages"
            else:
                n, dt, req, retries, n429 = run_aicensus(url, a.rate_limit, a.concurrency)
                extra = f"{req} requests ({retries} retried, {n429} answered 429)"
        finally:
            proc.terminate()
            proc.wait()
        rows.append((name, n, dt, n / dt, extra))
    floor = req / a.rate_limit + a.latency
    rows.append(("floor", n, floor, n / floor, f"{req} requests at {a.rate_limit:g}/s + latency"))
    base = rows[0][3]
    print(f"fetch bench: {a.copies} x 1,219 works, {a.latency * 1000:.0f} ms latency, "
          f"rate limit {a.rate_limit:g} req/s (server answers 429 above it)")  # fmt: skip
    print(f"{'client':<10}{'works':>9}{'seconds':>9}{'works/s':>10}{'vs pyalex':>11}  notes")
    for name, n, dt, rate, extra in rows:
        print(f"{name:<10}{n:>9,}{dt:>9.1f}{rate:>10,.0f}{rate / base:>10.1f}x  {extra}")


if __name__ == "__main__":
    main()
