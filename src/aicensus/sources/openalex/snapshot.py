"""The OpenAlex snapshot layout: `<root>/<entity>/manifest`,
`<root>/<entity>/updated_date=YYYY-MM-DD/part_NNN.gz` (gzipped JSON Lines) and
`<root>/merged_ids/<entity>/YYYY-MM-DD.csv.gz` (merge_date,id,merge_into_id).

`root` is a local directory (the snapshot's `data/` folder), or an s3:// or http(s) URL, where
the partitions are listed from the manifest. Each partition is one warehouse location
(`snapshot/works/updated_date=2023-05-16/part_000`), read as a stream.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import orjson
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.sources.fetch import local_path, read_location
from aicensus.sources.openalex import normalize as nz
from aicensus.sources.openalex.stream import LineStream, check_local_head, http_url
from aicensus.warehouse import LocationRows

ENTITIES = ("works", "institutions")
_PART = re.compile(r"updated_date=(\d{4}-\d{2}-\d{2})/(part_\d+)(\.gz)?$")
_MERGED = re.compile(r"(\d{4}-\d{2}-\d{2})\.csv(\.gz)?$")
QUARANTINE = nz.SCHEMAS["quarantine"]
MERGED_IDS = pa.schema(
    [
        ("entity", pa.string()),
        ("merged_id", pa.string()),
        ("merge_into_id", pa.string()),
        ("merged_date", pa.date32()),
    ]
)


@dataclass(frozen=True)
class Partition:
    """One partition file of an entity."""

    entity: str
    updated_date: str
    part: str
    location: str
    record_count: int | None = None
    in_manifest: bool = False

    @property
    def key(self) -> str:
        return f"snapshot/{self.entity}/updated_date={self.updated_date}/{self.part}"


@dataclass(frozen=True)
class MergedFile:
    """One merged_ids file: records merged away on that date."""

    entity: str
    merged_date: str
    location: str

    @property
    def key(self) -> str:
        return f"snapshot/merged_ids/{self.entity}/{self.merged_date}"


def _join(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


def _what(value: object) -> str:
    """How a JSON value reads in an error: 'a string (\'27\')', 'an object', 'null'."""
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    kinds |= {int: "an integer", float: "a number", type(None): "null"}
    kind = kinds.get(type(value), type(value).__name__)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return f"{kind} ({repr(value)[:40]})"
    return kind


def _count(meta: dict, name: str, where: str) -> int | None:
    """An optional non-negative integer field of an entry's `meta`."""
    value = meta.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise SourceError(f"{where}.{name} is {_what(value)}, expected a non-negative integer")
    return value


def parse_manifest(loc: str, doc: object, root: str, entity: str) -> list[Partition]:
    """The partitions a manifest document lists, its structure and types checked: a bad one
    fails as one line naming the manifest and the field (the DuckDB and Spark readers share it)."""
    if not isinstance(doc, dict):
        raise SourceError(f"{loc}: manifest is {_what(doc)}, expected an object with 'entries'")
    if "entries" not in doc:
        raise SourceError(f"{loc}: manifest has no 'entries'")
    entries = doc["entries"]
    if not isinstance(entries, list):
        raise SourceError(f"{loc}: entries is {_what(entries)}, expected a list")
    out = []
    for i, entry in enumerate(entries):
        where = f"{loc}: entries[{i}]"
        if not isinstance(entry, dict):
            raise SourceError(f"{where} is {_what(entry)}, expected an object with a url")
        url, meta = entry.get("url"), entry.get("meta", {})
        if not isinstance(url, str):
            raise SourceError(f"{where}.url is {_what(url)}, expected a partition url")
        m = _PART.search(url)
        if not m:
            raise SourceError(f"{where}.url {url[:120]!r} is not an updated_date=/part_ url")
        if not isinstance(meta, dict):
            raise SourceError(f"{where}.meta is {_what(meta)}, expected an object")
        _count(meta, "content_length", f"{where}.meta")
        count = _count(meta, "record_count", f"{where}.meta")
        # The manifest names s3://openalex/data/...; read the same relative path under root.
        rel = f"{entity}/updated_date={m.group(1)}/{m.group(2)}{m.group(3) or ''}"
        out.append(Partition(entity, m.group(1), m.group(2), _join(root, rel), count, True))
    return out


def _manifest(root: str, entity: str, client: httpx.Client | None) -> list[Partition]:
    loc = _join(root, entity, "manifest")
    path = local_path(loc) if not loc.startswith("s3://") else None
    if path is not None and not path.exists():
        return []
    try:
        doc = orjson.loads(read_location(http_url(loc), client=client).content)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{loc}: manifest is not valid JSON ({exc})") from None
    return parse_manifest(loc, doc, root, entity)


