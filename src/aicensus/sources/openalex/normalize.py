"""OpenAlex work and institution records into warehouse rows (all three schema generations).

Follows ../shared/data/openalex_works/SOURCE.md. Ids are stored short everywhere ('W123', 'I123',
'S123', 'A123'; subfields '1702', fields '17'). An authorship's countries are the distinct
non-null `authorships[].countries` when that key exists (rule 'openalex-authorship'), otherwise
the distinct non-null `institutions[].country_code` (rule 'openalex-institution', the host_venue
era and 2023 snapshot lines). Records that cannot be loaded are quarantined with location, record
number (line or position on the page), id and reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from aicensus.warehouse import tables

SOURCE = "openalex"
PARSER_VERSION = "openalex/1"
CITATION_SOURCE = "openalex"
LAYOUT = "openalex"
RULE_AUTHORSHIP = "openalex-authorship"
RULE_INSTITUTION = "openalex-institution"
_MAX_CONCEPT_LEVEL = 1


def short_id(value: object) -> str | None:
    """'https://openalex.org/W123' -> 'W123'; '…/subfields/1702' -> '1702'; None stays None."""
    if not value or not isinstance(value, str):
        return None
    return value.rsplit("/", 1)[-1]


def short_doi(value: object) -> str | None:
    """'https://doi.org/10.1/X' -> '10.1/x' (DOIs are case-insensitive; stored lower-case)."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
        if v.startswith(prefix):
            return v[len(prefix) :]
    return v


def schema_era(rec: dict) -> str:
    """'host_venue' (2022 records), 'topics' (primary_topic key) or 'concepts' (in between)."""
    if "host_venue" in rec:
        return "host_venue"
    if "primary_topic" in rec:
        return "topics"
    return "concepts"


class RecordError(ValueError):
    """A record that cannot be loaded; the message is the quarantine reason."""


def _country(code: object) -> str | None:
    if not isinstance(code, str):
        return None
    c = code.strip().upper()
    return c if len(c) == 2 and c.isalpha() else None


SCHEMAS: dict[str, pa.Schema] = {
    "works": pa.schema(
        [
            *tables.WORK_IDENTITY,
            ("doi", pa.string()),
            ("work_type", pa.string()),
            ("n_authors", pa.int32()),
            *tables.WORK_COUNTING,
            ("topic_id", pa.string()),
            ("topic_name", pa.string()),
            ("subfield_id", pa.string()),
            ("subfield_name", pa.string()),
            ("field_id", pa.string()),
            ("field_name", pa.string()),
            ("fwci", pa.float64()),
            ("source_id", pa.string()),
            ("source_name", pa.string()),
            ("updated_date", pa.date32()),
            ("schema_era", pa.string()),
        ]
    ),
    "authorships": tables.extend(
        tables.AUTHORSHIPS,
        ("author_id", pa.string()),
        ("author_position_tag", pa.string()),
        ("is_corresponding", pa.bool_()),
    ),
    "affiliations": tables.AFFILIATIONS,
    "institutions": tables.extend(
        tables.INSTITUTIONS,
        ("institution_type", pa.string()),
        ("lineage", pa.list_(pa.string())),
    ),
    "work_references": pa.schema([("work_id", pa.string()), ("referenced_work_id", pa.string())]),
    "work_concepts": pa.schema(
        [
            ("work_id", pa.string()),
            ("concept_id", pa.string()),
            ("concept_name", pa.string()),
            ("level", pa.int32()),
            ("score", pa.float64()),
        ]
    ),
    "quarantine": tables.QUARANTINE,
}


def _array(values: list, typ: pa.DataType) -> pa.Array:
    if typ == pa.date32():  # ISO date strings; Arrow parses them in bulk
        return pa.array(values, pa.string()).cast(typ)
    return pa.array(values, typ)


# Columns that are a constant or a copy of another column: tables() fills them in bulk instead
# of appending one value per row (the row loops are the ingest hot path).
_DERIVED: dict[str, dict[str, tuple[str, object]]] = {
    "works": {
        "source": ("const", SOURCE),
        "source_record_id": ("copy", "work_id"),
        "has_country_table": ("const", True),
        "aligned": ("const", True),
        "realigned": ("const", False),
        "citation_source": ("const", CITATION_SOURCE),
    },
    "affiliations": {
        "layout": ("const", LAYOUT),
        "author_position": ("copy", "slot"),
        "author_position_realigned": ("copy", "slot"),
        "country_source_name": ("copy", "country"),
        "country_source": ("copy", "country"),
    },
}


def _empty_cols(table: str) -> dict[str, list]:
    derived = _DERIVED.get(table, {})
    return {f.name: [] for f in SCHEMAS[table] if f.name not in derived}


