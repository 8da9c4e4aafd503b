"""One colour per country in every chart: a colour-blind-safe palette (Okabe-Ito, then Tableau's
colour-blind ten) with China and the United States fixed, and the Vega-Lite config that keeps
legends and labels whole."""

from __future__ import annotations

import zlib

import altair as alt

from aicensus.geo.countries import to_iso2

CHINA = "#D55E00"  # Okabe-Ito vermillion
US = "#0072B2"  # Okabe-Ito blue
UNKNOWN = "#BBBBBB"  # unknown / other: light grey, never a country's colour
OTHER = "#8C8C8C"

# Fixed colours for the countries that appear most often (ISO alpha-2 codes).
FIXED = {
    "CN": CHINA,
    "US": US,
    "GB": "#009E73",  # bluish green
    "JP": "#E69F00",  # orange
    "DE": "#000000",  # black
    "FR": "#CC79A7",  # reddish purple
    "KR": "#56B4E9",  # sky blue
    "CA": "#A2C8EC",  # light blue (Tableau CB)
    "HK": "#C85200",  # dark orange
    "SG": "#5F9ED1",  # mid blue
    "TW": "#FFBC79",  # peach
    "CH": "#595959",  # dark grey
    "IN": "#F0E442",  # yellow
    "IL": "#898989",
    "AU": "#006BA4",
    "IT": "#FF800E",
}
# The rest: a stable pick from this list by the code's hash (the same country, the same colour).
SPARE = ("#ABABAB", "#CFCFCF", "#7F6D5F", "#B07AA1", "#9C755F", "#76B7B2")
_GREY_LABELS = {"unknown", "(unknown)", "other", "(other)", "none"}


def colour(label: str) -> str:
    """The colour of a country given by ISO code or name (grey for unknown/other)."""
    text = str(label).strip()
    if text.lower() in _GREY_LABELS:
        return UNKNOWN if "unknown" in text.lower() or text.lower() == "none" else OTHER
    code = (text.upper() if len(text) == 2 else None) or to_iso2(text) or text
    if code in FIXED:
        return FIXED[code]
    return SPARE[zlib.crc32(code.encode()) % len(SPARE)]


def scale(labels: list[str]) -> alt.Scale:
    """A colour scale over `labels` (codes or names) with each country's own colour."""
    domain = list(dict.fromkeys(str(x) for x in labels))
    return alt.Scale(domain=domain, range=[colour(x) for x in domain])


def legend(title: str | None = None) -> alt.Legend:
    """A legend whose labels are never cut (no label length limit)."""
    return alt.Legend(title=title, labelLimit=0, titleLimit=0)


# Vega-Lite config merged into every report chart: whole labels, the same fonts.
CONFIG: dict[str, dict[str, object]] = {
    "legend": {"labelLimit": 0, "titleLimit": 0},
    "axis": {"labelLimit": 0, "titleLimit": 0, "labelOverlap": True},
    "header": {"labelLimit": 0},
    "title": {"limit": 0, "anchor": "start"},
}
