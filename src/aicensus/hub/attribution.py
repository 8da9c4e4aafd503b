"""Attribute every Hub model to an organization and country, directly and by root family.

Rules (stored per model in hub_lineage.rule; the first that applies wins):
- `namespace`: no lineage link; the model's own namespace is a registered organization;
- `lineage`: the root ancestor (in the data) has a registered namespace;
- `parent-namespace`: the walk ended at a parent absent from the data; that id's namespace is
  registered;
- `architecture`: otherwise the model type of the root (or of the model) maps to a family's
  organization (families.yaml), e.g. qwen2 -> qwen, llama -> meta;
- `unknown`: none of the above (always reported by the measures).
Packagers (families.yaml) never count as an organization: their uploads fall through to the
next rule. Organizations are registry ids; countries the registry headquarters of that id.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from aicensus.errors import AicensusError
from aicensus.orgs import Registry

RULES = ("namespace", "lineage", "parent-namespace", "architecture", "unknown")


@dataclass(frozen=True)
class Families:
    """Packager namespaces (lower-case) and architecture -> organization id."""

    packagers: frozenset[str]
    architectures: dict[str, str]


def load_families(text: str | None = None, registry: Registry | None = None) -> Families:
    """Parse and validate families.yaml (every organization id must be in the registry)."""
    if text is None:
        text = (resources.files("aicensus.hub") / "families.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or set(raw) != {"packagers", "architectures"}:
        raise AicensusError("families.yaml: expected exactly 'packagers' and 'architectures'")
    pk, arch = raw["packagers"], raw["architectures"]
    if not isinstance(pk, list) or not all(isinstance(p, str) and p for p in pk):
        raise AicensusError("families.yaml: 'packagers' must be a list of namespaces")
    if not isinstance(arch, dict):
        raise AicensusError("families.yaml: 'architectures' must map model types to org ids")
    reg = registry or Registry.load()
    for k, v in arch.items():
        if not isinstance(k, str) or not isinstance(v, str) or v not in reg.orgs:
            raise AicensusError(f"families.yaml: architecture {k!r}: {v!r} is not a registry id")
    return Families(frozenset(p.lower() for p in pk), dict(arch))


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


def attribute(df: pd.DataFrame, registry: Registry, fam: Families) -> pd.DataFrame:
    """Add uploader_org/country, root_org/country and rule to a frame with columns namespace,
    ref_namespace, depth, parent_absent, root_model_type, model_type."""
    up = namespace_orgs(df["namespace"], registry, fam)
    ref = namespace_orgs(df["ref_namespace"], registry, fam)
    mt = df["root_model_type"].fillna(df["model_type"])
    arch = mt.map(fam.architectures)
    rule = pd.Series("unknown", index=df.index, dtype=object)
    rule[arch.notna()] = "architecture"
    has_ref = ref.notna()
    rule[has_ref & df["parent_absent"]] = "parent-namespace"
    rule[has_ref & ~df["parent_absent"] & (df["depth"] > 0)] = "lineage"
    rule[has_ref & ~df["parent_absent"] & (df["depth"] == 0)] = "namespace"
    root = ref.where(has_ref, arch)
    countries = {o.id: o.country for o in registry.orgs.values()}
    out = df.copy()
    out["uploader_org"] = up
    out["uploader_country"] = up.map(countries)
    out["root_org"] = root
    out["root_country"] = root.map(countries)
    out["rule"] = rule
    return out
