"""How numbers and values print in the report: counts as integers, fractions as percentages with
one decimal, years bare, mappings as 'key n; key n' (never a Python repr)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def count(x: float | int) -> str:
    """A number: thousands separators, no decimals when whole (a count), two otherwise (a
    fractional count such as 54.33 models, an index such as HHI 0.12)."""
    x = float(x)
    return f"{x:,.0f}" if x == round(x) else f"{x:,.2f}"


def percent(x: float) -> str:
    """A fraction as a percentage with one decimal."""
    return f"{x:.1%}"


def mapping(m: Mapping[str, Any]) -> str:
    """A small mapping as readable text: 'inst-name 2,817; email 300'."""
    return "; ".join(f"{k} {value(v)}" for k, v in m.items())


def value(x: Any) -> str:
    """Any cell value as text (numbers as counts, mappings and lists spelled out)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int | float):
        return count(x)
    if isinstance(x, Mapping):
        return mapping(x)
    if isinstance(x, list | tuple | set):
        return ", ".join(value(v) for v in x)
    return str(x)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _is_year(name: str) -> bool:
    return "year" in str(name).lower()


def table_html(df: pd.DataFrame, percent_cols: tuple[str, ...] = (), classes: str = "data") -> str:
    """An HTML table of `df` with every cell formatted by the rules above (escaped)."""
    rows = []
    cols = list(df.columns)
    for rec in df.itertuples(index=False, name=None):
        cells = []
        for c, raw in zip(cols, rec, strict=True):
            x = raw.item() if isinstance(raw, np.generic) else raw
            missing = x is None or (isinstance(x, float) and math.isnan(x))
            numeric = isinstance(x, int | float) and not isinstance(x, bool)
            if missing:
                text = "–"
            elif c in percent_cols and isinstance(x, int | float):
                text = percent(float(x))
            elif _is_year(c) and isinstance(x, int | float):
                text = str(int(x))
            else:
                text = value(x)
            nowrap = numeric or missing or _DATE.match(text) is not None
            cls = ' class="num"' if nowrap else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{html.escape(str(c).replace('_', ' '))}</th>" for c in cols)
    return (
        f'<div class="scroll"><table class="{classes}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
