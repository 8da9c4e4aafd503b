"""The weekly list of models created on the Hub in 2025 (hf_added_models_2025): SOURCE.md's
reference table reproduced from the warehouse, repeated ids, merges split, root families through
the Hub lineage rules (packagers never the organization), bad rows quarantined."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import duckdb
import pytest

from aicensus.errors import SourceError
from aicensus.ingest.hub_added import load_hub_added
from aicensus.sources import hub_added
from aicensus.warehouse import connect

FOLDER = "hf_added_models_2025"
FILE = "added_models_weekly_2025.csv.gz"


@pytest.fixture(scope="module")
def added_db(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hub_added") / "added.duckdb"
    con = connect(path)
    load_hub_added(con, str(data_root / FOLDER))
    con.close()
    return path


@pytest.fixture()
def con(added_db: Path):
    c = duckdb.connect(str(added_db), read_only=True)
    yield c
    c.close()


def q(con, sql, *args):
    return con.execute(sql, list(args)).fetchall()


def _num(text: str) -> int:
    return int(text.replace(",", ""))


def _reference(data_root: Path) -> dict:
    """SOURCE.md's reference table and parent-namespace list, read at test time."""
    text = (data_root / FOLDER / "SOURCE.md").read_text()
    table = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", text, re.M))
    types = [
        _num(x) for x in table["type empty / finetune / adapter / quantized / merge"].split("/")
    ]
    with_base = re.match(r"([\d,]+) \(([\d,]+) of them", table["rows with a base model"])
    distinct = re.match(r"([\d,]+) \(([\d,]+) ids", table["distinct model ids"])
    ns_text = text.split("(top 12):", 1)[1].split("(Counted", 1)[0]
    namespaces = [(n, _num(c)) for n, c in re.findall(r"([\w-]+)\s+([\d,]+)", ns_text)]
    assert with_base and distinct and len(namespaces) == 12
    return {
        "rows": _num(table["rows"]),
        "distinct": _num(distinct.group(1)),
        "repeated_ids": _num(distinct.group(2)),
        "types": dict(zip(["", "finetune", "adapter", "quantized", "merge"], types, strict=True)),
        "with_base": _num(with_base.group(1)),
        "several": _num(with_base.group(2)),
        "base_in_file": _num(table["rows whose base model is itself in the file"]),
        "namespaces": namespaces,
    }


def test_source_md_reference_table(con, data_root):
    ref = _reference(data_root)
    listings = "FROM hub_added_models"
    assert q(con, f"SELECT count(*), count(DISTINCT model_id) {listings}") == [
        (ref["rows"], ref["distinct"])
    ]
    # SOURCE.md: "598 ids appear in two weekly files" -- 598 ids appear in more than one
    # (564 in two, 24 in three, 10 in four)
    assert q(
        con,
        f"SELECT count(*) FROM (SELECT model_id {listings} GROUP BY 1 "
        "HAVING count(DISTINCT week_end) > 1)",
    ) == [(ref["repeated_ids"],)]
    types = dict(q(con, f"SELECT coalesce(relation, ''), count(*) {listings} GROUP BY 1"))
    assert types == ref["types"]
    assert q(
        con,
        "SELECT count(*) FILTER (WHERE base_model IS NOT NULL), "
        f"count(*) FILTER (WHERE n_parents > 1) {listings}",
    ) == [(ref["with_base"], ref["several"])]
    assert q(
        con,
        f"SELECT count(*) {listings} WHERE base_model IN (SELECT model_id FROM hub_added_models)",
    ) == [(ref["base_in_file"],)]
    top = q(
        con,
        f"SELECT split_part(base_model, '/', 1), count(*) {listings} WHERE base_model IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12",
    )
    assert top == ref["namespaces"]


