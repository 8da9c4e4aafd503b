"""Accepted papers only (issue 19 item 1): per-file status counts from the files themselves, the
default `status=accepted` filter, `--status all`, and the figures of files without rejections
unchanged."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from aicensus.cli.main import app
from aicensus.geo.affiliations.resolver import Resolver
from aicensus.ingest.paperlists_affonly import load_affonly
from aicensus.measures import paper_status
from aicensus.measures import papers as pm
from aicensus.measures.provenance import paper_statuses
from aicensus.warehouse import connect

# The files with records that are not accepted papers (measured on the bundled copies).
AFFECTED = {
    "paperlists": ["iclr/iclr2013", "iclr/iclr2017", "iclr/iclr2018"],
    "paperlists_affonly": ["iclr/iclr2021", "nips/nips2021", "emnlp/emnlp2023"],
}


def _file_statuses(root: Path, key: str) -> Counter:
    """Records per status of one file, read with json/gzip (independent of the loader)."""
    records = json.loads(gzip.decompress((root / f"{key}.json.gz").read_bytes()))
    return Counter((r.get("status") or "") for r in records)


@pytest.fixture(scope="module")
def affonly_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ICLR 2021, NeurIPS 2021, EMNLP 2023 without countries from the full resolver: a bare
    resolver (text and e-mail rules only) is enough to count papers."""
    path = tmp_path_factory.mktemp("status") / "affonly.duckdb"
    con = connect(path)
    load_affonly(
        con,
        str(data_root / "paperlists_affonly"),
        Resolver.build(fuzzy=False),
        ["iclr", "nips", "emnlp"],
        [2021, 2023],
    )
    con.close()
    return path


@pytest.mark.parametrize("source", list(AFFECTED))
def test_status_counts_match_the_files(source, data_root, paperlists_db, affonly_db):
    """The warehouse's per-file per-status counts equal the files' own, and the rejected,
    withdrawn, workshop and undecided records are the ones not counted."""
    db = paperlists_db if source == "paperlists" else affonly_db
    with duckdb.connect(str(db), read_only=True) as con:
        df = paper_statuses(con, source)
    for key in AFFECTED[source]:
        expected = _file_statuses(data_root / source, key)
        rows = df[df["file"] == key]
        # loaded records (quarantined ones are not papers of the warehouse)
        got = dict(zip(rows["status"], rows["records"], strict=True))
        assert set(got) == set(expected), key
        assert all(got[s] <= expected[s] for s in got), key
        not_counted = {s for s in expected if not paper_status.is_accepted(source, s)}
        assert not_counted, f"{key} has records that are not accepted papers"
        assert set(rows.loc[~rows["counted"], "status"]) == not_counted


def test_iclr2021_counts_accepted_papers_only(affonly_db, data_root):
    """`papers share --source paperlists_affonly --venues iclr --years 2021`: 860 of 3,014
    records are accepted (2,154 Reject / Withdraw / Desk Reject); --status all counts all."""
    statuses = _file_statuses(data_root / "paperlists_affonly", "iclr/iclr2021")
    accepted = sum(n for s, n in statuses.items() if s not in ("Reject", "Withdraw", "Desk Reject"))
    assert accepted == 860 and sum(statuses.values()) == 3014
    con = duckdb.connect(str(affonly_db), read_only=True)
    q = dict(venues=("iclr",), years=(2021,), source="paperlists_affonly", countries="inferred")
    acc = pm.share(con, pm.PaperQuery(**q), regions_moved=False)
    every = pm.share(con, pm.PaperQuery(**q, status="all"), regions_moved=False)
    con.close()
    assert int(acc.table["papers_loaded"].iloc[0]) == accepted
    assert int(acc.table["denominator"].iloc[0]) <= accepted
    assert int(every.table["papers_loaded"].iloc[0]) == 3014
    assert acc.meta["status"].startswith("accepted: every status except reject")
    assert every.meta["status"].startswith("all")


def test_cli_status_option_and_status_table(affonly_db):
    """`--status all` on a paper command; `status` lists records per status, `--statuses` per
    file."""
    runner = CliRunner()
    args = ["--db", str(affonly_db), "papers", "share", "--source", "paperlists_affonly"]
    args += ["--venues", "iclr", "--years", "2021", "--countries", "inferred", "--format", "json"]
    for status, loaded in (("accepted", 860), ("all", 3014)):
        out = runner.invoke(app, [*args, "--status", status])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["rows"][0]["papers_loaded"] == loaded
    bad = runner.invoke(app, [*args, "--status", "rejected"])
    assert bad.exit_code == 1 and "unknown status 'rejected'" in str(bad.exception)
    out = runner.invoke(app, ["--db", str(affonly_db), "status", "--statuses"])
    assert out.exit_code == 0, out.output
    assert "Paper records per status" in out.output and "Desk Reject" in out.output
    assert "iclr/iclr2021" in out.output


def test_files_without_rejections_unchanged(paperlists_con):
    """Every paperlists file without a non-accepted status gives the same figures under
    `accepted` and `all` (the SOURCE.md reference tests pin the figures themselves)."""
    q = dict(venues=("nips", "ijcai"), years=(2018, 2024), method="country-fractional")
    acc = pm.share(paperlists_con, pm.PaperQuery(**q), regions_moved=False).table
    every = pm.share(paperlists_con, pm.PaperQuery(**q, status="all"), regions_moved=False).table
    assert acc.equals(every)


def test_openalex_works_all_count():
    assert paper_status.not_accepted("openalex") == ()
    assert paper_status.is_accepted("openalex", "Reject")
    assert not paper_status.is_accepted("paperlists", " reject ")
    assert paper_status.is_accepted("paperlists", None) and paper_status.is_accepted(
        "paperlists", ""
    )


def test_load_summary_reports_statuses(data_root, tmp_path):
    """`load paperlists` names the statuses it does not count, with the files holding them."""
    db = tmp_path / "iclr.duckdb"
    args = ["--db", str(db), "--data", str(data_root), "load", "paperlists"]
    out = CliRunner().invoke(app, [*args, "--venues", "iclr", "--years", "2017-2018"])
    assert out.exit_code == 0, out.output
    expected = _file_statuses(data_root / "paperlists", "iclr/iclr2018")
    assert f"not counted (Withdraw): {expected['Withdraw']:,} — iclr/iclr2018" in out.output
    counted = sum(
        n
        for key in ("iclr/iclr2017", "iclr/iclr2018")
        for s, n in _file_statuses(data_root / "paperlists", key).items()
        if paper_status.is_accepted("paperlists", s)
    )
    assert f"counted as accepted: {counted:,} records" in out.output
