"""The report's GitHub panel: the definitions table, the top model repositories and the
stars-over-time chart that marks the 2025-03-04 coverage change."""

from __future__ import annotations

import json

import duckdb

from aicensus.measures import github as gm
from aicensus.report.github_section import github_section


def test_github_panel(github_db):
    con = duckdb.connect(str(github_db), read_only=True)
    try:
        s = github_section(con)
        want = gm.top(con, gm.GithubQuery(definition="registry-models"), k=10).table
    finally:
        con.close()
    html = "\n".join(s.blocks)
    # one row per definition, with its rule; the top repository named with its stars
    for d in gm.DEFINITIONS:
        assert f">{d}<" in html
    assert want["full_name"].iloc[0] in html and f"{want['stars'].iloc[0]:,}" in html
    assert "top-100 lists, not a census" in s.intro
    # the trend chart: lines split by era, the coverage change drawn as a rule
    (spec,) = s.charts.values()
    text = json.dumps(spec)
    assert "2025-03-04" in text and '"era"' in text and "rule" in text


def test_github_panel_without_data(paperlists_db):
    con = duckdb.connect(str(paperlists_db), read_only=True)
    try:
        s = github_section(con)
    finally:
        con.close()
    assert not s.charts and "no github rankings loaded" in "\n".join(s.blocks)