def test_repeated_ids_count_once_at_their_first_week(con):
    # models: ids compared case-insensitively (as the Hub does): 105 ids differ only in case
    assert q(
        con,
        "SELECT count(*), count(DISTINCT lower(model_id)) FROM hub_added_models "
        "WHERE first_listing",
    ) == [(435680, 435680)]
    assert q(con, "SELECT count(*) FROM hub_added_lineage") == [(435680,)]
    rows = q(
        con,
        "SELECT week_end::VARCHAR, first_listing, relation FROM hub_added_models "
        "WHERE model_id = 'MrRobotoAI/A6' ORDER BY record_no",
    )
    assert rows == [
        ("2025-03-19", True, "merge"),
        ("2025-05-07", False, "merge"),
        ("2025-05-21", False, "merge"),
    ]
    # the earliest week wins even when a later-week row comes first in the file's case variant
    assert q(
        con,
        "SELECT model_id, week_end::VARCHAR FROM hub_added_models WHERE first_listing "
        "AND lower(model_id) = 'adun/typhoon_ocr-7b-v1.1'",
    ) == [("Adun/typhoon_ocr-7B-v1.1", "2025-06-18")]
    weeks = q(
        con,
        "SELECT count(DISTINCT week_end), min(week_end)::VARCHAR, max(week_end)::VARCHAR "
        "FROM hub_added_models",
    )
    assert weeks == [(16, "2025-03-19", "2025-07-02")]


def test_merges_split_one_link_per_parent(con):
    links = q(
        con,
        "SELECT parent_id, position, parent_in_file FROM hub_added_links "
        "WHERE model_id = (SELECT model_id FROM hub_added_models WHERE base_model = "
        "'Qwen/Qwen2.5-32B, Qwen/QwQ-32B, rinna/qwen2.5-bakeneko-32b' LIMIT 1) ORDER BY position",
    )
    assert [(p, i) for p, i, _ in links] == [
        ("Qwen/Qwen2.5-32B", 0),
        ("Qwen/QwQ-32B", 1),
        ("rinna/qwen2.5-bakeneko-32b", 2),
    ]
    assert q(
        con,
        "SELECT sum(n_parents) FROM hub_added_models WHERE first_listing",
    ) == q(con, "SELECT count(*) FROM hub_added_links")


def test_root_families_through_the_lineage_rules(con):
    def fam(sql_where: str) -> list:
        return q(
            con,
            "SELECT DISTINCT rule, root_org, root_country FROM hub_added_lineage l "
            f"JOIN hub_added_models m USING (model_id) WHERE m.first_listing AND {sql_where}",
        )

    # a packager's copy is its family's (unsloth is never the organization)
    assert fam("m.base_model = 'unsloth/Qwen2.5-7B-Instruct'") == [("name", "qwen", "CN")]
    # Gensyn swarm checkpoints: Gensyn's copy is in the file, its parent is Qwen's
    assert fam("m.base_model = 'Gensyn/Qwen2.5-0.5B-Instruct'") == [
        ("parent-namespace", "qwen", "CN")
    ]
    assert fam("m.base_model = 'unsloth/Meta-Llama-3.1-8B-Instruct'") == [("name", "meta", "US")]
    assert fam("m.base_model = 'black-forest-labs/FLUX.1-dev'") == [
        ("parent-namespace", "black-forest-labs", "DE")
    ]
    # a parent in the file is followed to its root
    deep = q(
        con,
        "SELECT count(*), min(depth) FROM hub_added_lineage WHERE depth > 1",
    )[0]
    assert deep[0] > 0 and deep[1] == 2
    assert q(
        con,
        "SELECT count(*) FROM hub_added_lineage l JOIN hub_added_links k "
        "ON k.model_id = l.model_id AND k.position = 0 "
        "WHERE k.parent_in_file AND l.depth = 0 AND lower(k.parent_id) <> lower(l.model_id)",
    ) == [(0,)]
    # packagers never an organization, as uploader or root
    assert q(
        con,
        "SELECT count(*) FROM hub_added_lineage WHERE lower(namespace) IN "
        "('unsloth','bartowski','mradermacher','thebloke') AND uploader_org IS NOT NULL",
    ) == [(0,)]
    assert q(con, "SELECT count(*) FROM hub_added_lineage WHERE root_org = 'unsloth'") == [(0,)]
    # unresolved derivatives stay unknown, counted
    unknown = q(
        con,
        "SELECT count(*) FROM hub_added_lineage WHERE relation IS NOT NULL AND root_org IS NULL",
    )[0][0]
    assert 0 < unknown < 0.2 * 119_280


