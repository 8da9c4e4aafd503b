"""Paper Copilot online (`load paperlists|paperlists-affonly|openreview --online`) against a fake
raw GitHub on 127.0.0.1 serving the real bundled files uncompressed in upstream's layout, with a
429 (Retry-After), a truncated body and a 500: the online load reaches the same warehouse rows as
the bundled loads (a list with countries, an affiliation-only list, an OpenReview pair); a second
run downloads and parses nothing; an unreachable upstream leaves the warehouse unchanged."""

from __future__ import annotations

import socket
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import aicensus
from aicensus.cli.main import app
from aicensus.errors import AicensusError
from aicensus.geo.affiliations.resolver import Resolver
from aicensus.ingest.openreview_authors import load_openreview
from aicensus.ingest.papercopilot_online import load_openreview_online, load_paperlists_online
from aicensus.ingest.paperlists import load_paperlists
from aicensus.ingest.paperlists_affonly import load_affonly
from aicensus.sources.upstream import Http
from aicensus.warehouse import connect
from aicensus.warehouse.loading import data_tables
from tests.fakes.papercopilot_server import PaperCopilotServer

IDS = [
    "paperlists:ijcai/ijcai2020",
    "paperlists_affonly:cvpr/cvpr2020",
    "openreview_authors:nips2022",
]
VOLATILE = {"load_id", "location", "retrieved_at", "loaded_at"}


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    """A small resolver (place names and email domains only): both loads use the same one."""
    return Resolver.build()


@pytest.fixture(scope="module")
def bundled_db(data_root: Path, resolver: Resolver, tmp_path_factory) -> Path:
    """ijcai2020 (countries), cvpr2020 (affiliation only) and the nips2022 OpenReview pair,
    loaded from the bundled copies."""
    path = tmp_path_factory.mktemp("pc") / "bundled.duckdb"
    con = connect(path)
    load_paperlists(con, str(data_root / "paperlists"), ["ijcai"], [2020])
    load_affonly(con, str(data_root / "paperlists_affonly"), resolver, ["cvpr"], [2020])
    load_openreview(con, str(data_root / "openreview_authors"), resolver, ["nips"], [2022])
    con.close()
    return path


