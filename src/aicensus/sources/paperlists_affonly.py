"""Paper Copilot files without country indexes (`paperlists_affonly`): papers, authors and
affiliations with countries inferred from the raw affiliation text and email domains.

Two layouts (../shared/data/paperlists_affonly/SOURCE.md): CVF venues (CVPR, ICCV) list a
paper's *distinct* affiliations (`aff` is not per author: rows get slot = entry, no author
position); OpenReview venues (ICLR, ICML, NeurIPS, EMNLP) give one `aff` and `aff_domain` per
author (rows get the author position when the counts agree). The string 'None' means missing.
"""

from __future__ import annotations

from collections import Counter

import orjson
import pyarrow as pa

from aicensus.geo.affiliations.normalize import is_missing
from aicensus.geo.affiliations.resolver import RESOLVER_VERSION, Resolver
from aicensus.sources import paperlists as pl
from aicensus.sources.fetch import Fetched
from aicensus.warehouse import LocationRows, tables

SOURCE = "paperlists_affonly"
PARSER_VERSION = f"paperlists_affonly/1+{RESOLVER_VERSION}"
CVF_VENUES = frozenset({"cvpr", "iccv", "wacv", "eccv"})

_AFF_SCHEMA = pa.schema(
    [
        *tables.AFFILIATIONS,
        ("raw_affiliation", pa.string()),
        ("email_domain", pa.string()),
        ("country_inferred", pa.string()),
        ("inferred_institution", pa.string()),
        ("inferred_rule", pa.string()),
        ("inferred_confidence", pa.float64()),
        ("inferred_headquarters", pa.bool_()),
        ("resolver_version", pa.string()),
    ]
)


def _none(v: str | None) -> str | None:
    return None if v is None or is_missing(v) else v


_ROW_TABLES = ("works", "authorships", "affiliations", "quarantine")
_RAW_MAX = 2000


