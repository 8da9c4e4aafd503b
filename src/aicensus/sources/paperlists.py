"""Paper Copilot paperlists: `<venue>/<venue><year>.json[.gz]` files into warehouse rows.

Follows ../shared/data/paperlists/SOURCE.md: authors in byline order (`;`, or `, ` where a file
uses commas), repeated bylines halved, per-author country and institution index lists, empty and
`Unknown` names as unknown, HK/MO/TW recovered from names, URLs and email domains (geo.regions).
Records that cannot be read are quarantined with file, id and reason; nothing is dropped.

Parsing is vectorized (`Parser`): a batch of files goes through DuckDB's JSON reader, Arrow
splits and strips the `;`-lists, and SQL statements (sources/paperlists_sql.py) apply the rules
to all records at once. Python sees only distinct values (country and institution names,
China-coded rows for geo.regions) and the rare records that need a closer look (odd JSON types,
quarantined ones). `split_authors` and `_index_entries` state the byline and index rules in
Python; tests check the SQL against them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from aicensus.config import PAPERLISTS_UPSTREAM
from aicensus.errors import SourceError
from aicensus.geo.countries import is_unknown, to_iso2
from aicensus.geo.regions import recover
from aicensus.sources import paperlists_sql as sql
from aicensus.sources.fetch import Fetched, NotFound, is_url, local_path, read_location
from aicensus.warehouse import LocationRows, arrow, tables

SOURCE = "paperlists"
PARSER_VERSION = "paperlists/2"
CITATION_SOURCE = "google-scholar"
_FILE = re.compile(r"^([a-z0-9]+?)(\d{4})\.json(\.gz)?$")
_RAW_MAX = 2000
# Decompressed JSON per parse batch: large enough that DuckDB's fixed cost per statement is
# small against the work, small enough to bound memory (all 246 local files hold 280 MB). A
# load parses one batch while it prepares the next and writes the one before (two threads).
# Measured with every file: 32 MB batches cost about 0.5 CPU s more than 48 MB (fixed cost
# per statement) for about 20 MB less at the peak.
BATCH_BYTES = 48_000_000
# The fields that define a paper (a repeated listing repeats them under the same id).
_PAPER_FIELDS = sql.PAPER_FIELDS


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
    ignored = _misnamed(root)
    if not found:
        raise SourceError(
            f"{root}: no file is named <venue>/<venue><year>.json[.gz]"
            + (f" (ignored: {_listing(ignored)})" if ignored else "")
        )
    known = sorted({v for v, _ in found})
    notes = []
    if ignored:
        notes.append(
            f"ignored {len(ignored)} file(s) not named <venue>/<venue><year>.json[.gz]: "
            f"{_listing(ignored)}"
        )
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


def _misnamed(root: Path) -> list[str]:
    """JSON files under `root` (relative paths) outside the `<venue>/<venue><year>.json[.gz]`
    layout: a load reads none of them, so it reports them."""
    out = []
    for f in sorted(root.rglob("*.json*")):
        rel = f.relative_to(root)
        m = _FILE.match(f.name)
        if f.is_file() and not (m and len(rel.parts) == 2 and m.group(1) == rel.parts[0]):
            out.append(str(rel))
    return out


def _listing(names: list[str], most: int = 10) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def upstream_pattern() -> str:
    return PAPERLISTS_UPSTREAM


# ---------------------------------------------------------------- parsing


_SCHEMAS = {
    "works": pa.schema(
        [
            *tables.WORK_IDENTITY,
            ("track", pa.string()),
            ("status", pa.string()),
            ("n_authors", pa.int32()),
            ("n_authors_stated", pa.int32()),
            *tables.WORK_COUNTING,
        ]
    ),
    "authorships": tables.extend(tables.AUTHORSHIPS, ("email_domain", pa.string())),
    "affiliations": tables.AFFILIATIONS,
    "institutions": tables.INSTITUTIONS,
    "quarantine": tables.QUARANTINE,
}


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


def split_authors(raw: str | None) -> tuple[list[str], bool]:
    """Byline names in order, and whether a repeated byline (A;B;A;B) was halved.

    Names are `;`-separated; a byline with no `;` but commas (siggraph files) is split on commas.
    (The loader applies the same rule in SQL, `pl_halved_len`; tests check the two agree.)
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
    """`'0+1;;2'` -> [[0, 1], [], [2]]; a non-integer part is a record error. (The loader
    applies the same rule in SQL, `pl_index`; tests check the two agree.)"""
    if raw is None:
        return []
    out = []
    for entry in raw.split(";"):
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


