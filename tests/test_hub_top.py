"""The Hub top-N snapshot against a fake Hub on 127.0.0.1 serving the real hf_models_table
records in the API's spelling (sort, limit, expand, Link paging; 429 with Retry-After, a
truncated body, 5xx): the snapshot's rows equal the bundled table's rows for the same models,
missing lineage parents are looked up once (bounded, resumable), Hub measures run on it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import aicensus
from aicensus.cli.main import app
from aicensus.hub.attribution import families
from aicensus.ingest.hub import record_tables
from aicensus.ingest.hub_top import snapshot
from aicensus.sources import hub
from aicensus.warehouse import connect
from tests.fakes.hub_server import HubServer, table_records

DAY = "2026-01-05"
TOP = 250


@pytest.fixture(scope="module")
def table_path(data_root: Path) -> Path:
    return data_root / "hf_models_table" / "hf_models_top_downloads_2024-09.csv.gz"


@pytest.fixture(scope="module")
def served(table_path):
    return table_records(table_path)


@pytest.fixture(scope="module")
def expected(table_path) -> dict:
    """The bundled table's rows (as its dump load makes them) for the top TOP models."""
    import gzip

    parsed = hub.parse(gzip.decompress(table_path.read_bytes()), str(table_path), "t")
    return record_tables(parsed.records[:TOP], "t", "d", families())


@pytest.fixture(scope="module")
def pulled(served, tmp_path_factory):
    faults = {2: 429, 3: "truncate", 4: 500, 8: 503}
    with HubServer(served, page_size=100, faults=faults) as srv:
        con = connect(tmp_path_factory.mktemp("top") / "w.duckdb")
        first = snapshot(con, srv.url, TOP, "downloads", today=DAY)
        listing = list(srv.served_pages)
        asked = list(srv.info_requests)
        n = srv.requests
        again = snapshot(con, srv.url, TOP, "downloads", today=DAY)
        yield con, srv, first, again, listing, asked, n
        con.close()


def test_snapshot_rows_equal_the_bundled_table_rows(pulled, expected):
    con, srv, first, *_ = pulled
    assert not srv.faults  # 429, truncated body, 500 and 503 were all served and survived
    assert first.models == TOP and first.listed
    cols = "model_id, namespace, pipeline_tag, library_name, model_type, n_parents"
    when = "strftime(CAST(last_modified AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S')"
    got = con.execute(
        f"SELECT {cols}, {when} FROM hub_models "
        "WHERE source = 'hub_top_downloads' ORDER BY model_id"
    ).fetchall()
    mem = duckdb.connect()
    for name, frame in expected.items():
        mem.register(name, frame)
    want = mem.sql(f"SELECT {cols}, {when} FROM hub_models ORDER BY model_id").fetchall()
    assert got == want
    assert (
        con.execute(
            "SELECT model_id, downloads FROM model_stats WHERE source = 'hub_top_downloads' "
            "ORDER BY 1"
        ).fetchall()
        == mem.sql("SELECT model_id, downloads FROM model_stats ORDER BY 1").fetchall()
    )
    q = "SELECT model_id, parent_id, relation, position, origin FROM {} ORDER BY ALL"
    assert con.execute(q.format("hub_links WHERE source = 'hub_top_downloads'")).fetchall() == (
        mem.sql(q.format("hub_links")).fetchall()
    )
    assert con.execute(
        "SELECT n_models, complete FROM hub_snapshots WHERE source = 'hub_top_downloads'"
    ).fetchall() == [(TOP, True)]


def test_listing_asks_as_the_hub_spells_it(pulled):
    _con, _srv, _first, _again, listing, *_ = pulled
    assert len(listing) == 3  # 250 models, 100 a page, Link paging
    assert all("sort=downloads" in p and "expand=downloadsAllTime" in p for p in listing)
    assert "limit=250" in listing[0]


def test_missing_parents_fetched_once_and_lineage_walks_through_them(pulled, served):
    con, srv, first, again, _listing, asked, n = pulled
    known = {r["id"].lower() for r in served}
    assert asked and len(asked) == len({a.lower() for a in asked})  # each parent asked once
    assert first.parents_fetched == len(asked) and first.parents_left == 0
    assert first.parents_missing == len([a for a in asked if a.lower() not in known])
    assert srv.requests == n and again.parents_fetched == 0 and not again.listed  # all stored
    stored = {
        r[0].lower()
        for r in con.execute(
            "SELECT model_id FROM hub_models WHERE source = 'hub_parents'"
        ).fetchall()
    }
    assert stored == {a.lower() for a in asked if a.lower() in known}
    # after the lookups a walk ends at an absent parent only where the Hub does not know it
    ends = con.execute(
        "SELECT ref_id FROM hub_lineage WHERE source = 'hub_top_downloads' AND parent_absent"
    ).fetchall()
    assert all(r[0].lower() not in known for r in ends)
    assert con.execute(
        "SELECT count(*) FROM hub_lineage WHERE source = 'hub_top_downloads'"
    ).fetchone() == (TOP,)
    deeper = con.execute(
        "SELECT count(*) FROM hub_lineage l JOIN hub_models p ON p.source = 'hub_parents' "
        "AND lower(p.model_id) = lower(l.root_id) WHERE l.source = 'hub_top_downloads'"
    ).fetchone()
    assert deeper and deeper[0] > 0  # some roots are parents the listing lacked


def test_parent_lookups_are_bounded_and_resume(served, tmp_path):
    with HubServer(served, page_size=1000) as srv:
        con = connect(tmp_path / "w.duckdb")
        a = snapshot(con, srv.url, TOP, "downloads", today=DAY, max_parents=3)
        assert a.parents_fetched == 3 and a.parents_left > 0
        first3 = list(srv.info_requests)
        b = snapshot(con, srv.url, TOP, "downloads", today=DAY, max_parents=500)
        assert not b.listed and b.parents_left == 0
        assert len(srv.info_requests) == len(set(srv.info_requests))  # none asked again
        assert srv.info_requests[:3] == first3
        con.close()


def test_cli_snapshot_trending_and_hub_share_on_it(served, tmp_path):
    db = tmp_path / "cli.duckdb"
    with HubServer(served, page_size=1000) as srv:
        r = CliRunner().invoke(
            app,
            ["--db", str(db), "hub", "snapshot", "--top", "40", "--sort", "trending",
             "--endpoint", srv.url],
        )  # fmt: skip
        assert r.exit_code == 0, r.output
        assert "sort=trendingScore" in srv.served_pages[0]
    wh = aicensus.open(db)
    snaps = wh.hub.snapshots()
    assert snaps["source"].tolist() == ["hub_top_trending"]
    day = snaps["snapshot"].iat[0]
    df = wh.hub.share(source="hub_top_trending", snapshot=day)
    assert df.attrs["meta"]["snapshot"] == day and df["models"].sum() == 40
    r = CliRunner().invoke(app, ["--db", str(db), "hub", "share", "--snapshot", day])
    assert r.exit_code == 0, r.output
