"""How options are spelled, once for the CLI, the Python API and claim files: years
(`2015-2024`, `2019,2021`, `[2023, "2018-2019"]`), comma lists (`icml,ijcai`) and dates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from aicensus.errors import AicensusError

_YEAR = re.compile(r"(\d{4})(?:\s*-\s*(\d{4}))?")


def _items(spec: object) -> list[object]:
    """A comma-separated string or an iterable of items (each may itself hold commas)."""
    if spec is None:
        return []
    if isinstance(spec, str | int):
        spec = [spec]
    if not isinstance(spec, Iterable):
        raise AicensusError(f"expected a string or a list, got {type(spec).__name__}")
    out: list[object] = []
    for item in spec:
        out.extend(p.strip() for p in item.split(",")) if isinstance(item, str) else out.append(
            item
        )
    return [x for x in out if x != ""]


def parse_years(spec: object, option: str = "years") -> tuple[int, ...]:
    """`2015-2024`, `2019,2021`, `2018-2019,2023`, 2024 or a list of these: sorted years."""
    years: set[int] = set()
    for part in _items(spec):
        if isinstance(part, int) and not isinstance(part, bool):
            years.add(part)
            continue
        m = _YEAR.fullmatch(str(part))
        if not m:
            raise AicensusError(f"{option}: {part!r} is not YYYY or YYYY-YYYY")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            raise AicensusError(f"{option}: range {part!r} runs backwards")
        years.update(range(lo, hi + 1))
    return tuple(sorted(years))


def parse_list(spec: object, option: str = "list") -> tuple[str, ...]:
    """`icml,ijcai` or a list of strings: the items, stripped, empty ones dropped."""
    items = _items(spec)
    bad = [x for x in items if not isinstance(x, str)]
    if bad:
        raise AicensusError(f"{option}: {bad[0]!r} is not a name")
    return tuple(str(x) for x in items)


def parse_date(spec: object, option: str = "date") -> date | None:
    """`YYYY-MM-DD` (or a date) into a date; None stays None."""
    if spec is None or isinstance(spec, date):
        return spec
    try:
        return date.fromisoformat(str(spec))
    except ValueError:
        raise AicensusError(f"{option}: {spec!r} is not a YYYY-MM-DD date") from None


def format_years(years: tuple[int, ...]) -> str:
    """The short spelling of a set of years: `2018-2024` when contiguous, else `2019,2021`."""
    if not years:
        return ""
    ys = sorted(years)
    return f"{ys[0]}-{ys[-1]}" if ys == list(range(ys[0], ys[-1] + 1)) else ",".join(map(str, ys))
