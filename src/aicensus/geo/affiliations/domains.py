"""Email domains: registrable domain via the Public Suffix List (tldextract's bundled snapshot,
no network) and the country a suffix implies (country-code TLDs, `edu.cn`, `ac.jp`, `.edu`)."""

from __future__ import annotations

from functools import lru_cache

import tldextract

# No network: use the suffix list snapshot that ships inside the tldextract package.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# Country-code TLDs sold as generic names: they say nothing about where the author works.
_GENERIC_CC = {"io", "ai", "co", "me", "tv", "ly", "cc", "ws", "fm", "am", "to", "gg", "sh", "so"}
# Generic TLDs that do imply a country.
_GENERIC_COUNTRY = {"edu": "US", "gov": "US", "mil": "US"}
_CC_FIX = {"uk": "GB", "su": "RU"}


@lru_cache(maxsize=100_000)
def split(domain: str) -> tuple[str, str]:
    """(registrable domain, public suffix) of `domain`, e.g. ('unc.edu', 'edu')."""
    d = domain.strip().lower().lstrip("@").rstrip(".")
    ext = _EXTRACT(d)
    if not ext.suffix:
        return d, ""
    reg = f"{ext.domain}.{ext.suffix}" if ext.domain else ext.suffix
    return reg, ext.suffix


def suffix_country(domain: str) -> tuple[str | None, str]:
    """Country implied by the domain's public suffix, and the rule: ('CN', 'email-cctld')."""
    _, suffix = split(domain)
    if not suffix:
        return None, "email-none"
    last = suffix.rsplit(".", 1)[-1]
    if last in _GENERIC_COUNTRY:
        return _GENERIC_COUNTRY[last], f"email-{last}"
    if len(last) == 2 and last.isalpha() and last not in _GENERIC_CC:
        return _CC_FIX.get(last, last.upper()), "email-cctld"
    return None, "email-generic"


def clean(domain: str | None) -> str | None:
    """A usable email domain, or None for empty and placeholder values."""
    if domain is None:
        return None
    d = domain.strip().lower()
    if not d or d in {"none", "null", "unknown"} or "." not in d:
        return None
    return d.split("@")[-1]
