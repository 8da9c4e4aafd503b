"""Hostile OpenAlex snapshot folders at the CLI (`aicensus openalex snapshot <root>`), built from
the real snapshot_sample partitions and manifest: one line naming the file (and the manifest
field) and the problem, bad merged_ids rows quarantined with location and reason, and how many
partitions were committed before an error. The Spark ingest shares the same checks."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import orjson
import pytest

from aicensus.errors import SourceError
from aicensus.ingest.spark import ingest_snapshot
from aicensus.warehouse import connect
from tests.test_bad_input import assert_one_line_error, cli

OLD = "updated_date=2021-11-03/part_000.gz"  # not in the manifest, 50 lines
NEW = "updated_date=2023-05-16/part_000.gz"  # manifest entry 0: record_count 27


@pytest.fixture()
def root(data_root: Path, tmp_path: Path) -> Path:
    """A writable copy of the real works snapshot sample (manifest and two partitions)."""
    sample = data_root / "openalex_works" / "snapshot_sample" / "works"
    out = tmp_path / "data"
    for f in sample.rglob("*"):
        if f.is_file():
            target = out / "works" / f.relative_to(sample)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.read_bytes())
    return out


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    return path


def _manifest(root: Path) -> dict:
    return orjson.loads((root / "works" / "manifest").read_bytes())


def _write_manifest(root: Path, doc: object) -> None:
    (root / "works" / "manifest").write_bytes(orjson.dumps(doc))


def _loaded(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    keys = [r[0] for r in con.execute("SELECT key FROM loads ORDER BY key").fetchall()]
    con.close()
    return keys


def _entry0(change):
    def edit(doc: dict) -> dict:
        change(doc["entries"][0])
        return doc

    return edit


MANIFESTS = {
    "list": (lambda doc: doc["entries"], "manifest is a list, expected an object"),
    "no-entries": (lambda doc: {"items": doc["entries"]}, "has no 'entries'"),
    "entries-object": (lambda doc: {"entries": {}}, "entries is an object, expected a list"),
    "entry-string": (
        lambda doc: {"entries": ["s3://openalex/data/works/" + NEW]},
        "entries[0] is a string",
    ),
    "url-number": (_entry0(lambda e: e.update(url=7)), "entries[0].url is an integer (7)"),
    "meta-string": (_entry0(lambda e: e.update(meta="27")), "entries[0].meta is a string"),
    "count-string": (
        _entry0(lambda e: e["meta"].update(record_count="27")),
        "entries[0].meta.record_count is a string ('27'), expected a non-negative integer",
    ),
    "count-negative": (
        _entry0(lambda e: e["meta"].update(record_count=-1)),
        "entries[0].meta.record_count is an integer (-1), expected a non-negative integer",
    ),
    "length-bool": (
        _entry0(lambda e: e["meta"].update(content_length=True)),
        "entries[0].meta.content_length is a boolean",
    ),
}


@pytest.mark.parametrize("case", sorted(MANIFESTS))
def test_bad_manifest_is_one_line_naming_the_field(case, root, db):
    edit, needle = MANIFESTS[case]
    _write_manifest(root, edit(_manifest(root)))
    proc = cli(db, "openalex", "snapshot", str(root))
    assert_one_line_error(proc, "works/manifest", needle)
    assert _loaded(db) == []


def test_partition_not_gzip_says_what_was_committed_and_resumes(root, db):
    """A .gz partition holding plain text is named as not gzip (was: read as text); the
    partition committed before it stays, the message says so, and a re-run resumes."""
    part = root / "works" / NEW
    good = part.read_bytes()
    part.write_bytes(gzip.decompress(good))
    proc = cli(db, "openalex", "snapshot", str(root))
    assert_one_line_error(proc, NEW, "not gzip data", "1 of 2 location(s) committed")
    assert _loaded(db) == ["snapshot/works/" + OLD.removesuffix(".gz")]
    part.write_bytes(good)
    proc = cli(db, "openalex", "snapshot", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "1 written, 0 unchanged, 1 already loaded" in proc.stdout
    assert len(_loaded(db)) == 2


def test_binary_partition_and_directory(root, db):
    """Bytes that are not gzip (was: '1 records', one quarantined line) and a directory where a
    partition file should be (was: 'file not found')."""
    (root / "works" / OLD).write_bytes(b"\x00\x01binary\xff" * 50)
    proc = cli(db, "openalex", "snapshot", str(root))
    assert_one_line_error(proc, OLD, "not gzip data", "0 of 2 location(s) committed")
    (root / "works" / OLD).unlink()
    (root / "works" / OLD).mkdir()
    proc = cli(db, "openalex", "snapshot", str(root))
    assert_one_line_error(proc, OLD, "is a directory")
    assert "not found" not in proc.stderr
    assert _loaded(db) == []


def test_record_count_mismatch_names_both_counts(root, db):
    part = root / "works" / NEW
    lines = gzip.decompress(part.read_bytes()).splitlines()
    part.write_bytes(gzip.compress(b"\n".join(lines[:-1]) + b"\n"))
    proc = cli(db, "openalex", "snapshot", str(root))
    assert_one_line_error(proc, NEW, "26 records", "record_count is 27", "1 of 2 location(s)")


def test_bad_merged_ids_rows_are_quarantined(root, db):
    """merged_ids rows with an impossible date, non-UTF-8 bytes, a missing column or an empty
    id are quarantined with file, line and reason (was: a traceback); the good rows load."""
    mdir = root / "merged_ids" / "works"
    mdir.mkdir(parents=True)
    body = (
        b"merge_date,id,merge_into_id\n"
        b"2024-03-01,W1,W2741809807\n"
        b"2024-02-30,W3,W4\n"
        b"2024-03-01,W5\xff,W6\n"
        b"2024-03-01,W7\n"
        b"2024-03-01,,W8\n"
        b",https://openalex.org/W9,W10\n"
    )
    f = mdir / "2024-03-01.csv.gz"
    f.write_bytes(gzip.compress(body))
    proc = cli(db, "openalex", "snapshot", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "4 quarantined" in proc.stdout
    con = duckdb.connect(str(db), read_only=True)
    merged = con.execute(
        "SELECT merged_id, merge_into_id, merged_date::VARCHAR FROM merged_ids ORDER BY 1"
    ).fetchall()
    q = con.execute(
        "SELECT location, record_no, reason FROM quarantine "
        "WHERE load_id = 'openalex:snapshot/merged_ids/works/2024-03-01' ORDER BY record_no"
    ).fetchall()
    con.close()
    assert merged == [("W1", "W2741809807", "2024-03-01"), ("W9", "W10", "2024-03-01")]
    assert [r[0] for r in q] == [str(f)] * 4
    assert [r[1] for r in q] == [3, 4, 5, 6]
    assert "merge_date '2024-02-30' is not a date" in q[0][2]
    assert "not UTF-8" in q[1][2]
    assert "expected 3 fields" in q[2][2]
    assert "empty id" in q[3][2]


def test_merged_ids_file_name_not_a_date(root, db):
    mdir = root / "merged_ids" / "works"
    mdir.mkdir(parents=True)
    (mdir / "2024-13-01.csv.gz").write_bytes(gzip.compress(b"merge_date,id,merge_into_id\n"))
    proc = cli(db, "openalex", "snapshot", str(root))
    assert_one_line_error(proc, "2024-13-01.csv.gz", "is not a date")


class _NoSpark:
    """Fails the test if the Spark ingest started a job before rejecting its input."""

    def __getattr__(self, name: str):
        raise AssertionError(f"spark.{name} used before the input was checked")


def test_spark_ingest_shares_the_checks(root, tmp_path):
    """The Spark ingest rejects the same manifest and non-gzip partition, before any Spark job
    (Spark would fail on them with a JVM stack trace)."""
    good = (root / "works" / "manifest").read_bytes()
    _write_manifest(root, MANIFESTS["count-string"][0](_manifest(root)))
    with pytest.raises(SourceError, match=r"manifest: entries\[0\]\.meta\.record_count"):
        ingest_snapshot(_NoSpark(), str(root), tmp_path / "out")
    (root / "works" / "manifest").write_bytes(good)
    part = root / "works" / NEW
    part.write_bytes(gzip.decompress(part.read_bytes()))
    with pytest.raises(SourceError, match="not gzip data"):
        ingest_snapshot(_NoSpark(), str(root), tmp_path / "out")


MERGED = b"merge_date,id,merge_into_id\n2024-03-01,W1,W2\n2024-02-30,W3,W4\n"


@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_spark_ingest_keeps_quarantined_merged_ids_rows(tmp_path, spark_engine):
    """The Spark ingest writes the merged_ids rows the shared reader quarantined to
    out/quarantine (they were counted in `loads` but not kept)."""
    root = tmp_path / "data"
    (root / "works").mkdir(parents=True)
    (root / "merged_ids" / "works").mkdir(parents=True)
    f = root / "merged_ids" / "works" / "2024-03-01.csv.gz"
    f.write_bytes(gzip.compress(MERGED))
    out = tmp_path / "out"
    s = ingest_snapshot(spark_engine.spark, str(root), out)
    assert s.written == ["snapshot/merged_ids/works/2024-03-01"]
    q = duckdb.sql(
        f"SELECT location, record_no, reason, load_id FROM '{out}/quarantine/*.parquet'"
    ).fetchall()
    assert q == [
        (
            str(f),
            3,
            "merge_date '2024-02-30' is not a date (YYYY-MM-DD)",
            "openalex:snapshot/merged_ids/works/2024-03-01",
        )
    ]
    merged = duckdb.sql(f"SELECT merged_id FROM '{out}/merged_ids/*.parquet'").fetchall()
    assert merged == [("W1",)]