def test_self_references_quarantined(con):
    n = q(
        con,
        "SELECT count(*) FROM quarantine WHERE source = ? AND reason LIKE 'lineage: model names%'",
        hub_added.SOURCE,
    )[0][0]
    assert (
        n
        == q(
            con,
            "SELECT count(*) FROM hub_added_links WHERE lower(parent_id) = lower(model_id) "
            "AND position = 0",
        )[0][0]
    )
    assert n > 0


def _real_lines(data_root: Path, n: int) -> list[str]:
    with gzip.open(data_root / FOLDER / FILE, "rt", encoding="utf-8") as f:
        return [next(f).rstrip("\r\n") for _ in range(n)]


def test_bad_rows_quarantined_with_line_and_reason(data_root, tmp_path):
    lines = _real_lines(data_root, 8)
    bad = [
        "0319,a/b,finetune,x/y,extra",  # too many columns
        "1399,a/c,,",  # no such date
        "0319,not-an-id,,",
        "0319,a/d,distill,x/y",
        "0319,a/e,finetune,",
        '0319,a/f,merge,"x/y, not an id"',
    ]
    text = "\n".join(lines[:4] + bad + lines[4:]) + "\n"
    p = parse_text(text, "t.csv")
    reasons = {r["record_no"]: r["reason"] for r in p.quarantine}
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10]
    assert reasons[5].startswith("csv: too many columns")
    assert "not a date" in reasons[6] and "namespace/name" in reasons[7]
    assert "type is not one of" in reasons[8] and "without a base_model" in reasons[9]
    assert "base_model names an id" in reasons[10]
    assert p.models.num_rows == 7
    # line numbers of the accepted rows skip the quarantined ones
    assert p.models.column("record_no").to_pylist() == [2, 3, 4, 11, 12, 13, 14]


def parse_text(text: str, location: str) -> hub_added.Parsed:
    return hub_added.parse(text.encode(), location)


def test_wrong_file_is_one_line_error(tmp_path):
    with pytest.raises(SourceError, match=r"t\.csv: not the weekly added-models CSV"):
        parse_text("modelId,downloads\na/b,1\n", "t.csv")


def test_reload_is_idempotent(added_db, data_root, tmp_path):
    import shutil

    p = tmp_path / "w.duckdb"
    shutil.copy(added_db, p)
    c = connect(p)
    try:
        s = load_hub_added(c, str(data_root / FOLDER / FILE))
        assert not s.written and s.models == 435680
    finally:
        c.close()


# ------------------------------------------------------------------ measures, CLI, claim, report


def test_derivatives_add_up_across_relations_weeks_and_units(con):
    from aicensus.measures import hub_added as ha

    n = q(con, "SELECT count(*) FROM hub_added_lineage WHERE relation IS NOT NULL")[0][0]
    total = ha.derivatives(con, ha.AddedQuery())
    assert total.meta["total"] == n == total.table["value"].sum()
    assert total.table["unit"].iloc[-1] == "unknown"
    assert total.table["share"].sum() == pytest.approx(1.0)
    known = total.table[total.table["unit"] != "unknown"]
    assert known["share_known"].sum() == pytest.approx(1.0)
    parts = [ha.derivatives(con, ha.AddedQuery(relation=r)).meta["total"] for r in ha.RELATIONS[1:]]
    assert sum(parts) == n
    weekly = ha.derivatives(con, ha.AddedQuery(per="week"))
    assert weekly.table["week_end"].nunique() == 16
    assert weekly.table["value"].sum() == n
    cn = int(total.table.set_index("unit").loc["CN", "value"])
    assert weekly.table.loc[weekly.table["unit"] == "CN", "value"].sum() == cn
    orgs = ha.derivatives(con, ha.AddedQuery(by="org")).table.set_index("unit")
    assert orgs.index[0] == "qwen"  # the largest root organization of 2025's derivatives
    assert total.meta["period"] == {
        "first_week_end": "2025-03-19",
        "last_week_end": "2025-07-02",
        "weeks": 16,
    }
    assert "not usage" in total.meta["caveat"] and total.meta["sources"]


