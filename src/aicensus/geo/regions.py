"""Recover Hong Kong, Macao and Taiwan from rows a source folded into China, and group countries.

Paper Copilot codes HK/MO/TW institutions as `China`. Rules, tried in this order for a CN row:
`inst-name` (the institution name names a HK/MO/TW place or institution, unless the author's
only China-coded affiliation comes with a mainland .cn email), `inst-url` (the
institution's web address ends in .hk/.mo/.tw), `email` (the author's email domain ends in
.hk/.mo/.tw and the author has a single China-coded affiliation whose name names no mainland
city). Names of mainland campuses of HK institutions (CUHK-Shenzhen, HKUST-Guangzhou) stay CN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_REGION_NAME = [
    (
        "HK",
        re.compile(
            r"hong\s*kong|\bhkust\b|\bcuhk\b|\bhku\b|\bhkbu\b|\bpolyu\b|\bcityu\b|\beduhk\b"
            r"|lingnan university|kowloon|sha\s*tin|\bhkustgz\b",
            re.I,
        ),
    ),
    ("MO", re.compile(r"maca[ou]\b", re.I)),
    (
        "TW",
        re.compile(
            r"taiwan|taipei|hsinchu|tainan|taichung|kaohsiung|taoyuan|academia sinica"
            r"|national tsing\s*hua|national chiao\s*tung|national yang[\s-]*ming"
            r"|national cheng\s*kung|chang gung|national central university"
            r"|national chung\s*hsing|national sun yat-sen",
            re.I,
        ),
    ),
]
# A mainland campus of a HK/MO institution: never recovered as HK/MO.
_MAINLAND = re.compile(
    r"shenzhen|guangzhou|\(gz\)|beijing|shanghai|hangzhou|nanjing|wuhan|chengdu|xi'?an|"
    r"tianjin|suzhou|hefei|harbin|dongguan|zhuhai|foshan",
    re.I,
)
_TLD = {"hk": "HK", "mo": "MO", "tw": "TW"}


@lru_cache(maxsize=65536)
def region_from_name(name: str | None) -> str | None:
    """HK/MO/TW if an institution name places it there, else None."""
    if not name or _MAINLAND.search(name):
        return None
    for code, pattern in _REGION_NAME:
        if pattern.search(name):
            return code
    return None


@lru_cache(maxsize=65536)
def _tld(domain: str | None) -> str:
    """The last label of a host or URL ('' when there is none)."""
    if not domain:
        return ""
    host = re.sub(r"^[a-z]+://", "", domain.strip().lower()).split("/")[0].split(":")[0]
    return host.rsplit(".", 1)[-1] if "." in host else ""


@lru_cache(maxsize=65536)
def _is_mainland(name: str) -> bool:
    return _MAINLAND.search(name) is not None


def region_from_domain(domain: str | None) -> str | None:
    """HK/MO/TW from the top-level domain of a host or URL, else None."""
    return _TLD.get(_tld(domain))


def recover(
    country: str | None,
    inst_name: str | None,
    inst_url: str | None,
    email_domain: str | None,
    author_cn_rows: int,
) -> tuple[str | None, str]:
    """(recovered ISO code, rule) for one affiliation row whose source country is `country`."""
    if country != "CN":
        return country, "source"
    code = region_from_name(inst_name)
    # A mainland email (e.g. link.cuhk.edu.cn, CUHK-Shenzhen) outweighs a HK-sounding name when
    # it is the author's only China-coded affiliation.
    mainland_email = author_cn_rows == 1 and _tld(email_domain) == "cn"
    if code and not mainland_email:
        return code, "inst-name"
    if inst_name and _is_mainland(inst_name):
        return country, "source"
    code = region_from_domain(inst_url)
    if code:
        return code, "inst-url"
    if author_cn_rows == 1:
        code = region_from_domain(email_domain)
        if code:
            return code, "email"
    return country, "source"


def parse_group(spec: str | None) -> dict[str, str]:
    """Parse `--group CN=CN,HK,MO;EU=DE,FR` into {member: label}; empty mapping if None."""
    mapping: dict[str, str] = {}
    if not spec:
        return mapping
    for part in re.split(r"[;\s]+", spec.strip()):
        if not part:
            continue
        label, sep, members = part.partition("=")
        if not sep or not label or not members:
            raise ValueError(f"invalid group {part!r}: expected LABEL=CODE,CODE,...")
        for m in members.split(","):
            code = m.strip().upper()
            if len(code) != 2 or not code.isalpha():
                raise ValueError(f"invalid country code {m!r} in group {part!r}")
            if code in mapping and mapping[code] != label.upper():
                raise ValueError(f"country {code} is in two groups")
            mapping[code] = label.strip().upper()
    return mapping


def apply_group(code: str | None, mapping: Mapping[str, str]) -> str | None:
    return mapping.get(code, code) if code else code
