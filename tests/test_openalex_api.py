"""The API fetcher against a fake OpenAlex server on 127.0.0.1 serving the real records."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import orjson
import pytest

from aicensus.errors import SourceError
from aicensus.ingest import openalex_pull as pull
from aicensus.measures import openalex as om
from aicensus.measures import papers as pm
from aicensus.sources.openalex import api
from aicensus.warehouse import connect
from tests.fakes.openalex_server import FakeOpenAlex, load_records

KEY = "sekrit-KEY-4242"


@pytest.fixture(scope="module")
def records(data_root: Path) -> tuple[list[dict], list[dict]]:
    root = data_root / "openalex_works"
    return load_records(root / "works.jsonl.gz"), load_records(root / "institutions.jsonl.gz")


@pytest.fixture()
def server(records):
    with FakeOpenAlex(*records) as srv:
        yield srv


def _cfg(server, **kw) -> api.ApiConfig:
    kw = {"rate_limit": 200.0, "concurrency": 4, "timeout": 2.0, "backoff": 0.05, **kw}
    return api.ApiConfig(base_url=server.url, **kw)


def _pull(db: Path, cfg: api.ApiConfig, flt: api.WorkFilter = api.WorkFilter()):
    con = connect(db)
    client = api.Client(cfg)
    try:
        state = pull.plan(con, client, flt)
        state = pull.run(con, client, state)
        return state, client
    finally:
        client.close()
        con.close()


def test_recorded_page_shape_matches_fake(server, data_root: Path):
    rec = orjson.loads(
        (data_root / "openalex_works/api_pages/works_cursor_first_page.json").read_bytes()
    )
    client = api.Client(_cfg(server))
    got = client.get("works", {"per_page": 200, "cursor": "*"}).doc
    assert list(got) == list(rec) and list(got["meta"]) == list(rec["meta"])
    gb = orjson.loads((data_root / "openalex_works/group_by/works_group_by_type.json").read_bytes())
    got = client.get("works", {"group_by": "type", "per_page": 200, "cursor": "*"}).doc
    assert list(got) == list(gb) and list(got["meta"]) == list(gb["meta"])
    assert list(got["group_by"][0]) == list(gb["group_by"][0])
    client.close()


def test_full_pull_stores_exactly_the_records(server, records, tmp_path: Path):
    state, _client = _pull(tmp_path / "w.duckdb", _cfg(server))
    assert state.complete and state.estimated_records == 1219 and state.records == 1219
    assert state.estimated_requests == 7
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    ids = [r[0] for r in con.execute("SELECT work_id FROM works ORDER BY work_id").fetchall()]
    assert sorted(ids) == sorted(w["id"].rsplit("/", 1)[-1] for w in records[0])
    assert len(ids) == len(set(ids)) == 1219
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    loc = con.execute("SELECT location FROM loads LIMIT 1").fetchone()[0]
    assert "select=id%2Cdoi" in loc and "cursor=" in loc
    # The SOURCE.md full counts, from the pulled works.
    full = pm.share(con, pm.PaperQuery(source="openalex", by="all")).table
    assert full.set_index("country").papers[["DE", "US", "CN"]].tolist() == [453, 281, 62]
    con.close()
    # Re-running a complete pull asks nothing more.
    state2, client2 = _pull(tmp_path / "w.duckdb", _cfg(server))
    assert state2.complete and client2.requests == 0


def test_filters_streams_and_chunking(server, tmp_path: Path):
    flt = api.WorkFilter(years=(2015, 2024), subfields=("1702", "1707"))
    assert len(flt.expressions()) == 10
    assert flt.expressions()[0] == "publication_year:2015,primary_topic.subfield.id:1702|1707"
    state, _ = _pull(tmp_path / "w.duckdb", _cfg(server), flt)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    n = con.execute("SELECT count(*) FROM works WHERE subfield_id IN ('1702','1707')").fetchone()
    assert state.complete and n[0] == state.records > 0
    con.close()
    many = api.WorkFilter(source_ids=tuple(f"S{i}" for i in range(250)), types=("article",))
    exprs = many.expressions()
    assert len(exprs) == 3 and all(e.count("|") <= 99 for e in exprs)
    cn = api.WorkFilter(authorship_countries=("CN",), split_years=False)
    client = api.Client(_cfg(server))
    assert api.count(client, cn.expressions()[0]) == 62  # works with CN under full counting
    client.close()


def test_faults_are_survived(server, tmp_path: Path):
    server.faults = [("429", 0.3), ("500",), ("truncate",), ("slow", 3.0), ("500",)]
    state, client = _pull(tmp_path / "w.duckdb", _cfg(server, concurrency=1, timeout=1.0))
    assert state.complete and state.records == 1219
    assert client.retries == 5
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT count(DISTINCT work_id) FROM works").fetchone()[0] == 1219
    con.close()


def test_rate_limit_is_kept(server, tmp_path: Path):
    flt = api.WorkFilter(years=(2000, 2023))
    # 50 per page: one group_by request counts the 24 year streams, so pages must make up the
    # requests the rate is measured over (more than 30, at up to 8 in flight).
    _pull(tmp_path / "w.duckdb", _cfg(server, rate_limit=40.0, concurrency=8, per_page=50), flt)
    times = sorted(t for t, _p, _q in server.requests)
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert len(times) > 30 and rate <= 40 * 1.1


def test_allowance_stops_cleanly_and_resumes(server, tmp_path: Path):
    db = tmp_path / "w.duckdb"
    state, _client = _pull(db, _cfg(server, concurrency=1, max_requests=4))
    assert not state.complete and "allowance of 4" in state.stopped
    assert 0 < state.records < 1219
    state, _ = _pull(db, _cfg(server, concurrency=1))
    assert state.complete and state.records == 1219
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT work_id) FROM works").fetchone() == (
        1219,
        1219,
    )
    con.close()


def test_auth_errors_name_the_key_and_leak_nothing(records, tmp_path: Path):
    with FakeOpenAlex(*records, api_key=KEY) as srv:
        for key, status in ((None, "401"), ("wrong-KEY-999", "403")):
            client = api.Client(_cfg(srv, api_key=key, mailto="me@example.org"))
            with pytest.raises(api.AuthError) as err:
                client.get("works", {"per_page": 1})
            msg = str(err.value)
            assert f"HTTP {status}" in msg and "API key" in msg and "OPENALEX_API_KEY" in msg
            assert KEY not in msg and "wrong-KEY-999" not in msg and "example.org" not in msg
            client.close()
        assert "sekrit" not in repr(_cfg(srv, api_key=KEY))
        env = {**os.environ, "OPENALEX_API_KEY": "wrong-KEY-999", "OPENALEX_MAILTO": "m@x.org"}
        p = subprocess.run(
            [*_cli(tmp_path), "fetch", "--base-url", srv.url, "--yes"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert p.returncode == 1 and "HTTP 403" in p.stderr and "API key" in p.stderr
        assert "wrong-KEY-999" not in p.stdout + p.stderr and "m@x.org" not in p.stdout + p.stderr
        # With the right key the pull works, and provenance holds no key.
        state, _ = _pull(tmp_path / "ok.duckdb", _cfg(srv, api_key=KEY, mailto="m@x.org"))
        assert state.complete
        con = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True)
        locs = " ".join(r[0] for r in con.execute("SELECT location FROM loads").fetchall())
        assert KEY not in locs and "m@x.org" not in locs and "api_key" not in locs
        con.close()


def _cli(tmp_path: Path, db: str = "cli.duckdb") -> list[str]:
    code = "from aicensus.cli.main import main; main()"
    return [sys.executable, "-c", code, "--db", str(tmp_path / db), "openalex"]


def _state(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    out = {
        "works": con.execute("SELECT * EXCLUDE (load_id) FROM works ORDER BY work_id").fetchall(),
        "aff": con.execute(
            "SELECT * EXCLUDE (load_id) FROM affiliations ORDER BY work_id, slot, seq"
        ).fetchall(),
        "cursors": con.execute(
            "SELECT pull_id, stream, page_no, position, next, records, total FROM resume_points "
            "ORDER BY stream, page_no"
        ).fetchall(),
        "loads": con.execute(
            "SELECT key, location, content_hash, rows_loaded FROM loads ORDER BY key"
        ).fetchall(),
        "refs": con.execute("SELECT count(*) FROM work_references").fetchone(),
    }
    con.close()
    return out


def test_sigkill_and_resume_equals_uninterrupted(server, tmp_path: Path):
    args = ["fetch", "--base-url", server.url, "--yes", "--no-institutions", "--concurrency", "1"]
    full = subprocess.run([*_cli(tmp_path, "full.duckdb"), *args], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert full.returncode == 0, full.stderr
    server.requests.clear()
    server.hang_after = 4  # the count request and three pages, then every request hangs
    proc = subprocess.Popen([*_cli(tmp_path, "kill.duckdb"), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(server.requests) <= 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # let the committer store what has arrived
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    server.hang_after = None
    server._stop_hang.set()
    partial = _state(tmp_path / "kill.duckdb")
    assert 0 < len(partial["cursors"]) < 7
    server.requests.clear()
    again = subprocess.run([*_cli(tmp_path, "kill.duckdb"), *args], capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert again.returncode == 0, again.stderr
    pages_asked = sum(1 for _t, _p, q in server.requests if q.get("cursor"))
    assert pages_asked == 7 - len(partial["cursors"])
    assert _state(tmp_path / "kill.duckdb") == _state(tmp_path / "full.duckdb")


def test_group_by_agrees_with_works(server, tmp_path: Path, data_root: Path):
    db = tmp_path / "w.duckdb"
    _pull(db, _cfg(server))
    con = connect(db)
    client = api.Client(_cfg(server))
    rows = pull.fetch_group_by(con, client, "", "authorships.countries")
    assert rows.tables["group_by_counts"].num_rows > 50
    sub = "primary_topic.subfield.id:1702|1707"
    pull.fetch_group_by(con, client, sub, "authorships.countries")
    n_inst = pull.fetch_institutions(con, client, pull.missing_institutions(con))
    assert n_inst > 0
    client.close()
    r = om.group_by_agreement(con, pm.PaperQuery(source="openalex"))
    assert r.meta["agree"] and r.table.set_index("country").group_by["DE"] == 453
    assert r.table.group_by.sum() == 1601
    r2 = om.group_by_agreement(
        con, pm.PaperQuery(source="openalex", field_definition="openalex-subfields"), sub
    )
    assert r2.meta["agree"] and r2.table.group_by.sum() == 62
    # The recorded group_by response parses into the same table.
    path = data_root / "openalex_works/group_by/works_group_by_type.json"
    doc = orjson.loads(path.read_bytes())
    rec = pull.group_by_rows(
        [doc], "title_and_abstract.search:biodiversity", "type", str(path), "x"
    )
    t = rec.tables["group_by_counts"].to_pandas()
    assert len(t) == 17 and t.set_index("key").loc["article", "count"] == 130804
    assert t.meta_count.iloc[0] == 148174
    con.close()


def test_unreachable_server_is_one_line(tmp_path: Path):
    cfg = api.ApiConfig(base_url="http://127.0.0.1:9", max_retries=1, backoff=0.01)
    client = api.Client(cfg)
    with pytest.raises(SourceError, match="unreachable") as err:
        client.get("works", {"per_page": 1})
    assert "\n" not in str(err.value)
    client.close()


def _works(db: Path) -> list[tuple]:
    """Works as stored, without what depends on paging (load_id, position on the page)."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT * EXCLUDE (load_id, record_no) FROM works ORDER BY work_id"
    ).fetchall()
    con.close()
    return rows


