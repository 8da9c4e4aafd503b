"""A claim's plain-language sentence (`sentence:` in a claim file): a `str.format` template whose
fields are only plain names the headline variant provides, so a claim file can never reach an
attribute, an index or anything outside the numbers it is given.

Fields (checked when the file is read; an unknown one is a `file:line` error):
- the numbers the headline test's measure produces for the subject (`share`, `papers`, `rank`,
  `hhi`, ...), the other subject's as `other_NAME` (tests with `other:`), the best of the rest's
  as `rest_NAME` (conditions reading `rest.`); with several tests that must all hold, test j's
  numbers also as `NAME_j` (1-based);
- every axis, as the headline's label (`{venues}`, `{years}`; `attribution@hub` as
  `attribution_hub`; `axis_NAME` when a number has the axis's name, e.g. `axis_rank`), and
  `test` (the test's label);
- `subject` and `other` (country names, or organizations/models as written), `subject_best` and
  `other_best` (a leaderboard's best entry), `sample` ("12,345 papers").
Number fields take any float format spec (`{share:.0%}`, `{rank:.0f}`); text fields a string
spec or none. A number the variant lacks fills as "n/a".
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import Any

NUMBER, TEXT = "number", "text"
TEXT_FIELDS = ("test", "subject", "other", "subject_best", "other_best", "sample")
_FORMATTER = string.Formatter()


def field_name(name: str) -> str:
    """A value or axis name as a template field: `other.share` -> `other_share`,
    `attribution@hub` -> `attribution_hub`."""
    return name.replace(".", "_").replace("@", "_")


def fields(
    values: Iterable[str],
    axes: Iterable[str],
    has_other: bool,
    reads_rest: bool,
    n_tests: int = 1,
) -> dict[str, str]:
    """Field name -> NUMBER or TEXT: what a sentence may use for a test producing `values`."""
    values = list(values)
    out = dict.fromkeys(values, NUMBER)
    if has_other:
        out |= {f"other_{v}": NUMBER for v in values}
    if reads_rest:
        out |= {f"rest_{v}": NUMBER for v in values} | {"rest_units": NUMBER}
    for j in range(1, n_tests + 1) if n_tests > 1 else ():
        out |= {f"{v}_{j}": NUMBER for v in values}
    out |= {axis_field(a, out): TEXT for a in axes}
    out |= dict.fromkeys(TEXT_FIELDS, TEXT)
    return out


def axis_field(axis: str, numbers: Iterable[str]) -> str:
    """An axis's field: its name, or `axis_NAME` when a number has that name (`rank`)."""
    name = field_name(axis)
    return f"axis_{name}" if name in set(numbers) else name


def problems(template: Any, allowed: dict[str, str]) -> list[str]:
    """What is wrong with a sentence template, given the fields it may use (none: fine)."""
    if not isinstance(template, str) or not template.strip():
        return ["sentence must be non-empty text"]
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError as exc:
        return [f"sentence: {exc} (write a literal brace as {{{{ or }}}})"]
    out = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.isidentifier():
            out.append(
                f"sentence: field {{{name}}} is not a plain name (no attribute access, "
                "indexing or positional fields)"
            )
            continue
        if name not in allowed:
            out.append(f"sentence: unknown field {{{name}}} (valid: {', '.join(sorted(allowed))})")
            continue
        if conversion is not None or (spec and "{" in spec):
            out.append(f"sentence: field {{{name}}} takes a format spec only (no !r/!s/nesting)")
            continue
        sample = 0.5 if allowed[name] == NUMBER else "text"
        try:
            format(sample, spec or "")
        except (ValueError, TypeError) as exc:
            out.append(f"sentence: field {{{name}:{spec}}}: {exc}")
    return out


def fill(template: str, values: dict[str, Any]) -> str:
    """The template with its fields filled; a missing or empty value reads "n/a"."""
    out = []
    for literal, name, spec, _ in _FORMATTER.parse(template):
        out.append(literal)
        if name is None:
            continue
        v = values.get(name)
        if v is None or (isinstance(v, float) and v != v):
            out.append("n/a")
            continue
        try:
            out.append(format(v, spec or ""))
        except (ValueError, TypeError):  # a number field given text (e.g. a missing label)
            out.append(str(v))
    return "".join(out)
