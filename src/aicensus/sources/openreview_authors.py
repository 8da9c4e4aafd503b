"""Paper Copilot's OpenReview author files joined to accepted-paper lists (`openreview_authors`).

../shared/data/openreview_authors/SOURCE.md: `lists/<venue><year>.json.gz` (a JSON array of
papers with a status) and `authors/<venue><year>.jsonl.gz` (one record per OpenReview
submission, `;`-slots per author: name, `aff`, `aff_domain`, self-declared `position`).

Per venue-year (one load location): every author record goes to `openreview_authors` (slots)
and `openreview_affiliations` (countries inferred per slot by the affiliation resolver, as
paperlists_affonly infers them); the list's accepted papers (status not Reject, Withdraw or Desk
Reject; the others are counted in the notes, not loaded) go to works/authorships/affiliations,
joined to an author record by OpenReview id, else by the byline rules of
sources/openreview_byline.py; `openreview_joins` keeps the rule per paper. A paper no rule
reaches stays loaded with no affiliation (unknown country), as do the papers of lists without an
author file. Reading, splitting and joining are DuckDB SQL; Python sees distinct affiliation
strings (the resolver), distinct bylines (NFKD folding) and the papers left for the fuzzy rule.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.geo.affiliations.resolver import RESOLVER_VERSION, Resolver
from aicensus.sources import openreview_byline as byline
from aicensus.sources import paperlists as pl
from aicensus.sources.fetch import Fetched, read_location
from aicensus.sources.paperlists_affonly import _AFF_SCHEMA
from aicensus.warehouse import LocationRows, tables

SOURCE = "openreview_authors"
PARSER_VERSION = f"openreview_authors/1+{RESOLVER_VERSION}"
NOT_ACCEPTED = ("Reject", "Withdraw", "Desk Reject")
JOIN_RULES = ("id", "byline-exact", "byline-fuzzy", "unjoined", "no-author-file")
_FILE = re.compile(r"^([a-z]+)(\d{4})\.jsonl?(\.gz)?$")

AUTHORS_SCHEMA = pa.schema(
    [
        ("venue", pa.string()),
        ("year", pa.int32()),
        ("record_id", pa.string()),
        ("record_no", pa.int32()),
        ("position", pa.int32()),
        ("author_name", pa.string()),
        ("raw_affiliation", pa.string()),
        ("email_domain", pa.string()),
        ("author_title", pa.string()),
    ]
)
RECORD_AFF_SCHEMA = pa.schema(
    [
        ("venue", pa.string()),
        ("year", pa.int32()),
        ("record_id", pa.string()),
        ("layout", pa.string()),
        ("slot", pa.int32()),
        ("seq", pa.int32()),
        ("author_position", pa.int32()),
        *[f for f in _AFF_SCHEMA if f.name not in {a.name for a in tables.AFFILIATIONS}],
    ]
)
JOINS_SCHEMA = pa.schema(
    [
        ("work_id", pa.string()),
        ("venue", pa.string()),
        ("year", pa.int32()),
        ("list_record_id", pa.string()),
        ("record_id", pa.string()),
        ("join_rule", pa.string()),
        ("join_score", pa.float64()),
        ("byline_record_id", pa.string()),
        ("byline_rule", pa.string()),
    ]
)
SCHEMAS = {
    "works": pl._SCHEMAS["works"],
    "authorships": pl._SCHEMAS["authorships"],
    "affiliations": _AFF_SCHEMA,
    "openreview_authors": AUTHORS_SCHEMA,
    "openreview_affiliations": RECORD_AFF_SCHEMA,
    "openreview_joins": JOINS_SCHEMA,
    "quarantine": tables.QUARANTINE,
}


@dataclass(frozen=True)
class VenueYearFiles:
    """One venue-year: its paper list and/or its author file (either may be absent)."""

    venue: str
    year: int
    list_location: str | None
    authors_location: str | None

    @property
    def key(self) -> str:
        return f"{self.venue}{self.year}"

    @property
    def location(self) -> str:
        return str(self.list_location or self.authors_location)


def discover(
    root: str, venues: Iterable[str] | None = None, years: Iterable[int] | None = None
) -> list[VenueYearFiles]:
    """The venue-years under `root` (`lists/` and `authors/`), optionally selected."""
    base = Path(root)
    if not base.is_dir():
        raise SourceError(f"{root}: no such directory (expected lists/ and authors/)")
    found: dict[tuple[str, int], dict[str, str]] = {}
    for sub in ("lists", "authors"):
        for f in sorted((base / sub).glob("*.json*")):
            m = _FILE.match(f.name)
            if m:
                found.setdefault((m.group(1), int(m.group(2))), {})[sub] = str(f)
    if not found:
        raise SourceError(f"{root}: no lists/<venue><year>.json[.gz] or authors/ files")
    vs = {v.strip().lower() for v in venues} if venues else None
    ys = set(years) if years else None
    out = [
        VenueYearFiles(v, y, f.get("lists"), f.get("authors"))
        for (v, y), f in sorted(found.items())
        if (vs is None or v in vs) and (ys is None or y in ys)
    ]
    if not out:
        raise SourceError(f"{root}: no openreview_authors file matches the selected venues/years")
    return out


_LIST_STRUCT = (
    '[{"id": "VARCHAR", "title": "VARCHAR", "track": "VARCHAR", "status": "VARCHAR", '
    '"author": "VARCHAR", "authors": "VARCHAR"}]'
)
_AUTHOR_STRUCT = (
    '{"id": "VARCHAR", "author": "VARCHAR", "aff": "VARCHAR", "aff_domain": "VARCHAR", '
    '"position": "VARCHAR"}'
)

# Author records: one per non-empty line; lines that are not JSON objects are quarantined.
_RECORDS = f"""
CREATE TEMP TABLE rec AS
WITH lines AS (
    SELECT unnest(l) AS line, generate_subscripts(l, 1)::INTEGER AS record_no
    FROM (SELECT string_split(content, chr(10)) AS l FROM or_auth)
)
SELECT record_no, line, json_valid(line) AND json_type(line) = 'OBJECT' AS ok,
       CASE WHEN json_valid(line) AND json_type(line) = 'OBJECT'
            THEN from_json(line, '{_AUTHOR_STRUCT}') END AS r
