"""Institution-country pairs learned from Paper Copilot files that carry country indexes.

From each file's parsed rows: every raw affiliation part whose author's index entry lines up
with it (same number of `+` parts), every normalized institution name (`aff_unique_norm`), and
every email domain of an author with exactly one country. Each pair is tagged with the file it
came from so an evaluation can hold that file (or venue) out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import pyarrow as pa

from aicensus.geo.affiliations.domains import clean, split
from aicensus.geo.affiliations.normalize import is_missing
from aicensus.geo.affiliations.reference import Entry, Reference

Pair = tuple[str, str, str, str, str]  # (kind 'text'|'domain', text, name, country, group)


def pairs_from_tables(tables: dict[str, pa.Table], group: str) -> Counter[Pair]:
    """Learned (kind, text, name, country, group) pairs with their counts, from one file's rows."""
    aff = tables["affiliations"]
    slots: dict[tuple[str, int], list[tuple[int, str | None, str | None]]] = defaultdict(list)
    out: Counter[Pair] = Counter()
    cols = aff.select(
        ["work_id", "layout", "author_position", "seq", "country", "institution_name"]
    ).to_pydict()
    for wid, layout, pos, seq, country, iname in zip(*cols.values(), strict=True):
        if iname and country:
            out[("text", iname, iname, country, group)] += 1
        if layout == "joint" and pos is not None:
            slots[(wid, pos)].append((seq, country, iname))
    au = tables["authorships"].select(["work_id", "position", "raw_affiliation", "email_domain"])
    for wid, pos, raw, email in zip(*au.to_pydict().values(), strict=True):
        rows = slots.get((wid, pos))
        if not rows:
            continue
        countries = {c for _, c, _ in rows if c}
        names = {n for _, _, n in rows if n}
        one_name = next(iter(names)) if len(names) == 1 else ""
        d = clean(email)
        if d and len(countries) == 1:
            c = next(iter(countries))
            out[("domain", d, one_name, c, group)] += 1
            reg, _ = split(d)
            if reg != d:
                out[("domain", reg, one_name, c, group)] += 1
        if is_missing(raw):
            continue
        parts = [p.strip() for p in raw.split("+")]
        if len(parts) == len(rows) and sorted(s for s, _, _ in rows) == list(range(len(parts))):
            for seq, country, iname in rows:
                if country and not is_missing(parts[seq]):
                    out[("text", parts[seq], iname or "", country, group)] += 1
        elif len(parts) == 1 and len(countries) == 1:
            out[("text", parts[0], one_name, next(iter(countries)), group)] += 1
    return out


def add_pairs(ref: Reference, pairs: Iterable[tuple[Pair, int]]) -> int:
    """Add learned pairs to the reference (source 'paperlists', weight = observations)."""
    n = 0
    for (kind, text, name, country, group), count in pairs:
        # A raw string (name differs from text) is only evidence for that whole string.
        exact = kind == "text" and name != text
        e = Entry(country, name or text, "paperlists", float(count), group, exact_only=exact)
        if kind == "text":
            ref.add_name(text, e)
        else:
            ref.add_domain(text, e)
        n += 1
    ref.counts["paperlists"] += n
    return n