def _table(name: str, cols: dict[str, list]) -> pa.Table:
    """Arrow table of `name` from its stored column lists plus its derived columns."""
    schema = SCHEMAS[name]
    derived = _DERIVED.get(name, {})
    arrays = {c: _array(cols[c], schema.field(c).type) for c in cols}
    n = len(next(iter(cols.values()))) if cols else 0
    for c, (kind, value) in derived.items():
        typ = schema.field(c).type
        # a "copy" names the column it repeats
        arrays[c] = pa.repeat(pa.scalar(value, typ), n) if kind == "const" else arrays[str(value)]
    return pa.table({f.name: arrays[f.name] for f in schema})


class _LineReader:
    """What both normalizers share: JSON Lines in, parsed records to `add`, bad ones to the
    location's quarantine rows (`quarantine_cols`)."""

    location: str
    records: int
    quarantine_cols: dict[str, list]

    def add(self, rec: object, record_no: int) -> None:
        raise NotImplementedError

    def add_line(self, line: bytes, record_no: int) -> None:
        """One JSON Lines line (blank lines are skipped)."""
        if not line.strip():
            return
        self.records += 1
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            self.quarantine(record_no, None, f"malformed JSON line ({exc})", line)
            return
        self.add(rec, record_no)

    def quarantine(self, record_no: int, record_id: str | None, reason: str, raw: object) -> None:
        """One quarantine row: the raw line (bytes) or the record re-serialized."""
        if isinstance(raw, bytes):
            text = raw.decode("utf-8", "replace")
        else:
            text = orjson.dumps(raw).decode()
        q = self.quarantine_cols
        for col, value in tables.quarantine_row(
            SOURCE, self.location, record_no, record_id, reason, text
        ).items():
            q[col].append(value)