FROM lines WHERE trim(line) <> ''
"""
# Slot lists per record (an empty byline is one empty slot, as SOURCE.md counts; empty `aff`
# or `aff_domain` give none; placeholders such as '-' stay text, the resolver leaves them
# unknown); per_author when `aff` has one slot per author (else its slots are the paper's, no
# author position), as paperlists_affonly decides.
_LISTS = """
CREATE TEMP TABLE rl AS
SELECT record_no, r.id AS record_id,
       string_split(coalesce(r.author, ''), ';') AS names,
       CASE WHEN trim(coalesce(r.aff, '')) = '' THEN []
            ELSE string_split(r.aff, ';') END AS affs,
       CASE WHEN trim(coalesce(r.aff_domain, '')) = '' THEN []
            ELSE string_split(r.aff_domain, ';') END AS doms,
       CASE WHEN coalesce(r.position, '') = '' THEN [] ELSE string_split(r.position, ';') END
           AS titles
FROM rec WHERE ok AND coalesce(r.id, '') <> ''
"""
_SLOTS = """
SELECT ?::VARCHAR AS venue, ?::INTEGER AS year, record_id, record_no,
       (i - 1)::INTEGER AS position, nullif(trim(names[i]), '') AS author_name,
       nullif(trim(CASE WHEN len(affs) = len(names) THEN affs[i] END), '') AS raw_affiliation,
       nullif(trim(CASE WHEN len(doms) = len(names) THEN doms[i] END), '') AS email_domain,
       nullif(trim(CASE WHEN len(titles) = len(names) THEN titles[i] END), '') AS author_title
