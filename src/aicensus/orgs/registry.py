"""The organization registry (registry.yaml): load, validate, look up, match, roll up.

reg = Registry.load()                 # the packaged registry.yaml (cached)
reg.match("Z.ai")                     # Match(org_id='zhipu', rule='exact', score=100.0)
reg.get("google-deepmind").country    # 'GB' (headquarters)
reg.root("google-deepmind")           # 'google' (top of the parent chain)
reg.by_hf_namespace("Qwen")           # Org(id='qwen', ...)
reg.by_github("QwenLM")               # Org(id='qwen', ...) (GitHub account)
reg.country("google-deepmind", rollup=True)   # 'US' (the root's headquarters)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from aicensus.errors import AicensusError
from aicensus.orgs.matching import Match, Matcher, normalize

KINDS = ("company", "university", "research-lab", "government", "nonprofit")
FIELDS = {"id", "name", "kind", "country", "parent", "aliases", "hf", "github", "ror", "note"}
_EXTRA_CODES = {"XK"}  # Kosovo: user-assigned, used by geo.countries


class RegistryError(AicensusError):
    """registry.yaml is malformed (one line naming the entry and the problem)."""


@dataclass(frozen=True)
class Org:
    """One registry entry."""

    id: str
    name: str
    kind: str
    country: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    hf: tuple[str, ...] = ()
    github: tuple[str, ...] = ()
    ror: str | None = None
    note: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Display name first, then aliases."""
        return (self.name, *self.aliases)


def _valid_iso2(code: object) -> bool:
    import pycountry  # on first use: its import costs ~0.1 s

    return isinstance(code, str) and (
        code in _EXTRA_CODES or pycountry.countries.get(alpha_2=code) is not None
    )


def validate(entries: list[dict], where: str = "registry.yaml") -> list[Org]:
    """Check the raw YAML entries; raise RegistryError on the first problem found."""
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{where}: expected a non-empty list of organizations")
    orgs: list[Org] = []
    ids: set[str] = set()
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict):
            raise RegistryError(f"{where}: entry {i} is not a mapping")
        label = f"{where}: entry {i} ({e.get('id')!r})"
        unknown = set(e) - FIELDS
        if unknown:
            raise RegistryError(f"{label}: unknown field(s) {sorted(unknown)}")
        for req in ("id", "name", "kind", "country"):
            if not isinstance(e.get(req), str) or not e[req].strip():
                raise RegistryError(f"{label}: missing or empty {req!r}")
        oid: str = e["id"]
        if oid in ids:
            raise RegistryError(f"{label}: duplicate id")
        ids.add(oid)
        if e["kind"] not in KINDS:
            raise RegistryError(f"{label}: kind {e['kind']!r} not one of {', '.join(KINDS)}")
        if not _valid_iso2(e["country"]):
            raise RegistryError(f"{label}: country {e['country']!r} is not ISO 3166-1 alpha-2")
        for lst in ("aliases", "hf", "github"):
            v = e.get(lst, [])
            if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
                raise RegistryError(f"{label}: {lst!r} must be a list of non-empty strings")
        ror = e.get("ror")
        if ror is not None and (not isinstance(ror, str) or len(ror) != 9 or not ror.isalnum()):
            raise RegistryError(f"{label}: ror {ror!r} is not a 9-character ROR id")
        orgs.append(
            Org(
                id=oid,
                name=e["name"],
                kind=e["kind"],
                country=e["country"],
                parent=e.get("parent"),
                aliases=tuple(a for a in e.get("aliases", []) if a != e["name"]),
                hf=tuple(e.get("hf", [])),
                github=tuple(e.get("github", [])),
                ror=ror,
                note=e.get("note"),
            )
        )
    by_id = {o.id: o for o in orgs}
    for o in orgs:
        if o.parent is not None and o.parent not in by_id:
            raise RegistryError(f"{where}: {o.id!r}: parent {o.parent!r} is not in the registry")
    for o in orgs:  # cycles
        seen = {o.id}
        p = o.parent
        while p is not None:
            if p in seen:
                raise RegistryError(f"{where}: {o.id!r}: parent chain has a cycle through {p!r}")
            seen.add(p)
            p = by_id[p].parent
    _unique(orgs, where)
    return orgs


