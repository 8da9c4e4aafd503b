"""The warehouse file under stress: disk full at COMMIT, corrupt blocks, a folder name with a
quote, another process holding the lock, Ctrl-C mid-load; and every load's rows counted."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from aicensus.cli.main import main
from aicensus.engines.spark import export_table
from aicensus.errors import WarehouseError
from aicensus.ingest.epoch import load_epoch
from aicensus.ingest.orgs import ensure_registry
from aicensus.ingest.paperlists import load_paperlists
from aicensus.measures.provenance import source_summary
from aicensus.warehouse import connect, connection, open_readonly
from aicensus.warehouse.migrations import available
from aicensus.warehouse.parquet import PARQUET_TABLES
from aicensus.warehouse.rows import one_row
from tests.test_bad_input import assert_one_line_error, cli
from tests.writes import wait_for_write

REPO = Path(__file__).resolve().parents[1]
CLAIMS = REPO / "claims" / "debate.yaml"
BLOCK_START = 3 * 4096  # DuckDB: three header blocks, then block i at BLOCK_START + i*size


def epoch_csv(data_root: Path) -> Path:
    return data_root / "epoch_notable_models" / "notable_ai_models.csv"


def epoch_rows(data_root: Path) -> int:
    """Data rows of the Epoch CSV, counted here with the csv module (quoted newlines kept)."""
    with epoch_csv(data_root).open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


@pytest.fixture(scope="module")
def epoch_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding Epoch's notable models (small; copied by each test that damages it)."""
    path = tmp_path_factory.mktemp("wh") / "epoch.duckdb"
    con = connect(path)
    load_epoch(con, str(epoch_csv(data_root)))
    con.close()
    return path


def fresh_copy(src: Path, tmp_path: Path, name: str = "w.duckdb") -> Path:
    dst = tmp_path / name
    shutil.copy(src, dst)
    return dst


def contents(path: Path) -> dict[str, tuple]:
    """Every table's row count and an order-independent checksum of its rows."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f'SELECT count(*), bit_xor(hash(t)) FROM "{t}" AS t').fetchone()
            for t in table_names(con)
        }
    finally:
        con.close()


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """`aicensus ARGS` in this process (main(): its error handling and exit code)."""
    monkeypatch.setattr(sys, "argv", ["aicensus", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    out, err = capsys.readouterr()
    return stop.value.code or 0, out, err


# -- 5: disk full at COMMIT ------------------------------------------------------------------


class DiskFullAtCommit:
    """A connection whose COMMIT fails as DuckDB's does when the WAL cannot be written: the
    transaction is gone (rolled back by DuckDB) and TransactionException says ENOSPC."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args):
        if sql.strip().upper() == "COMMIT":
            self._con.execute("ROLLBACK")
            raise duckdb.TransactionException(
                'TransactionContext Error: Failed to commit: Could not write file "w.duckdb.wal":'
                " No space left on device"
            )
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def test_disk_full_at_commit_is_one_line_and_the_next_load_works(
    data_root, tmp_path, monkeypatch, capsys
):
    db = tmp_path / "w.duckdb"
    connect(db).close()
    before = contents(db)
    monkeypatch.setattr("aicensus.warehouse.connect", lambda p: DiskFullAtCommit(connect(p)))
    code, _, err = run_main(monkeypatch, capsys, "--db", str(db), "load", "epoch")
    assert code == 1
    assert err.strip() == (
        f"error: {db}: warehouse write failed: no space left on device; nothing changed"
    ), err
    assert contents(db) == before
    monkeypatch.undo()
    code, _, err = run_main(monkeypatch, capsys, "--db", str(db), "load", "epoch")
    assert code == 0, err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM models").fetchone()[0] == epoch_rows(data_root)
    con.close()


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    args = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]
    try:
        return subprocess.run(args, capture_output=True).returncode == 0
    except OSError:
        return False


def test_disk_full_on_a_real_small_filesystem(data_root, tmp_path):
    """The real thing where the test may mount a tmpfs (root): the empty warehouse fits, then a
    filler leaves 64 KiB free and the Epoch load fails; once the filler is gone it succeeds."""
    small = tmp_path / "small"
    if not _mount_tmpfs(small, "8m"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        db = small / "w.duckdb"
        con = connect(db)
        ensure_registry(con)  # its own (small) transaction: the Epoch one is what meets ENOSPC
        con.close()
        before = contents(db)
        filler = small / "filler"
        filler.write_bytes(bytes(shutil.disk_usage(small).free - 64 * 1024))
        for _ in range(2):  # the second try meets the same full disk, not a stale transaction
            proc = cli(db, "load", "epoch")
            assert_one_line_error(proc, str(db), "no space left on device; nothing changed")
            assert contents(db) == before
        filler.unlink()
        proc = cli(db, "load", "epoch")
        assert proc.returncode == 0, proc.stderr
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("SELECT count(*) FROM models").fetchone()[0] == epoch_rows(data_root)
        con.close()
    finally:
        subprocess.run(["umount", str(small)], check=False)


# -- 6: a corrupted warehouse ----------------------------------------------------------------


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]