FROM (SELECT *, unnest(range(1, len(names) + 1)) AS i FROM rl)
ORDER BY record_no, position
"""
# Affiliation entries to resolve: each `aff` slot ('+'-parts when per author), with the author's
# email domain when the domain slots line up; or the domains alone when there is no `aff`.
_PARTS = """
CREATE TEMP TABLE parts AS
WITH slots AS (
    SELECT record_id, len(affs) = len(names) AS per_author, len(doms) = len(names) AS dom_ok,
           unnest(affs) AS text, unnest(range(len(affs)))::INTEGER AS slot, doms
    FROM rl WHERE len(affs) > 0
), split AS (
    SELECT record_id, per_author, slot,
           CASE WHEN per_author AND dom_ok THEN trim(doms[slot + 1]) END AS email,
           CASE WHEN per_author THEN string_split(text, '+') ELSE [text] END AS ps
    FROM slots
)
SELECT record_id, CASE WHEN per_author THEN 'author' ELSE 'paper' END AS layout, slot,
       (generate_subscripts(ps, 1) - 1)::INTEGER AS seq,
       CASE WHEN per_author THEN slot END AS author_position,
       nullif(trim(unnest(ps)), '') AS text, nullif(email, '') AS email
FROM split
UNION ALL
SELECT record_id, 'author', i - 1, 0, i - 1, NULL, nullif(trim(doms[i]), '')
FROM (SELECT *, unnest(range(1, len(names) + 1)) AS i FROM rl
      WHERE len(affs) = 0 AND len(doms) = len(names) AND len(names) > 0)
"""
_RECORD_AFF = f"""
SELECT ?::VARCHAR AS venue, ?::INTEGER AS year, p.record_id, p.layout, p.slot, p.seq,
       p.author_position, p.text AS raw_affiliation, p.email AS email_domain,
       c.country AS country_inferred, r.institution AS inferred_institution,
       r.rule AS inferred_rule, CASE WHEN c.country IS NOT NULL THEN r.confidence END
           AS inferred_confidence,
       r.headquarters AS inferred_headquarters, '{RESOLVER_VERSION}' AS resolver_version
FROM parts p
JOIN resolved r ON r.text IS NOT DISTINCT FROM p.text AND r.email IS NOT DISTINCT FROM p.email
CROSS JOIN unnest(CASE WHEN len(r.countries) = 0 THEN [NULL] ELSE r.countries END) AS c(country)
ORDER BY p.record_id, p.slot, p.seq, c.country
"""
_LIST = f"""
CREATE TEMP TABLE lst AS
SELECT record_no::INTEGER AS record_no, p.id, p.title, p.track, p.status,
       coalesce(p.author, p.authors) AS byline, p IS NULL AS bad
FROM (SELECT unnest(range(1, len(r) + 1)) AS record_no, unnest(r) AS p
      FROM (SELECT from_json(content, '{_LIST_STRUCT}') AS r FROM or_list))
