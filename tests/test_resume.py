"""The one read of `resume_points` (warehouse.resume.committed_rows) and the helpers built on it:
rows of one kind, pull or location in page order, the newest page per stream, the record sum."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from aicensus.warehouse import LocationRows, connect, load, resume


def _page(key: str, *rows: tuple) -> LocationRows:
    table = pa.concat_tables(resume.row(*r) for r in rows)
    return LocationRows(key, key, f"h-{key}", datetime.now(UTC), {resume.TABLE: table})


def test_committed_rows_last_points_and_records(tmp_path: Path):
    con = connect(tmp_path / "w.duckdb")
    with load(con, "test", "1") as loader:
        loader.add(_page("a1", ("pull", "A", 1, "p1", "p2", 10, "s1", 25)))
        loader.add(_page("a2", ("pull", "A", 2, "p2", None, 15, "s1", 25)))
        loader.add(_page("a3", ("pull", "A", 1, "q1", "q2", 7, "s2")))
        loader.add(_page("b1", ("pull", "B", 1, "r1", None, 3), ("other", "A", 1, "x", None, 1)))
    rows = resume.committed_rows(con, "pull")
    assert [(r.pull_id, r.stream, r.page_no) for r in rows] == [
        ("A", "s1", 1),
        ("A", "s2", 1),
        ("A", "s1", 2),
        ("B", "", 1),
    ]
    assert [r.position for r in resume.committed_rows(con, "pull", "B")] == ["r1"]
    assert [r.position for r in resume.committed_rows(con, "pull", load_id="test:a3")] == ["q1"]
    assert resume.last_points(con, "pull", "A") == {
        "s1": resume.Point(2, None, 25),
        "s2": resume.Point(1, "q2", None),
    }
    assert resume.committed_records(con, "pull", "A") == 32
    assert (
        resume.last_points(con, "pull", "C") == {} and resume.committed_records(con, "x", "A") == 0
    )
    con.close()
