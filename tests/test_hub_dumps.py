"""Hub dumps: the reference figures of both SOURCE.md files, reproduced by the loader, lineage
resolution and attribution; hand-checked lineage cases; the measures' interface."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from aicensus.errors import MeasureError
from aicensus.hub import lineage
from aicensus.hub.attribution import RULES, families, load_families
from aicensus.ingest.hub import load_hub_dumps
from aicensus.measures import hub as hm
from aicensus.orgs import Registry
from aicensus.sources.hub import HubRecord, parse, parse_tags_literal
from aicensus.warehouse import connect


@pytest.fixture()
def con(hub_db: Path):
    c = duckdb.connect(str(hub_db), read_only=True)
    yield c
    c.close()


def q(con, sql, *args):
    return con.execute(sql, list(args)).fetchall()


API, TABLE = "hf_models_api", "hf_models_table"


def test_api_dump_reference(con):
    assert q(
        con, "SELECT count(*), count(DISTINCT lower(model_id)) FROM hub_models WHERE source=?", API
    ) == [(29432, 29432)]
    assert q(
        con,
        "SELECT count(*) FILTER (WHERE downloads IS NULL), sum(downloads) "
        "FROM model_stats WHERE source=?",
        API,
    ) == [(212, 161801309)]
    assert q(con, "SELECT count(*) FROM hub_links WHERE source=?", API) == [(0,)]
    top = q(
        con,
        "SELECT coalesce(namespace, '(no namespace)'), count(*) FROM hub_models "
        "WHERE source=? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3",
        API,
    )
    assert top == [("huggingtweets", 2488), ("Helsinki-NLP", 1341), ("google", 492)]
    dl = q(
        con,
        "SELECT coalesce(m.namespace, '(no namespace)'), sum(s.downloads) FROM hub_models m "
        "JOIN model_stats s USING (source, model_id) WHERE source=? GROUP BY 1 "
        "ORDER BY 2 DESC LIMIT 3",
        API,
    )
    assert dl == [
        ("(no namespace)", 84249388),
        ("sentence-transformers", 14183519),
        ("cross-encoder", 8082897),
    ]
    # no links: every model is its own root
    assert q(
        con, "SELECT count(*) FROM hub_lineage WHERE source=? AND root_id <> model_id", API
    ) == [(0,)]
    assert q(con, "SELECT DISTINCT snapshot FROM hub_snapshots WHERE source=?", API) == [
        ("2022-02-15",)
    ]


def test_table_dump_reference(con):
    assert q(con, "SELECT count(*), sum(downloads) FROM model_stats WHERE source=?", TABLE) == [
        (9715, 1368390199)
    ]
    assert q(con, "SELECT count(*) FROM hub_models WHERE source=? AND n_parents>0", TABLE) == [
        (1658,)
    ]
    rel = dict(
        q(
            con,
            "SELECT relation, count(DISTINCT model_id) FROM hub_links WHERE source=? GROUP BY 1",
            TABLE,
        )
    )
    assert rel == {"finetune": 652, "adapter": 233, "quantized": 671, "merge": 102}
    assert q(con, "SELECT count(*) FROM hub_models WHERE source=? AND n_parents>1", TABLE) == [
        (102,)
    ]
    absent = "lower(parent_id) NOT IN (SELECT lower(model_id) FROM hub_models WHERE source=?)"
    assert q(
        con,
        f"SELECT count(*) FROM hub_links WHERE source=? AND position=0 AND {absent}",
        TABLE,
        TABLE,
    ) == [(341,)]
    assert q(
        con,
        f"SELECT count(DISTINCT model_id) FROM hub_links WHERE source=? AND {absent}",
        TABLE,
        TABLE,
    ) == [(354,)]
    top = q(
        con,
        "SELECT namespace, count(*) FROM hub_models WHERE source=? GROUP BY 1 "
        "ORDER BY 2 DESC, 1 LIMIT 4",
        TABLE,
    )
    assert top == [("timm", 420), ("facebook", 216), ("TheBloke", 197), ("Yntec", 197)]


def test_table_root_families(con):
    fam = q(
        con,
        "SELECT l.root_namespace, count(*), count(*) FILTER (WHERE m.n_parents>0), "
        "sum(s.downloads) FROM hub_lineage l JOIN hub_models m USING (source, model_id) "
        "JOIN model_stats s USING (source, model_id) WHERE source=? GROUP BY 1 "
        "ORDER BY 2 DESC, 1 LIMIT 10",
        TABLE,
    )
    assert fam == [
        ("timm", 420, 0, 27136916),
        ("meta-llama", 233, 213, 16846284),
        ("facebook", 231, 15, 44878426),
        ("google", 211, 62, 71371062),
        ("microsoft", 208, 63, 49138038),
        ("Yntec", 197, 0, 1742712),
        ("Qwen", 150, 85, 8296450),
        ("mistralai", 146, 135, 6915584),
        ("digiplay", 143, 0, 942538),
        ("stabilityai", 138, 93, 13895002),
    ]
    by_ref = dict(
        q(con, "SELECT ref_namespace, count(*) FROM hub_lineage WHERE source=? GROUP BY 1", TABLE)
    )
    assert [by_ref[n] for n in ("meta-llama", "facebook", "google", "microsoft")] == [
        237,
        232,
        213,
        210,
    ]
    roots = dict(
        q(con, "SELECT root_namespace, count(*) FROM hub_lineage WHERE source=? GROUP BY 1", TABLE)
    )
    assert (
        roots["Qwen"],
        roots["TheBloke"],
        roots["bartowski"],
        roots["unsloth"],
        roots["mradermacher"],
    ) == (150, 86, 79, 81, 49)


def test_attribution_rules_and_unknown_pinned(con):
    rules = {r for (r,) in q(con, "SELECT DISTINCT rule FROM hub_lineage")}
    assert rules <= set(RULES)
    # packagers are never an organization
    assert q(
        con,
        "SELECT count(*) FROM hub_lineage l JOIN hub_models m USING (source, model_id) "
        "WHERE m.namespace IN ('TheBloke','bartowski','mradermacher','unsloth',"
        "'lmstudio-community','second-state') AND (l.rule = 'namespace' "
        "OR l.uploader_org IS NOT NULL)",
    ) == [(0,)]
    r = hm.share(con, hm.HubQuery(source=TABLE))
    # 2,105 before the `name` rule (families.yaml names): 46 models whose lineage ends in a
    # packager's or unregistered namespace are now attributed by the family name they carry
    assert r.meta["unknown"]["models"] == 2059
    assert r.meta["attribution_rules"]["name"] == 2105 - 2059
    assert r.table["unit"].iloc[-1] == "unknown"
    assert r.table["share"].sum() == pytest.approx(1.0)
    r22 = hm.share(con, hm.HubQuery(source=API))
    assert r22.meta["unknown"]["models"] == 9319
    assert r22.meta["snapshot"] == "2022-02-15"


def test_hand_checked_models(con):
    row = q(
        con,
        "SELECT root_id, rule, root_org, root_country FROM hub_lineage "
        "WHERE source=? AND model_id='TheBloke/Llama-2-7B-Chat-GGUF'",
        TABLE,
    )
    assert row == [("meta-llama/Llama-2-7b-chat-hf", "lineage", "meta", "US")]
    # packager re-uploads: absent parent with a registered namespace; no link at all; absent
    # parent of an unregistered namespace (both fall back to the architecture)
    cases = {
        "TheBloke/Wizard-Vicuna-13B-Uncensored-GGUF": (
            "parent-namespace",
            "cognitive-computations",
        ),
        "TheBloke/CodeLlama-7B-Instruct-GPTQ": ("architecture", "meta"),
        "TheBloke/Mistral-7B-OpenOrca-GPTQ": ("architecture", "mistral"),
    }
    for mid, want in cases.items():
        got = q(
            con, "SELECT rule, root_org FROM hub_lineage WHERE source=? AND model_id=?", TABLE, mid
        )
        assert got == [want], mid
    row = q(
        con,
        "SELECT rule, root_org, root_country FROM hub_lineage "
        "WHERE source=? AND model_id='Qwen/Qwen2-7B-Instruct'",
        TABLE,
    )
    assert row == [("lineage", "qwen", "CN")]  # base Qwen/Qwen2-7B is in the table


def test_measures_interface(con):
    r = hm.share(con, hm.HubQuery(by="org", weight="downloads", attribution="uploader"))
    assert list(r.table.columns[:4]) == ["unit", "name", "value", "share"]
    assert r.meta["source"] == TABLE and r.meta["snapshot"] == "2024-09-20"
    assert "meta" in set(r.table["unit"])
    d = hm.share(con, hm.HubQuery(weight="derivatives"))
    assert d.table["value"].sum() == 1658
    fam = hm.top_families(con, hm.HubQuery(weight="derivatives"), top=5).table
    assert fam["derivatives"].is_monotonic_decreasing
    c = hm.concentration(con, hm.HubQuery()).table
    assert ((c["hhi"] > 0) & (c["hhi"] <= 1)).all()
    ch = hm.change(con, hm.HubQuery(), "2022-02-15", "2024-09-20").table
    assert "change_pp" in ch.columns
    with pytest.raises(MeasureError):
        hm.share(con, hm.HubQuery(weight="likes"))


def test_no_snapshot_loaded(tmp_path):
    c = connect(tmp_path / "empty.duckdb")
    with pytest.raises(MeasureError, match="no hub snapshot loaded"):
        hm.share(c, hm.HubQuery())


def test_lineage_cycles_and_self_refs():
    ids = np.array(["a", "b", "c", "d", "e", "f", "g"], dtype=object)
    par = np.array(["b", "c", "a", "a", "e", None, "zz"], dtype=object)  # a->b->c->a, e->e
    r = lineage.resolve(ids, par)
    assert r.self_refs == [4]
    assert [sorted(c) for c in r.cycles] == [[0, 1, 2]]
    # cut at 'a': a is a root, c->a, b->c->a, d->a
    assert list(r.root[:5]) == [0, 0, 0, 0, 4]
    assert list(r.depth[:4]) == [0, 2, 1, 1]
    assert r.parent_absent.tolist() == [False] * 6 + [True]


def test_tags_literal_is_safe():
    assert parse_tags_literal("['a', 'base_model:x/y']") == ["a", "base_model:x/y"]
    for bad in ("__import__('os').system('true')", "['a', f()]", "{'a': 1}"):
        with pytest.raises(ValueError):
            parse_tags_literal(bad)
    csv = b"modelId,downloads,tags\nok/a,1,\"['x']\"\nbad/b,2,\"[open('x')]\"\n"
    p = parse(csv, "t.csv", TABLE)
    assert [r.model_id for r in p.records] == ["ok/a"]
    assert p.quarantine[0]["record_id"] == "bad/b"


def test_links_rules():
    r = HubRecord("u/m", tags=["base_model:A/x", "base_model:merge:A/x", "base_model:merge:B/y"])
    assert r.links() == [("A/x", "merge", 0, "relation-tag"), ("B/y", "merge", 1, "relation-tag")]
    assert HubRecord("u/m", tags=["base_model:A/x"]).links() == [
        ("A/x", "unspecified", 0, "plain-tag")
    ]
    assert HubRecord("u/m", card_base_model=["C/z"]).links()[0][3] == "card"


def test_families_table_valid():
    fam = families()
    reg = Registry.load()
    assert all(v in reg.orgs for v in fam.architectures.values())
    assert {
        "thebloke",
        "bartowski",
        "mradermacher",
        "unsloth",
        "lmstudio-community",
        "second-state",
    } <= fam.packagers
    assert fam.architectures["qwen2"] == "qwen" and fam.architectures["llama"] == "meta"
    with pytest.raises(Exception, match="not a registry id"):
        load_families("packagers: []\narchitectures: {llama: nobody}\n")


def test_reload_is_idempotent(hub_db, data_root, tmp_path):
    import shutil

    p = tmp_path / "h.duckdb"
    shutil.copy(hub_db, p)
    c = connect(p)
    before = q(c, "SELECT count(*) FROM hub_lineage")
    s = load_hub_dumps(c, str(data_root / "hf_models_table"))
    assert not s[0].written
    assert q(c, "SELECT count(*) FROM hub_lineage") == before
    c.close()


def test_open_weights_claim_hub_variants_say_the_hub_data_end_2024_09(hub_db: Path):
    """The open-weights claim is about 2025; the Hub dumps end 2024-09: every Hub test is
    insufficient data saying so (never refuted on 2024 data)."""
    from aicensus.claims import files, verdicts
    from tests.conftest import REPO

    (claim,) = [
        c for c in files.load(REPO / "claims/debate.yaml") if c.id == "open-weights-china-most"
    ]
    con = duckdb.connect(str(hub_db), read_only=True)
    try:
        (v,) = verdicts.check(con, [claim])
    finally:
        con.close()
    hub = [t for x in v.variants for t in x.tests if t.measure == "hub.share"]
    assert hub and all(t.outcome == "insufficient" for t in hub)
    assert all("data end 2024-09, claim is about 2025" in (t.missing or "") for t in hub)
    assert v.verdict == "insufficient data"
