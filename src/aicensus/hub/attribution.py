"""Attribute every Hub model to an organization and country, directly and by root family.

Rules (stored per model in hub_lineage.rule; the first that applies wins):
- `namespace`: no lineage link; the model's own namespace is a registered organization;
- `lineage`: the root ancestor (in the data) has a registered namespace;
- `parent-namespace`: the walk ended at a parent absent from the data; that id's namespace is
  registered;
- `architecture`: otherwise the model type of the root (or of the model) maps to a family's
  organization (families.yaml), e.g. qwen2 -> qwen, llama -> meta;
- `name`: otherwise, for a model with lineage, the name of the walk's end (the absent parent,
  else the root in the data; the part after the namespace) names a family (families.yaml
  `names`, the leftmost family name at a word start): unsloth/Qwen2.5-7B-Instruct -> qwen,
  Gensyn/Qwen2.5-0.5B-Instruct -> qwen. A model without lineage is never attributed by name;
- `unknown`: none of the above (always reported by the measures).
Packagers (families.yaml) never count as an organization: their uploads fall through to the
next rule. Organizations are registry ids; countries the registry headquarters of that id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from aicensus.errors import AicensusError
from aicensus.orgs import Registry

RULES = ("namespace", "lineage", "parent-namespace", "architecture", "name", "unknown")


@dataclass(frozen=True)
class Families:
    """Packager namespaces (lower-case), architecture -> organization id, family name ->
    organization id (lower-case names), and a version (hash of the file) for load versions."""

    packagers: frozenset[str]
    architectures: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)
    version: str = ""

    def name_pattern(self) -> re.Pattern[str] | None:
        """One regex finding the leftmost family name at a word start (longest name first at
        the same position)."""
        if not self.names:
            return None
        alts = "|".join(re.escape(n) for n in sorted(self.names, key=lambda n: (-len(n), n)))
        return re.compile(rf"(?<![a-z0-9])({alts})")


def load_families(text: str | None = None, registry: Registry | None = None) -> Families:
    """Parse and validate families.yaml (every organization id must be in the registry)."""
    if text is None:
        text = (resources.files("aicensus.hub") / "families.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or set(raw) - {"names"} != {"packagers", "architectures"}:
        raise AicensusError(
            "families.yaml: expected 'packagers', 'architectures' and optionally 'names'"
        )
    pk, arch, names = raw["packagers"], raw["architectures"], raw.get("names", {})
    if not isinstance(pk, list) or not all(isinstance(p, str) and p for p in pk):
        raise AicensusError("families.yaml: 'packagers' must be a list of namespaces")
    if not isinstance(arch, dict):
        raise AicensusError("families.yaml: 'architectures' must map model types to org ids")
    reg = registry or Registry.load()
    for k, v in arch.items():
        if not isinstance(k, str) or not isinstance(v, str) or v not in reg.orgs:
            raise AicensusError(f"families.yaml: architecture {k!r}: {v!r} is not a registry id")
    if not isinstance(names, dict):
        raise AicensusError("families.yaml: 'names' must map family names to org ids")
    for k, v in names.items():
        if not isinstance(k, str) or not k or k != k.lower() or not isinstance(v, str):
            raise AicensusError(f"families.yaml: name {k!r}: names must be lower-case text")
        if v not in reg.orgs:
            raise AicensusError(f"families.yaml: name {k!r}: {v!r} is not a registry id")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return Families(frozenset(p.lower() for p in pk), dict(arch), dict(names), f"fam.{digest}")


@cache
def families() -> Families:
    return load_families()


def namespace_orgs(namespaces: pd.Series, registry: Registry, fam: Families) -> pd.Series:
    """Registry org id per namespace (None for unregistered namespaces and packagers)."""
    uniq = pd.Series(namespaces.dropna().unique())
    m = {}
    for ns in uniq:
        org = registry.by_hf_namespace(ns) if ns.lower() not in fam.packagers else None
        m[ns] = org.id if org else None
    return namespaces.map(m)


def name_orgs(ids: pd.Series, fam: Families) -> pd.Series:
    """Registry org id named by each model id's name part (the leftmost family name), or None."""
    pat = fam.name_pattern()
    if pat is None:
        return pd.Series(None, index=ids.index, dtype=object)
    uniq = pd.Series(ids.dropna().unique(), dtype=object)
    m = {}
    for mid in uniq:
        hit = pat.search(mid.rsplit("/", 1)[-1].lower())
        m[mid] = fam.names[hit.group(1)] if hit else None
    return ids.map(m)


def attribute(df: pd.DataFrame, registry: Registry, fam: Families) -> pd.DataFrame:
    """Add uploader_org/country, root_org/country and rule to a frame with columns namespace,
    ref_id, ref_namespace, depth, parent_absent, root_model_type, model_type."""
    up = namespace_orgs(df["namespace"], registry, fam)
    ref = namespace_orgs(df["ref_namespace"], registry, fam)
    mt = df["root_model_type"].fillna(df["model_type"])
    arch = mt.map(fam.architectures)
    has_lineage = df["parent_absent"].astype(bool) | (df["depth"] > 0)
    named = name_orgs(df["ref_id"].where(has_lineage), fam)
    rule = pd.Series("unknown", index=df.index, dtype=object)
    rule[named.notna()] = "name"
    rule[arch.notna()] = "architecture"
    has_ref = ref.notna()
    rule[has_ref & df["parent_absent"]] = "parent-namespace"
    rule[has_ref & ~df["parent_absent"] & (df["depth"] > 0)] = "lineage"
    rule[has_ref & ~df["parent_absent"] & (df["depth"] == 0)] = "namespace"
    root = ref.where(has_ref, arch.where(arch.notna(), named))
    countries = {o.id: o.country for o in registry.orgs.values()}
    out = df.copy()
    out["uploader_org"] = up
    out["uploader_country"] = up.map(countries)
    out["root_org"] = root
    out["root_country"] = root.map(countries)
    out["rule"] = rule
    return out
