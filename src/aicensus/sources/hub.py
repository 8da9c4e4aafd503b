"""Hugging Face Hub model records: the API's JSON (dumps or live pages) and tabular dumps,
normalized to one record shape with their lineage links.

Lineage links (see ../shared/data/hf_models_*/SOURCE.md): targets of `base_model:<rel>:<target>`
tags in tag order (rel = finetune / adapter / quantized / merge); plain `base_model:<target>`
tags only when a model has no relation tag; the card's `base_model` field only when it has no
tag at all. Tabular dumps store tags as Python list literals: parsed with ast.literal_eval
(never eval); a value that does not parse quarantines the record.
"""

from __future__ import annotations

import ast
import csv
import io
from dataclasses import dataclass, field
from typing import Any

import orjson

from aicensus.errors import SourceError
from aicensus.warehouse.tables import quarantine_row

PARSER_VERSION = "hub.1"
RELATIONS = ("finetune", "adapter", "quantized", "merge")


@dataclass
class HubRecord:
    """One model as every Hub source gives it, after normalization."""

    model_id: str
    pipeline_tag: str | None = None
    library_name: str | None = None
    model_type: str | None = None
    tags: list[str] = field(default_factory=list)
    last_modified: str | None = None
    created_at: str | None = None
    downloads: int | None = None
    likes: int | None = None
    card_base_model: list[str] = field(default_factory=list)
    downloads_all_time: int | None = None  # listings with expand=downloadsAllTime only
    trending_score: float | None = None  # listings with expand=trendingScore only

    @property
    def namespace(self) -> str | None:
        return self.model_id.split("/", 1)[0] if "/" in self.model_id else None

    def links(self) -> list[tuple[str, str, int, str]]:
        """(parent_id, relation, position, origin), primary parent first, parents distinct."""
        rel, plain = [], []
        for t in self.tags:
            if not t.startswith("base_model:"):
                continue
            rest = t[len("base_model:") :]
            head, sep, tail = rest.partition(":")
            if sep and head in RELATIONS and tail:
                rel.append((tail, head, "relation-tag"))
            elif rest:
                plain.append((rest, "unspecified", "plain-tag"))
        found = rel or plain or [(p, "unspecified", "card") for p in self.card_base_model if p]
        out: list[tuple[str, str, int, str]] = []
        seen: set[tuple[str, str]] = set()
        order: dict[str, int] = {}
        for parent, relation, origin in found:
            k = (parent.lower(), relation)
            if k in seen:
                continue
            seen.add(k)
            out.append((parent, relation, order.setdefault(k[0], len(order)), origin))
        return out


def namespace_of(model_id: str) -> str | None:
    return model_id.split("/", 1)[0] if "/" in model_id else None


def _int(v: Any) -> int | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise ValueError(f"not a count: {v!r}")
    return int(v)


def _card_base(card: Any) -> list[str]:
    if not isinstance(card, dict):
        return []
    b = card.get("base_model")
    if isinstance(b, str):
        return [b]
    if isinstance(b, list):
        return [x for x in b if isinstance(x, str)]
    return []


def from_api(obj: dict) -> HubRecord:
    """A record of the Hub API's JSON (`/api/models`, infos.json); ValueError when unusable."""
    mid = obj.get("modelId") or obj.get("id")
    if not isinstance(mid, str) or not mid.strip():
        raise ValueError("no modelId/id")
    tags = obj.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("tags is not a list of strings")
    config = obj.get("config")
    mt = config.get("model_type") if isinstance(config, dict) else None
    return HubRecord(
        model_id=mid.strip(),
        pipeline_tag=obj.get("pipeline_tag") or None,
        library_name=obj.get("library_name") or None,
        model_type=mt if isinstance(mt, str) and mt else None,
        tags=tags,
        last_modified=obj.get("lastModified"),
        created_at=obj.get("createdAt"),
        downloads=_int(obj.get("downloads")),
        likes=_int(obj.get("likes")),
        card_base_model=_card_base(obj.get("cardData")),
        downloads_all_time=_int(obj.get("downloadsAllTime")),
        trending_score=_float(obj.get("trendingScore")),
    )


