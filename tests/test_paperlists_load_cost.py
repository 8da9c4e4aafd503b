"""What a paperlists load costs beyond its work: no pandas import on the load path (pyarrow
imports it on the first Python-list conversion: about 1 CPU s and 60 MB), no httpx import for
local files, the pandas-free Arrow builders (warehouse/arrow.py) give what pyarrow's own
conversions give, gzip errors read as before with ISA-L decompression, and an open load holds
no batch it has written; bench/compare_warehouses.py tells a changed row."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from aicensus.errors import SourceError
from aicensus.ingest.paperlists import load_paperlists
from aicensus.sources.fetch import read_location
from aicensus.warehouse import LocationRows, arrow, connect, load, tables

REPO = Path(__file__).resolve().parents[1]

_LOAD = """
import json, sys
from aicensus.ingest.paperlists import load_paperlists
from aicensus.warehouse import connect
con = connect(sys.argv[2])
s = load_paperlists(con, sys.argv[1], venues=["iclr", "siggraph"])
con.close()
print(json.dumps({"pandas": "pandas" in sys.modules, "httpx": "httpx" in sys.modules,
                  "loaded": s.loaded,
                  "quarantined": s.quarantined}))
"""


def test_local_load_imports_neither_pandas_nor_httpx(data_root: Path, tmp_path: Path) -> None:
    """A load of local files in a fresh process (iclr: quarantined records; siggraph: comma
    bylines, repeated listings) imports neither pandas nor httpx (with rich, click, pygments:
    0.3 CPU s)."""
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, str(data_root / "paperlists"), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["loaded"] > 0 and result["quarantined"] > 0
    assert result["pandas"] is False
    assert result["httpx"] is False


@pytest.mark.parametrize(
    ("values", "type"),
    [
        (["a", None, "", "é, 中文"], pa.string()),
        ([], pa.string()),
        ([1, None, -(2**31)], pa.int32()),
        ([2**62, None], pa.int64()),
        ([0.5, None, 14.0], pa.float64()),
        ([True, None, False], pa.bool_()),
        ([None, None], pa.string()),
    ],
)
def test_arrow_array_matches_pyarrow(values: list, type: pa.DataType) -> None:
    assert arrow.array(values, type).equals(pa.array(values, type))


def test_arrow_helpers() -> None:
    assert arrow.string_scalar("paperlists:iclr/iclr2013") == pa.scalar(
        "paperlists:iclr/iclr2013", pa.string()
    )
    column = pa.chunked_array([pa.array([3, 1], pa.int32()), pa.array([2], pa.int32())])
    assert arrow.integers(column).tolist() == [3, 1, 2]
    assert arrow.integers(column.combine_chunks().slice(1)).tolist() == [1, 2]
    assert arrow.integers(pa.array([], pa.int32())).tolist() == []
    with pytest.raises(ValueError):
        arrow.integers(pa.array([1, None], pa.int64()))


@pytest.mark.parametrize("cut", ["half", "garbage", "block"])
def test_bad_gzip_is_one_source_error(data_root: Path, tmp_path: Path, cut: str) -> None:
    """A truncated, trailing-garbage or corrupt .json.gz names the file (SourceError), as
    with zlib before."""
    raw = (data_root / "paperlists" / "iclr" / "iclr2013.json.gz").read_bytes()
    bad = {
        "half": raw[: len(raw) // 2],
        "garbage": raw + b"garbage",
        "block": raw[:10] + b"x" * 10 + raw[20:],
    }[cut]
    path = tmp_path / "iclr2013.json.gz"
    path.write_bytes(bad)
    with pytest.raises(SourceError, match=r"iclr2013\.json\.gz: truncated or corrupt gzip"):
        read_location(str(path))


def test_open_load_holds_no_written_batch(tmp_path: Path) -> None:
    """Rows a flush has written are not kept alive until COMMIT: a load of every paperlists
    file flushes six batches in one transaction (con.register kept each one referenced until
    the end: 509 -> 392 MB peak for the load run serially)."""
    con = connect(tmp_path / "w.duckdb")
    base = pa.total_allocated_bytes()
    n = 200_000
    with load(con, "test", "1") as loader:
        for i in range(3):
            text = pa.repeat(pa.scalar(f"reason {i} " + "x" * 40), n)
            table = pa.table(
                {
                    "source": pa.repeat(pa.scalar("test"), n),
                    "location": pa.repeat(pa.scalar(f"file{i}"), n),
                    "record_id": pa.nulls(n, pa.string()),
                    "record_no": pa.repeat(pa.scalar(1, pa.int32()), n),
                    "reason": text,
                    "raw": text,
                },
                schema=tables.QUARANTINE,
            )
            held = pa.total_allocated_bytes() - base
            loader.add(
                LocationRows(f"f{i}", f"file{i}", f"h{i}", datetime.now(UTC), {"quarantine": table})
            )
            loader.flush()
            del table, text
            assert pa.total_allocated_bytes() - base < held / 10
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (3 * n,)
    con.close()


def test_compare_warehouses_finds_a_changed_row(data_root: Path, tmp_path: Path) -> None:
    """bench/compare_warehouses.py (the check that a faster loader writes the same rows) says
    'same' for two loads of the same files and names the table where one row differs."""
    paths = [tmp_path / "a.duckdb", tmp_path / "b.duckdb"]
    for path in paths:
        con = connect(path)
        load_paperlists(con, str(data_root / "paperlists"), venues=["iclr"])
        con.close()
    script = [sys.executable, str(REPO / "bench" / "compare_warehouses.py"), *map(str, paths)]
    same = subprocess.run(script, capture_output=True, text=True)
    assert same.returncode == 0 and "DIFFERENT" not in same.stdout
    con = connect(paths[1])
    con.execute(
        "UPDATE authorships SET author_name = 'X' WHERE position = 0 AND work_id = "
        "(SELECT min(work_id) FROM authorships)"
    )
    con.close()
    changed = subprocess.run(script, capture_output=True, text=True)
    assert changed.returncode == 1
    lines = {line.split()[0]: line for line in changed.stdout.splitlines()}
    assert "DIFFERENT" in lines["authorships"] and "same" in lines["works"]