_INT32 = range(-(2**31), 2**31)
_INT64_MAX = 2**63 - 1


def _stated_authors(p: dict) -> int | None:
    """`author_num` as an integer (None when empty or not a number); a record error when it
    does not fit the column (e.g. 10**12)."""
    v = p.get("author_num")
    try:
        n = None if v in (None, "") else int(v)
    except (TypeError, ValueError, OverflowError):
        return None
    if n is not None and n not in _INT32:
        raise RecordError(f"field 'author_num' is {v!r}, out of range")
    return n


def _citation_reason(v: object) -> str:
    """Why a `gs_citation` value is not a count (the SQL decides that it is not)."""
    try:
        n = int(v)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return f"field 'gs_citation' is {v!r}, expected a count"
    if n > _INT64_MAX:
        return f"field 'gs_citation' is {v!r}, out of range"
    if n < 0:
        return f"field 'gs_citation' is negative ({n})"
    return f"field 'gs_citation' is {v!r}, expected a count"


# The text fields in the order a record's checks read them (the first problem is the reason).
_CHECK_ORDER = (
    "author",
    "aff",
    "email",
    "aff_domain",
    "aff_country_unique",
    "aff_country_unique_index",
    "aff_unique_norm",
    "aff_unique_url",
    "aff_unique_index",
    "title",
    "track",
    "status",
)


def _type_problem(p: object) -> tuple[float, str] | None:
    """(rank, reason) of a record that is not an object or holds a field of the wrong JSON
    type, else None. Ranks follow `_CHECK_ORDER` (SQL's value checks slot in between)."""
    if not isinstance(p, dict):
        return 0, f"record is a {type(p).__name__}, not an object"
    for rank, key in enumerate(_CHECK_ORDER, 1):
        if key == "aff_domain" and p.get("email") not in (None, ""):
            continue  # read only when `email` is empty
        if key == "aff_country_unique_index" and p.get("aff_country_unique") is None:
            continue  # read only with a country table
        try:
            _text(p, key)
        except RecordError as exc:
            return rank, str(exc)
    if isinstance(p.get("gs_citation"), bool):
        return 14, "field 'gs_citation' is a boolean, expected a count"
    return None


def _reason(kind: str, detail: str | None, p: dict, rid: str | None) -> str:
    """The quarantine reason for a problem the SQL found (`kind` from sql.PROBLEMS)."""
    if kind == "type":
        return str(detail)
    if kind == "repeat":
        return f"repeated listing of paper id {rid!r} (same paper fields)"
    if kind == "empty":
        return "record holds no paper fields (title, author, affiliations, ...): empty"
    if kind.startswith("index:"):
        return f"{kind[6:]} entry {str(detail).strip()!r} is not a list of integers"
    if kind == "range:author_num":
        return f"field 'author_num' is {p.get('author_num')!r}, out of range"
    return _citation_reason(p.get("gs_citation"))


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