class WorkNormalizer(_LineReader):
    """Accumulates the rows of one location (a page, a file, a partition) column by column.

    Column lists with local appends are used because records arrive as Python dicts (orjson)
    and this loop is the ingest hot path; Arrow tables are built once at the end.
    """

    def __init__(self, location: str):
        self.location = location
        self.cols = {t: _empty_cols(t) for t in SCHEMAS if t != "institutions"}
        self.quarantine_cols = self.cols["quarantine"]
        self.institutions: dict[str, list] = {}  # id -> [name, ror, country, type, lineage, n]
        self.notes: Counter[str] = Counter()
        self.seen: set[str] = set()
        self.records = 0
        # referenced_works as given, with the citing work and how many it lists
        self.refs: list = []
        self.ref_owners: list[str] = []
        self.ref_counts: list[int] = []

    # ------------------------------------------------------------ input

    def add(self, rec: object, record_no: int) -> None:
        """One parsed work record."""
        if not isinstance(rec, dict):
            self.quarantine(
                record_no, None, f"record is a {type(rec).__name__}, not an object", rec
            )
            return
        wid = short_id(rec.get("id") or (rec.get("ids") or {}).get("openalex"))
        if not wid or not wid.startswith("W"):
            self.quarantine(record_no, None, "record has no OpenAlex work id", rec)
            return
        if wid in self.seen:
            self.quarantine(record_no, wid, f"repeated work id {wid!r} in this location", rec)
            return
        try:
            self._work(rec, wid, record_no)
        except RecordError as exc:
            self.quarantine(record_no, wid, str(exc), rec)
            return
        self.seen.add(wid)

    # ------------------------------------------------------------ one work

    def _authorships(self, rec: dict) -> list[dict]:
        auths = rec.get("authorships", ...)
        if auths is ...:
            raise RecordError("missing authorships")
        if not isinstance(auths, list):
            raise RecordError(f"authorships is {type(auths).__name__}, not a list")
        for i, a in enumerate(auths):
            if not isinstance(a, dict):
                raise RecordError(f"authorship {i} is not an object")
            if "institutions" in a and not isinstance(a["institutions"], list):
                raise RecordError(f"authorship {i}: institutions is null or not a list")
        return auths

    def _work(self, rec: dict, wid: str, no: int) -> None:
        auths = self._authorships(rec)  # validate before writing any row of this work
        era = schema_era(rec)
        self.notes[f"schema era {era}"] += 1
        year = rec.get("publication_year")
        if year is not None and not isinstance(year, int):
            raise RecordError(f"publication_year {year!r} is not an integer")
        cited = rec.get("cited_by_count")
        if cited is not None and not isinstance(cited, int):
            raise RecordError(f"cited_by_count {cited!r} is not an integer")

        if era == "host_venue":
            hv = rec.get("host_venue") or {}
            src_id, src_name = short_id(hv.get("id")), hv.get("display_name")
        else:
            loc = rec.get("primary_location") or {}
            src = loc.get("source") or {}
            src_id, src_name = short_id(src.get("id")), src.get("display_name")
        pt = rec.get("primary_topic") or {}
        sub = pt.get("subfield") or {}
        fld = pt.get("field") or {}
        fwci = rec.get("fwci")
        upd = rec.get("updated_date")

        w = self.cols["works"]
        w["work_id"].append(wid)
        w["venue"].append(src_name or src_id)
        w["year"].append(year)
        w["record_no"].append(no)
        w["title"].append(rec.get("title") or rec.get("display_name"))
        w["doi"].append(short_doi(rec.get("doi")))
        w["work_type"].append(rec.get("type"))
        w["n_authors"].append(len(auths))
        w["citations"].append(cited)
        w["topic_id"].append(short_id(pt.get("id")))
        w["topic_name"].append(pt.get("display_name"))
        w["subfield_id"].append(short_id(sub.get("id")))
        w["subfield_name"].append(sub.get("display_name"))
        w["field_id"].append(short_id(fld.get("id")))
        w["field_name"].append(fld.get("display_name"))
        w["fwci"].append(float(fwci) if isinstance(fwci, int | float) else None)
        w["source_id"].append(src_id)
        w["source_name"].append(src_name)
        w["updated_date"].append(upd[:10] if isinstance(upd, str) and len(upd) >= 10 else None)
        w["schema_era"].append(era)

        refs = rec.get("referenced_works")
        if refs:  # shortened and expanded in bulk by tables() (the largest table, ~30/work)
            self.refs.extend(refs)
            self.ref_owners.append(wid)
            self.ref_counts.append(len(refs))

        concepts = rec.get("concepts") or ()
        if concepts:
            c = self.cols["work_concepts"]
            for k in concepts:
                level = k.get("level")
                if isinstance(level, int) and level <= _MAX_CONCEPT_LEVEL:
                    score = k.get("score")
                    try:
                        score = float(score) if score is not None else None
                    except (TypeError, ValueError):
                        score = None
                    c["work_id"].append(wid)
                    c["concept_id"].append(short_id(k.get("id")))
                    c["concept_name"].append(k.get("display_name"))
                    c["level"].append(level)
                    c["score"].append(score)

        self._authorship_rows(wid, auths)

    def _authorship_rows(self, wid: str, auths: list[dict]) -> None:
        au = self.cols["authorships"]
        af = self.cols["affiliations"]
        af_work, af_slot, af_seq = af["work_id"].append, af["slot"].append, af["seq"].append
        af_iid, af_name = af["institution_id"].append, af["institution_name"].append
        af_country, af_rule = af["country"].append, af["country_rule"].append
        insts_seen = self.institutions
        for pos, a in enumerate(auths):
            author = a.get("author") or {}
            raw = a.get("raw_affiliation_strings")
            raw = "; ".join(raw) if raw else a.get("raw_affiliation_string")
            au["work_id"].append(wid)
            au["position"].append(pos)
            au["author_name"].append(author.get("display_name") or a.get("raw_author_name"))
            au["raw_affiliation"].append(raw or None)
            au["author_id"].append(short_id(author.get("id")))
            au["author_position_tag"].append(a.get("author_position"))
            au["is_corresponding"].append(a.get("is_corresponding"))

            insts = []
            ids = set()
            for inst in a.get("institutions") or ():
                iid = short_id(inst.get("id")) if isinstance(inst, dict) else None
                if iid in ids:
                    self.notes["duplicate institution in an authorship (kept once)"] += 1
                    continue
                ids.add(iid)
                insts.append((iid, inst))
            rows: list[tuple[str | None, dict | None, str | None, str]] = []
            if "countries" in a:
                countries = []
                for c in a.get("countries") or ():
                    c = _country(c)
                    if c and c not in countries:
                        countries.append(c)
                used = set()
                for c in countries:
                    match = next(
                        (
                            (iid, inst)
                            for iid, inst in insts
                            if iid not in used and _country(inst.get("country_code")) == c
                        ),
                        None,
                    )
                    if match:
                        used.add(match[0])
                        rows.append((match[0], match[1], c, RULE_AUTHORSHIP))
                    else:
                        rows.append((None, None, c, RULE_AUTHORSHIP))
                for iid, inst in insts:
                    if iid not in used:
                        rows.append((iid, inst, None, RULE_AUTHORSHIP))
            else:
                for iid, inst in insts:
                    rows.append((iid, inst, _country(inst.get("country_code")), RULE_INSTITUTION))
            for seq, (iid, inst, country, rule) in enumerate(rows):
                name = inst.get("display_name") if inst else None
                af_work(wid)
                af_slot(pos)
                af_seq(seq)
                af_iid(iid)
                af_name(name)
                af_country(country)
                af_rule(rule if country else None)
                if iid and inst is not None:  # an institution id comes with its record
                    entry = insts_seen.get(iid)
                    if entry is None:
                        lineage = [short_id(x) for x in inst.get("lineage") or ()] or None
                        insts_seen[iid] = [
                            name,
                            inst.get("ror"),
                            _country(inst.get("country_code")),
                            inst.get("type"),
                            lineage,
                            1,
                        ]
                    else:
                        entry[5] += 1

    # ------------------------------------------------------------ output

    def _references(self) -> pa.Table:
        """work_references: each listed id shortened (text after the last '/'); entries that
        are not strings are dropped. Done in Arrow, as Python per-id work was the hot spot."""
        owners = pa.array(self.ref_owners, pa.string())
        counts = np.asarray(self.ref_counts, dtype=np.int64)
        work_id = owners.take(np.repeat(np.arange(len(counts)), counts))
        try:
            ref = pa.array(self.refs, pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            ref = pa.array([x if isinstance(x, str) else None for x in self.refs], pa.string())
        ref = pc.replace_substring_regex(ref, pattern="(?s)^.*/", replacement="")
        table = pa.table({"work_id": work_id, "referenced_work_id": ref})
        if ref.null_count:
            table = table.filter(pc.is_valid(ref))
        return table.cast(SCHEMAS["work_references"])

    def tables(self) -> dict[str, pa.Table]:
        out = {}
        for name, cols in self.cols.items():
            out[name] = self._references() if name == "work_references" else _table(name, cols)
        inst = _empty_cols("institutions")
        for iid, (name, ror, country, itype, lineage, n) in self.institutions.items():
            inst["institution_id"].append(iid)
            inst["name"].append(name or iid)
            inst["url"].append(None)
            inst["ror"].append(ror)
            inst["country"].append(country)
            inst["n_rows"].append(n)
            inst["institution_type"].append(itype)
            inst["lineage"].append(lineage)
        out["institutions"] = pa.table(
            {f.name: pa.array(inst[f.name], f.type) for f in SCHEMAS["institutions"]}
        )
        return out

    def summary_notes(self) -> dict[str, int]:
        notes = dict(self.notes)
        notes["records"] = self.records
        return notes


class InstitutionNormalizer(_LineReader):
    """Institution entity records (snapshot lines, /institutions results) into `institutions`."""

    def __init__(self, location: str):
        self.location = location
        self.cols = _empty_cols("institutions")
        self.quarantine_cols = _empty_cols("quarantine")
        self.seen: set[str] = set()
        self.records = 0
        self.notes: Counter[str] = Counter()

    def add(self, rec: object, record_no: int) -> None:
        if not isinstance(rec, dict):
            self.quarantine(record_no, None, "record is not an object", rec)
            return
        iid = short_id(rec.get("id"))
        if not iid or not iid.startswith("I"):
            self.quarantine(record_no, None, "record has no OpenAlex institution id", rec)
            return
        if iid in self.seen:
            self.quarantine(record_no, iid, f"repeated institution id {iid!r}", rec)
            return
        self.seen.add(iid)
        c = self.cols
        c["institution_id"].append(iid)
        c["name"].append(rec.get("display_name") or iid)
        c["url"].append(rec.get("homepage_url"))
        c["ror"].append(rec.get("ror"))
        c["country"].append(_country(rec.get("country_code")))
        c["n_rows"].append(0)
        c["institution_type"].append(rec.get("type"))
        c["lineage"].append([short_id(x) for x in rec.get("lineage") or ()] or None)

    def tables(self) -> dict[str, pa.Table]:
        return {
            "institutions": pa.table(
                {f.name: pa.array(self.cols[f.name], f.type) for f in SCHEMAS["institutions"]}
            ),
            "quarantine": pa.table(
                {
                    f.name: pa.array(self.quarantine_cols[f.name], f.type)
                    for f in SCHEMAS["quarantine"]
                }
            ),
        }

    def summary_notes(self) -> dict[str, int]:
        return {**self.notes, "records": self.records}


def normalize_works(records: Iterable[object], location: str, start: int = 1) -> WorkNormalizer:
    """Normalize parsed records (e.g. an API page's `results`); record_no counts from `start`."""
    n = WorkNormalizer(location)
    for i, rec in enumerate(records, start):
        n.records += 1
        n.add(rec, i)
    return n
