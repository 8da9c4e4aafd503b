"""The paperlists load's pipeline (ingest/paperlists.py): batch k parses while a second
thread writes batch k - 1 and reads and prepares batch k + 1. It writes the same rows as
parsing every batch in turn; a bad file met while other batches are in flight rolls the whole
load back and names the file; a parse that takes its batch (release) still counts every file."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from aicensus.errors import SourceError
from aicensus.ingest.paperlists import load_paperlists
from aicensus.sources import paperlists as pl
from aicensus.sources.fetch import read_location
from aicensus.warehouse import connect, load

REPO = Path(__file__).resolve().parents[1]
VENUES = ["iclr", "siggraph"]  # quarantined records, comma bylines, repeated listings


def _counts(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM authorships), "
            "(SELECT count(*) FROM affiliations), (SELECT count(*) FROM quarantine), "
            "(SELECT string_agg(load_id || content_hash, ',' ORDER BY load_id) FROM loads)"
        ).fetchone()
    finally:
        con.close()


def test_pipeline_writes_what_a_parse_in_turn_writes(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One file per batch (many batches in flight through the pipeline) gives the rows of
    parsing each batch in turn and writing it after (bench/compare_warehouses.py: same)."""
    files, _ = pl.discover(str(data_root / "paperlists"), VENUES)
    serial = tmp_path / "serial.duckdb"
    con = connect(serial)
    with load(con, pl.SOURCE, pl.PARSER_VERSION) as loader:
        for rows in pl.read_all(files):
            loader.add(rows)
    con.close()

    monkeypatch.setattr(pl, "BATCH_BYTES", 1)
    piped = tmp_path / "piped.duckdb"
    con = connect(piped)
    seen: list[str] = []
    summary = load_paperlists(
        con, str(data_root / "paperlists"), VENUES, progress=lambda key, *_: seen.append(key)
    )
    con.close()
    assert summary.loaded > 0 and summary.quarantined > 0
    assert seen == [f.key for f in files]  # progress in file order, from the main thread
    script = [sys.executable, str(REPO / "bench" / "compare_warehouses.py"), str(serial)]
    out = subprocess.run([*script, str(piped)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    assert out.stdout.count("same") == 6


def _broken(data_root: Path, root: Path, how: str) -> Path:
    """A copy of the iclr files with iclr2018 (the last) broken in `how`."""
    shutil.copytree(data_root / "paperlists" / "iclr", root / "iclr")
    bad = root / "iclr" / "iclr2018.json.gz"
    raw = bad.read_bytes()
    bad.chmod(0o644)
    content = {
        "gzip": raw[: len(raw) // 2],
        "json": gzip.compress(gzip.decompress(raw)[:-100]),
        "object": gzip.compress(b'{"papers": []}'),
    }[how]
    bad.write_bytes(content)
    return bad


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("gzip", "truncated or corrupt gzip"),
        ("json", "malformed JSON"),
        ("object", "expected a JSON array of papers"),
    ],
)
def test_bad_file_with_batches_in_flight_rolls_back(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, message: str
) -> None:
    """The last file is read and prepared in the second thread while earlier batches parse
    and are written: its error names it, and the warehouse keeps only what it held before."""
    root = tmp_path / "paperlists"
    bad = _broken(data_root, root, how)
    db = tmp_path / "w.duckdb"
    con = connect(db)
    load_paperlists(con, str(data_root / "paperlists"), ["siggraph"])
    con.close()
    before = _counts(db)

    monkeypatch.setattr(pl, "BATCH_BYTES", 1)
    con = connect(db)
    with pytest.raises(SourceError, match=rf"{bad.name}: {message}"):
        load_paperlists(con, str(root))
    con.close()
    assert _counts(db) == before


def test_parse_that_takes_its_batch_counts_every_file(data_root: Path) -> None:
    """prepare(release=True) empties the caller's list; a file with no records at the end of
    the batch is still counted (zero records) and the JSON is dropped after the parse."""
    files, _ = pl.discover(str(data_root / "paperlists"), ["iclr"], [2013])
    vy = files[0]
    fetched = read_location(vy.location)
    empty = pl.VenueYear("iclr", 2099, "iclr2099.json")
    nothing = type(fetched)("iclr2099.json", b"[]", "h", fetched.retrieved_at)
    batch = [(vy, fetched), (empty, nothing)]
    with pl.Parser() as parser:
        prepared = parser.prepare(batch, release=True)
        assert batch == []
        assert prepared is not None
        files_of_batch = prepared.files
        rows = parser.parse(prepared)
        with pytest.raises(ValueError, match="parsed already"):
            parser.parse(prepared)
    assert [r.key for r in rows] == ["iclr/iclr2013", "iclr/iclr2099"]
    assert rows[0].notes["records"] > 0 and rows[0].rows_loaded > 0
    assert rows[1].notes["records"] == 0 and rows[1].rows_loaded == 0
    assert all(f.content == b"" for _, f in files_of_batch.batch)


def test_parse_error_while_a_write_is_in_flight_rolls_back(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parse that fails in the main thread while the second thread writes the batch before
    it: the load waits for that write, then rolls everything back."""
    db = tmp_path / "w.duckdb"
    connect(db).close()
    before = _counts(db)
    monkeypatch.setattr(pl, "BATCH_BYTES", 1)
    parse = pl.Parser.parse
    calls: list[int] = []

    def failing(self: pl.Parser, batch: object) -> list:
        calls.append(1)
        if len(calls) == 3:
            raise SourceError("iclr2017: parse failed (test)")
        return parse(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.Parser, "parse", failing)
    con = connect(db)
    with pytest.raises(SourceError, match="iclr2017: parse failed"):
        load_paperlists(con, str(data_root / "paperlists"), ["iclr"])
    assert con.execute("SELECT count(*) FROM loads").fetchone() == (0,)
    con.close()
    assert _counts(db) == before


_SETTINGS = (
    "SELECT current_setting('threads'), current_setting('allocator_flush_threshold'), "
    "current_setting('allocator_bulk_deallocation_flush_threshold')"
)


def test_load_settings_are_restored(data_root: Path, tmp_path: Path) -> None:
    """While a load writes, the warehouse runs one thread and DuckDB's (process-wide) allocator
    flushes at ALLOCATOR_FLUSH; after it, every setting is back."""
    con = connect(tmp_path / "w.duckdb")
    before = con.execute(_SETTINGS).fetchone()
    during: list[tuple] = []
    load_paperlists(
        con,
        str(data_root / "paperlists"),
        ["iclr"],
        [2013],
        progress=lambda *_: during.append(con.execute(_SETTINGS).fetchone()),
    )
    assert during and during[0][0] == 1 and during[0][1] != before[1]
    assert con.execute(_SETTINGS).fetchone() == before
    con.close()


def test_released_parse_keeps_the_json_its_quarantine_reads(data_root: Path) -> None:
    """sql.NEEDS_JSON keeps the JSON of every file with a record the parse reads again (type
    checks, quarantine): a file with one record of each problem parses alike with and without
    release, while a clean file's JSON is dropped as soon as the batch is prepared."""
    import hashlib

    import orjson

    files, _ = pl.discover(str(data_root / "paperlists"), ["iclr"], [2013, 2014])
    clean, base = (read_location(vy.location) for vy in files)  # base: clean records too
    good = orjson.loads(base.content)
    bad = [
        {"id": "x1", "title": "t", "author": "A;B", "aff_unique_index": "0;x"},
        {
            "id": "x2",
            "title": "t",
            "author": "A",
            "aff_country_unique": "China",
            "aff_country_unique_index": "0;?",
        },
        {"id": "x3", "title": "t", "author": "A", "author_num": "10000000000"},
        {"id": "x4", "title": "t", "author": "A", "gs_citation": "-5"},
        {"id": "x5", "title": "t", "author": "A", "gs_citation": "many"},
        {"id": "x6", "title": ["a", "list"], "author": "A"},
        {"id": "x7", "title": "t", "author": "A", "track": True},
        {"id": "x8"},
        {},
        {"id": good[0]["id"], **{k: v for k, v in good[0].items() if k != "id"}},
    ]
    # One file per problem (each beside the real records), so each check must keep its file.
    odd = []
    for i, record in enumerate(bad):
        content = orjson.dumps([*good, record])
        vy = pl.VenueYear("iclr", 3000 + i, f"iclr{3000 + i}.json")
        fetched = type(base)(
            vy.location, content, hashlib.sha256(content).hexdigest(), base.retrieved_at
        )
        odd.append((vy, fetched))

    def parse(release: bool) -> tuple[list, list]:
        batch = [(files[0], clean), *odd]
        with pl.Parser() as parser:
            prepared = parser.prepare(batch, release=release)
            assert prepared is not None
            kept = [len(f.content) > 0 for _, f in prepared.files.batch]
            return parser.parse(prepared), kept

    plain, _ = parse(False)
    released, kept = parse(True)
    assert kept == [False] + [True] * len(bad)
    assert all(rows.rows_quarantined == 1 for rows in plain[1:])
    for a, b in zip(plain, released, strict=True):
        assert a.notes == b.notes
        for name, table in a.tables.items():
            assert table.equals(b.tables[name]), name
