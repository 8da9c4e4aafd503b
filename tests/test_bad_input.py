"""Bad input at the CLI: one clear line (no traceback), non-zero exit, nothing loaded lost."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from aicensus.ingest.paperlists import load_paperlists
from aicensus.warehouse import connect
from tests.fakes.static_server import serve
from tests.test_load_paperlists import snapshot


@pytest.fixture()
def db(data_root, tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    load_paperlists(con, str(data_root / "paperlists"), ["ijcai"], [2024])
    con.close()
    return path


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aicensus", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("error:")
    for needle in needles:
        assert needle in err, err


def bad_tree(tmp_path: Path, name: str, content: bytes) -> Path:
    root = tmp_path / "lists"
    (root / "ijcai").mkdir(parents=True)
    (root / "ijcai" / name).write_bytes(content)
    return root


def test_malformed_json(db, tmp_path):
    before = snapshot(db)
    root = bad_tree(tmp_path, "ijcai2024.json", b'[{"id": "x", "title": ')
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert_one_line_error(proc, "ijcai2024.json", "malformed JSON")
    assert snapshot(db) == before


def test_object_instead_of_list(db, tmp_path):
    before = snapshot(db)
    root = bad_tree(tmp_path, "ijcai2024.json", b'{"papers": []}')
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert_one_line_error(proc, "ijcai2024.json", "expected a JSON array", "dict")
    assert snapshot(db) == before


def test_truncated_gzip(db, tmp_path, data_root):
    before = snapshot(db)
    real = (data_root / "paperlists/ijcai/ijcai2024.json.gz").read_bytes()
    root = bad_tree(tmp_path, "ijcai2024.json.gz", real[: len(real) // 2])
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert_one_line_error(proc, "ijcai2024.json.gz", "truncated or corrupt gzip")
    assert snapshot(db) == before


def test_bad_file_among_good_ones_aborts_whole_load(db, tmp_path, data_root):
    before = snapshot(db)
    root = bad_tree(tmp_path, "ijcai2023.json", b"not json")
    (root / "ijcai/ijcai2024.json.gz").write_bytes(
        (data_root / "paperlists/ijcai/ijcai2024.json.gz").read_bytes()
    )
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert_one_line_error(proc, "ijcai2023.json")
    assert snapshot(db) == before


def test_missing_file(db, tmp_path):
    proc = cli(db, "load", "paperlists", "--from", str(tmp_path / "nope/ijcai2024.json"))
    assert_one_line_error(proc, "no such file or directory")


def test_unknown_venue(db, data_root):
    before = snapshot(db)
    proc = cli(
        db,
        "load",
        "paperlists",
        "--from",
        str(data_root / "paperlists"),
        "--venues",
        "ijcai,neurips",
    )
    assert_one_line_error(proc, "unknown venue(s) neurips", "known:")
    assert snapshot(db) == before


def test_unreachable_url(db):
    before = snapshot(db)
    proc = cli(db, "load", "paperlists", "--from", "http://127.0.0.1:9/ijcai/ijcai2024.json")
    assert_one_line_error(proc, "127.0.0.1:9", "unreachable")
    assert snapshot(db) == before


def test_server_error_and_truncated_download(db, data_root):
    before = snapshot(db)
    with serve(data_root / "paperlists") as base:
        proc = cli(db, "load", "paperlists", "--from", base + "/status/500/ijcai2024.json")
        assert_one_line_error(proc, "HTTP 500")
        proc = cli(db, "load", "paperlists", "--from", base + "/truncated/ijcai/ijcai2024.json")
        assert_one_line_error(proc, "truncated download")
    assert snapshot(db) == before


def test_bad_records_are_quarantined_not_fatal(db, tmp_path):
    records = [
        {
            "id": "a",
            "title": "ok",
            "author": "A; B",
            "aff_country_unique": "China",
            "aff_country_unique_index": "0;0",
        },
        "not an object",
        {
            "id": "b",
            "title": "bad index",
            "author": "A",
            "aff_country_unique": "China",
            "aff_country_unique_index": "x",
        },
        {"id": "c", "title": "bad author type", "author": ["A"]},
        {"id": "d", "title": "bad citations", "author": "A", "gs_citation": "many"},
    ]
    import orjson

    root = bad_tree(tmp_path, "ijcai2019.json.gz", gzip.compress(orjson.dumps(records)))
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "1 papers loaded, 4 quarantined" in proc.stdout
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    reasons = [
        r[0]
        for r in con.execute(
            "SELECT reason FROM quarantine WHERE load_id = 'paperlists:ijcai/ijcai2019' "
            "ORDER BY record_no"
        ).fetchall()
    ]
    con.close()
    assert reasons == [
        "record is a str, not an object",
        "aff_country_unique_index entry 'x' is not a list of integers",
        "field 'author' is list, expected a string",
        "field 'gs_citation' is 'many', expected a count",
    ]


def test_out_of_range_numbers_and_empty_records_are_quarantined(db, tmp_path):
    """An integer too large for its column quarantines its record (naming the field) instead of
    aborting the load; records with no paper fields ({} or only an id) are not papers."""
    records = [
        {"id": "a", "title": "ok", "author": "A", "author_num": 1, "gs_citation": 3},
        {"id": "b", "title": "t", "author": "A", "author_num": 10**12},
        {"id": "c", "title": "t", "author": "A", "gs_citation": 1e30},
        {},
        {"id": "e"},
    ]
    import orjson

    root = bad_tree(tmp_path, "ijcai2019.json", orjson.dumps(records))
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "1 papers loaded, 4 quarantined" in proc.stdout
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    reasons = con.execute(
        "SELECT record_no, record_id, reason FROM quarantine "
        "WHERE load_id = 'paperlists:ijcai/ijcai2019' ORDER BY record_no"
    ).fetchall()
    con.close()
    assert reasons == [
        (2, "b", "field 'author_num' is 1000000000000, out of range"),
        (3, "c", "field 'gs_citation' is 1e+30, out of range"),
        (4, None, "record holds no paper fields (title, author, affiliations, ...): empty"),
        (5, "e", "record holds no paper fields (title, author, affiliations, ...): empty"),
    ]


def test_misnamed_files_are_reported(db, tmp_path, data_root):
    """Files a directory load cannot place (not <venue>/<venue><year>.json[.gz]) are listed;
    with no file it can place, the load is an error naming them."""
    real = (data_root / "paperlists/ijcai/ijcai2024.json.gz").read_bytes()
    root = bad_tree(tmp_path, "ijcai-2023.json.gz", real)
    (root / "ijcai2022.json.gz").write_bytes(real)
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert_one_line_error(proc, "no file is named", "ijcai/ijcai-2023.json.gz, ijcai2022.json.gz")
    (root / "ijcai" / "ijcai2024.json.gz").write_bytes(real)
    proc = cli(db, "load", "paperlists", "--from", str(root))
    assert proc.returncode == 0, proc.stderr
    assert (
        "ignored 2 file(s) not named <venue>/<venue><year>.json[.gz]: "
        "ijcai/ijcai-2023.json.gz, ijcai2022.json.gz" in proc.stdout
    )


def test_measure_errors_are_one_line(db):
    proc = cli(db, "papers", "share", "--method", "half")
    assert_one_line_error(proc, "unknown method 'half'")
    proc = cli(db, "papers", "share", "--venues", "icml")
    assert_one_line_error(proc, "no paperlists papers loaded")
    proc = cli(db, "papers", "share", "--years", "2024-2020")
    assert_one_line_error(proc, "runs backwards")
    proc = cli(db, "papers", "share", "--group", "CN=CN,HKG")
    assert_one_line_error(proc, "invalid country code")
    proc = cli(Path("/nonexistent/w.duckdb"), "papers", "share")
    assert_one_line_error(proc, "no warehouse here")