"""


class _Parse:
    """One venue-year's parse in a private in-memory DuckDB."""

    def __init__(self, vy: VenueYearFiles, resolver: Resolver):
        self.vy = vy
        self.resolver = resolver
        self.con = duckdb.connect(config={"threads": 1})
        self.notes: dict[str, int] = {}
        self.quarantined: list[tuple[int | None, str | None, str, object]] = []
        self.out: dict[str, pa.Table] = {}

    def run(self, lst: Fetched | None, auth: Fetched | None) -> dict[str, pa.Table]:
        try:
            if auth is not None:
                self._authors(auth)
            if lst is not None:
                self._list(lst, auth is not None)
        finally:
            self.con.close()
        return self.out

    # ---------------------------------------------------------------- author records

    def _authors(self, auth: Fetched) -> None:
        con, vy = self.con, self.vy
        con.register("or_auth", pa.table({"content": [auth.content.decode("utf-8", "replace")]}))
        con.execute(_RECORDS)
        for no, line in con.execute("SELECT record_no, line FROM rec WHERE NOT ok").fetchall():
            self.quarantined.append((no, None, "line is not a JSON object", line))
        for no, line in con.execute(
            "SELECT record_no, line FROM rec WHERE ok AND coalesce(r.id, '') = ''"
        ).fetchall():
            self.quarantined.append((no, None, "author record without id", line))
        con.execute(_LISTS)
        self.notes["author records"] = con.execute("SELECT count(*) FROM rl").fetchall()[0][0]
        self.out["openreview_authors"] = _cast(
            con.sql(_SLOTS, params=[vy.venue, vy.year]).to_arrow_table(), AUTHORS_SCHEMA
        )
        con.execute(_PARTS)
        pairs = con.execute("SELECT DISTINCT text, email FROM parts").fetchall()
        res = [self.resolver.resolve(t, e) for t, e in pairs]
        con.register(
            "resolved",
            pa.table(
                {
                    "text": [t for t, _ in pairs],
                    "email": [e for _, e in pairs],
                    "countries": pa.array([list(r.countries) for r in res], pa.list_(pa.string())),
                    "institution": [r.institution for r in res],
                    "rule": [r.rule for r in res],
                    "confidence": pa.array([r.confidence for r in res], pa.float64()),
                    "headquarters": pa.array([r.headquarters for r in res], pa.bool_()),
                }
            ),
        )
        self.notes["distinct affiliation entries resolved"] = len(pairs)
        self.out["openreview_affiliations"] = _cast(
            con.sql(_RECORD_AFF, params=[vy.venue, vy.year]).to_arrow_table(), RECORD_AFF_SCHEMA
        )

    # ---------------------------------------------------------------- list and join

    def _list(self, lst: Fetched, has_authors: bool) -> None:
        con, vy = self.con, self.vy
        con.register("or_list", pa.table({"content": [lst.content.decode("utf-8", "replace")]}))
        try:
            con.execute(_LIST)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise SourceError(
                f"{vy.list_location}: expected a JSON array of paper objects ({first})"
            ) from None
        self.notes["list records"] = con.execute("SELECT count(*) FROM lst").fetchall()[0][0]
        bad = con.execute(
            "SELECT record_no, id, CASE WHEN bad THEN 'record is not an object' "
            "WHEN coalesce(id, '') = '' THEN 'paper without id' "
            "ELSE 'repeated paper id ' || id END FROM lst "
            "QUALIFY bad OR coalesce(id, '') = '' "
            "OR record_no > min(record_no) OVER (PARTITION BY id) ORDER BY record_no"
        ).fetchall()
        self.quarantined += [(no, rid, why, None) for no, rid, why in bad]
        con.execute(
            "CREATE TEMP TABLE acc AS SELECT * FROM lst WHERE NOT bad AND coalesce(id, '') <> '' "
            "QUALIFY record_no = min(record_no) OVER (PARTITION BY id) "
            f"AND coalesce(status, '') NOT IN {NOT_ACCEPTED!r}"
        )
        n_acc = con.execute("SELECT count(*) FROM acc").fetchall()[0][0]
        self.notes["list records not accepted (left out)"] = (
            self.notes["list records"] - n_acc - len(bad)
        )
        self._join(has_authors)
        self._paper_rows()

    def _join(self, has_authors: bool) -> None:
        """Table `joined` (id, record_id, rule, score, byline_record_id, byline_rule)."""
        con = self.con
        if not has_authors:
            con.execute(
                "CREATE TEMP TABLE joined AS SELECT id, NULL::VARCHAR AS record_id, "
                "'no-author-file' AS rule, NULL::DOUBLE AS score, NULL::VARCHAR AS b_record, "
                "NULL::VARCHAR AS b_rule FROM acc"
            )
            self.notes["papers joined: no-author-file"] = len(con.execute("FROM acc").fetchall())
            return
        papers = con.execute("SELECT id, byline FROM acc ORDER BY record_no").fetchall()
        records = con.execute(
            "SELECT r.id, r.author FROM rec WHERE ok AND coalesce(r.id, '') <> '' "
            "ORDER BY record_no"
        ).fetchall()
        ids = {rid for rid, _ in records}
        picks = byline_rules(papers, records)
        rows: list[tuple[str, str | None, str, float | None, str | None, str | None]] = []
        for pid, _ in papers:
            pick = picks.get(pid)
            b_record, b_rule = (pick[0], pick[1]) if pick else (None, None)
            if pid in ids:
                rows.append((pid, pid, "id", None, b_record, b_rule))
            elif pick is not None:
                rows.append((pid, pick[0], pick[1], pick[2], pick[0], pick[1]))
            else:
                rows.append((pid, None, "unjoined", None, None, None))
        names = ["id", "record_id", "rule", "score", "b_record", "b_rule"]
        types = [pa.string(), pa.string(), pa.string(), pa.float64(), pa.string(), pa.string()]
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        con.register(
            "joined_rows",
            pa.table([pa.array(c, t) for c, t in zip(cols, types, strict=True)], names=names),
        )
        con.execute("CREATE TEMP TABLE joined AS SELECT * FROM joined_rows")
        for rule, n in con.execute("SELECT rule, count(*) FROM joined GROUP BY 1").fetchall():
            self.notes[f"papers joined: {rule}"] = n

    def _paper_rows(self) -> None:
        con, vy = self.con, self.vy
        params = [SOURCE, vy.venue, vy.year]
        if "openreview_affiliations" not in self.out:  # no author file: empty record tables
            con.execute(
                "CREATE TEMP TABLE rl AS SELECT NULL::INTEGER AS record_no, "
                "NULL::VARCHAR AS record_id, []::VARCHAR[] AS names, []::VARCHAR[] AS affs "
                "WHERE false"
            )
            con.register("slots_t", AUTHORS_SCHEMA.empty_table())
            con.register("raff_t", RECORD_AFF_SCHEMA.empty_table())
        else:
            con.register("slots_t", self.out["openreview_authors"])
            con.register("raff_t", self.out["openreview_affiliations"])
        con.execute(_PAPERS, params)
        self.out["works"] = _cast(con.sql(_WORKS, params=params).to_arrow_table(), SCHEMAS["works"])
        self.out["authorships"] = _cast(
            con.sql(_AUTHORSHIPS).to_arrow_table(), SCHEMAS["authorships"]
        )
        self.out["affiliations"] = _cast(
            con.sql(_AFFILIATIONS).to_arrow_table(), SCHEMAS["affiliations"]
        )
        self.out["openreview_joins"] = _cast(
            con.sql(_JOINS, params=params[1:]).to_arrow_table(), JOINS_SCHEMA
        )


