"""An official-layout OpenAlex snapshot built from the real records, with the cases that make
`works_current` work: the same work in two partitions (a newer copy, and a newer partition
holding an older record), a new work, and a merged_ids file merging that work away."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import orjson

DATES = ("2024-01-01", "2024-02-01")


def short(rec: dict) -> str:
    return rec["id"].rsplit("/", 1)[-1]


def build_snapshot(oa: Path, root: Path) -> dict:
    """Write the snapshot under `root`; returns the records the cases are made of."""
    lines = gzip.decompress((oa / "works.jsonl.gz").read_bytes()).splitlines()
    for i, d in enumerate(DATES):
        part = root / "works" / f"updated_date={d}" / "part_000.gz"
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(gzip.compress(b"\n".join(lines[i :: len(DATES)]) + b"\n"))
    a, b = orjson.loads(lines[0]), orjson.loads(lines[1])
    newer = dict(a, cited_by_count=99999)  # same updated_date, newer partition: wins
    older = dict(b, cited_by_count=-5, updated_date="2000-01-01T00:00:00")  # loses
    new = dict(b, id="https://openalex.org/W99999999999")
    part = root / "works" / "updated_date=2024-03-01" / "part_000.gz"
    part.parent.mkdir(parents=True)
    part.write_bytes(gzip.compress(b"\n".join(orjson.dumps(x) for x in (newer, older, new))))
    mdir = root / "merged_ids" / "works"
    mdir.mkdir(parents=True)
    (mdir / "2024-03-02.csv.gz").write_bytes(
        gzip.compress(b"merge_date,id,merge_into_id\n2024-03-02,W99999999999,W2741809807\n")
    )
    shutil.copytree(oa / "snapshot_sample" / "institutions", root / "institutions")
    return {"records": len(lines), "newer": newer, "older": older, "new": new, "b": b}
