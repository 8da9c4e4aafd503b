"""Country names to ISO 3166-1 alpha-2 codes: pycountry plus a small explicit override table.

Unmapped names are returned as None and reported by the caller (never dropped silently).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Names pycountry does not resolve, or resolves in a way the project does not want.
# Hong Kong, Macao and Taiwan keep their own codes (ISO 3166-1 assigns them HK, MO, TW).
OVERRIDES: dict[str, str] = {
    "russia": "RU",
    "state of palestine": "PS",
    "palestine": "PS",
    "kosovo": "XK",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "macau": "MO",
    "macao": "MO",
    "taiwan": "TW",
    "south korea": "KR",
    "north korea": "KP",
    "uk": "GB",
    "usa": "US",
    "turkey": "TR",
}


@lru_cache(maxsize=1)
def _countries() -> Any:
    """pycountry's country database, imported on first use (its import costs ~0.1 s, which a
    command that never names a country should not pay)."""
    import pycountry

    return pycountry.countries


# Placeholders that mean "unknown" in the sources.
UNKNOWN_NAMES = frozenset({"", "unknown", "none", "null", "n/a", "-"})


@lru_cache(maxsize=4096)
def to_iso2(name: str | None) -> str | None:
    """ISO alpha-2 code for a country name or code, or None if unknown/unmapped."""
    if name is None:
        return None
    key = name.strip().lower()
    if key in UNKNOWN_NAMES:
        return None
    if key in OVERRIDES:
        return OVERRIDES[key]
    try:
        return _countries().lookup(name.strip()).alpha_2
    except LookupError:
        return None


def is_unknown(name: str | None) -> bool:
    """True for placeholders that mean unknown (empty, 'Unknown', ...)."""
    return name is None or name.strip().lower() in UNKNOWN_NAMES


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """Display name for an ISO alpha-2 code (the code itself if pycountry lacks it)."""
    if code == "XK":
        return "Kosovo"
    c = _countries().get(alpha_2=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name