class Parser:
    """Parses batches of fetched files in a private in-memory DuckDB: every rule is a
    vectorized SQL statement over all records of the batch (sources/paperlists_sql.py); Python
    touches only distinct values (country names, institution names, China-coded rows for region
    recovery) and the rare records that need a closer look (odd JSON types, quarantined ones)."""

    def __init__(self) -> None:
        # One thread: batches parse beside the reads and the writes (a load's pipeline), and
        # DuckDB's own threads would only add synchronization on these small tables.
        self.con = duckdb.connect(config={"threads": 1})
        for macro in sql.MACROS:
            self.con.execute(macro)
        self._reader = self.con.cursor()  # prepare()'s connection (another thread may call it)
        self.halving_depth = 0
        self.recovered: dict[tuple, tuple[str | None, str]] = {}

    def close(self) -> None:
        self._reader.close()
        self.con.close()

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def prepare(
        self,
        batch: Sequence[tuple[VenueYear, Fetched]] | list[tuple[VenueYear, Fetched]],
        release: bool = False,
    ) -> Prepared | None:
        """The first step of a parse: the batch's records through DuckDB's JSON reader, their
        `;`-lists split (None for an empty batch; SourceError for a file that is not a JSON
        array). It runs on its own cursor, so a load prepares batch k + 1 in another thread
        while batch k parses. With `release` it takes the files (empties the list), and
        `parse` drops their JSON once the records that need it are quarantined."""
        if not batch:
            return None
        files = _Files(batch)
        if release and isinstance(batch, list):
            batch.clear()
        con = self._reader
        con.register("pl_files", files.contents())
        try:
            records = con.sql(sql.RECORDS).to_arrow_table()
        except duckdb.Error as exc:
            files.raise_first_bad(str(exc).splitlines()[0])
        finally:
            con.unregister("pl_files")
        counts = np.bincount(arrow.integers(records.column("file_no")), minlength=len(files.batch))
        for file_no in np.flatnonzero(counts == 0):
            files.records(int(file_no))  # no records: an empty array, or not an array (raises)
        records = _split_lists(records)
        if release:  # keep only the JSON the parse may read again (sql.NEEDS_JSON)
            con.register("pl_prep", records)
            try:
                files.release(keep={n for (n,) in con.execute(sql.NEEDS_JSON).fetchall()})
            finally:
                con.unregister("pl_prep")
        return Prepared(files, records, counts.tolist(), release)

    def parse(
        self, batch: Sequence[tuple[VenueYear, Fetched]] | Prepared | None
    ) -> list[LocationRows]:
        """The warehouse rows of each file in `batch` (files, or `prepare`'s result), in order
        (SourceError for a file that is not a JSON array)."""
        prepared = batch if isinstance(batch, Prepared) or batch is None else self.prepare(batch)
        if prepared is None:
            return []
        files, records, counts, release = prepared.take()
        del batch, prepared
        con = self.con
        con.register("pl_meta", files.meta())
        self._halving(records.column("author_l"))
        con.register("pl_rec", records)
        self._lookup("pl_countries", _countries(records.column("cnames_l")))
        con.execute(sql.REPEATS)
        con.execute(sql.PAPERS)
        con.unregister("pl_rec")
        # Each table is dropped as soon as no later statement reads it: the parse's peak
        # memory is where its outputs are built, on top of what is still held.
        del records
        con.execute("DROP TABLE pl_repeats")
        self._lookup("pl_typeerr", files.type_problems(con.execute(sql.CANDIDATES).fetchall()))
        con.execute(sql.PROBLEMS)
        quarantine = files.quarantine(con.execute(sql.QUARANTINED).fetchall())
        if release:
            files.release()
        con.execute(sql.LOADED)
        con.execute(sql.ROWS)
        con.execute(sql.CN_ROWS)
        self._lookup("pl_regions", self._regions(con.execute(sql.CN_DISTINCT).fetchall()))
        self._lookup("pl_inst_ids", _institution_ids(con.execute(sql.INST_NAMES).fetchall()))
        con.execute(sql.AFFILIATIONS)
        con.execute("DROP TABLE pl_rows; DROP TABLE pl_cn")
        tables = {
            "works": con.sql(sql.WORKS).to_arrow_table(),
            "authorships": con.sql(sql.AUTHORSHIPS).to_arrow_table(),
            "affiliations": con.sql(sql.AFFILIATION_ROWS).to_arrow_table(),
            "institutions": con.sql(sql.INSTITUTIONS).to_arrow_table(),
            "quarantine": quarantine,
        }
        notes = con.execute(sql.NOTES).fetchall()
        con.execute("DROP VIEW pl_ok")
        for name in ("pl_p", "pl_q", "pl_aff"):
            con.execute(f"DROP TABLE {name}")
        con.unregister("pl_meta")
        return files.location_rows(tables, notes, counts)

    def _halving(self, bylines: pa.ChunkedArray) -> None:
        """(Re)define pl_halved_len deep enough for the longest byline of the batch (a deeper
        CASE costs DuckDB planning time on every batch)."""
        longest = pc.max(pc.list_value_length(bylines)).as_py() or 0
        depth = max(1, longest.bit_length())
        if depth != self.halving_depth:
            self.con.execute(sql.halved_len_macro(depth))
            self.halving_depth = depth

    def _regions(self, rows: list[tuple]) -> pa.Table:
        """Each distinct China-coded (institution, address, email, China rows of the author) ->
        the recovered code and rule (geo.regions.recover; remembered across batches)."""
        for key in rows:
            if key not in self.recovered:
                self.recovered[key] = recover("CN", *key)
        cols = list(zip(*rows, strict=True)) or [(), (), (), ()]
        found = [self.recovered[key] for key in rows]
        return pa.table(
            {
                "iname": arrow.array(cols[0], pa.string()),
                "url": arrow.array(cols[1], pa.string()),
                "email": arrow.array(cols[2], pa.string()),
                "cn_rows": arrow.array(cols[3], pa.int64()),
                "country": arrow.array([c for c, _ in found], pa.string()),
                "rule": arrow.array([r for _, r in found], pa.string()),
            }
        )

    def _lookup(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)


