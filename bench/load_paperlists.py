"""Benchmark: load all Paper Copilot files, aicensus vs a plain pandas script vs the floor.

Each contender runs in its own fresh process (wall time, CPU time of all its threads, peak RSS
of the process plus its largest child, from the OS), in one run:
- floor-json:    gunzip + json.load of every file (no output)
- floor-duckdb:  DuckDB read_json of every file into a table (no normalisation)
- pandas:        the script users would write: read_json per file, split authors, explode
                 per-author country/institution indexes with apply, map names with pycountry,
                 write works/authorships/affiliations to DuckDB
- pandas-vector: the same tables with whole-column operations only (read_json per file, then
                 str.split, explode, merge, map over all papers; no per-row Python)
- aicensus:      `load_paperlists` into a fresh warehouse (parse, quirks, quarantine, regions,
                 provenance, one transaction)
The aims are printed with the ratios (of wall time and of CPU time, the steadier one on a busy
machine): aicensus within 2x the floor's time, at least 2x faster than the vectorized pandas
script, at no more memory. The contenders run in turn, each repeated run after the others
(interleaved), and the best run of each is kept.

Usage: python bench/load_paperlists.py [--data DIR] [--repeat N] [--before OLD/src] [--only ...]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("AICENSUS_DATA", REPO.parent / "shared" / "data"))


def files(data: Path) -> list[Path]:
    return sorted((data / "paperlists").glob("*/*.json.gz"))


def floor_json(data: Path, out: Path) -> int:
    n = 0
    for f in files(data):
        with gzip.open(f, "rb") as fh:
            n += len(json.load(fh))
    return n


def floor_duckdb(data: Path, out: Path) -> int:
    import duckdb

    con = duckdb.connect(str(out))
    pattern = str(data / "paperlists" / "*" / "*.json.gz")
    # Explicit columns (the fields aicensus reads): schema inference over all 246 files with
    # union_by_name runs out of memory on this 24 GiB machine.
    from aicensus.sources.paperlists_sql import FIELDS as fields

    columns = "{" + ", ".join(f"'{f}': 'VARCHAR'" for f in fields) + "}"
    con.execute(
        f"CREATE TABLE raw AS SELECT * FROM read_json('{pattern}', format='array', "
        f"columns={columns}, maximum_object_size=100000000)"
    )
    return con.execute("SELECT count(*) FROM raw").fetchone()[0]


def _write(out: Path, **frames) -> int:
    """Store the contender's tables in a DuckDB file, as aicensus does; returns the works."""
    import duckdb

    con = duckdb.connect(str(out))
    for name, frame in frames.items():
        con.register("f", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM f")
        con.unregister("f")
    con.close()
    return len(frames["works"])


def pandas_baseline(data: Path, out: Path) -> int:
    import pandas as pd
    import pycountry

    def iso(name: str):
        try:
            return pycountry.countries.lookup(name).alpha_2
        except LookupError:
            return None

    works, authors, affs = [], [], []
    for f in files(data):
        venue = f.parent.name
        year = int(f.name.removesuffix(".json.gz")[len(venue) :])
        df = pd.read_json(f, compression="gzip", dtype=False)
        if df.empty:
            continue
        df["work_id"] = f"{venue}{year}:" + df.index.astype(str)
        df["venue"], df["year"] = venue, year
        for col in (
            "author",
            "aff_country_unique",
            "aff_country_unique_index",
            "aff_unique_norm",
            "aff_unique_index",
        ):
            if col not in df.columns:
                df[col] = ""
            df[col] = df[col].fillna("").astype(str)
        df["authors"] = (
            df["author"].str.split(";").apply(lambda xs: [x.strip() for x in xs if x.strip()])
        )
        works.append(df[["work_id", "venue", "year", "title"]])
        a = df[["work_id", "authors"]].explode("authors").dropna()
        a["position"] = a.groupby("work_id").cumcount()
        authors.append(a)

        def rows(r):
            names = r["aff_country_unique"].split(";")
            insts = r["aff_unique_norm"].split(";")
            out_rows = []
            for pos, (centry, ientry) in enumerate(
                zip(
                    r["aff_country_unique_index"].split(";"),
                    r["aff_unique_index"].split(";"),
                    strict=False,
                )
            ):
                for c, i in zip(centry.split("+"), ientry.split("+"), strict=False):
                    cn = names[int(c)] if c.strip().isdigit() and int(c) < len(names) else ""
                    inst = insts[int(i)] if i.strip().isdigit() and int(i) < len(insts) else ""
                    out_rows.append((r["work_id"], pos, inst, cn, iso(cn) if cn else None))
            return out_rows

        affs.extend(x for lst in df.apply(rows, axis=1) for x in lst)
    w = pd.concat(works)
    au = pd.concat(authors)
    af = pd.DataFrame(
        affs, columns=["work_id", "position", "institution", "country_name", "country"]
    )
    return _write(out, works=w, authorships=au, affiliations=af)


PANDAS_COLUMNS = (
    "id",
    "title",
    "author",
    "aff_unique_norm",
    "aff_unique_index",
    "aff_country_unique",
    "aff_country_unique_index",
)


def _exploded(frame, column: str, sep: str, name: str):
    """One row per `sep`-separated part of `column`, numbered within its row as `name`."""
    out = frame.assign(**{column: frame[column].str.split(sep)}).explode(column)
    out[name] = out.groupby(level=0).cumcount()
    out[column] = out[column].str.strip()
    return out


def _indexes(papers, column: str, name: str):
    """(paper, slot, seq, index) rows of a `;`-per-author, `+`-joined index column."""
    import pandas as pd

    slots = _exploded(papers[[column]], column, ";", "slot").reset_index(names="paper")
    slots = slots.set_index(["paper", "slot"])
    out = slots.assign(**{name: slots[column].str.split("+")}).explode(name)
    out["seq"] = out.groupby(level=[0, 1]).cumcount()
    out[name] = pd.to_numeric(out[name].str.strip(), errors="coerce")
    return out.reset_index()[["paper", "slot", "seq", name]]


def pandas_vectorized(data: Path, out: Path) -> int:
    """The same author-country table with whole-column pandas operations only (no per-row
    Python): read_json per file, then split, explode, merge and map over all papers at once."""
    import pandas as pd
    import pycountry

    frames = []
    for f in files(data):
        venue = f.parent.name
        df = pd.read_json(f, compression="gzip", dtype=False)
        df = df.reindex(columns=PANDAS_COLUMNS)
        df["venue"], df["year"] = venue, int(f.name.removesuffix(".json.gz")[len(venue) :])
        df["record_no"] = range(1, len(df) + 1)
        frames.append(df)
    papers = pd.concat(frames, ignore_index=True)
    del frames
    papers["work_id"] = (
        papers["venue"] + papers["year"].astype(str) + ":" + papers["record_no"].astype(str)
    )
    for col in PANDAS_COLUMNS[2:]:
        papers[col] = papers[col].fillna("").astype(str)
    works = papers[["work_id", "venue", "year", "title"]]

    authors = _exploded(papers[["work_id", "author"]], "author", ";", "position")
    authors = authors[authors["author"] != ""]

    # Per-paper country and institution tables, one row per (paper, k).
    countries = _exploded(papers[["aff_country_unique"]], "aff_country_unique", ";", "c")
    insts = _exploded(papers[["aff_unique_norm"]], "aff_unique_norm", ";", "i")
    affs = (
        _indexes(papers, "aff_country_unique_index", "c")
        .merge(_indexes(papers, "aff_unique_index", "i"), how="outer", on=["paper", "slot", "seq"])
        .merge(countries.reset_index(names="paper"), how="left", on=["paper", "c"])
        .merge(insts.reset_index(names="paper"), how="left", on=["paper", "i"])
    )

    def iso(name: str) -> str | None:
        try:
            return pycountry.countries.lookup(name).alpha_2
        except LookupError:
            return None

    names = affs["aff_country_unique"].dropna().unique()
    affs["country"] = affs["aff_country_unique"].map({n: iso(n) for n in names if n})
    affs["work_id"] = papers["work_id"].to_numpy()[affs["paper"].to_numpy()]
    affs = affs[["work_id", "slot", "seq", "aff_unique_norm", "aff_country_unique", "country"]]

    return _write(out, works=works, authorships=authors, affiliations=affs)


def aicensus(data: Path, out: Path) -> int:
    from aicensus.ingest.paperlists import load_paperlists
    from aicensus.warehouse import connect

    con = connect(out)
    summary = load_paperlists(con, str(data / "paperlists"))
    con.close()
    return summary.loaded + summary.quarantined


CONTENDERS = {
    "floor-json": floor_json,
    "floor-duckdb": floor_duckdb,
    "pandas": pandas_baseline,
    "pandas-vector": pandas_vectorized,
    "aicensus": aicensus,
}


def run_one(name: str, data: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        n = CONTENDERS[name](data, Path(tmp) / "out.duckdb")
        seconds = time.perf_counter() - t0
    # Peak RSS of this process plus that of its largest child (a contender that forked
    # workers would otherwise be flattered).
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    peak_kb = own.ru_maxrss + children.ru_maxrss
    # CPU seconds (all threads and children): on a loaded machine, wall time favours whoever
    # runs more threads; CPU time does not.
    cpu = sum(u.ru_utime + u.ru_stime for u in (own, children))
    return {
        "name": name,
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak_kb / 1024,
        "records": n,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=1, help="runs per contender (best kept)")
    ap.add_argument(
        "--before",
        type=Path,
        help="also run aicensus from this src/ directory (e.g. an older commit's, unpacked "
        "with git archive), interleaved with the current one",
    )
    ap.add_argument("--only", nargs="+", choices=list(CONTENDERS), help="run these contenders")
    ap.add_argument("--one", choices=list(CONTENDERS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.data)))
        return
    runs: dict[str, tuple[str, dict[str, str]]] = {
        name: (name, {}) for name in args.only or CONTENDERS
    }
    runs.setdefault("aicensus", ("aicensus", {}))
    if args.before:
        runs["aicensus-before"] = ("aicensus", {"PYTHONPATH": str(args.before)})
    results: dict[str, dict] = {}
    # Interleaved: every contender once, then again (a busy machine's load drifts); the run
    # with the least CPU time is kept (with its wall time and peak memory).
    for _ in range(args.repeat):
        for label, (name, env) in runs.items():
            proc = subprocess.run(
                [sys.executable, __file__, "--one", name, "--data", str(args.data)],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, **env},
            )
            r = json.loads(proc.stdout.strip().splitlines()[-1]) | {"name": label}
            if label not in results or r["cpu"] < results[label]["cpu"]:
                results[label] = r
    a = results["aicensus"]
    print(
        f"{'contender':<15}{'seconds':>9}{'CPU s':>8}{'peak MB':>9}{'records':>9}"
        f"{'aicensus/x time':>17}{'aicensus/x CPU':>16}{'aicensus/x mem':>16}"
    )
    for name, r in results.items():
        print(
            f"{name:<15}{r['seconds']:>9.2f}{r['cpu']:>8.2f}{r['peak_mb']:>9.0f}{r['records']:>9}"
            f"{a['seconds'] / r['seconds']:>17.2f}{a['cpu'] / r['cpu']:>16.2f}"
            f"{a['peak_mb'] / r['peak_mb']:>16.2f}"
        )
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if "floor-json" not in results or "pandas-vector" not in results:
        return
    floor, vec = results["floor-json"], results["pandas-vector"]
    naive = (
        f"; the naive pandas script {results['pandas']['seconds'] / a['seconds']:.2f}x its time"
        if "pandas" in results
        else ""
    )
    print(
        f"\naicensus is {a['seconds'] / floor['seconds']:.2f}x the floor's time and "
        f"{a['cpu'] / floor['cpu']:.2f}x its CPU (gunzip+json.load; aim <= 2); the vectorized "
        f"pandas script takes {vec['seconds'] / a['seconds']:.2f}x aicensus's time and "
        f"{vec['cpu'] / a['cpu']:.2f}x its CPU (aim >= 2) at {vec['peak_mb'] / a['peak_mb']:.2f}x "
        f"its peak memory (aim >= 1){naive}"
    )


if __name__ == "__main__":
    main()
