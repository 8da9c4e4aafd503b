"""GitHub measures on the real keyword rankings: each definition answers "which countries own
the most-starred model repositories on 2026-08-22", naming the repositories and its caveats."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from aicensus.errors import MeasureError
from aicensus.measures import github as g


@pytest.fixture()
def gcon(github_db: Path):
    con = duckdb.connect(str(github_db), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("definition", g.DEFINITIONS)
def test_share_on_a_date_names_repositories_and_caveats(gcon, definition):
    r = g.share(gcon, g.GithubQuery(definition=definition, day="2026-08-22"))
    t, m = r.table, r.meta
    assert m["definition"] == definition and m["date"] == "2026-08-22"
    assert m["coverage"]["caveat"] == "top-100 lists, not a census of GitHub"
    assert len(m["coverage"]["lists_in_force"]) == 15
    c = m["definition_counts"]
    assert c["kept"]["repos"] + c["left_out"]["repos"] == 1_076  # distinct repos that day
    assert "unknown" in set(t["unit"])
    assert t["stars"].sum() == c["kept"]["stars"]
    assert t.loc[t["unit"] != "unknown", "top_repos"].str.len().min() > 0
    assert 0.0 <= m["coverage"]["unknown_share"] <= 1.0


def test_registry_models_top_on_2026_08_22(gcon):
    r = g.top(gcon, g.GithubQuery(day="2026-08-22"), k=6)
    assert list(r.table["full_name"]) == [
        "deepseek-ai/DeepSeek-V3",
        "deepseek-ai/DeepSeek-R1",
        "meta-llama/llama",
        "meta-llama/llama3",
        "deepseek-ai/DeepSeek-Coder",
        "openai/gpt-oss",
    ]
    assert r.meta["standing"] == {"CN": {"repos": 3, "best": 1}, "US": {"repos": 3, "best": 3}}


def test_registry_models_leaves_out_tools_of_model_developers(gcon):
    r = g.top(gcon, g.GithubQuery(day="2026-08-22", definition="all-ai-repos"), k=2000)
    kept = set(g.top(gcon, g.GithubQuery(day="2026-08-22"), k=2000).table["full_name"])
    deepseek = set(r.table.loc[r.table["owner"] == "deepseek-ai", "full_name"])
    assert "deepseek-ai/DeepSeek-V3" in kept
    assert deepseek - kept  # e.g. awesome lists and harnesses are not model releases
    assert all(n.split("/")[0] != "karpathy" for n in kept)  # persons never count


def test_growth_period_flags_the_coverage_change(gcon):
    q = g.GithubQuery(weight="growth", start="2025-01-01", end="2025-12-31")
    m = g.share(gcon, q).meta["coverage"]["period"]
    assert m["spans_coverage_change"] is True
    q2 = g.GithubQuery(weight="growth", start="2025-06-01", end="2025-12-31")
    assert g.share(gcon, q2).meta["coverage"]["period"]["spans_coverage_change"] is False
    with pytest.raises(MeasureError, match="not before"):
        g.share(gcon, g.GithubQuery(weight="growth", start="2025-12-31", end="2025-01-01"))


def test_trend_marks_the_era_of_every_point(gcon):
    t = g.trend(gcon, g.GithubQuery()).table
    assert set(t["country"]) == {"CN", "US"}
    before = t["date"].astype(str) < "2025-03-04"
    assert (t.loc[before, "era"] == "2 keywords").all()
    assert (t.loc[~before, "era"] == "15 keywords").all()
    # the top model repositories of 2026 enter the lists only with the 15 keywords
    assert t["date"].astype(str).min() >= "2025-03-04"
    early = g.trend(gcon, g.GithubQuery(definition="all-ai-repos", end="2025-02-24")).table
    assert not early.empty and set(early["era"]) == {"2 keywords"}


def test_unknown_definition_is_one_line(gcon):
    with pytest.raises(MeasureError, match="unknown definition 'weights'"):
        g.share(gcon, g.GithubQuery(definition="weights"))


def test_github_claim_variants_per_definition(gcon):
    from aicensus.claims import files, verdicts

    repo = Path(__file__).resolve().parents[1]
    claims = [c for c in files.load(repo / "claims" / "debate.yaml") if "github" in c.id]
    assert [c.id for c in claims] == ["open-source-models-github-china-most"]
    (res,) = verdicts.check(gcon, claims)
    variants = res.variants if hasattr(res, "variants") else res[1]
    by_def: dict[str, set[str]] = {}
    for v in variants:
        by_def.setdefault(v.choices["definition@github"], set()).add(v.outcome)
    assert set(by_def) == set(g.DEFINITIONS)
    assert "holds" in by_def["registry-models"] and by_def["all-ai-repos"] == {"fails"}


def test_registry_models_does_not_depend_on_the_hub_being_loaded(
    github_db: Path, data_root: Path, tmp_path: Path
):
    """Model names come from Epoch and hub/families.yaml only: loading a Hub table (whose
    uploads include nomic-ai's gpt4all and lmsys' fastchat models) changes nothing."""
    from aicensus.ingest.hub import load_hub_dumps
    from aicensus.warehouse.connection import connect

    q = g.GithubQuery(day="2026-08-22")
    with duckdb.connect(str(github_db), read_only=True) as con:
        before, kept = g.share(con, q).table, g.top(con, q, k=2000).table["full_name"]
    path = tmp_path / "with_hub.duckdb"
    shutil.copy(github_db, path)
    con = connect(path)
    try:
        load_hub_dumps(con, str(data_root / "hf_models_table"))
        after = g.share(con, q).table
        assert list(g.top(con, q, k=2000).table["full_name"]) == list(kept)
        assert after[["unit", "value", "share"]].equals(before[["unit", "value", "share"]])
        assert not {"nomic-ai/gpt4all", "lm-sys/FastChat"} & set(kept)
        con.execute("DELETE FROM model_orgs; DELETE FROM models")
        with pytest.raises(MeasureError, match="reads Epoch's model names"):
            g.share(con, q)
    finally:
        con.close()