@dataclass
class Prepared:
    """A batch after `Parser.prepare`: its files and their records (RECORDS plus the split
    lists), with the number of records of each file."""

    files: _Files
    records: pa.Table | None
    counts: list[int]
    release: bool

    def take(self) -> tuple[_Files, pa.Table, list[int], bool]:
        """Its parts, once: the parse that takes them frees the records when done with them."""
        if self.records is None:
            raise ValueError("this prepared batch was parsed already")
        records, self.records = self.records, None
        return self.files, records, self.counts, self.release


class _Files:
    """One batch's files: their contents for DuckDB, and the Python side of the rare paths
    (reading a file's records again to name a bad file, type-check or quarantine a record)."""

    def __init__(self, batch: Sequence[tuple[VenueYear, Fetched]]):
        self.batch = list(batch)
        self._records: dict[int, list] = {}

    def contents(self) -> pa.Table:
        """file_no and content (one Arrow chunk per file over its bytes: no copy)."""
        chunks = [
            pa.LargeBinaryArray.from_buffers(
                pa.large_binary(),
                1,
                [
                    None,
                    pa.py_buffer(np.array([0, len(f.content)], np.int64)),
                    pa.py_buffer(f.content),
                ],
            )
            for _, f in self.batch
        ]
        try:
            text = pa.chunked_array(chunks, pa.large_binary()).cast(pa.large_string())
        except pa.ArrowInvalid:
            self.raise_first_bad("not UTF-8 text")
        file_no = _file_numbers(len(self.batch))
        return pa.table({"file_no": file_no, "content": text})

    def meta(self) -> pa.Table:
        return pa.table(
            {
                "file_no": _file_numbers(len(self.batch)),
                "venue": arrow.array([vy.venue for vy, _ in self.batch], pa.string()),
                "year": arrow.array([vy.year for vy, _ in self.batch], pa.int32()),
                "base": arrow.array(
                    [f"{SOURCE}:{vy.venue}{vy.year}:" for vy, _ in self.batch], pa.string()
                ),
            }
        )

    def release(self, keep: Set[int] = frozenset()) -> None:
        """Drop the JSON and parsed records of the files (except `keep`): the rest of the
        parse reads none of them."""
        self.batch = [
            (vy, f if i in keep else replace(f, content=b""))
            for i, (vy, f) in enumerate(self.batch)
        ]
        for i in set(self._records) - keep:
            del self._records[i]

    def records(self, file_no: int) -> list:
        if file_no not in self._records:
            vy, fetched = self.batch[file_no]
            self._records[file_no] = load_records(vy, fetched)
        return self._records[file_no]

    def raise_first_bad(self, detail: str) -> NoReturn:
        """Raise the error of the first file that is not a JSON array of papers."""
        for file_no in range(len(self.batch)):
            self.records(file_no)  # raises SourceError naming the file
        names = ", ".join(vy.location for vy, _ in self.batch)
        raise SourceError(f"{names}: malformed JSON ({detail})")

    def type_problems(self, candidates: list[tuple[int, int]]) -> pa.Table:
        """Records the SQL flagged as possibly odd, checked on their parsed JSON values."""
        rows = []
        for file_no, record_no in candidates:
            problem = _type_problem(self.records(file_no)[record_no - 1])
            if problem:
                rows.append((file_no, record_no, *problem))
        cols = list(zip(*rows, strict=True)) or [(), (), (), ()]
        return pa.table(
            [arrow.array(c, t) for c, t in zip(cols, _TYPEERR_TYPES, strict=True)],
            names=["file_no", "record_no", "rank", "reason"],
        )

    def quarantine(self, rows: list[tuple]) -> pa.Table:
        """Quarantine rows (file_no, record_no, record_id, kind, detail) -> warehouse rows with
        the reason and the record's raw JSON."""
        out = []
        for file_no, record_no, rid, kind, detail in rows:
            p = self.records(file_no)[record_no - 1]
            raw = orjson.dumps(p).decode()[:_RAW_MAX]
            reason = _reason(kind, detail, p, rid)
            out.append(
                (file_no, SOURCE, self.batch[file_no][0].location, rid, record_no, reason, raw)
            )
        schema = pa.schema([("file_no", pa.int32()), *_SCHEMAS["quarantine"]])
        cols = list(zip(*out, strict=True)) or [()] * len(schema)
        return pa.table(
            [arrow.array(c, f.type) for c, f in zip(cols, schema, strict=True)], schema=schema
        )

    def location_rows(
        self, tables: dict[str, pa.Table], notes: list[tuple], counts: list[int]
    ) -> list[LocationRows]:
        """Split the batch's tables (by their file_no column) into one LocationRows per file."""
        per_file = {
            name: _split_by_file(t, len(self.batch), _SCHEMAS[name]) for name, t in tables.items()
        }
        file_notes: dict[int, dict[str, int]] = {i: {} for i in range(len(self.batch))}
        for file_no, note, n in notes:
            file_notes[file_no][note] = n
        out = []
        for file_no, (vy, fetched) in enumerate(self.batch):
            rows = {name: parts[file_no] for name, parts in per_file.items()}
            out.append(
                LocationRows(
                    key=vy.key,
                    location=vy.location,
                    content_hash=fetched.content_hash,
                    retrieved_at=fetched.retrieved_at,
                    tables=rows,
                    notes={**file_notes[file_no], "records": counts[file_no]},
                )
            )
        return out


