"""Checks of a claim file's values against the measures' own definitions, before anything runs:
country codes (ISO 3166-1 alpha-2, with a suggestion: `UK` -> `GB`), filter and axis values
(the measure modules' tuples of choices), Paper Copilot venue codes (common names such as
`neurips` are refused naming the code, `nips`), the names a condition may read, and share
thresholds written as percentages (`share > 50`). Each check returns problems as text; the
file reader attaches the line."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pycountry
from rapidfuzz import process

from aicensus.claims import grammar, registry
from aicensus.config import PAPERLISTS_VENUES
from aicensus.errors import AicensusError
from aicensus.geo.countries import to_iso2
from aicensus.options import parse_list, parse_years

if TYPE_CHECKING:
    from aicensus.measures.base import Query

# Common names of venues whose Paper Copilot code differs (named in the error, not accepted:
# one spelling per venue keeps claim files and the warehouse's venue column alike).
VENUE_NAMES = {
    "neurips": "nips",
    "nips": "nips",
    "acm-mm": "acmmm",
    "mm": "acmmm",
    "acmmultimedia": "acmmm",
    "siggraph-asia": "siggraphasia",
    "thewebconf": "www",
    "webconf": "www",
}
EXTRA_CODES = {"XK"}  # Kosovo: used by the sources, not in ISO 3166-1
_PAPER_SOURCES_WITHOUT_VENUE_CODES = {"openalex"}
# A share measure's denominator: every unit, or the units with a known country (`share_known`).
DENOMINATORS = ("all", "known")


def _choices(measure: str) -> dict[str, tuple[str, ...]]:
    """Filter -> its valid values for a claim measure: the choices its measure's query declares
    (measures.base.choice) and the values the claim adapters' own filters take."""
    from aicensus.measures import ai_definitions, boards, github, hub, hub_added, models, papers

    family = measure.split(".")[0]
    queries: dict[str, type[Query]] = {
        "papers": papers.PaperQuery,
        "models": models.ModelQuery,
        "board": boards.BoardQuery,
        "hub": hub.HubQuery,
        "hub.added": hub_added.AddedQuery,
        "github": github.GithubQuery,
    }
    query = queries.get(measure) or queries.get(family)
    if query is None:
        return {}
    own: dict[str, dict[str, tuple[str, ...]]] = {  # the adapters' own filters (registry)
        "papers": {"field_definition": tuple(ai_definitions.DEFINITIONS)},
        "board": {"rank": ("strict", "ub")},  # registry.board_rank: rank_strict or rank_ub
        "hub": {"denominator": DENOMINATORS},  # share, or share_known
        "github": {"denominator": DENOMINATORS},
    }
    return {**query.choices(), **own.get(family, {})}


def country(code: str) -> str | None:
    """The problem with a country code, or None when it is an ISO 3166-1 alpha-2 code."""
    up = code.strip().upper()
    if up in EXTRA_CODES or pycountry.countries.get(alpha_2=up) is not None:
        return None
    guess = to_iso2(code)
    if guess and guess != up:
        return f"unknown country code {code!r}: did you mean {guess}?"
    return f"unknown country code {code!r} (not an ISO 3166-1 alpha-2 code)"


def venues(value: Any) -> list[str]:
    """Problems with a list of Paper Copilot venue codes (config.PAPERLISTS_VENUES) or named
    venue sets resolved at check time (registry.venue_sets(), e.g. all-with-countries)."""
    try:
        items = parse_list(value, "venues")
    except AicensusError as exc:
        return [str(exc)]
    out = []
    named_sets = registry.venue_sets()
    for v in items:
        code = v.strip().lower()
        if code in PAPERLISTS_VENUES or code in named_sets:
            continue
        known = VENUE_NAMES.get(code.replace(" ", ""))
        if known is None:
            hit = process.extractOne(code, PAPERLISTS_VENUES, score_cutoff=75)
            known = hit[0] if hit else None
        hint = (
            f"did you mean {known!r}?"
            if known
            else f"Paper Copilot codes: {', '.join(PAPERLISTS_VENUES)}"
        )
        out.append(f"unknown venue {v!r} ({hint})")
    return out


def filter_value(measure: str, name: str, value: Any, source: Any = None) -> list[str]:
    """Problems with one filter (or axis) value of a claim measure."""
    allowed = _choices(measure).get(name)
    if allowed is not None:
        if value not in allowed:
            return [f"{measure}: unknown {name} {value!r} (choose from {', '.join(allowed)})"]
        return []
    if name == "venues" and measure.startswith("papers"):
        if source in _PAPER_SOURCES_WITHOUT_VENUE_CODES:
            return []
        return [f"{measure}: {p}" for p in venues(value)]
    if name == "years":
        try:
            parse_years(value)
        except AicensusError as exc:
            return [f"{measure}: {exc}"]
    if name in ("start", "end") and value:
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return [f"{measure}: {name} {value!r} is not a date (YYYY-MM-DD)"]
    if name == "snapshot" and measure.startswith("board") and value not in ("latest", "all"):
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return [f"{measure}: snapshot {value!r} is not latest, all or a date (YYYY-MM-DD)"]
    if name == "top" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        return [f"{measure}: top must be a whole number of at least 1, got {value!r}"]
    return []


def condition_names(
    measure: str, cond: grammar.Condition, has_other: bool, params: set[str]
) -> list[str]:
    """Problems with the names a condition reads: each must be a value the measure produces
    (`share`), the other subject's (`other.share`, only with `other:`), the best of the rest's
    (`rest.share`, `rest.units`) or a named number of the claim's axes."""
    values = registry.get(measure).values
    out = []
    for name in cond.names:
        if name in params:
            continue
        prefix, _, base = name.rpartition(".")
        if prefix == "other" and not has_other:
            out.append(f"condition reads {name!r} but the test has no 'other' subject")
        elif prefix not in ("", "other", "rest") or (base not in values and name != "rest.units"):
            valid = ", ".join(values)
            out.append(
                f"{measure} does not produce {name!r} (valid names: {valid}, each also as "
                "other.NAME and rest.NAME)"
            )
    return out


def share_thresholds(cond: grammar.Condition) -> list[str]:
    """Problems with shares compared with numbers above 1 (`share > 50` meant 50%)."""
    out = []
    for name, op, number in cond.thresholds():
        base = name.rpartition(".")[2]
        if ("share" in base or base.startswith("pp_")) and number > 1:
            out.append(
                f"{name} {op} {number:g}: shares are fractions 0-1; did you mean {number / 100:g}?"
            )
    return out