def _float(v: Any) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise ValueError(f"not a score: {v!r}")
    return float(v)


def parse_tags_literal(text: str) -> list[str]:
    """A Python list literal of strings (tabular dumps) via ast.literal_eval; ValueError if not."""
    if text is None or not text.strip():
        return []
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"tags is not a Python list literal ({type(exc).__name__})") from None
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ValueError("tags is not a list of strings")
    return list(value)


def from_table_row(row: dict) -> HubRecord:
    """A row of a tabular dump (CSV with modelId, downloads, tags, ...)."""
    mid = (row.get("modelId") or row.get("id") or "").strip()
    if not mid:
        raise ValueError("no modelId")
    try:
        downloads = _int(row.get("downloads"))
        likes = _int(row.get("likes"))
    except ValueError:
        raise ValueError(f"downloads/likes not an integer ({row.get('downloads')!r})") from None
    return HubRecord(
        model_id=mid,
        pipeline_tag=row.get("pipeline_tag") or None,
        library_name=row.get("library_name") or None,
        tags=parse_tags_literal(row.get("tags") or ""),
        last_modified=row.get("lastModified") or None,
        created_at=row.get("createdAt") or None,
        downloads=downloads,
        likes=likes,
    )


@dataclass
class Parsed:
    """Records of one location plus the quarantine rows of those that failed."""

    records: list[HubRecord]
    quarantine: list[dict]
    fmt: str


def parse(content: bytes, location: str, source: str) -> Parsed:
    """Parse a dump: JSON lines / a JSON array of API records, or a CSV table."""
    text = content.decode("utf-8-sig", errors="replace")
    head = text.lstrip()[:1]
    records: list[HubRecord] = []
    quarantine: list[dict] = []

    def bad(no: int, rid: str | None, reason: str, raw: str) -> None:
        quarantine.append(quarantine_row(source, location, no, rid, reason, raw))

    if head in ("{", "["):
        if head == "[":
            try:
                items = [
                    (i, orjson.dumps(o).decode(), o) for i, o in enumerate(orjson.loads(text), 1)
                ]
            except orjson.JSONDecodeError as exc:
                raise SourceError(f"{location}: not valid JSON ({exc})") from None
        else:
            items = []
            for i, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    items.append((i, line, orjson.loads(line)))
                except orjson.JSONDecodeError:
                    bad(i, None, "line is not valid JSON", line)
        for i, raw, obj in items:
            try:
                if not isinstance(obj, dict):
                    raise ValueError("record is not a JSON object")
                records.append(from_api(obj))
            except (ValueError, TypeError) as exc:
                rid = obj.get("modelId") if isinstance(obj, dict) else None
                bad(i, rid, f"bad record: {exc}", raw)
        fmt = "api-json"
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "modelId" not in reader.fieldnames:
            raise SourceError(f"{location}: not a Hub JSON or CSV dump (no modelId column)")
        for i, row in enumerate(reader, 1):
            try:
                records.append(from_table_row(row))
            except ValueError as exc:
                bad(i, row.get("modelId"), f"bad record: {exc}", orjson.dumps(row).decode())
        fmt = "table-csv"
    seen: set[str] = set()
    unique = []
    for no, r in enumerate(records, 1):
        k = r.model_id.lower()
        if k in seen:
            bad(no, r.model_id, "duplicate model id (case-insensitive)", r.model_id)
            continue
        seen.add(k)
        unique.append(r)
    return Parsed(unique, quarantine, fmt)


def snapshot_date(records: list[HubRecord]) -> str:
    """The snapshot date of a dump: the newest lastModified date (YYYY-MM-DD)."""
    dates = [r.last_modified[:10] for r in records if r.last_modified]
    if not dates:
        raise SourceError("no lastModified dates: cannot date the snapshot (pass --snapshot)")
    return max(dates)