def test_top_uploaders_left_out(con):
    from aicensus.measures import hub_added as ha

    up = ha.uploaders(con, ha.AddedQuery(), top=10)
    assert up.table["namespace"].iloc[0] == "mradermacher"
    assert up.table["cumulative_share"].is_monotonic_increasing
    without = ha.derivatives(con, ha.AddedQuery(exclude_top=10))
    left = without.meta["excluded_uploaders"]
    assert [x["namespace"] for x in left] == list(up.table["namespace"])
    assert without.meta["total"] == up.meta["total"] - up.table["value"].sum()
    # Gensyn's swarm checkpoints are spread over many uploaders: no top-k catches them
    gensyn = q(
        con,
        "SELECT count(*), count(DISTINCT l.namespace) FROM hub_added_lineage l "
        "JOIN hub_added_links k ON k.model_id = l.model_id AND k.position = 0 "
        "WHERE l.relation IS NOT NULL AND split_part(k.parent_id, '/', 1) = 'Gensyn'",
    )[0]
    assert gensyn[1] > 1000
    no_gensyn = ha.derivatives(con, ha.AddedQuery(exclude_parents=("gensyn",)))
    assert no_gensyn.meta["total"] == up.meta["total"] - gensyn[0]


def test_cli_added_and_uploaders(added_db, tmp_path):
    from typer.testing import CliRunner

    from aicensus.cli.main import app

    runner = CliRunner()
    out = tmp_path / "w.csv"
    chart = tmp_path / "w.svg"
    r = runner.invoke(
        app,
        ["--db", str(added_db), "hub", "added", "--per", "week", "--relation", "quantized",
         "--format", "csv", "--output", str(out), "--chart", str(chart)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("week_end,unit,name,value,share,share_known")
    assert chart.stat().st_size > 1000
    r = runner.invoke(app, ["--db", str(added_db), "hub", "added", "--exclude-top", "3"])
    assert r.exit_code == 0 and "left out: mradermacher" in r.output, r.output
    r = runner.invoke(app, ["--db", str(added_db), "hub", "uploaders", "--top", "3"])
    assert r.exit_code == 0 and "mradermacher" in r.output
    r = runner.invoke(app, ["--db", str(added_db), "hub", "added", "--relation", "distill"])
    assert r.exit_code == 1 and "unknown relation 'distill'" in str(r.exception)


def test_claim_2025_variant(added_db):
    from aicensus.claims import files, verdicts

    debate = Path(__file__).resolve().parents[1] / "claims" / "debate.yaml"
    claims = [c for c in files.load(debate) if c.id == "open-weights-china-most-2025-derivatives"]
    c = duckdb.connect(str(added_db), read_only=True)
    try:
        (v,) = verdicts.check(c, claims)
    finally:
        c.close()
    doc = v.to_dict()
    variants = doc["variants"]
    assert len(variants) == 20  # 5 relations x with/without top 10 x known/all denominators
    assert {x["outcome"] for x in variants} == {"fails"}
    assert doc["verdict"] == "refuted"


def test_report_chart_of_weekly_derivatives(con):
    from aicensus.report.hub_section import hub_section

    s = hub_section(con)
    html = "\n".join(s.blocks)
    assert "hf_added_models_2025" in html and "2025-03-19 .. 2025-07-02" in html
    assert "Derivatives, not usage" in html
    spec = next(iter(s.charts.values()))
    assert spec["mark"]["type"] == "line"
