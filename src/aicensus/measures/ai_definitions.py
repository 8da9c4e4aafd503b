"""What counts as AI: named, documented definitions applied as filters on works.

A definition is never a hidden filter: a measure applies one only when asked
(`PaperQuery.field_definition`), and its name, text and parameters go into the result's meta.

- `openalex-subfields`: the work's OpenAlex primary topic is in subfield 1702 (Artificial
  Intelligence) or 1707 (Computer Vision and Pattern Recognition). Works without a primary
  topic (older records) are not counted.
- `oecd-concepts`: OECD.AI's published rule on the legacy OpenAlex concepts: a paper is AI when
  it is tagged with the "Artificial intelligence" (C154945302) or "Machine learning"
  (C119857082) concept; NLP, vision and speech papers count only through those two (OpenAlex
  tags the ancestors of a concept, so a child concept carries its parent). Any score counts.
- `ai-venues`: the AI venues Paper Copilot covers, matched to OpenAlex sources by id (where
  known) or by venue name; for source 'paperlists' every loaded venue qualifies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ibis
from ibis import _

from aicensus.errors import MeasureError

AI_SUBFIELDS = ("1702", "1707")
OECD_CONCEPTS = ("C154945302", "C119857082")

# Paper Copilot venue code -> (OpenAlex source ids seen in records, name pattern).
AI_VENUES: dict[str, tuple[tuple[str, ...], str]] = {
    "nips": (("S4306420609",), r"neural information processing systems|neurips"),
    "icml": ((), r"international conference on machine learning|^icml\b"),
    "iclr": ((), r"international conference on learning representations|^iclr\b"),
    "cvpr": (
        ("S4306417987", "S4363607701"),
        r"(conference on )?computer vision and pattern recognition|\bcvpr\b",
    ),
    "iccv": (("S4363607764",), r"international conference on computer vision|\biccv\b"),
    "eccv": ((), r"european conference on computer vision|\beccv\b"),
    "aaai": (("S4210191458",), r"aaai conference on artificial intelligence"),
    "ijcai": ((), r"international joint conference on artificial intelligence|\bijcai\b"),
    "acl": (("S4363608652",), r"annual meeting of the association for computational linguistics"),
    "naacl": ((), r"north american chapter of the association for computational linguistics"),
    "coling": ((), r"international conference on computational linguistics|\bcoling\b"),
    "uai": (("S4306421103",), r"uncertainty in artificial intelligence"),
    "aistats": ((), r"artificial intelligence and statistics|\baistats\b"),
    "colt": ((), r"conference on learning theory|\bcolt\b"),
    "corl": ((), r"conference on robot learning|\bcorl\b"),
    "kdd": ((), r"knowledge discovery and data mining|\bkdd\b"),
    "wacv": ((), r"winter conference on applications of computer vision|\bwacv\b"),
    "acml": ((), r"asian conference on machine learning|\bacml\b"),
    "icra": ((), r"international conference on robotics and automation|\bicra\b"),
    "iros": ((), r"intelligent robots and systems|\biros\b"),
}


@dataclass(frozen=True)
class Definition:
    """A named answer to "what counts as AI"."""

    name: str
    description: str
    params: dict = field(default_factory=dict)

    def describe(self) -> dict:
        return {"name": self.name, "description": self.description, "params": self.params}


DEFINITIONS: dict[str, Definition] = {
    "openalex-subfields": Definition(
        "openalex-subfields",
        "OpenAlex primary topic in subfield 1702 (Artificial Intelligence) or 1707 (Computer "
        "Vision and Pattern Recognition); works without a primary topic are not counted",
        {"subfields": list(AI_SUBFIELDS)},
    ),
    "oecd-concepts": Definition(
        "oecd-concepts",
        "OECD.AI rule on legacy OpenAlex concepts: tagged 'Artificial intelligence' "
        "(C154945302) or 'Machine learning' (C119857082), any score",
        {"concepts": list(OECD_CONCEPTS), "min_score": 0.0},
    ),
    "ai-venues": Definition(
        "ai-venues",
        "Published at an AI venue that Paper Copilot covers (OpenAlex source id or venue name "
        "match); every paperlists venue qualifies",
        {"venues": sorted(AI_VENUES)},
    ),
}


# The definitions the OpenAlex API can apply itself (a filter expression), so that
# `group_by=authorships.countries` counts them at full scale. `ai-venues` cannot: it matches venue
# names by regular expression (the API has no regex filter) and knows source ids for only a few
# venues, so an id-only filter would silently be a narrower definition.
API_FILTERS: dict[str, str] = {
    "openalex-subfields": "primary_topic.subfield.id:" + "|".join(AI_SUBFIELDS),
    "oecd-concepts": "concepts.id:" + "|".join(OECD_CONCEPTS),
}
NOT_API = {
    "ai-venues": "it matches venue names by regular expression, which the API cannot filter "
    "on (source ids are known for only a few venues)"
}


def api_filter(name: str) -> str:
    """The OpenAlex API filter expression of a definition; MeasureError if it has none."""
    get(name)
    if name not in API_FILTERS:
        raise MeasureError(
            f"definition {name!r} cannot be counted through the API: {NOT_API[name]}; "
            f"use {' or '.join(API_FILTERS)}"
        )
    return API_FILTERS[name]


def get(name: str) -> Definition:
    if name not in DEFINITIONS:
        raise MeasureError(
            f"unknown field definition {name!r} (choose from {', '.join(DEFINITIONS)})"
        )
    return DEFINITIONS[name]


def venue_regex() -> str:
    return "(?i)" + "|".join(f"(?:{pat})" for _ids, pat in AI_VENUES.values())


def venue_ids() -> list[str]:
    return sorted({i for ids, _pat in AI_VENUES.values() for i in ids})


def venue_code(source_id: str | None, name: str | None) -> str | None:
    """The Paper Copilot code of an OpenAlex source, or None (used for display and tests)."""
    for code, (ids, pat) in AI_VENUES.items():
        if (source_id and source_id in ids) or (name and re.search(pat, name, re.I)):
            return code
    return None


def apply(ic: ibis.BaseBackend, works: ibis.Table, name: str, source: str) -> ibis.Table:
    """Filter `works` (works_current rows, with load_id) to those the definition counts as AI."""
    d = get(name)
    if source != "openalex":
        if d.name == "ai-venues":
            return works
        raise MeasureError(f"field definition {name!r} needs OpenAlex data (use --source openalex)")
    if d.name == "openalex-subfields":
        return works.filter(_.subfield_id.isin(list(AI_SUBFIELDS)))
    if d.name == "oecd-concepts":
        c = ic.table("work_concepts").filter(_.concept_id.isin(list(OECD_CONCEPTS)))
        tagged = c.select("work_id", "load_id").distinct()
        return works.semi_join(tagged, ["work_id", "load_id"])
    return works.filter(
        _.source_id.isin(venue_ids()) | _.source_name.re_search(venue_regex()).fill_null(False)
    )