def table_blocks(con: duckdb.DuckDBPyConnection, table: str) -> set[int]:
    """The storage blocks holding a table's column segments."""
    rows = con.execute(
        "SELECT DISTINCT block_id FROM pragma_storage_info(?) WHERE block_id >= 0", [table]
    ).fetchall()
    return {r[0] for r in rows}


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in table_names(con)}


def damage_table_block(db: Path, table: str) -> None:
    """Overwrite one storage block that holds `table`'s data (and no other table's) with
    random bytes: the catalog stays readable, reading that table meets a bad checksum."""
    con = duckdb.connect(str(db), read_only=True)
    size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    blocks = {name: table_blocks(con, name) for name in table_names(con)}
    con.close()
    others = set().union(*(b for name, b in blocks.items() if name != table))
    block = min(blocks[table] - others)
    with db.open("r+b") as f:
        f.seek(BLOCK_START + block * size)
        f.write(random.Random(6).randbytes(size))


def test_damaged_data_block_every_reader_says_corrupt(epoch_db, tmp_path):
    db = fresh_copy(epoch_db, tmp_path)
    damage_table_block(db, "models")
    for args in (
        ("status", "--verify"),
        ("models", "count", "--years", "2024"),
        ("check", str(CLAIMS)),
    ):
        proc = cli(db, *args)
        assert proc.returncode == 1, (args, proc.stdout)
        assert_one_line_error(proc, str(db), "warehouse file is corrupt")
        assert proc.stdout == "", args  # nothing printed before the error (no half answer)
    assert_one_line_error(cli(db, "status", "--verify"), "in table models")


def test_two_megabytes_of_garbage_in_the_middle(epoch_db, tmp_path):
    db = fresh_copy(epoch_db, tmp_path)
    middle = db.stat().st_size // 2
    with db.open("r+b") as f:
        f.seek(max(0, middle - 1_000_000))
        f.write(random.Random(2).randbytes(2_000_000))
    for args in (("status",), ("papers", "share"), ("models", "count"), ("check", str(CLAIMS))):
        proc = cli(db, *args)
        assert proc.returncode == 1, args
        assert_one_line_error(proc, str(db), "warehouse file is corrupt")
        assert proc.stdout == "", args