def test_year_streams_give_the_same_works_as_one_stream(server, tmp_path: Path):
    split = api.WorkFilter(years=(1990, 2030))
    one = api.WorkFilter(years=(1990, 2030), split_years=False)
    assert len(split.expressions()) == 41 and len(one.expressions()) == 1
    server.requests.clear()
    s1, _ = _pull(tmp_path / "split.duckdb", _cfg(server, concurrency=8), split)
    # The 41 year streams are counted by one group_by=publication_year request.
    counts = [q for _t, _p, q in server.requests if not q.get("cursor")]
    assert [q.get("group_by") for q in counts] == ["publication_year"]
    s2, _ = _pull(tmp_path / "one.duckdb", _cfg(server), one)
    assert s1.complete and s2.complete and s1.records == s2.records > 1000
    assert s1.estimated_records == s2.estimated_records == s1.records
    assert [s.total for s in s1.streams] == [
        api.count(api.Client(_cfg(server)), e) for e in split.expressions()
    ]
    assert _works(tmp_path / "split.duckdb") == _works(tmp_path / "one.duckdb")


def test_worker_processes_store_what_a_thread_stores(server, tmp_path: Path):
    """Normalizing in worker processes (the default on >1 core) or in a thread: same warehouse."""
    flt = api.WorkFilter(years=(2015, 2024))
    states = {}
    for workers in (0, 2):
        db = tmp_path / f"w{workers}.duckdb"
        con = connect(db)
        client = api.Client(_cfg(server))
        try:
            st = pull.run(con, client, pull.plan(con, client, flt), workers=workers)
        finally:
            client.close()
            con.close()
        assert st.complete
        states[workers] = _state(db)
    assert states[0] == states[2]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


