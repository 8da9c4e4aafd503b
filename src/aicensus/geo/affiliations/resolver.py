"""Resolve one affiliation (text and/or email domain) to countries and an institution.

Rules, in order (the first that decides wins; the rule is recorded with a confidence):
1. `text-country`: country names in the text ('..., Oxford, UK'); several distinct countries
   give several (two-country strings); a Hong Kong/Macao/Taiwan name beats a trailing 'China'.
2. `text-region`: US states and postal codes, Canadian and Australian provinces.
3. `name-exact` / `name-part`: the whole string, or its longest word span, is a known name,
   alias or acronym (acronyms only where written in capitals) whose evidence points to one
   country with at least 75% of its weight; a company resolves to its headquarters (flagged).
4. `text-city`: a big city whose largest namesake dwarfs the others, alone in a comma segment.
5. `name-fuzzy`: a comma segment close (rapidfuzz ratio >= 92) to a known name sharing a rare
   word with it (misspellings such as 'Tsinghua Univeristy').
6. `email-institution` (a known institutional domain, e.g. `tsinghua.edu.cn`, `apple.com`),
   `email-cctld` (country-code suffix, e.g. `.jp`, `.hk`), `email-edu` (`.edu` is US).
Anything else stays unknown (never guessed) and is counted by the callers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from aicensus.geo.affiliations.domains import clean, suffix_country
from aicensus.geo.affiliations.normalize import is_missing, tokens
from aicensus.geo.affiliations.places import PlaceIndex
from aicensus.geo.affiliations.reference import (
    GENERIC,
    ExtraAlias,
    Match,
    Reference,
    add_openalex,
    add_ror,
    domain_entries,
)

RESOLVER_VERSION = "resolver/1"
_UPPER = re.compile(r"\b[A-Z][A-Z0-9]{1,}\b")
_MAX_NAME_SPAN = 12
_FUZZY_CUTOFF = 92.0
_FOLDED = {"HK", "MO", "TW"}


@dataclass(frozen=True)
class Resolution:
    """Countries (ISO alpha-2, HK/MO/TW kept), institution, deciding rule and confidence."""

    countries: tuple[str, ...]
    institution: str | None
    rule: str
    confidence: float
    headquarters: bool = False

    @property
    def known(self) -> bool:
        return bool(self.countries)

    @property
    def country(self) -> str | None:
        return self.countries[0] if self.countries else None


UNKNOWN = Resolution((), None, "unknown", 0.0)


@dataclass
class _Shared:
    """Indexes shared by every view of a resolver (hold-out views only differ in caches)."""

    ref: Reference
    places: PlaceIndex
    fuzzy_index: dict[str, list[str]] | None = None


@dataclass
class Resolver:
    """Affiliation resolver over a reference (see module docstring for the rules)."""

    shared: _Shared
    exclude: frozenset[str] = frozenset()
    fuzzy: bool = True
    _text_cache: dict[str, Resolution] = field(default_factory=dict, repr=False)
    _email_cache: dict[str, Resolution] = field(default_factory=dict, repr=False)

    # -------------------------------------------------------------- construction

    @classmethod
    def build(
        cls,
        ror: Iterable[dict] | None = None,
        openalex: Iterable[dict] | None = None,
        learned: list | None = None,
        extra: list[ExtraAlias] | None = None,
        fuzzy: bool = True,
    ) -> Resolver:
        """A resolver from reference records (ROR, OpenAlex institutions), learned pairs and
        registry aliases (all optional).

        `extra` is the organization-registry hook: any iterable of ExtraAlias(alias, name,
        country, company) outweighs the other sources for the names it gives.
        """
        from aicensus.geo.affiliations.learned import add_pairs

        ref = Reference()
        if ror:
            add_ror(ref, ror)
        if openalex:
            add_openalex(ref, openalex)
        if learned:
            add_pairs(ref, learned)
        if extra:
            ref.add_extra(extra)
        return cls(_Shared(ref, PlaceIndex()), fuzzy=fuzzy)

    def holding_out(self, groups: set[str] | frozenset[str]) -> Resolver:
        """A view that ignores pairs learned from `groups` (same indexes, fresh caches)."""
        return Resolver(self.shared, frozenset(groups), self.fuzzy)

    @property
    def reference(self) -> Reference:
        return self.shared.ref

    # -------------------------------------------------------------- public API

    def resolve(self, text: str | None, email: str | None = None) -> Resolution:
        """One affiliation (text, optional email domain): the text decides, else the email."""
        r = UNKNOWN
        if text is not None and not is_missing(text):
            cached = self._text_cache.get(text)
            if cached is None:
                cached = self._resolve_text(text)
                self._text_cache[text] = cached
            r = cached
        if r.known:
            return r
        return self.resolve_email(email)

    def resolve_author(self, text: str | None, email: str | None = None) -> list[Resolution]:
        """An author's `+`-joined affiliation parts, each resolved; the email fills unknowns."""
        if is_missing(text):
            return [self.resolve_email(email)]
        return [self.resolve(p.strip(), email) for p in text.split("+")]  # type: ignore[union-attr]

    def resolve_email(self, email: str | None) -> Resolution:
        d = clean(email)
        if d is None:
            return UNKNOWN
        r = self._email_cache.get(d)
        if r is None:
            r = self._resolve_email(d)
            self._email_cache[d] = r
        return r

    # -------------------------------------------------------------- rules

    def _lookup(self, k: str, part: bool = False) -> Match | None:
        entries = self.shared.ref.names.get(k)
        return Reference.decide(entries, self.exclude, part=part) if entries else None

    def _resolve_text(self, text: str) -> Resolution:
        toks = tokens(text)
        if not toks:
            return UNKNOWN
        places = self.shared.places
        countries: list[str] = []
        regions = [p.country for p in places.postal(text)]
        cities: list[str] = []
        for seg in text.split(","):
            st = tokens(seg)
            if not st:
                continue
            found = places.find(seg, st)
            # A region or city counts only when it is the whole segment (', Beijing 100084,'),
            # not a word inside a name ('Nanyang Technological University').
            words = [t for t in st if not t.isdigit()]
            whole = len(found) == 1 and found[0].text.split() == words
            for p in found:
                if p.kind == "country":
                    countries.append(p.country)
                elif p.kind == "region" and whole:
                    regions.append(p.country)
                elif p.kind == "city" and whole:
                    cities.append(p.country)
        name = self._name(text, toks)
        inst = name[0] if name else None

        def placed(codes: list[str], rule: str, conf: float) -> Resolution:
            agree = inst is not None and inst.country in codes
            return Resolution(
                tuple(codes),
                inst.name if inst is not None and agree else None,
                rule,
                min(0.99, conf + 0.03 * agree),
            )

        if countries:
            named = list(dict.fromkeys(countries))
            if "CN" in named and _FOLDED & set(named):
                named.remove("CN")
            return placed(named, "text-country", 0.95)
        if regions and len(set(regions)) == 1:
            return placed(regions[:1], "text-region", 0.92)
        if name is not None and name[0].rule != "hq":
            m, rule = name

            conf = round(0.55 + 0.4 * m.share * min(1.0, m.weight / 3.0), 3)
            hq = m.company and m.source != "paperlists"
            return Resolution((m.country,), m.name, f"{rule}:{m.source}", conf, hq)
        if cities and len(set(cities)) == 1:
            return placed(cities[:1], "text-city", 0.85)
        if name is not None:
            m = name[0]
            return Resolution((m.country,), m.name, f"name-hq:{m.source}", 0.6, True)
        if self.fuzzy:
            near = self._fuzzy(text)
            if near is not None:
                return Resolution((near.country,), near.name, f"name-fuzzy:{near.source}", 0.7)
        return UNKNOWN

    def _name(self, text: str, toks: tuple[str, ...]) -> tuple[Match, str] | None:
        """Whole-string match, else the longest decisive word span with a distinctive word.

        Spans ignore raw whole strings learned elsewhere and reference acronyms; a one-word
        span must be a name of 4+ letters or a learned acronym written in capitals."""
        ref = self.shared.ref
        m = self._lookup("".join(toks))
        if m is not None and (ref.distinctive(toks) or (len(toks) == 1 and m.acronym)):
            return m, "name-exact"
        upper = {u.lower() for u in _UPPER.findall(text)}
        segments = {"".join(tokens(seg)) for seg in re.split(r"[,()/]", text)}
        n = len(toks)
        for span in range(min(n - 1, _MAX_NAME_SPAN), 0, -1):
            for i in range(n - span + 1):
                part = toks[i : i + span]
                k = "".join(part)
                if k not in ref.names or k in GENERIC or not ref.distinctive(part):
                    continue
                m = self._lookup(k, part=True)
                if m is None:
                    continue
                # Reference names (ROR, OpenAlex) hold odd aliases: inside a longer string
                # they must be a whole comma segment; names learned from papers may be a span.
                if m.source in ("ror", "openalex") and k not in segments:
                    continue
                if m.acronym and not (span == 1 and part[0] in upper):
                    continue
                if span == 1 and not m.acronym and len(k) < 4 and part[0] not in upper:
                    continue
                return m, "name-part"
        return None

    def _fuzzy_index(self) -> dict[str, list[str]]:
        idx = self.shared.fuzzy_index
        if idx is None:
            idx = defaultdict(list)
            for k, entries in self.shared.ref.names.items():
                if all(e.acronym for e in entries):
                    continue
                for t in set(tokens(entries[0].name)):
                    if len(t) >= 4:
                        idx[t].append(k)
                        idx["~" + t[:4]].append(k)  # prefix block for misspelled words
            self.shared.fuzzy_index = idx = dict(idx)
        return idx

    def _fuzzy(self, text: str) -> Match | None:
        idx = self._fuzzy_index()
        for seg in text.split(","):
            st = tokens(seg)
            if len(st) < 2 or not self.shared.ref.distinctive(st):
                continue
            blocks = {t if t in idx else "~" + t[:4] for t in st if len(t) >= 4}
            rare = sorted((len(idx[b]), b) for b in blocks if b in idx and len(idx[b]) < 3000)
            if not rare:
                continue
            cands = list(dict.fromkeys(k for _, t in rare[:2] for k in idx[t]))
            hit = process.extractOne(
                "".join(st), cands, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
            )
            if hit is None:
                continue
            m = self._lookup(hit[0], part=True)
            if m is not None and not m.acronym and m.rule != "hq":
                return m
        return None

    def _resolve_email(self, d: str) -> Resolution:
        entries = domain_entries(self.shared.ref, d)
        if entries:
            m = Reference.decide(entries, self.exclude)
            if m is not None:
                hq = m.company and m.source != "paperlists"
                conf = 0.6 if m.rule == "hq" else round(0.6 + 0.35 * m.share, 3)
                rule = "email-hq" if m.rule == "hq" else "email-institution"
                return Resolution((m.country,), m.name or None, f"{rule}:{m.source}", conf, hq)
        country, rule = suffix_country(d)
        if country:
            return Resolution((country,), None, rule, 0.9 if rule == "email-cctld" else 0.85)
        return UNKNOWN