_PAPERS = """
CREATE TEMP TABLE papers AS
SELECT ?::VARCHAR || ':' || ?::VARCHAR || ?::INTEGER || ':' || a.id AS work_id, a.*, j.record_id,
       j.rule, j.score, j.b_record, j.b_rule, rl.names, rl.affs,
       list_filter(list_transform(regexp_split_to_array(coalesce(a.byline, ''), '[;,]'),
                                  lambda x: trim(x)), lambda x: x <> '') AS list_names
FROM acc a JOIN joined j USING (id) LEFT JOIN rl ON rl.record_id = j.record_id
"""
_WORKS = """
SELECT work_id, ?::VARCHAR AS source, ?::VARCHAR AS venue, ?::INTEGER AS year,
       id AS source_record_id, record_no, title, track, status,
       CASE WHEN names IS NULL THEN len(list_names) ELSE len(names) END::INTEGER AS n_authors,
       NULL::INTEGER AS n_authors_stated, false AS has_country_table,
       coalesce(len(names) > 0 AND len(affs) = len(names), false) AS aligned,
       false AS realigned, NULL::BIGINT AS citations, NULL::VARCHAR AS citation_source
FROM papers ORDER BY record_no
"""
_AUTHORSHIPS = """
SELECT p.work_id, s.position, s.author_name, s.raw_affiliation, s.email_domain
FROM papers p JOIN slots_t s ON s.record_id = p.record_id
UNION ALL
SELECT work_id, (generate_subscripts(list_names, 1) - 1)::INTEGER, unnest(list_names),
       NULL, NULL
FROM papers WHERE record_id IS NULL
ORDER BY 1, 2
"""
_AFFILIATIONS = """
SELECT p.work_id, r.layout, r.slot, r.seq, r.author_position,
       r.author_position AS author_position_realigned, NULL AS institution_id,
       NULL AS institution_name, NULL AS country_source_name, NULL AS country_source,
       NULL AS country, NULL AS country_rule, r.raw_affiliation, r.email_domain,
       r.country_inferred, r.inferred_institution, r.inferred_rule, r.inferred_confidence,
       r.inferred_headquarters, r.resolver_version
FROM papers p JOIN raff_t r ON r.record_id = p.record_id
ORDER BY p.work_id, r.slot, r.seq, r.country_inferred
"""
_JOINS = """
SELECT work_id, ?::VARCHAR AS venue, ?::INTEGER AS year, id AS list_record_id, record_id,
       rule AS join_rule, score AS join_score, b_record AS byline_record_id, b_rule AS byline_rule
FROM papers ORDER BY record_no
"""


