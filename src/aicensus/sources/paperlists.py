"""Paper Copilot paperlists: `<venue>/<venue><year>.json[.gz]` files into warehouse rows.

Follows ../shared/data/paperlists/SOURCE.md: authors in byline order (`;`, or `, ` where a file
uses commas), repeated bylines halved, per-author country and institution index lists, empty and
`Unknown` names as unknown, HK/MO/TW recovered from names, URLs and email domains (geo.regions).
Records that cannot be read are quarantined with file, id and reason; nothing is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa

from aicensus.config import PAPERLISTS_UPSTREAM
from aicensus.errors import SourceError
from aicensus.geo.countries import is_unknown, to_iso2
from aicensus.geo.regions import recover
from aicensus.sources.fetch import Fetched, NotFound, is_url, local_path, read_location
from aicensus.warehouse import LocationRows, tables

SOURCE = "paperlists"
PARSER_VERSION = "paperlists/1"
CITATION_SOURCE = "google-scholar"
_FILE = re.compile(r"^([a-z0-9]+?)(\d{4})\.json(\.gz)?$")
_RAW_MAX = 2000
# The fields that define a paper: a record repeating these under the same id is a repeated
# listing (siggraph2025 lists a paper once per presentation session, differing only in
# session fields such as psid/url_paper) and is quarantined as such.
_PAPER_FIELDS = (
    "title",
    "author",
    "aff",
    "aff_unique_norm",
    "aff_unique_index",
    "aff_country_unique",
    "aff_country_unique_index",
    "email",
    "aff_domain",
    "track",
    "status",
    "gs_citation",
)


@dataclass(frozen=True)
class VenueYear:
    """One file to read: the venue code, the year and where it lives."""

    venue: str
    year: int
    location: str

    @property
    def key(self) -> str:
        return f"{self.venue}/{self.venue}{self.year}"


# ---------------------------------------------------------------- discovery


def discover(
    location: str, venues: Iterable[str] | None = None, years: Iterable[int] | None = None
) -> tuple[list[VenueYear], list[str]]:
    """Files to read at `location` for the selected venues and years, plus notes on what is absent.

    `location` is a directory mirroring the upstream layout, one file, or a URL pattern with
    `{venue}` and `{year}` (default upstream). Unknown venues in a directory raise SourceError.
    """
    venues = sorted({v.strip().lower() for v in venues}) if venues else None
    years = sorted(set(years)) if years else None
    path = local_path(location) if "{venue}" not in location else None
    if path is not None and path.is_file():
        m = _FILE.match(path.name)
        if not m:
            raise SourceError(f"{location}: file name is not <venue><year>.json[.gz]")
        return [VenueYear(m.group(1), int(m.group(2)), str(path))], []
    if path is not None and path.is_dir():
        return _discover_dir(path, venues, years)
    if path is not None and not is_url(location):
        raise SourceError(f"{location}: no such file or directory")
    if "{venue}" not in location or "{year}" not in location:
        return [_from_url(location)], []
    if not venues or not years:
        raise SourceError(
            f"{location}: a URL pattern needs --venues and --years (it cannot be listed)"
        )
    files = [VenueYear(v, y, location.format(venue=v, year=y)) for v in venues for y in years]
    return files, []


def _from_url(url: str) -> VenueYear:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    m = _FILE.match(name)
    if not m:
        raise SourceError(f"{url}: file name is not <venue><year>.json[.gz]")
    return VenueYear(m.group(1), int(m.group(2)), url)


def _discover_dir(
    root: Path, venues: list[str] | None, years: list[int] | None
) -> tuple[list[VenueYear], list[str]]:
    found: dict[tuple[str, int], Path] = {}
    for f in root.glob("*/*.json*"):
        m = _FILE.match(f.name)
        if m and m.group(1) == f.parent.name:
            key = (m.group(1), int(m.group(2)))
            # Prefer the plain .json when both exist (same content, cheaper to read).
            if key not in found or f.suffix == ".json":
                found[key] = f
    known = sorted({v for v, _ in found})
    notes = []
    if venues:
        unknown = [v for v in venues if v not in known]
        if unknown:
            raise SourceError(
                f"{root}: unknown venue(s) {', '.join(unknown)} (known: {', '.join(known)})"
            )
    files = [
        VenueYear(v, y, str(p))
        for (v, y), p in sorted(found.items())
        if (not venues or v in venues) and (not years or y in years)
    ]
    if venues and years:
        have = {(f.venue, f.year) for f in files}
        missing = [f"{v}{y}" for v in venues for y in years if (v, y) not in have]
        if missing:
            notes.append(f"not in {root}: {', '.join(missing)}")
    if not files:
        raise SourceError(f"{root}: no paperlists files match the selected venues and years")
    return files, notes


def upstream_pattern() -> str:
    return PAPERLISTS_UPSTREAM


# ---------------------------------------------------------------- parsing


_SCHEMAS = {
    "works": pa.schema(
        [
            ("work_id", pa.string()),
            ("source", pa.string()),
            ("venue", pa.string()),
            ("year", pa.int32()),
            ("source_record_id", pa.string()),
            ("record_no", pa.int32()),
            ("title", pa.string()),
            ("track", pa.string()),
            ("status", pa.string()),
            ("n_authors", pa.int32()),
            ("n_authors_stated", pa.int32()),
            ("has_country_table", pa.bool_()),
            ("aligned", pa.bool_()),
            ("realigned", pa.bool_()),
            ("citations", pa.int64()),
            ("citation_source", pa.string()),
        ]
    ),
    "authorships": pa.schema(
        [
            ("work_id", pa.string()),
            ("position", pa.int32()),
            ("author_name", pa.string()),
            ("raw_affiliation", pa.string()),
            ("email_domain", pa.string()),
        ]
    ),
    "affiliations": tables.AFFILIATIONS,
    "institutions": tables.INSTITUTIONS,
    "quarantine": tables.QUARANTINE,
}


_ROW_TABLES = ("works", "authorships", "affiliations", "quarantine")


class RecordError(ValueError):
    """A record that cannot be loaded; its message is the quarantine reason."""


def _text(p: dict, key: str) -> str | None:
    """A field as a string; numbers are accepted, other types are a record error."""
    v = p.get(key)
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise RecordError(f"field {key!r} is {type(v).__name__}, expected a string")
    return str(v)


def _split(value: str | None, sep: str = ";") -> list[str]:
    return [] if value is None else [s.strip() for s in value.split(sep)]


def split_authors(raw: str | None) -> tuple[list[str], bool]:
    """Byline names in order, and whether a repeated byline (A;B;A;B) was halved.

    Names are `;`-separated; a byline with no `;` but commas (siggraph files) is split on commas.
    """
    if not raw:
        return [], False
    sep = ";" if ";" in raw else ","
    names = [n.strip() for n in raw.split(sep)]
    names = [n for n in names if n]
    halved = False
    # Halve while the byline is two identical halves (some ICRA/IROS 2006 bylines are four-fold).
    while (half := len(names) // 2) and len(names) % 2 == 0 and names[:half] == names[half:]:
        names, halved = names[:half], True
    return names, halved


def _index_entries(raw: str | None, field_name: str) -> list[list[int]]:
    """`'0+1;;2'` -> [[0, 1], [], [2]]; a non-integer part is a record error."""
    if raw is None:
        return []
    out = []
    for entry in raw.split(";"):
        if "+" not in entry:  # the common case: one index or none
            part = entry.strip()
            try:
                out.append([int(part)] if part else [])
            except ValueError:
                raise RecordError(
                    f"{field_name} entry {entry.strip()!r} is not a list of integers"
                ) from None
            continue
        parts = []
        for part in entry.split("+"):
            part = part.strip()
            if not part:
                continue
            try:
                parts.append(int(part))
            except ValueError:
                raise RecordError(
                    f"{field_name} entry {entry.strip()!r} is not a list of integers"
                ) from None
        out.append(parts)
    return out


def _citations(p: dict) -> int | None:
    v = p.get("gs_citation")
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise RecordError("field 'gs_citation' is a boolean, expected a count")
    try:
        n = int(v)
    except (TypeError, ValueError):
        raise RecordError(f"field 'gs_citation' is {v!r}, expected a count") from None
    if n == -1:  # upstream's placeholder for "not crawled"
        return None
    if n < 0:
        raise RecordError(f"field 'gs_citation' is negative ({n})")
    return n


def _stated_authors(p: dict) -> int | None:
    v = p.get("author_num")
    try:
        return None if v in (None, "") else int(v)
    except (TypeError, ValueError):
        return None


def _repeats(values: list, n: int) -> bool:
    """True when `values` is its first `n` items repeated two or more times."""
    return (
        0 < n < len(values) and len(values) % n == 0 and values == values[:n] * (len(values) // n)
    )


def _realign(
    n_authors: int, n_entries: int, aff: list[str], byline_repeated: bool
) -> list[int | None] | None:
    """Author position for each country-index entry under the named 'realigned' rule, or None.

    Rule: when the list skipped the authors whose affiliation text is empty (SOURCE.md's
    aistats2025 example), map entries in order onto the authors with a non-empty affiliation, if
    the counts agree exactly; when the list belongs to a repeated byline (a multiple of the
    author count), its first copy maps onto the authors and the repeats onto no one.
    """
    if byline_repeated and n_authors and n_entries % n_authors == 0 and n_entries > n_authors:
        return list(range(n_authors)) + [None] * (n_entries - n_authors)
    if len(aff) == n_authors and n_entries < n_authors:
        with_aff = [i for i, a in enumerate(aff) if a]
        if len(with_aff) == n_entries:
            return with_aff
    return None


class _FileParser:
    """Parse one file's records into column buffers, counting quirks as notes."""

    def __init__(self, vy: VenueYear):
        self.vy = vy
        # Row tuples per table, in _SCHEMAS column order (positional tuples: the parser's hot
        # path; keyword dicts per row cost a third of the parse time).
        self.rows: dict[str, list[tuple]] = {t: [] for t in _ROW_TABLES}
        self.notes: Counter[str] = Counter()
        self.institutions: dict[str, list] = {}  # id -> [name, url, Counter(country)]
        self.seen_ids: dict[str, dict] = {}  # id -> first record with it

    def quarantine(self, record_no: int, record_id: str | None, reason: str, raw: object):
        text = raw.decode() if isinstance(raw, bytes) else orjson.dumps(raw).decode()
        self.rows["quarantine"].append(
            (SOURCE, self.vy.location, record_id, record_no, reason, text[:_RAW_MAX])
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
                self._paper(no, rid, work_id, p)
            except RecordError as exc:
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
        if orjson.dumps([first.get(k) for k in _PAPER_FIELDS]) == orjson.dumps(
            [p.get(k) for k in _PAPER_FIELDS]
        ):
            self.quarantine(no, rid, f"repeated listing of paper id {rid!r} (same paper fields)", p)
            return None
        self.notes["records sharing an id with different content (numbered)"] += 1
        return f"{base}{rid}#{no}"

    def _paper(self, no: int, rid: str | None, work_id: str, p: dict) -> None:
        author_raw = _text(p, "author")
        authors, halved = split_authors(author_raw)
        if halved:
            self.notes["repeated bylines halved"] += 1
        if author_raw and ";" not in author_raw and "," in author_raw:
            self.notes["comma-separated bylines"] += 1
        n = len(authors)
        aff = _split(_text(p, "aff"))
        emails = _split(_text(p, "email") or _text(p, "aff_domain"))
        if halved and _repeats(aff, n):
            aff = aff[:n]
        if halved and _repeats(emails, n):
            emails = emails[:n]

        country_table = _text(p, "aff_country_unique")
        has_table = country_table is not None and "aff_country_unique_index" in p
        names = _split(country_table) if has_table else []
        codes = []
        for name in names:
            if is_unknown(name):
                codes.append(None)
                continue
            code = to_iso2(name)
            if code is None:
                self.notes[f"unmapped country name: {name}"] += 1
            codes.append(code)
        c_entries = (
            _index_entries(_text(p, "aff_country_unique_index"), "aff_country_unique_index")
            if has_table
            else []
        )
        inst_names = _split(_text(p, "aff_unique_norm"))
        inst_urls = _split(_text(p, "aff_unique_url"))
        i_entries = _index_entries(_text(p, "aff_unique_index"), "aff_unique_index")

        known = any(
            0 <= k < len(codes) and codes[k] is not None for entry in c_entries for k in entry
        )
        aligned = known and len(c_entries) == n
        realign_map = None if aligned or not known else _realign(n, len(c_entries), aff, halved)
        if realign_map is not None:
            self.notes["papers realigned (optional 'realigned' rule)"] += 1
        if known and not aligned:
            self.notes["papers with a country list of the wrong length"] += 1

        self.rows["works"].append(
            (
                work_id,
                SOURCE,
                self.vy.venue,
                self.vy.year,
                rid,
                no,
                _text(p, "title"),
                _text(p, "track"),
                _text(p, "status"),
                n,
                _stated_authors(p),
                has_table,
                aligned,
                realign_map is not None,
                _citations(p),
                CITATION_SOURCE,
            )
        )
        aff_ok, emails_ok = len(aff) == n, len(emails) == n
        self.rows["authorships"].extend(
            (
                work_id,
                i,
                name,
                (aff[i] or None) if aff_ok else None,
                (emails[i] or None) if emails_ok else None,
            )
            for i, name in enumerate(authors)
        )
        self._affiliations(
            work_id,
            n,
            c_entries,
            names,
            codes,
            i_entries,
            inst_names,
            inst_urls,
            emails if len(emails) == n else None,
            aligned,
            realign_map,
        )

    def _affiliations(
        self,
        work_id,
        n,
        c_entries,
        names,
        codes,
        i_entries,
        inst_names,
        inst_urls,
        emails,
        aligned,
        realign_map,
    ) -> None:
        joint = bool(c_entries) and [len(e) for e in c_entries] == [len(e) for e in i_entries]
        inst_aligned = len(i_entries) == n

        def inst(k: int | None) -> tuple[str | None, str | None]:
            if k is None or not 0 <= k < len(inst_names) or not inst_names[k]:
                return None, None
            url = inst_urls[k] if k < len(inst_urls) and inst_urls[k] else None
            return inst_names[k], url

        def country(k: int | None) -> tuple[str | None, str | None]:
            if k is None or not 0 <= k < len(codes) or codes[k] is None:
                return None, None
            return names[k], codes[k]

        rows = []  # (layout, slot, seq, pos, pos_realigned, inst_name, url, cname, code)
        if joint or not c_entries:
            layout = "joint" if joint else "institution-index"
            for s, entry in enumerate(i_entries):
                pos = s if (aligned if joint else inst_aligned) else None
                rpos = (
                    pos
                    if pos is not None
                    else (
                        realign_map[s] if joint and realign_map and s < len(realign_map) else None
                    )
                )
                for q, k in enumerate(entry):
                    iname, url = inst(k)
                    cname, code = country(c_entries[s][q]) if joint else (None, None)
                    rows.append((layout, s, q, pos, rpos, iname, url, cname, code))
        else:
            for s, entry in enumerate(c_entries):
                pos = s if aligned else None
                rpos = (
                    pos
                    if pos is not None
                    else (realign_map[s] if realign_map and s < len(realign_map) else None)
                )
                for q, k in enumerate(entry):
                    cname, code = country(k)
                    rows.append(("country-index", s, q, pos, rpos, None, None, cname, code))
            for s, entry in enumerate(i_entries):
                pos = s if inst_aligned else None
                for q, k in enumerate(entry):
                    iname, url = inst(k)
                    rows.append(("institution-index", s, q, pos, pos, iname, url, None, None))

        cn_rows: dict[int, int] = {}  # China-coded rows per author (for the email rule)
        for r in rows:
            if r[8] == "CN" and r[4] is not None:
                cn_rows[r[4]] = cn_rows.get(r[4], 0) + 1
        for layout, s, q, pos, rpos, iname, url, cname, code in rows:
            if iname is None and code is None:
                continue
            email = emails[rpos] if emails is not None and rpos is not None else None
            rec, rule = recover(code, iname, url, email, cn_rows.get(rpos, 0))
            if rule != "source":
                self.notes[f"region recovered by {rule}"] += 1
            inst_id = None
            if iname is not None:
                inst_id = "pc:" + iname.lower()
                entry = self.institutions.get(inst_id)
                if entry is None:
                    entry = self.institutions[inst_id] = [iname, url, Counter()]
                if rec:
                    entry[2][rec] += 1
            self.rows["affiliations"].append(
                (
                    work_id,
                    layout,
                    s,
                    q,
                    pos,
                    rpos,
                    inst_id,
                    iname,
                    cname,
                    code,
                    rec,
                    rule if code else None,
                )
            )

    def _table(self, name: str, schema: pa.Schema) -> pa.Table:
        """The buffered row tuples of `name` as an Arrow table with `schema`."""
        columns = list(zip(*self.rows[name], strict=True)) or [()] * len(schema)
        return pa.table(
            [pa.array(col, f.type) for col, f in zip(columns, schema, strict=True)],
            schema=schema,
        )

    def tables(self) -> dict[str, pa.Table]:
        out = {name: self._table(name, _SCHEMAS[name]) for name in _ROW_TABLES}
        inst_rows = {
            "institution_id": [],
            "name": [],
            "url": [],
            "ror": [],
            "country": [],
            "n_rows": [],
        }
        for iid, (name, url, countries) in self.institutions.items():
            inst_rows["institution_id"].append(iid)
            inst_rows["name"].append(name)
            inst_rows["url"].append(url)
            inst_rows["ror"].append(None)
            inst_rows["country"].append(countries.most_common(1)[0][0] if countries else None)
            inst_rows["n_rows"].append(sum(countries.values()))
        out["institutions"] = pa.table(inst_rows, schema=_SCHEMAS["institutions"])
        return out


def load_records(vy: VenueYear, fetched: Fetched) -> list:
    """The file's JSON array of papers; SourceError naming the file if it is anything else."""
    try:
        records = orjson.loads(fetched.content)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{vy.location}: malformed JSON ({exc})") from None
    if not isinstance(records, list):
        raise SourceError(
            f"{vy.location}: expected a JSON array of papers, found {type(records).__name__}"
        )
    return records


def parse_file(vy: VenueYear, fetched: Fetched) -> LocationRows:
    """Parse one fetched file into the rows of its warehouse location."""
    records = load_records(vy, fetched)
    parser = _FileParser(vy)
    parser.parse(records)
    tables = parser.tables()
    notes = dict(parser.notes)
    notes["records"] = len(records)
    return LocationRows(
        key=vy.key,
        location=vy.location,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables=tables,
        notes=notes,
    )


def read(vy: VenueYear, client=None) -> LocationRows:
    """Fetch and parse one venue-year."""
    return parse_file(vy, read_location(vy.location, client=client))


__all__ = ["PARSER_VERSION", "SOURCE", "NotFound", "VenueYear", "discover", "parse_file", "read"]
