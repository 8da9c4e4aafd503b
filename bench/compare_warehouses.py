"""Compare the tables a paperlists load writes in two warehouses, row for row.

Every row of works, authorships, affiliations, institutions, quarantine and loads (except the
load's own times: loaded_at, retrieved_at) must appear in both, as often (EXCEPT ALL both ways).
Used to check that a faster loader writes the same warehouse as the one before it.

Usage: python bench/compare_warehouses.py BEFORE.duckdb AFTER.duckdb [--source paperlists]
"""

from __future__ import annotations

import argparse
import sys

import duckdb

TABLES = ("works", "authorships", "affiliations", "institutions", "quarantine", "loads")
# Columns that record when a load ran, not what it loaded.
TIMES = {"loaded_at", "retrieved_at"}


def differences(before: str, after: str, source: str = "paperlists") -> dict[str, tuple]:
    """Per table: (rows before, rows after, rows only before, rows only after)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{before}' AS b (READ_ONLY)")
    con.execute(f"ATTACH '{after}' AS a (READ_ONLY)")
    out = {}
    for table in TABLES:
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_catalog = 'b' AND table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if r[0] not in TIMES
        ]
        query = {
            db: f"SELECT {', '.join(cols)} FROM {db}.{table} WHERE load_id LIKE '{source}:%'"
            for db in "ba"
        }
        n_b, n_a = (con.execute(f"SELECT count(*) FROM ({query[db]})").fetchone()[0] for db in "ba")
        only_b, only_a = (
            con.execute(f"SELECT count(*) FROM ({query[x]} EXCEPT ALL {query[y]})").fetchone()[0]
            for x, y in ("ba", "ab")
        )
        out[table] = (n_b, n_a, only_b, only_a)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--source", default="paperlists")
    args = ap.parse_args()
    same = True
    for table, (n_b, n_a, only_b, only_a) in differences(
        args.before, args.after, args.source
    ).items():
        ok = only_b == only_a == 0 and n_b == n_a
        same &= ok
        print(
            f"{table:<14}{n_b:>9} rows before {n_a:>9} after  "
            f"only before {only_b:>6}  only after {only_a:>6}  {'same' if ok else 'DIFFERENT'}"
        )
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
