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

from aicensus.errors import SourceError
from aicensus.geo.affiliations.normalize import is_missing
from aicensus.geo.affiliations.resolver import RESOLVER_VERSION, Resolver
from aicensus.sources import paperlists as pl
from aicensus.sources.fetch import Fetched
from aicensus.warehouse import LocationRows

SOURCE = "paperlists_affonly"
PARSER_VERSION = f"paperlists_affonly/1+{RESOLVER_VERSION}"
CVF_VENUES = frozenset({"cvpr", "iccv", "wacv", "eccv"})

_AFF_SCHEMA = pa.schema(
    [
        *pl._SCHEMAS["affiliations"],
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


class _AffonlyParser(pl._FileParser):
    """Reuses the paperlists record handling; affiliations come from the resolver."""

    def __init__(self, vy: pl.VenueYear, resolver: Resolver):
        super().__init__(vy)
        self.resolver = resolver
        self.cvf = vy.venue in CVF_VENUES

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
        self.cols.add(
            "works",
            work_id=work_id,
            source=SOURCE,
            venue=self.vy.venue,
            year=self.vy.year,
            source_record_id=rid,
            record_no=no,
            title=pl._text(p, "title"),
            track=pl._text(p, "track"),
            status=pl._text(p, "status"),
            n_authors=n,
            n_authors_stated=pl._stated_authors(p),
            has_country_table=False,
            aligned=per_author,
            realigned=False,
            citations=None,
            citation_source=None,
        )
        for i, name in enumerate(authors):
            self.cols.add(
                "authorships",
                work_id=work_id,
                position=i,
                author_name=name,
                raw_affiliation=(aff[i] or None) if per_author else None,
                email_domain=(emails[i] or None) if len(emails) == n else None,
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
        self.cols.add(
            "affiliations",
            work_id=work_id,
            layout=layout,
            slot=slot,
            seq=seq,
            author_position=pos,
            author_position_realigned=pos,
            institution_id=None,
            institution_name=None,
            country_source_name=None,
            country_source=None,
            country=None,
            country_rule=None,
            raw_affiliation=text or None,
            email_domain=email,
            country_inferred=country,
            inferred_institution=res.institution,
            inferred_rule=res.rule,
            inferred_confidence=res.confidence if country else None,
            inferred_headquarters=res.headquarters,
            resolver_version=RESOLVER_VERSION,
        )

    def tables(self) -> dict[str, pa.Table]:
        out = {}
        for name in ("works", "authorships", "quarantine"):
            schema = pl._SCHEMAS[name]
            cols = getattr(self.cols, name)
            out[name] = pa.table(
                {f.name: pa.array(cols.get(f.name, []), f.type) for f in schema}, schema=schema
            )
        cols = self.cols.affiliations
        out["affiliations"] = pa.table(
            {f.name: pa.array(cols.get(f.name, []), f.type) for f in _AFF_SCHEMA},
            schema=_AFF_SCHEMA,
        )
        return out


def parse_file(vy: pl.VenueYear, fetched: Fetched, resolver: Resolver) -> LocationRows:
    """Parse one affonly file, resolving every affiliation with `resolver`."""
    try:
        records = orjson.loads(fetched.content)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{vy.location}: malformed JSON ({exc})") from None
    if not isinstance(records, list):
        raise SourceError(
            f"{vy.location}: expected a JSON array of papers, found {type(records).__name__}"
        )
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
