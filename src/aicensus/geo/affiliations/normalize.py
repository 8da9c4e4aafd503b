"""Text normalization shared by every index: accents folded, lower case, punctuation to spaces,
a few abbreviations expanded, and a compact (space-free) key so `Jiao Tong` == `Jiaotong`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Footnote marks glued to words ('2Department', 'America2') become separate tokens.
_DIGIT_EDGE = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
# Abbreviations authors use for words that institution names spell out.
_EXPAND = {
    "univ": "university",
    "universiy": "university",
    "univeristy": "university",
    "universtiy": "university",
    "unversity": "university",
    "inst": "institute",
    "dept": "department",
    "tech": "technology",
    "sci": "science",
    "natl": "national",
    "intl": "international",
    "lab": "laboratory",
    "labs": "laboratory",
    "laboratories": "laboratory",
    "co": "company",
    "ltd": "limited",
    "corp": "corporation",
    "the": "",
}


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """Normalized tokens of `text` (accents folded, lower case, abbreviations expanded)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = folded.replace("&", " and ").replace("'", "").replace("’", "")
    out = []
    folded = _DIGIT_EDGE.sub(" ", folded)
    for t in _NON_ALNUM.split(folded):
        if not t:
            continue
        t = _EXPAND.get(t, t)
        if t:
            out.append(t)
    return tuple(out)


def key(text: str) -> str:
    """Compact matching key: normalized tokens joined without spaces."""
    return "".join(tokens(text))


def is_missing(text: str | None) -> bool:
    """Empty or placeholder affiliation text ('None', 'Unknown', '-', ...)."""
    return text is None or text.strip().lower() in {"", "none", "null", "unknown", "n/a", "-"}