def test_kill_between_batches_resumes_to_the_identical_warehouse(server, tmp_path: Path):
    """Many streams in flight, several batches committed, then SIGKILL: the resumed pull asks
    only for uncommitted pages and ends with the warehouse of an uninterrupted pull; no worker
    process outlives the killed pull."""
    args = ["fetch", "--base-url", server.url, "--yes", "--no-institutions",
            "--years", "2000-2024", "--concurrency", "4"]  # fmt: skip
    full = subprocess.run([*_cli(tmp_path, "full.duckdb"), *args], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert full.returncode == 0, full.stderr
    total = len(_state(tmp_path / "full.duckdb")["cursors"])
    counts = sum(1 for _t, _p, q in server.requests if not q.get("cursor"))
    server.requests.clear()
    server.hang_after = counts + total // 2  # the counts, about half the pages, then hang
    proc = subprocess.Popen([*_cli(tmp_path, "kill.duckdb"), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(server.requests) <= server.hang_after and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2.0)  # let the committer store what has arrived (a batch waits <= 0.5 s)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    server.hang_after = None
    server._stop_hang.set()
    partial = _state(tmp_path / "kill.duckdb")
    assert 0 < len(partial["cursors"]) < total
    # Every stream's committed pages are a prefix 1..n (never a gap).
    pages: dict[str, list[int]] = {}
    for row in partial["cursors"]:
        pages.setdefault(row[1], []).append(row[2])
    assert all(p == list(range(1, len(p) + 1)) for p in pages.values())
    deadline = time.monotonic() + 10
    while [w for w in workers if _alive(w)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not [w for w in workers if _alive(w)]
    server.requests.clear()
    again = subprocess.run([*_cli(tmp_path, "kill.duckdb"), *args], capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert again.returncode == 0, again.stderr
    pages_asked = sum(1 for _t, _p, q in server.requests if q.get("cursor"))
    assert pages_asked == total - len(partial["cursors"])
    assert _state(tmp_path / "kill.duckdb") == _state(tmp_path / "full.duckdb")


def test_loader_add_all_skips_unchanged_pages(tmp_path: Path, records):
    """add_all (one lookup per batch of pages) keeps add()'s rule: unchanged = skipped."""
    from datetime import UTC, datetime

    from aicensus.sources.openalex import normalize as nz
    from aicensus.warehouse import LocationRows, load

    con = connect(tmp_path / "w.duckdb")
    pages = []
    for i in range(3):
        norm = nz.normalize_works(records[0][i * 10 : (i + 1) * 10], f"page{i}")
        pages.append(LocationRows(f"p{i}", f"page{i}", f"h{i}", datetime.now(UTC), norm.tables()))
    with load(con, nz.SOURCE, nz.PARSER_VERSION) as loader:
        loader.add_all(pages[:2])
    assert loader.result.written == ["p0", "p1"]
    pages[1].content_hash = "changed"
    with load(con, nz.SOURCE, nz.PARSER_VERSION) as loader:
        loader.add_all(pages)
    assert loader.result.unchanged == ["p0"] and loader.result.written == ["p1", "p2"]
    assert con.execute("SELECT count(*), count(DISTINCT work_id) FROM works").fetchone() == (30, 30)
    con.close()


def test_group_by_through_the_cli_and_library(server, records, tmp_path: Path):
    """`openalex group-by` (CLI → wh.openalex.group_by): one request, the counts stored equal
    a count over the served records; filter options are checked by name in the library."""
    from collections import Counter

    import aicensus
    from aicensus.errors import AicensusError

    out = subprocess.run(
        [*_cli(tmp_path), "group-by", "--base-url", server.url, "--subfields", "1702,1707"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "groups stored from" in out.stdout
    con = duckdb.connect(str(tmp_path / "cli.duckdb"), read_only=True)
    got = dict(con.execute("SELECT key, count FROM group_by_counts").fetchall())
    con.close()
    want: Counter[str] = Counter()
    for w in records[0]:
        sub = ((w.get("primary_topic") or {}).get("subfield") or {}).get("id") or ""
        if sub.rsplit("/", 1)[-1] in ("1702", "1707"):
            cs = {c for a in w.get("authorships") or [] for c in a.get("countries") or []}
            want.update(cs or {"unknown"})
    assert {k.rsplit("/", 1)[-1]: v for k, v in got.items()} == dict(want)
    wh = aicensus.open(tmp_path / "lib.duckdb")
    with pytest.raises(AicensusError, match=r"unknown OpenAlex filter option.*subfeilds"):
        wh.openalex.group_by(base_url=server.url, subfeilds="1702")