def byline_rules(
    papers: list[tuple[str, str | None]], records: list[tuple[str, str | None]]
) -> dict[str, tuple[str, str, float]]:
    """What the byline rules alone join, ids ignored: paper id -> (record id, rule, score).

    First SOURCE.md's exact rule (a normalized byline exactly one record has), then the fuzzy
    rule for the papers left, against the records no exact join took."""
    counts: dict[str, list[str]] = {}
    for rid, b in records:
        counts.setdefault(byline.exact_key(b), []).append(rid)
    out: dict[str, tuple[str, str, float]] = {}
    for pid, b in papers:
        hits = counts.get(byline.exact_key(b), [])
        if len(hits) == 1 and byline.exact_key(b):
            out[pid] = (hits[0], "byline-exact", 100.0)
    taken = {r for r, _, _ in out.values()}
    left = [(pid, b) for pid, b in papers if pid not in out]
    free = [(rid, b) for rid, b in records if rid not in taken]
    picks = byline.fuzzy_join([b for _, b in left], [b for _, b in free])
    for (pid, _), pick in zip(left, picks, strict=True):
        if pick is not None:
            out[pid] = (free[pick[0]][0], "byline-fuzzy", round(pick[1], 2))
    return out


def parse(vy: VenueYearFiles, resolver: Resolver) -> LocationRows:
    """Read and join one venue-year's list and author file into warehouse rows."""
    lst = read_location(vy.list_location) if vy.list_location else None
    auth = read_location(vy.authors_location) if vy.authors_location else None
    p = _Parse(vy, resolver)
    out = p.run(lst, auth)
    out["quarantine"] = tables.quarantine_table(SOURCE, vy.location, p.quarantined)
    fetched = [f for f in (lst, auth) if f is not None]
    digest = hashlib.sha256("".join(f.content_hash for f in fetched).encode()).hexdigest()
    order = ["works", "openreview_authors"]  # the records table first (loads.rows_loaded)
    ordered = {k: out[k] for k in [*order, *SCHEMAS] if k in out}
    return LocationRows(
        key=vy.key,
        location=vy.location,
        content_hash=digest,
        retrieved_at=min(f.retrieved_at for f in fetched),
        tables=ordered,
        notes=p.notes,
    )


def _cast(t: pa.Table, schema: pa.Schema) -> pa.Table:
    return t.select(schema.names).cast(schema)
