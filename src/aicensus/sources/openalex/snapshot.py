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
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.sources.fetch import local_path, read_location
from aicensus.sources.openalex import normalize as nz
from aicensus.sources.openalex.stream import LineStream, http_url
from aicensus.warehouse import LocationRows

ENTITIES = ("works", "institutions")
_PART = re.compile(r"updated_date=(\d{4}-\d{2}-\d{2})/(part_\d+)(\.gz)?$")
_MERGED = re.compile(r"(\d{4}-\d{2}-\d{2})\.csv(\.gz)?$")


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


def _manifest(root: str, entity: str, client: httpx.Client | None) -> list[Partition]:
    loc = _join(root, entity, "manifest")
    path = local_path(loc) if not loc.startswith("s3://") else None
    if path is not None and not path.exists():
        return []
    try:
        doc = orjson.loads(read_location(http_url(loc), client=client).content)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{loc}: manifest is not valid JSON ({exc})") from None
    out = []
    for i, entry in enumerate(doc.get("entries") or []):
        url = entry.get("url") if isinstance(entry, dict) else None
        m = _PART.search(url or "")
        if not m:
            raise SourceError(f"{loc}: manifest entry {i} has no partition url")
        # The manifest names s3://openalex/data/...; read the same relative path under root.
        rel = f"{entity}/updated_date={m.group(1)}/{m.group(2)}{m.group(3) or ''}"
        count = (entry.get("meta") or {}).get("record_count")
        out.append(Partition(entity, m.group(1), m.group(2), _join(root, rel), count, True))
    return out


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
        if local_path(p.location).exists():  # the manifest lists more than a sample holds
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
            out.append(MergedFile(entity, m.group(1), str(f)))
    return out


def read_partition(p: Partition, client: httpx.Client | None = None) -> LocationRows:
    """Stream one partition into the rows of its warehouse location."""
    stream = LineStream(p.location, client=client)
    retrieved = datetime.now(UTC)
    norm = (nz.WorkNormalizer if p.entity == "works" else nz.InstitutionNormalizer)(p.location)
    for no, line in enumerate(stream.lines(), start=1):
        norm.add_line(line, no)
    notes = norm.summary_notes()
    if p.record_count is not None and p.record_count != norm.records:
        raise SourceError(
            f"{p.location}: {norm.records} records, manifest says {p.record_count} (incomplete?)"
        )
    return LocationRows(
        key=p.key,
        location=p.location,
        content_hash=stream.content_hash,
        retrieved_at=retrieved,
        tables=norm.tables(),
        notes=notes,
    )


def read_merged(m: MergedFile) -> LocationRows:
    """One merged_ids CSV (merge_date,id,merge_into_id) into `merged_ids` rows."""
    fetched = read_location(m.location)
    reader = csv.DictReader(io.StringIO(fetched.content.decode("utf-8")))
    need = {"id", "merge_into_id"}
    if not need <= set(reader.fieldnames or ()):
        raise SourceError(f"{m.location}: expected columns merge_date,id,merge_into_id")
    rows = {"entity": [], "merged_id": [], "merge_into_id": [], "merged_date": []}
    for r in reader:
        rows["entity"].append(m.entity)
        rows["merged_id"].append(nz.short_id(r["id"]))
        rows["merge_into_id"].append(nz.short_id(r["merge_into_id"]))
        day = r.get("merge_date") or m.merged_date
        rows["merged_date"].append(datetime.strptime(day, "%Y-%m-%d").date())
    table = pa.table(
        {
            "entity": pa.array(rows["entity"], pa.string()),
            "merged_id": pa.array(rows["merged_id"], pa.string()),
            "merge_into_id": pa.array(rows["merge_into_id"], pa.string()),
            "merged_date": pa.array(rows["merged_date"], pa.date32()),
        }
    )
    return LocationRows(
        key=m.key,
        location=m.location,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables={"merged_ids": table},
        notes={"records": table.num_rows},
    )