def test_truncated_file(epoch_db, tmp_path):
    db = fresh_copy(epoch_db, tmp_path)
    with db.open("r+b") as f:
        f.truncate(db.stat().st_size * 2 // 5)
    for args in (("status", "--verify"), ("models", "count")):
        proc = cli(db, *args)
        assert_one_line_error(proc, str(db), "warehouse file is corrupt")


def test_verify_reads_every_table(epoch_db, tmp_path):
    db = fresh_copy(epoch_db, tmp_path)
    proc = cli(db, "status", "--verify")
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect(str(db), read_only=True)
    tables = row_counts(con)
    con.close()
    assert f"verified: {len(tables)} tables, {sum(tables.values()):,} rows read" in proc.stdout


# -- 9: paths with a quote -------------------------------------------------------------------


def test_parquet_warehouse_in_a_folder_named_with_a_quote(data_root, tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    load_paperlists(con, str(data_root / "paperlists"), ["ijcai"], [2024])
    quoted = tmp_path / "o'brien's warehouse"
    for table in PARQUET_TABLES:  # the Spark ingest's layout, written by the export (quoted too)
        export_table(con, quoted, table)
    con.close()
    assert (quoted / "works").is_dir() and any((quoted / "loads").glob("*.parquet"))
    share = ("papers", "share", "--format", "csv")
    on_file, on_parquet = cli(db, *share), cli(quoted, *share)
    assert on_parquet.returncode == 0, on_parquet.stderr
    assert on_parquet.stdout == on_file.stdout != ""


# -- 10: another process holds the warehouse; Ctrl-C -----------------------------------------

HOLDER = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "sys.stdin.readline()\n"  # hold until told
    "con.close()\n"
)


def hold(db: Path) -> subprocess.Popen:
    """A second process holding the warehouse read-write until a line arrives on its stdin."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def release(proc: subprocess.Popen) -> None:
    proc.stdin.write("go\n")
    proc.stdin.flush()
    proc.wait(timeout=60)


def test_locked_warehouse_names_the_holder(epoch_db, tmp_path):
    db = fresh_copy(epoch_db, tmp_path)
    holder = hold(db)
    try:
        proc = cli(db, "status")
        assert_one_line_error(proc, str(db), f"in use by PID {holder.pid}", "--wait")
    finally:
        release(holder)
    assert cli(db, "status").returncode == 0


def test_open_waits_for_the_lock_and_retries(epoch_db, tmp_path, monkeypatch):
    """Deterministic: the holder is released from inside the first wait, so the open must
    have failed once on the lock, waited and retried."""
    db = fresh_copy(epoch_db, tmp_path)
    holder = hold(db)
    waits = []

    def sleep(seconds: float) -> None:
        if not waits:
            release(holder)
        waits.append(seconds)

    monkeypatch.setattr(connection, "sleep", sleep)
    monkeypatch.setattr(connection, "_lock_wait", 600.0)
    try:
        con = open_readonly(db)
    finally:
        if holder.poll() is None:
            release(holder)
    assert waits
    assert con.execute("SELECT count(*) FROM models").fetchone()[0] > 0
    con.close()


def test_wait_option_reaches_the_open(epoch_db, tmp_path):
    """`--wait` at the CLI: the stated wait is what the open waited before giving up, and
    with a long wait the read succeeds once the holder lets go."""
    db = fresh_copy(epoch_db, tmp_path)
    holder = hold(db)
    try:
        proc = cli(db, "--wait", "1", "status")
        assert_one_line_error(proc, f"in use by PID {holder.pid}", "gave up after waiting 1 s")
        reader = subprocess.Popen(
            [sys.executable, "-m", "aicensus", "--db", str(db), "--wait", "600", "status"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2)  # sequencing only: the reader is most likely waiting on the lock by now
    finally:
        release(holder)
    out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    assert "epoch" in out


def test_ctrl_c_during_a_load_says_nothing_partial(data_root, tmp_path):
    db = tmp_path / "w.duckdb"
    connect(db).close()
    before = contents(db)
    cmd = [sys.executable, "-m", "aicensus", "--db", str(db), "load", "paperlists"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_write(db, proc)  # mid-transaction
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted: nothing partial was written", err
    assert contents(db) == before


# -- 15: rows loaded for every source --------------------------------------------------------


def test_status_shows_epoch_rows_loaded(epoch_db, data_root, tmp_path):
    db = fresh_copy(epoch_db, tmp_path)
    n = epoch_rows(data_root)
    con = duckdb.connect(str(db), read_only=True)
    summary = source_summary(con).set_index("source")
    actual = row_counts(con)
    con.close()
    assert summary.loc["epoch", "loaded"] + summary.loc["epoch", "quarantined"] == n
    assert summary.loc["epoch", "loaded"] == actual["models"]
    assert summary.loc["orgs", "loaded"] == actual["orgs"] > 0
    # every table's rows, as stored with the load, are the rows in the table
    for part in summary.loc["epoch", "tables"].split("; "):
        table, rows = part.rsplit(" ", 1)
        assert int(rows.replace(",", "")) == actual[table], part
    proc = cli(db, "status")
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if " epoch " in x)
    assert f" {actual['models']:,} " in line and f"models {n:,}" in line


def test_old_warehouse_gets_rows_loaded_filled(epoch_db, tmp_path):
    """A warehouse written before the fix (rows_loaded 0 outside works) is fixed on open."""
    db = fresh_copy(epoch_db, tmp_path)
    con = duckdb.connect(str(db))
    want = con.execute("SELECT load_id, rows_loaded FROM loads ORDER BY 1").fetchall()
    assert [n > 0 for _, n in want] == [True, True]  # epoch models, orgs registry
    con.execute("UPDATE loads SET rows_loaded = 0")
    con.execute("DELETE FROM schema_version WHERE version = 6")
    con.close()
    con = open_readonly(db)
    assert con.execute("SELECT load_id, rows_loaded FROM loads ORDER BY 1").fetchall() == want
    con.close()


def test_one_row_returns_the_row_or_names_the_query(tmp_path):
    """Single-row reads: the row when there is one, a one-line WarehouseError naming the query
    when there is none (instead of indexing None)."""
    con = connect(tmp_path / "rows.duckdb")
    latest = one_row(con, "SELECT max(version) FROM schema_version")[0]
    assert latest == max(n for n, _ in available())
    with pytest.raises(WarehouseError, match="no row: SELECT version FROM schema_version WHERE"):
        one_row(con, "SELECT version FROM schema_version\n WHERE version < ?", [0])
    con.close()