def _rows(db: Path, load_ids: list[str]) -> dict[str, list]:
    """Every table's rows of these locations, without load ids, locations and timestamps."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in [t for t in data_tables(con) if t != "resume_points"]:
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                    [table],
                ).fetchall()
                if r[0] not in VOLATILE
            ]
            out[table] = con.execute(
                f"SELECT {', '.join(cols)} FROM {table} WHERE load_id IN (SELECT unnest(?)) "
                "ORDER BY ALL",
                [load_ids],
            ).fetchall()
        out["loads"] = con.execute(
            "SELECT load_id, source, key, content_hash, parser_version, rows_loaded, "
            "rows_quarantined, json_remove(row_counts::JSON, '$.resume_points'), notes "
            "FROM loads WHERE load_id IN (SELECT unnest(?)) ORDER BY 1",
            [load_ids],
        ).fetchall()
        return out
    finally:
        con.close()


def test_online_equals_bundled_and_second_run_parses_nothing(
    data_root: Path, resolver: Resolver, bundled_db: Path, tmp_path: Path
) -> None:
    faults = {"ijcai2020": ["429"], "cvpr2020": ["truncate"], "nips2022.jsonl": ["500"]}
    db, scratch = tmp_path / "online.duckdb", tmp_path / "scratch"
    built: list[int] = []

    def make() -> Resolver:
        built.append(1)
        return resolver

    con = connect(db)
    try:
        with PaperCopilotServer(data_root, faults) as fake:
            http = Http(backoff=0.05)
            lists = load_paperlists_online(
                con, fake.paperlists, scratch, ["ijcai", "cvpr"], [2020], make, http=http
            )
            orv = load_openreview_online(
                con, fake.openreview, fake.paperlists, scratch, ["nips"], [2022], make, http=http
            )
            assert http.retries == 3  # the 429, the truncated body, the 500
            assert lists.written == ["ijcai/ijcai2020", "cvpr/cvpr2020"]
            assert lists.affonly is not None and lists.affonly.written == ["cvpr/cvpr2020"]
            assert dict(lists.online.classes) == {"countries": 1, "affiliation-only": 1}
            assert orv.written == ["nips2022"] and built == [1, 1]

            # Second run: every file answers 304, nothing is parsed, no resolver is built.
            fake.paths.clear()
            again = load_paperlists_online(
                con, fake.paperlists, scratch, ["ijcai", "cvpr"], [2020], make
            )
            or_again = load_openreview_online(
                con, fake.openreview, fake.paperlists, scratch, ["nips"], [2022], make
            )
            assert {status for _, status in fake.paths} == {304} and len(fake.paths) == 4
            assert again.written == [] and again.unchanged == ["ijcai/ijcai2020", "cvpr/cvpr2020"]
            assert again.affonly is not None and again.affonly.unchanged == ["cvpr/cvpr2020"]
            assert or_again.written == [] and or_again.unchanged == ["nips2022"]
            assert built == [1, 1]

            # Without ETags the files are downloaded again, hashed, and still not parsed.
            fake.etags = False
            third = load_paperlists_online(
                con, fake.paperlists, scratch, ["ijcai", "cvpr"], [2020], make
            )
            assert third.written == [] and third.online.same_content == [
                "ijcai/ijcai2020",
                "cvpr/cvpr2020",
            ]
            assert built == [1, 1]
        resumed = con.execute(
            "SELECT load_id, stream, regexp_extract(pull_id, '/papercopilot/.*') FROM "
            "resume_points WHERE kind = 'upstream-file' ORDER BY ALL"
        ).fetchall()
        located = con.execute(
            "SELECT count(*) FROM loads WHERE location LIKE 'http://127.0.0.1:%'"
        ).fetchone()
    finally:
        con.close()
    assert not list(scratch.iterdir())  # downloads are temporary
    assert resumed == [
        (
            "openreview_authors:nips2022",
            "author-file",
            "/papercopilot/openreview/main/authors/nips/nips2022.jsonl",
        ),
        ("openreview_authors:nips2022", "list", "/papercopilot/paperlists/main/nips/nips2022.json"),
        (
            "paperlists:cvpr/cvpr2020",
            "affiliation-only",
            "/papercopilot/paperlists/main/cvpr/cvpr2020.json",
        ),
        (
            "paperlists:ijcai/ijcai2020",
            "countries",
            "/papercopilot/paperlists/main/ijcai/ijcai2020.json",
        ),
        (
            "paperlists_affonly:cvpr/cvpr2020",
            "affiliation-only",
            "/papercopilot/paperlists/main/cvpr/cvpr2020.json",
        ),
    ]
    assert located == (4,)
    online = _rows(db, IDS)
    assert online["works"] and online["openreview_joins"]
    assert online == _rows(bundled_db, IDS)
    # The affiliation-only list is also in paperlists, as the bundled paperlists load reads it.
    con = connect(tmp_path / "direct.duckdb")
    load_paperlists(con, str(data_root / "paperlists_affonly" / "cvpr" / "cvpr2020.json.gz"))
    con.close()
    key = ["paperlists:cvpr/cvpr2020"]
    assert _rows(db, key) == _rows(tmp_path / "direct.duckdb", key)


def _closed_port() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    return url


@pytest.mark.slow  # two loads wait out 5 attempts each (7.5 s of back-off)
def test_unreachable_upstream_leaves_warehouse_unchanged(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _closed_port()
    pattern = url + "/papercopilot/paperlists/main/{venue}/{venue}{year}.json"
    monkeypatch.setenv("AICENSUS_PAPERLISTS_UPSTREAM", pattern)
    db = tmp_path / "wh.duckdb"
    wh = aicensus.open(db)
    wh.load("paperlists", str(data_root / "paperlists"), venues="ijcai", years="2020")
    before = _rows(db, IDS)
    with pytest.raises(AicensusError, match=rf"^{url}/papercopilot/.*ijcai2021\.json: unreachable"):
        wh.load("paperlists", online=True, venues="ijcai", years="2021")
    assert _rows(db, IDS) == before and before["works"]
    # The CLI (the OpenReview author files): one error naming the URL, exit 1.
    monkeypatch.setenv("AICENSUS_OPENREVIEW_UPSTREAM", url + "/a/{venue}{year}.jsonl")
    result = CliRunner().invoke(
        app,
        ["--db", str(db), "load", "openreview", "--online", "--venues", "nips", "--years", "2022"],
    )
    assert result.exit_code == 1  # main() prints the error as one line
    assert isinstance(result.exception, AicensusError)
    assert str(result.exception).startswith(f"{url}/a/nips2022.jsonl: unreachable")
    assert _rows(db, IDS) == before


def test_affonly_target_loads_only_affiliation_only_lists(
    data_root: Path, resolver: Resolver, bundled_db: Path, tmp_path: Path
) -> None:
    """`load paperlists-affonly --online`: the list with countries is classified and left out."""
    from aicensus.ingest.papercopilot_online import AFFONLY

    db = tmp_path / "affonly.duckdb"
    con = connect(db)
    try:
        with PaperCopilotServer(data_root) as fake:
            got = load_paperlists_online(
                con,
                fake.paperlists,
                tmp_path / "scratch",
                ["ijcai", "cvpr"],
                [2020],
                lambda: resolver,
                targets=(AFFONLY,),
            )
        sources = con.execute("SELECT load_id FROM loads ORDER BY 1").fetchall()
    finally:
        con.close()
    assert got.affonly is not None and got.affonly.written == ["cvpr/cvpr2020"]
    assert got.written == [] and sources == [("paperlists_affonly:cvpr/cvpr2020",)]
    key = ["paperlists_affonly:cvpr/cvpr2020"]
    assert _rows(db, key) == _rows(bundled_db, key)