def discover(
    root: str, entity: str = "works", client: httpx.Client | None = None
) -> list[Partition]:
    """Partitions of `entity` under `root`: the manifest's entries that exist, plus (for a local
    directory) every partition file on disk, oldest first."""
    if entity not in ENTITIES:
        raise SourceError(f"unknown snapshot entity {entity!r} (choose from {', '.join(ENTITIES)})")
    listed = _manifest(root, entity, client)
    path = local_path(root) if not root.startswith("s3://") else None
    if path is None:
        if not listed:
            raise SourceError(f"{_join(root, entity, 'manifest')}: no manifest to list partitions")
        return sorted(listed, key=lambda p: (p.updated_date, p.part))
    edir = path / entity
    if not edir.is_dir():
        raise SourceError(f"{edir}: no such snapshot directory")
    found: dict[tuple[str, str], Partition] = {}
    for p in listed:
        # the manifest lists more than a sample holds (its locations are under the local root)
        if (lp := local_path(p.location)) is not None and lp.exists():
            found[(p.updated_date, p.part)] = p
    for f in edir.glob("updated_date=*/part_*"):
        m = _PART.search(f.as_posix())
        if m and (m.group(1), m.group(2)) not in found:
            found[(m.group(1), m.group(2))] = Partition(entity, m.group(1), m.group(2), str(f))
    return [found[k] for k in sorted(found)]


def discover_merged(root: str, entity: str = "works") -> list[MergedFile]:
    """merged_ids files for `entity` (local directories only; the bucket lists them by date)."""
    path = local_path(root) if not root.startswith("s3://") else None
    if path is None:
        return []
    mdir = Path(path) / "merged_ids" / entity
    out = []
    for f in sorted(mdir.glob("*.csv*")) if mdir.is_dir() else []:
        m = _MERGED.search(f.name)
        if m:
            try:
                _date(m.group(1), "file name date")
            except nz.RecordError as exc:
                raise SourceError(f"{f}: {exc}") from None
            out.append(MergedFile(entity, m.group(1), str(f)))
    return out


def _date(text: str, what: str) -> date:
    """A YYYY-MM-DD date, or `RecordError('<what> ... is not a date')`."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise nz.RecordError(f"{what} {text[:40]!r} is not a date (YYYY-MM-DD)") from None


def check_partition(p: Partition) -> None:
    """A local partition is a file whose first bytes match its name (gzip for .gz): checked
    before a reader that cannot name the failing file (Spark) opens it."""
    check_local_head(p.location)


def check_count(location: str, records: int, listed: int | None) -> None:
    """The lines read must match the manifest's record_count (else the partition was truncated
    or replaced); shared by the DuckDB and Spark readers."""
    if listed is not None and listed != records:
        raise SourceError(
            f"{location}: {records} records, but the manifest's record_count is {listed} "
            "(truncated or replaced partition?)"
        )


def read_partition(p: Partition, client: httpx.Client | None = None) -> LocationRows:
    """Stream one partition into the rows of its warehouse location."""
    stream = LineStream(p.location, client=client)
    retrieved = datetime.now(UTC)
    norm = (nz.WorkNormalizer if p.entity == "works" else nz.InstitutionNormalizer)(p.location)
    for no, line in enumerate(stream.lines(), start=1):
        norm.add_line(line, no)
    notes = norm.summary_notes()
    check_count(p.location, norm.records, p.record_count)
    return LocationRows(
        key=p.key,
        location=p.location,
        content_hash=stream.content_hash,
        retrieved_at=retrieved,
        tables=norm.tables(),
        notes=notes,
    )


def read_merged(m: MergedFile) -> LocationRows:
    """One merged_ids CSV (merge_date,id,merge_into_id) into `merged_ids` rows. A row that
    cannot be read (not UTF-8, wrong number of fields, empty id, impossible date) is quarantined
    with its line number and reason; a file without the columns is rejected."""
    fetched = read_location(m.location)
    text = fetched.content.decode("utf-8-sig", "surrogateescape")  # bad bytes: per row
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    if not {"id", "merge_into_id"} <= set(header):
        raise SourceError(f"{m.location}: expected columns merge_date,id,merge_into_id")
    good, bad = [], []
    for fields in reader:
        if not fields:
            continue  # a blank line is no record
        try:
            good.append((m.entity, *_merged_row(header, fields, m.merged_date)))
        except nz.RecordError as exc:
            raw = ",".join(fields).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            bad.append((nz.SOURCE, m.location, None, reader.line_num, str(exc), raw))
    return LocationRows(
        key=m.key,
        location=m.location,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables={"merged_ids": _rows(good, MERGED_IDS), "quarantine": _rows(bad, QUARANTINE)},
        notes={"records": len(good) + len(bad)},
    )


def _rows(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    """Row tuples (in the schema's column order) as a table."""
    return pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema)


def _merged_row(header: list[str], fields: list[str], file_date: str) -> tuple[str, str, date]:
    """(merged id, id merged into, merge date) of one CSV row, or RecordError saying why not."""
    for value in fields:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            byte = value[exc.start].encode("utf-8", "surrogateescape")
            raise nz.RecordError(f"not UTF-8 (byte 0x{byte.hex()})") from None
    if len(fields) != len(header):
        raise nz.RecordError(f"expected {len(header)} fields, found {len(fields)}")
    row = dict(zip(header, fields, strict=True))
    merged, into = nz.short_id(row["id"].strip()), nz.short_id(row["merge_into_id"].strip())
    if not merged or not into:
        raise nz.RecordError(f"empty {'id' if not merged else 'merge_into_id'}")
    day = row.get("merge_date") or file_date
    return merged, into, _date(day, "merge_date")