class _AffonlyParser:
    """Parse one file's records into row tuples (per record: the resolver is Python), counting
    quirks as notes; ids, repeated listings and field checks follow sources/paperlists.py."""

    def __init__(self, vy: pl.VenueYear, resolver: Resolver):
        self.vy = vy
        self.resolver = resolver
        self.cvf = vy.venue in CVF_VENUES
        # Row tuples per table, in column order (positional tuples: the parser's hot path).
        self.rows: dict[str, list[tuple]] = {t: [] for t in _ROW_TABLES}
        self.notes: Counter[str] = Counter()
        self.seen_ids: dict[str, dict] = {}  # id -> first record with it

    def quarantine(self, record_no: int, record_id: str | None, reason: str, raw: object):
        text = orjson.dumps(raw).decode()
        self.rows["quarantine"].append(
            (pl.SOURCE, self.vy.location, record_id, record_no, reason, text[:_RAW_MAX])
        )

    def parse(self, records: list) -> None:
        for no, p in enumerate(records, start=1):
            if not isinstance(p, dict):
                self.quarantine(no, None, f"record is a {type(p).__name__}, not an object", p)
                continue
            rid = p.get("id")
            rid = None if rid in (None, "") else str(rid)
            try:
                work_id = self._work_id(no, rid, p)
                if work_id is None:
                    continue
                if all(p.get(k) in (None, "") for k in pl._PAPER_FIELDS):
                    raise pl.RecordError(pl._reason("empty", None, p, rid))
                self._paper(no, rid, work_id, p)
            except pl.RecordError as exc:
                self.quarantine(no, rid, str(exc), p)

    def _work_id(self, no: int, rid: str | None, p: dict) -> str | None:
        base = f"{SOURCE}:{self.vy.venue}{self.vy.year}:"
        if rid is None:
            self.notes["records without id (numbered by position)"] += 1
            return f"{base}#{no}"
        first = self.seen_ids.get(rid)
        if first is None:
            self.seen_ids[rid] = p
            return base + rid
        # serialized only when an id repeats (rare), not for every record
        if orjson.dumps([first.get(k) for k in pl._PAPER_FIELDS]) == orjson.dumps(
            [p.get(k) for k in pl._PAPER_FIELDS]
        ):
            self.quarantine(no, rid, pl._reason("repeat", None, p, rid), p)
            return None
        self.notes["records sharing an id with different content (numbered)"] += 1
        return f"{base}{rid}#{no}"

    def _table(self, name: str, schema: pa.Schema) -> pa.Table:
        """The buffered row tuples of `name` as an Arrow table with `schema`."""
        columns = list(zip(*self.rows[name], strict=True)) or [()] * len(schema)
        return pa.table(
            [pa.array(col, f.type) for col, f in zip(columns, schema, strict=True)],
            schema=schema,
        )

    def _paper(self, no: int, rid: str | None, work_id: str, p: dict) -> None:
        authors, _ = pl.split_authors(pl._text(p, "author"))
        n = len(authors)
        aff = [a.strip() for a in (_none(pl._text(p, "aff")) or "").split(";")]
        aff = aff if any(aff) else []
        emails = [e.strip() for e in (_none(pl._text(p, "aff_domain")) or "").split(";")]
        emails = emails if any(emails) else []
        per_author = not self.cvf and len(aff) == n
        if not self.cvf and aff and not per_author:
            self.notes["affiliation list length differs from authors (paper level only)"] += 1
        # Row tuples in pl._SCHEMAS column order.
        self.rows["works"].append(
            (
                work_id,
                SOURCE,
                self.vy.venue,
                self.vy.year,
                rid,
                no,
                pl._text(p, "title"),
                pl._text(p, "track"),
                pl._text(p, "status"),
                n,
                pl._stated_authors(p),
                False,
                per_author,
                False,
                None,
                None,
            )
        )
        emails_ok = len(emails) == n
        self.rows["authorships"].extend(
            (
                work_id,
                i,
                name,
                (aff[i] or None) if per_author else None,
                (emails[i] or None) if emails_ok else None,
            )
            for i, name in enumerate(authors)
        )
        layout = "author" if per_author else "paper"
        known = False
        for slot, text in enumerate(aff):
            email = emails[slot] if per_author and len(emails) == n else None
            pos = slot if per_author else None
            parts = [t.strip() for t in text.split("+")] if per_author else [text]
            for seq, part in enumerate(parts):
                res = self.resolver.resolve(part or None, email)
                self.notes[f"rule {res.rule.split(':')[0]}"] += 1
                for c in res.countries or (None,):
                    known |= c is not None
                    self._row(work_id, layout, slot, seq, pos, part, email, res, c)
        if not aff and len(emails) == n:  # email domains only
            for slot, email in enumerate(emails):
                res = self.resolver.resolve(None, email)
                self.notes[f"rule {res.rule.split(':')[0]}"] += 1
                for c in res.countries or (None,):
                    known |= c is not None
                    self._row(work_id, "author", slot, 0, slot, None, email, res, c)
        if not known:
            self.notes["papers with no inferred country"] += 1

    def _row(self, work_id, layout, slot, seq, pos, text, email, res, country) -> None:
        # In _AFF_SCHEMA column order.
        self.rows["affiliations"].append(
            (
                work_id,
                layout,
                slot,
                seq,
                pos,
                pos,
                None,
                None,
                None,
                None,
                None,
                None,
                text or None,
                email,
                country,
                res.institution,
                res.rule,
                res.confidence if country else None,
                res.headquarters,
                RESOLVER_VERSION,
            )
        )

    def tables(self) -> dict[str, pa.Table]:
        out = {
            name: self._table(name, pl._SCHEMAS[name])
            for name in ("works", "authorships", "quarantine")
        }
        out["affiliations"] = self._table("affiliations", _AFF_SCHEMA)
        return out


def parse_file(vy: pl.VenueYear, fetched: Fetched, resolver: Resolver) -> LocationRows:
    """Parse one affonly file, resolving every affiliation with `resolver`."""
    records = pl.load_records(vy, fetched)
    parser = _AffonlyParser(vy, resolver)
    parser.parse(records)
    notes: Counter[str] = Counter(parser.notes)
    notes["records"] = len(records)
    return LocationRows(
        key=vy.key,
        location=vy.location,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables=parser.tables(),
        notes=dict(notes),
    )
