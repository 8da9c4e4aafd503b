"""The organization registry: schema validation, ROR ids and countries against the real ROR
records (v1 and v2 schemas), matching rules, and coverage of the real sources."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import pytest

from aicensus.orgs import KINDS, Registry, RegistryError
from aicensus.orgs.matching import FUZZY_THRESHOLD

REG = Registry.load()


def _ror_country(rec: dict) -> set[str]:
    if "locations" in rec:  # schema v2
        return {loc["geonames_details"]["country_code"] for loc in rec["locations"]}
    return {rec["country"]["country_code"]}  # schema v1


@pytest.fixture(scope="module")
def ror(data_root: Path) -> dict[str, dict]:
    """Every ROR record: the AI subset (v1 and v2 files) plus the latest-per-id union."""
    d = data_root / "ror_records"
    recs: dict[str, dict] = {}
    with gzip.open(d / "ror_latest_per_id.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            recs[r["id"].rsplit("/", 1)[1]] = r
    for name in ("ror_records_v1.jsonl", "ror_records_v2.jsonl"):
        for line in (d / name).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            recs[r["id"].rsplit("/", 1)[1]] = r
    return recs


def test_registry_size_and_fields():
    assert len(REG) >= 200
    for o in REG.orgs.values():
        assert o.kind in KINDS
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", o.id), o.id
        assert len(o.country) == 2 and o.country.isupper()


def test_parents_named_in_the_issue():
    expect = {
        "google-deepmind": "google",
        "qwen": "alibaba",
        "kling": "kuaishou",
        "hailuo": "minimax",
        "vidu": "shengshu",
        "bytedance-seed": "bytedance",
    }
    for child, parent in expect.items():
        assert REG.get(child).parent == parent
        assert REG.root(child) == parent
    assert REG.match("KlingAI").org_id == "kling"
    assert REG.match("Seedance").org_id == "bytedance-seed"
    assert REG.match("Vidu").org_id == "vidu"


def test_ror_ids_and_countries_match_real_records(ror):
    with_ror = [o for o in REG.orgs.values() if o.ror]
    assert len(with_ror) >= 150
    schemas = set()
    for o in with_ror:
        rec = ror.get(o.ror)
        assert rec is not None, f"{o.id}: ROR id {o.ror} not in the ROR records"
        assert rec.get("status") == "active", f"{o.id}: ROR {o.ror} is {rec.get('status')}"
        assert o.country in _ror_country(rec), f"{o.id}: {o.country} vs ROR {_ror_country(rec)}"
        schemas.add("v2" if "locations" in rec else "v1")
    assert schemas == {"v1", "v2"}  # both schemas are exercised
    assert REG.get("openai").ror == "05wx9n238"  # a v1 record
    assert REG.get("alibaba").ror == "00k642b80"  # a v2 record


def test_headquarters_vs_epoch_coding():
    # Epoch codes DeepMind GB and Google DeepMind US; the registry has one HQ (London) and
    # rolls up to Google (US).
    assert REG.match("DeepMind").org_id == REG.match("Google DeepMind").org_id
    assert REG.country("google-deepmind") == "GB"
    assert REG.country("google-deepmind", rollup=True) == "US"
    assert REG.country("microsoft-research-asia") == "CN"
    assert REG.country("microsoft-research-asia", rollup=True) == "US"


def test_matching_rules():
    assert REG.match("Z.ai").rule == "exact"
    m = REG.match("  z.ai (zhipu ai) ")
    assert (m.org_id, m.rule) == ("zhipu", "normalized")
    assert REG.match("Moonshot AI Ltd.").rule == "normalized"
    m = REG.match("Stanford Univeristy")
    assert (m.org_id, m.rule) == ("stanford", "fuzzy") and m.score >= FUZZY_THRESHOLD
    # one-word differences never fuzzy-match across organizations
    assert REG.match("University of Bern").org_id == "bern"
    assert REG.match("University of Vermont") is None
    assert REG.match("Open Source") is None
    assert REG.match("") is None and REG.match(None) is None


def test_hf_namespace_lookup():
    assert REG.by_hf_namespace("Qwen").id == "qwen"
    assert REG.by_hf_namespace("meta-llama").id == "meta"
    assert REG.by_hf_namespace("deepseek-ai").id == "deepseek"
    assert REG.by_hf_namespace("no-such-namespace") is None


def test_registry_orgs_appear_in_real_sources(data_root: Path):
    """At least 200 registry organizations are named in Epoch, the arenas or as HF namespaces."""
    names: set[str] = set()
    with (data_root / "epoch_notable_models" / "notable_ai_models.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.update(p.strip() for p in re.split(r",(?! )", row["Organization"]) if p)
    for p in (data_root / "arena_text_history").rglob("*.csv"):
        with p.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                names.add(row.get("organization") or row.get("Organization") or "")
    for p in (data_root / "arena_video").rglob("*.json"):
        names.update(m["creator"]["name"] for m in json.loads(p.read_text())["models"])
    namespaces: set[str] = set()
    hf_table = data_root / "hf_models_table" / "hf_models_top_downloads_2024-09.csv.gz"
    with gzip.open(hf_table, "rt", encoding="utf-8") as f:
        namespaces.update(row["author"].lower() for row in csv.DictReader(f))
    seen = {m.org_id for n in names if (m := REG.match(n))}
    seen |= {o.id for o in REG.orgs.values() if any(h.lower() in namespaces for h in o.hf)}
    assert len(seen) >= 200, len(seen)


BASE = "- {id: a, name: A, kind: company, country: US}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE + BASE, "duplicate id"),
        ("- {id: a, name: A, kind: company, country: XX}\n", "not ISO 3166-1"),
        ("- {id: a, name: A, kind: shop, country: US}\n", "kind 'shop'"),
        ("- {id: a, name: A, kind: company, country: US, parent: b}\n", "parent 'b'"),
        (
            "- {id: a, name: A, kind: company, country: US, parent: b}\n"
            "- {id: b, name: B, kind: company, country: US, parent: a}\n",
            "cycle",
        ),
        (BASE + "- {id: b, name: B, kind: company, country: US, aliases: [A]}\n", "alias 'A'"),
        (BASE + "- {id: b, name: 'a inc.', kind: company, country: US}\n", "normalized alias"),
        ("- {id: a, name: A, kind: company, country: US, ror: xyz}\n", "ROR id"),
        ("- {id: a, name: A, kind: company}\n", "missing or empty 'country'"),
        ("- {id: a, name: A, kind: company, country: US, colour: red}\n", "unknown field"),
        ("{a: [", "invalid YAML"),
    ],
)
def test_validation_errors_are_one_line(text, message):
    with pytest.raises(RegistryError, match=re.escape(message)) as exc:
        Registry.from_text(text, "test.yaml")
    assert "\n" not in str(exc.value)
