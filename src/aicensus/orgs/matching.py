"""Match an organization string from any source to a registry id.

Rules, tried in order (the rule that matched is returned with the match):
1. `exact`: the string equals a registry name or alias (after trimming whitespace).
2. `normalized`: equal after `normalize()` (case, accents, punctuation, `&` and corporate
   suffixes such as Inc./Corp./Ltd. are ignored), first with and then without a trailing
   parenthetical ("Moonshot (Kimi)" -> "moonshot"); a stripped key two organizations share
   is not used.
3. `fuzzy`: rapidfuzz `fuzz.ratio` between normalized strings >= FUZZY_THRESHOLD (94 of 100),
   only for strings of at least FUZZY_MIN_LENGTH (8) characters, and only when the best key
   beats the runner-up from another organization by FUZZY_MARGIN (3) points.

Why so strict: organization names differ by one word far more often than by a typo
("University of Bonn" / "University of Bern" score 89), and a wrong match silently moves a
model to another country. Unmatched strings are listed by `aicensus orgs unmatched` instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

FUZZY_THRESHOLD = 94.0
FUZZY_MIN_LENGTH = 8
FUZZY_MARGIN = 3.0

_SUFFIXES = frozenset({"inc", "corp", "corporation", "ltd", "llc", "co", "limited", "gmbh", "sa"})
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Match:
    """A resolved organization: registry id, the rule that matched, and a score (100 unless
    fuzzy)."""

    org_id: str
    rule: str
    score: float = 100.0


def strip_parenthetical(text: str) -> str:
    """'Carnegie Mellon University (CMU)' -> 'Carnegie Mellon University'."""
    return _PAREN.sub("", text) or text


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used by the `normalized` and `fuzzy`
    rules; corporate suffixes are dropped."""
    t = unicodedata.normalize("NFKD", text.strip())
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()
    t = t.replace("&", " and ").replace("’", "'").replace("'", "")
    words = [w for w in _NON_ALNUM.sub(" ", t).split() if w]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


class Matcher:
    """Exact, then normalized, then fuzzy lookup over a fixed set of (alias -> org id)."""

    def __init__(self, aliases: dict[str, str]):
        self.exact = dict(aliases)
        self.normalized: dict[str, str] = {}
        for alias, org_id in aliases.items():
            self.normalized.setdefault(normalize(alias), org_id)
        stripped: dict[str, set[str]] = {}
        for alias, org_id in aliases.items():
            stripped.setdefault(normalize(strip_parenthetical(alias)), set()).add(org_id)
        for key, ids in stripped.items():
            if len(ids) == 1 and key not in self.normalized:
                self.normalized[key] = ids.pop()
        self._keys = list(self.normalized)

    def match(self, text: str | None) -> Match | None:
        if text is None:
            return None
        s = text.strip()
        if not s:
            return None
        if s in self.exact:
            return Match(self.exact[s], "exact")
        n = normalize(s)
        for key in (n, normalize(strip_parenthetical(s))):
            if key in self.normalized:
                return Match(self.normalized[key], "normalized")
        if len(n) < FUZZY_MIN_LENGTH:
            return None
        hits = process.extract(n, self._keys, scorer=fuzz.ratio, limit=5)
        if not hits or hits[0][1] < FUZZY_THRESHOLD:
            return None
        best_key, best_score, _ = hits[0]
        best_id = self.normalized[best_key]
        rivals = [score for key, score, _ in hits[1:] if self.normalized[key] != best_id]
        if rivals and best_score - rivals[0] < FUZZY_MARGIN:
            return None
        return Match(best_id, "fuzzy", round(float(best_score), 1))
