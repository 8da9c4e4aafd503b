"""GitHub star rankings: the load reproduces SOURCE.md's reference table from the warehouse,
owners map to registry organizations by their GitHub accounts, bad rows are quarantined."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import duckdb
import pytest

from aicensus.errors import SourceError
from aicensus.ingest.github import load_github
from aicensus.orgs import Registry
from aicensus.sources import github
from aicensus.warehouse import connect

REG = Registry.load()


@pytest.fixture()
def gcon(github_db: Path):
    con = duckdb.connect(str(github_db), read_only=True)
    yield con
    con.close()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row


def test_reference_table_from_the_warehouse(gcon):
    """SOURCE.md's keyword-table figures, recomputed from what was loaded."""
    rows, days = one(
        gcon,
        "SELECT sum(n_rows), count(DISTINCT date) FROM github_list_days WHERE lists = 'keyword'",
    )
    assert (rows, days) == (932_100, 1_177)
    lo, hi = one(gcon, "SELECT min(date), max(date) FROM github_snapshots WHERE lists = 'keyword'")
    assert (lo, hi) == (date(2023, 5, 18), date(2026, 8, 22))
    gap = gcon.execute(
        "SELECT count(*) FROM github_list_days WHERE date > '2025-02-24' AND date < '2025-03-04'"
    ).fetchone()
    assert gap == (0,)
    before = dict(
        gcon.execute(
            "SELECT list, sum(n_rows) FROM github_list_days WHERE lists = 'keyword' "
            "AND date < '2025-03-04' GROUP BY 1"
        ).fetchall()
    )
    assert before == {"LLM": 64_100, "chatGPT": 64_000}
    after = gcon.execute(
        "SELECT list, min(n_rows), max(n_rows) FROM github_list_days WHERE lists = 'keyword' "
        "AND date >= '2025-03-04' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [a[0] for a in after] == sorted(
        "AGI AI|AI Agents|ChatGPT|Chatbot|Claude|Deepseek|Generative AI|LLM|LLaMA|Mistral|MoE|"
        "OpenAI|RAG|Transformer".replace("AGI AI", "AGI|AI").split("|")
    )
    assert {(a[1], a[2]) for a in after} == {(100, 100)}
    stars = dict(
        gcon.execute(
            "SELECT full_name, stars FROM github_snapshots WHERE lists = 'keyword' "
            "AND date = '2026-08-22' AND repo_key IN ('deepseek-ai/deepseek-v3', "
            "'deepseek-ai/deepseek-r1', 'meta-llama/llama', 'openai/gpt-oss')"
        ).fetchall()
    )
    assert stars == {
        "deepseek-ai/DeepSeek-V3": 104_384,
        "deepseek-ai/DeepSeek-R1": 92_035,
        "meta-llama/llama": 59_570,
        "openai/gpt-oss": 20_329,
    }


def test_repositories_once_per_day_and_case_merged(gcon):
    """2,090 distinct names (SOURCE.md) are 2,075 repositories: 15 names differ only in case.
    A repository is one row per day, keeping the keywords that listed it."""
    names, keys, merged = one(
        gcon,
        "SELECT count(DISTINCT s.full_name), count(DISTINCT s.repo_key), "
        "(SELECT sum(spellings - 1) FROM github_repos WHERE lists = 'keyword') "
        "FROM github_snapshots s WHERE lists = 'keyword'",
    )
    assert (keys, merged) == (2_075, 15)
    assert names >= keys
    dup = one(
        gcon,
        "SELECT count(*) FROM (SELECT date, repo_key FROM github_snapshots "
        "GROUP BY ALL HAVING count(*) > 1)",
    )
    assert dup == (0,)
    multi = one(
        gcon,
        "SELECT count(*) FROM github_snapshots WHERE n_lists > 1 AND len(list_names) = n_lists",
    )
    assert multi[0] > 0


def test_owner_country_from_registry_accounts_only(gcon):
    got = dict(
        gcon.execute(
            "SELECT owner, coalesce(org_root, '') || ':' || coalesce(country, '') "
            "FROM github_repos WHERE owner IN "
            "('deepseek-ai', 'QwenLM', 'meta-llama', 'karpathy', 'langchain-ai')"
        ).fetchall()
    )
    assert got["deepseek-ai"] == "deepseek:CN"
    assert got["QwenLM"] == "alibaba:CN"
    assert got["meta-llama"] == "meta:US"
    assert got["karpathy"] == ":"  # a person: unknown, never guessed
    assert got["langchain-ai"] == ":"  # an organization not in the registry