def _unique(orgs: list[Org], where: str) -> None:
    """Aliases, normalized aliases, HF namespaces, GitHub accounts and ROR ids each name one
    organization."""
    for what, key in (
        ("alias", lambda s: s),
        ("normalized alias", normalize),
    ):
        owner: dict[str, str] = {}
        for o in orgs:
            for name in o.names:
                k = key(name)
                if k in owner and owner[k] != o.id:
                    raise RegistryError(
                        f"{where}: {what} {name!r} of {o.id!r} already names {owner[k]!r}"
                    )
                owner[k] = o.id
    for what, get in (
        ("hf namespace", lambda o: o.hf),
        ("github account", lambda o: o.github),
        ("ror id", lambda o: [o.ror or ""]),
    ):
        owner = {}
        for o in orgs:
            for v in get(o):
                k = v.lower()
                if k and k in owner and owner[k] != o.id:
                    raise RegistryError(f"{where}: {what} {v!r} of {o.id!r} also on {owner[k]!r}")
                owner[k] = o.id


@dataclass
class Registry:
    """Validated organizations with lookup, matching and parent roll-up."""

    orgs: dict[str, Org]
    content_hash: str = ""
    location: str = ""
    _matcher: Matcher = field(init=False, repr=False)
    _hf: dict[str, str] = field(init=False, repr=False)
    _github: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._matcher = Matcher({n: o.id for o in self.orgs.values() for n in o.names})
        self._hf = {ns.lower(): o.id for o in self.orgs.values() for ns in o.hf}
        self._github = {a.lower(): o.id for o in self.orgs.values() for a in o.github}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Registry:
        """The registry at `path`, or the packaged registry.yaml (cached)."""
        if path is None:
            return _packaged()
        return cls.from_text(Path(path).read_text(encoding="utf-8"), str(path))

    @classmethod
    def from_text(cls, text: str, where: str = "registry.yaml") -> Registry:
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RegistryError(f"{where}: invalid YAML ({exc})".replace("\n", " ")) from None
        orgs = validate(raw, where)
        digest = hashlib.sha256(text.encode()).hexdigest()
        return cls({o.id: o for o in orgs}, content_hash=digest, location=where)

    def __len__(self) -> int:
        return len(self.orgs)

    def get(self, org_id: str) -> Org:
        """The organization with this id; RegistryError if there is none."""
        try:
            return self.orgs[org_id]
        except KeyError:
            raise RegistryError(f"unknown organization id {org_id!r}") from None

    def match(self, text: str | None) -> Match | None:
        """Resolve a source's organization string (see orgs.matching for the rules)."""
        return self._matcher.match(text)

    def parents(self, org_id: str) -> list[str]:
        """The chain from `org_id` up to its root, inclusive."""
        chain = [org_id]
        while (p := self.get(chain[-1]).parent) is not None:
            chain.append(p)
        return chain

    def root(self, org_id: str) -> str:
        """The top of the parent chain (the organization itself if it has no parent)."""
        return self.parents(org_id)[-1]

    def country(self, org_id: str, rollup: bool = False) -> str:
        """Headquarters country of the organization, or of its root when `rollup`."""
        return self.get(self.root(org_id) if rollup else org_id).country

    def by_hf_namespace(self, namespace: str) -> Org | None:
        """The organization publishing under a Hugging Face namespace (case-insensitive)."""
        oid = self._hf.get(namespace.lower())
        return None if oid is None else self.orgs[oid]

    def by_github(self, account: str) -> Org | None:
        """The organization owning a GitHub account (case-insensitive, as GitHub is); None
        for accounts not in the registry, persons included (their country is never guessed)."""
        oid = self._github.get(account.lower())
        return None if oid is None else self.orgs[oid]

    def github_accounts(self) -> dict[str, str]:
        """Every registry GitHub account (lower-case) -> organization id."""
        return dict(self._github)


@cache
def _packaged() -> Registry:
    res = resources.files("aicensus.orgs") / "registry.yaml"
    return Registry.from_text(res.read_text(encoding="utf-8"), "aicensus/orgs/registry.yaml")