_TYPEERR_TYPES = (pa.int32(), pa.int32(), pa.float64(), pa.string())


def _split_by_file(table: pa.Table, n_files: int, schema: pa.Schema) -> list[pa.Table]:
    """Slices of `table` per file (by its file_no column), cast to `schema` (the column order and
    types of the warehouse rows). Rows usually come out of DuckDB grouped by file already."""
    file_no = arrow.integers(table.column("file_no"))
    if len(file_no) > 1 and np.any(file_no[1:] < file_no[:-1]):
        order = np.argsort(file_no, kind="stable")
        table, file_no = table.take(_indices(order)), file_no[order]
    body = table.select(schema.names).cast(schema)
    bounds = np.searchsorted(file_no, np.arange(n_files + 1))
    return [body.slice(bounds[i], bounds[i + 1] - bounds[i]) for i in range(n_files)]


def _file_numbers(n: int) -> pa.Array:
    """0 .. n - 1 as int32 (without pandas: see warehouse/arrow.py)."""
    return pa.Array.from_buffers(pa.int32(), n, [None, pa.py_buffer(np.arange(n, dtype=np.int32))])


def _indices(order: np.ndarray) -> pa.Array:
    """NumPy int64 positions as an Arrow array for `take` (without pandas)."""
    data = np.ascontiguousarray(order, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def _split(column: pa.ChunkedArray) -> pa.ListArray:
    """Python's [x.strip() for x in s.split(';')] over a whole column (NULL -> [])."""
    lists = pc.split_pattern(column, ";").combine_chunks()
    values = pc.utf8_trim(lists.values, characters=sql.PY_WHITESPACE)
    return pa.ListArray.from_arrays(lists.offsets, values)


def _split_lists(records: pa.Table) -> pa.Table:
    """`records` plus each `;`-list field split and stripped (see paperlists_sql.RECORDS)."""

    def col(name: str) -> pa.ChunkedArray:
        return records.column(name)

    author = col("author")
    # A byline without ';' is comma-separated (siggraph2025).
    author = pc.if_else(
        pc.match_substring(author, ";"), author, pc.replace_substring(author, ",", ";")
    )
    empty = arrow.string_scalar("")
    email = pc.if_else(
        pc.equal(pc.fill_null(col("email"), empty), empty), col("aff_domain"), col("email")
    )
    lists = {
        "author_l": author,
        "aff_l": col("aff"),
        "emails_l": email,
        "cnames_l": col("aff_country_unique"),
        "inames_l": col("aff_unique_norm"),
        "iurls_l": col("aff_unique_url"),
        "cidx_l": col("aff_country_unique_index"),
        "iidx_l": col("aff_unique_index"),
    }
    for name, values in lists.items():
        records = records.append_column(name, _split(values))
    return records.append_column("odd", _odd([col(f) for f in sql.TYPED]))


def _odd(columns: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    """Per record: a field's text may be a JSON list, object or boolean ('[...]', '{...}',
    'true', 'false'); such records get a closer look in Python (`_type_problem`)."""
    out = None
    for c in columns:
        for a, b in (("[", "]"), ("{", "}")):
            out = _or(out, pc.and_kleene(pc.starts_with(c, a), pc.ends_with(c, b)))
        out = _or(out, pc.is_in(c, arrow.array(["true", "false"], pa.string())))
    return pc.fill_null(out, arrow.array([False], pa.bool_())[0])


def _or(a: pa.ChunkedArray | None, b: pa.ChunkedArray) -> pa.ChunkedArray:
    return b if a is None else pc.or_kleene(a, b)


def _countries(names: pa.ListArray) -> pa.Table:
    """Country table names -> ISO code (None when unknown or unmapped) and whether unmapped."""
    distinct = pc.unique(names.combine_chunks().flatten()).to_pylist()
    rows = [(n, None if is_unknown(n) else to_iso2(n)) for n in distinct]
    return pa.table(
        {
            "name": arrow.array([n for n, _ in rows], pa.string()),
            "code": arrow.array([c for _, c in rows], pa.string()),
            "unmapped": arrow.array([c is None and not is_unknown(n) for n, c in rows], pa.bool_()),
        }
    )


def _institution_ids(names: list[tuple[str]]) -> pa.Table:
    """Institution name -> institution id (`pc:` + the name in Python's lower case)."""
    return pa.table(
        {
            "iname": arrow.array([n for (n,) in names], pa.string()),
            "institution_id": arrow.array([f"pc:{n.lower()}" for (n,) in names], pa.string()),
        }
    )


def parse_files(batch: Sequence[tuple[VenueYear, Fetched]]) -> list[LocationRows]:
    """Parse fetched files into the rows of their warehouse locations (one private DuckDB)."""
    with Parser() as parser:
        return parser.parse(batch)


def parse_file(vy: VenueYear, fetched: Fetched) -> LocationRows:
    """Parse one fetched file into the rows of its warehouse location."""
    return parse_files([(vy, fetched)])[0]


def read(vy: VenueYear, client=None) -> LocationRows:
    """Fetch and parse one venue-year (for many, `read_all` is much cheaper)."""
    return parse_file(vy, read_location(vy.location, client=client))


def read_all(files: Iterable[VenueYear], client=None) -> Iterator[LocationRows]:
    """Fetch and parse venue-years, in order, in batches of about BATCH_BYTES through one
    parser (each batch costs DuckDB a fixed planning time, whatever its size)."""
    fetched = ((vy, read_location(vy.location, client=client)) for vy in files)
    with Parser() as parser:
        for batch in batched(fetched):
            yield from parser.parse(batch)


def batched(
    fetched: Iterable[tuple[VenueYear, Fetched]], limit: int | None = None
) -> Iterator[list[tuple[VenueYear, Fetched]]]:
    """Group fetched files, in order, into batches of about `limit` bytes of JSON (default
    BATCH_BYTES)."""
    limit = BATCH_BYTES if limit is None else limit
    batch: list[tuple[VenueYear, Fetched]] = []
    size = 0
    for item in fetched:
        batch.append(item)
        size += len(item[1].content)
        del item  # the batch is the only holder (a parse that takes it frees the JSON)
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


__all__ = [
    "PARSER_VERSION",
    "SOURCE",
    "NotFound",
    "Parser",
    "Prepared",
    "VenueYear",
    "discover",
    "parse_file",
    "parse_files",
    "read",
    "read_all",
]
