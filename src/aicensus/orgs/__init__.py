"""Organization registry and matching: `Registry.load()`, `registry.match(text)`,
`registry.get(id)`, `registry.root(id)`, `registry.by_hf_namespace(ns)`."""

from aicensus.orgs.matching import Match, normalize
from aicensus.orgs.registry import KINDS, Org, Registry, RegistryError

__all__ = ["KINDS", "Match", "Org", "Registry", "RegistryError", "normalize"]