def test_registry_github_accounts_lookup():
    assert REG.by_github("QwenLM").id == "qwen"
    assert REG.by_github("qwenaudio").id == "qwen"
    assert REG.by_github("THUDM").id == REG.by_github("zai-org").id == "zhipu"
    assert REG.by_github("facebookresearch").id == "meta-fair"
    assert REG.by_github("karpathy") is None


def test_registry_github_accounts_appear_in_the_rankings(data_root: Path):
    """Every registry GitHub account owns a repository in one of the two ranking files, and the
    model developers named by the issue are covered (like the HF namespaces are checked)."""
    d = data_root / "github_rankings"
    owners = {
        r[0].lower()
        for r in duckdb.sql(
            f"SELECT DISTINCT split_part(full_name, '/', 1) FROM read_csv("
            f"'{d / 'ai_keyword_lists' / github.KEYWORD_FILE}') UNION SELECT DISTINCT username "
            f"FROM read_csv('{d / 'all_languages' / github.LANGUAGE_FILE}')"
        ).fetchall()
    }
    accounts = REG.github_accounts()
    assert sorted(a for a in accounts if a not in owners) == []
    for a in (
        "deepseek-ai", "QwenLM", "QwenAudio", "THUDM", "zai-org", "meta-llama",
        "facebookresearch", "openai", "google", "microsoft", "mistralai", "Stability-AI",
        "InternLM", "OpenGVLab", "baichuan-inc",
    ):  # fmt: skip
        assert a.lower() in accounts, a


def test_github_account_on_two_orgs_is_an_error():
    from aicensus.orgs.registry import RegistryError

    text = (
        "- {id: a, name: A, kind: company, country: US, github: [acme]}\n"
        "- {id: b, name: B, kind: company, country: US, github: [ACME]}\n"
    )
    with pytest.raises(RegistryError, match="github account 'ACME' of 'b' also on 'a'"):
        Registry.from_text(text, "t.yaml")


def test_bad_rows_quarantined_and_load_is_idempotent(tmp_path: Path, data_root: Path):
    src = data_root / "github_rankings" / "ai_keyword_lists" / github.KEYWORD_FILE
    with gzip.open(src, "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(5)]
    lines += [
        "2024-13-01,LLM,6,a/b,10,1,0\n",
        "2024-01-01,LLM,7,no-slash,10,1,0\n",
        "2024-01-01,LLM,8,a/c,many,1,0\n",
    ]
    p = tmp_path / "kw.csv"
    p.write_text("".join(lines), encoding="utf-8")
    con = connect(tmp_path / "w.duckdb")
    s = load_github(con, str(p))
    assert s.quarantined == 3 and s.snapshot_rows == 4 and s.written
    reasons = [r[0] for r in con.execute("SELECT reason FROM quarantine ORDER BY 1").fetchall()]
    assert reasons == [
        "date missing or not YYYY-MM-DD",
        "name is not owner/repo",
        "stars not a non-negative integer",
    ]
    assert not load_github(con, str(p)).written  # same content, parser and registry
    con.close()


def test_missing_column_is_one_line(tmp_path: Path):
    p = tmp_path / "kw.csv"
    p.write_text("date,topic,full_name\n2024-01-01,LLM,a/b\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"missing column\(s\) rank, stars, forks") as exc:
        github.parse(str(p))
    assert "\n" not in str(exc.value)


def test_load_summary_states_the_coverage_change(github_db: Path, data_root: Path):
    con = connect(github_db)
    s = load_github(con, str(data_root / "github_rankings" / "ai_keyword_lists"))
    con.close()
    assert not s.written
    assert list(s.list_names) == ["2023-05-18 .. 2025-02-24", "2025-03-04 .. 2026-08-22"]
    assert [len(v) for v in s.list_names.values()] == [2, 15]
    assert "2025-03-04" in (s.coverage_change or "")


@pytest.mark.slow
def test_language_lists_reference(tmp_path: Path, data_root: Path):
    con = connect(tmp_path / "w.duckdb")
    s = load_github(con, str(data_root / "github_rankings" / "all_languages"))
    rows, dates, lists = one(
        con, "SELECT sum(n_rows), count(DISTINCT date), count(DISTINCT list) FROM github_list_days"
    )
    con.close()
    assert (rows, dates, lists) == (294_080, 91, 36)
    assert s.lists == "language" and s.coverage_change is None
