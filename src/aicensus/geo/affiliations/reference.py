"""Reference names and domains for the resolver: ROR records (schema v1 and v2), OpenAlex
institutions, pairs learned from Paper Copilot files, and an optional extra alias source.

Every entry carries a `group` (the file it was learned from, or None). Lookups can exclude
groups, which is how the evaluation keeps a file's own ground truth out of its inference
(leave-one-file-out or leave-one-venue-out).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from aicensus.geo.affiliations.domains import split
from aicensus.geo.affiliations.normalize import key, tokens

# Whole keys that are generic words, never an institution on their own.
GENERIC = {
    key(w)
    for w in (
        "university",
        "institute",
        "research",
        "laboratory",
        "department",
        "school",
        "college",
        "center",
        "centre",
        "hospital",
        "company",
        "science",
        "technology",
        "engineering",
        "computer science",
        "faculty",
        "academy",
        "group",
        "ai",
        "independent",
        "student",
        "none",
        "unknown",
        "na",
        "inc",
        "limited",
        "research center",
        "ai lab",
        "researcher",
        "independent researcher",
        "phd student",
        "professor",
        "graduate school",
    )
}
_BRACKET_COUNTRY = re.compile(r"\s*\(([^()]*)\)\s*$")

# Source weights: one learned (paper, author part) observation counts 1.
W_NAME = 3.0
W_ACRONYM = 1.0
DISTINCTIVE_DF = 150
FOLDED = ("HK", "MO", "TW")


@dataclass(frozen=True)
class Entry:
    """One name (or domain) and the country it points to, from one source."""

    country: str
    name: str
    source: str  # 'ror' | 'openalex' | 'paperlists' | 'registry'
    weight: float
    group: str | None = None  # learned-from file key (for hold-out)
    acronym: bool = False
    company: bool = False
    exact_only: bool = False  # a whole raw string: matches whole strings only, never a span


@dataclass(frozen=True)
class ExtraAlias:
    """Hook for the organization registry: `alias` names `name`, headquartered in `country`."""

    alias: str
    name: str
    country: str
    company: bool = True


@dataclass
class Match:
    """The decision for one key: country, institution name, share of the evidence, source."""

    country: str
    name: str
    share: float
    weight: float
    source: str
    acronym: bool
    company: bool
    rule: str = "name"  # 'name', or 'hq' when a multinational resolved to its headquarters


@dataclass
class Reference:
    """Name and domain indexes: compact key -> entries."""

    names: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    domains: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # In how many institution names each word occurs: words in very many ('university',
    # 'computer', 'laboratory') cannot identify an institution on their own.
    df: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add_name(self, text: str, entry: Entry) -> None:
        toks = tokens(text)
        k = "".join(toks)
        if len(k) < 2 or k in GENERIC or k.isdigit():
            return
        entries = self.names[k]
        if (
            not entry.exact_only
            and not entry.acronym
            and not any(not e.exact_only and not e.acronym for e in entries)
        ):
            for t in set(toks):  # once per distinct name
                self.df[t] += 1
        entries.append(entry)

    def distinctive(self, toks: tuple[str, ...], max_df: int = DISTINCTIVE_DF) -> bool:
        """True if some word is rare among institution names (so the words can identify one)."""
        return any(self.df.get(t, 0) <= max_df and not t.isdigit() for t in toks)

    def add_domain(self, domain: str, entry: Entry) -> None:
        d = domain.strip().lower()
        if "." in d:
            self.domains[d].append(entry)

    def add_extra(self, aliases: Iterable[ExtraAlias]) -> int:
        """Add registry aliases (they outweigh every other source)."""
        n = 0
        for a in aliases:
            e = Entry(a.country, a.name, "registry", 50.0, company=a.company)
            self.add_name(a.alias, e)
            self.add_name(a.name, e)
            n += 1
        self.counts["registry"] += n
        return n

    @staticmethod
    def decide(
        entries: list[Entry],
        exclude: frozenset[str],
        min_share: float = 0.75,
        part: bool = False,
    ) -> Match | None:
        """Country with the most weight if it holds `min_share` of it, else None (ambiguous).

        A multinational company whose evidence is split over countries resolves to its
        headquarters (the reference's top-level company record) with rule 'hq'. `part=True`
        (a word span inside a longer string) ignores whole-string and reference acronym entries.
        """
        by: dict[str, float] = defaultdict(float)
        best: dict[str, Entry] = {}
        total = 0.0
        for e in entries:
            if e.group is not None and e.group in exclude:
                continue
            if part and (e.exact_only or (e.acronym and e.source != "paperlists")):
                continue
            by[e.country] += e.weight
            total += e.weight
            b = best.get(e.country)
            if b is None or e.weight > b.weight or (b.acronym and not e.acronym):
                best[e.country] = e
        if not total:
            return None
        # Paper Copilot folds HK/MO/TW into China: evidence split between CN and one of them
        # is the fold, not two places.
        regions = [c for c in FOLDED if c in by]
        if "CN" in by and len(regions) == 1 and by[regions[0]] >= by["CN"]:
            by[regions[0]] += by.pop("CN")
        country, w = max(by.items(), key=lambda kv: kv[1])
        share = w / total
        if share < min_share:
            return _headquarters(entries, share)
        e = best[country]
        acronym = all(x.acronym for x in entries if x.country == country)
        company = any(x.company for x in entries if x.country == country)
        return Match(country, e.name, share, w, e.source, acronym, company)


def _headquarters(entries: list[Entry], share: float) -> Match | None:
    """The registry's or ROR's top-level company record for a name shared across countries."""
    heads = [
        e
        for e in entries
        if e.company
        and not e.acronym
        and (e.source == "registry" or e.weight == W_NAME)
        and e.source in ("registry", "ror")
    ]
    if len({e.country for e in heads}) != 1:
        return None  # no top-level record, or several: stays unknown
    e = max(heads, key=lambda x: x.weight)
    return Match(e.country, e.name, share, e.weight, e.source, False, True, "hq")


# ------------------------------------------------------------------ records -> entries


def _ror_v2(rec: dict) -> tuple[list[tuple[str, str]], str, str, bool, list[str], bool]:
    names = [(n["value"], (n.get("types") or ["alias"])[0]) for n in rec.get("names", [])]
    for n in rec.get("names", []):
        if "ror_display" in (n.get("types") or []):
            display = n["value"]
            break
    else:
        display = names[0][0] if names else ""
    kinds = []
    for n in rec.get("names", []):
        t = n.get("types") or []
        kinds.append((n["value"], "acronym" if "acronym" in t else "name"))
    locs = rec.get("locations") or []
    country = locs[0]["geonames_details"]["country_code"] if locs else ""
    company = "company" in (rec.get("types") or [])
    has_parent = any(r.get("type") == "parent" for r in rec.get("relationships") or [])
    return kinds, display, country, company, list(rec.get("domains") or []), has_parent


def _ror_v1(rec: dict) -> tuple[list[tuple[str, str]], str, str, bool, list[str], bool]:
    kinds = [(rec["name"], "name")]
    kinds += [(a, "name") for a in rec.get("aliases") or []]
    kinds += [(a, "acronym") for a in rec.get("acronyms") or []]
    kinds += [(lab["label"], "name") for lab in rec.get("labels") or []]
    country = (rec.get("country") or {}).get("country_code") or ""
    company = "Company" in (rec.get("types") or [])
    domains = []
    for link in rec.get("links") or []:
        host = re.sub(r"^https?://", "", link).split("/")[0]
        if host:
            domains.append(host.removeprefix("www."))
    has_parent = any(r.get("type") == "Parent" for r in rec.get("relationships") or [])
    return kinds, rec["name"], country, company, domains, has_parent


def add_ror(ref: Reference, records: Iterable[dict]) -> int:
    """Add active ROR records (schema v1 and v2); return records used."""
    n = 0
    for rec in records:
        if rec.get("status") not in ("active", None):
            continue
        parse = _ror_v2 if "names" in rec else _ror_v1
        kinds, display, country, company, domains, has_parent = parse(rec)
        if not country:
            continue
        # Companies' display names carry their country: 'Google (Singapore)'. The bracket is
        # dropped from the key; records with a parent are subsidiaries and weigh less, so the
        # headquarters record wins a name shared across countries.
        w = W_NAME * (0.5 if company and has_parent else 1.0)
        for text, kind in kinds:
            plain = _BRACKET_COUNTRY.sub("", text) if company else text
            acr = kind == "acronym"
            e = Entry(country, display, "ror", W_ACRONYM if acr else w, None, acr, company)
            ref.add_name(plain, e)
        for d in domains:
            ref.add_domain(d, Entry(country, display, "ror", w, None, False, company))
        n += 1
    ref.counts["ror"] += n
    return n


def add_openalex(ref: Reference, records: Iterable[dict]) -> int:
    """Add OpenAlex institution records (display names, alternatives, acronyms, homepages)."""
    n = 0
    for rec in records:
        country = rec.get("country_code") or (rec.get("geo") or {}).get("country_code")
        if not country:
            continue
        name = rec.get("display_name") or ""
        company = rec.get("type") == "company"
        e = Entry(country, name, "openalex", W_NAME, None, False, company)
        for text in [name, *(rec.get("display_name_alternatives") or [])]:
            ref.add_name(text, e)
        for text in rec.get("display_name_acronyms") or []:
            ref.add_name(text, Entry(country, name, "openalex", W_ACRONYM, None, True, company))
        home = rec.get("homepage_url") or ""
        host = re.sub(r"^https?://", "", home).split("/")[0].removeprefix("www.")
        if host:
            ref.add_domain(host, e)
        n += 1
    ref.counts["openalex"] += n
    return n


def domain_entries(ref: Reference, domain: str) -> list[Entry]:
    """Entries for a domain: exact first, then its registrable domain (cs.unc.edu -> unc.edu)."""
    d = domain.lower()
    found = ref.domains.get(d)
    if found:
        return found
    reg, _ = split(d)
    return ref.domains.get(reg, [])


def token_set(text: str) -> tuple[str, ...]:
    return tokens(text)
