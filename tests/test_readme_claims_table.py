"""The README's claims table is what the generator writes on the bundled data (every source
loaded as `aicensus run` loads it), so no number in it is copied by hand; the report built in
the same run opens with the scorecard and its links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import aicensus
from aicensus.report import readme_table
from tests.shared import FullRun, copy_of

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def full(data_root, full_run: FullRun, tmp_path_factory):
    """A warehouse with every bundled source and the report `run` writes (a copy of conftest's
    full_run, which checks claims/debate.yaml)."""
    assert full_run.returncode == 0, full_run.output[-3000:]
    tmp = copy_of(full_run.folder, tmp_path_factory.mktemp("full"))
    return aicensus.open(tmp / "w.duckdb", data_root), tmp / "report.html"


@pytest.mark.slow
def test_readme_claims_table_is_generated(full):
    wh, _ = full
    table = wh.claims_table(REPO / "claims" / "debate.yaml")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_table.block(readme) == table, (
        "README claims table is stale: run `aicensus check claims/debate.yaml --format markdown "
        "--readme README.md` on a warehouse built by `aicensus run`"
    )


@pytest.mark.slow
def test_report_opens_with_the_scorecard(full):
    _, report = full
    text = Path(report).read_text(encoding="utf-8")
    sections = re.findall(r'<section id="([^"]+)"', text)
    assert sections[0] == "scorecard", sections
    ids = set(re.findall(r'id="([^"]+)"', text))
    links = set(re.findall(r'href="#([^"]+)"', text))
    assert links <= ids, sorted(links - ids)
    assert sum(x.startswith("claim-") for x in links) >= 19
