"""Arena-style leaderboards -> board_snapshots and board_entries (or quarantine).

One loader, many formats: a `Preset` maps a format's columns (model, organization, rating,
interval, votes, rank, license, date) onto the common fields and says where the snapshot date
and the board come from. Presets cover every format in ../shared/data/arena_text_history and
../shared/data/arena_video (their SOURCE.md files list header variants, CI notations `+U/-L`,
`-L/+U`, `±U`, date formats, duplicates and renamed organizations):

- `lmarena-csv`        fboulnois/llm-leaderboard-csv: one snapshot per file, date in the name,
                       rating `arena_elo` or `arena_score`, CI `+U/-L`
- `arena-history-csv`  jasontrigg0/chatbot-arena-history `alltime.csv`: many snapshots,
                       date `YYYYMMDD`, no interval, duplicate (key, date) rows
- `lmarena-history-csv` kevinschaul/lmarena-leaderboard-history `history.csv`: many
                       snapshots, CI `+U/-L` then `±U`, votes with thousands separators
- `artificialanalysis-json` Artificial Analysis video arena JSON: board from `meta.endpoint`,
                       CI `-L/+U`, creator country given, `is_current`, open-weights URL
- `lab-flagships-js`   mayerwin/AI-Arena-History `data.js`: best flagship rating per lab and
                       date (board `text-lab-flagships`; not a full ranking)

Records that cannot be placed (no date, unparseable date, rating or interval) are quarantined
with the reason. Duplicate models within a snapshot keep the row with the most votes; the others
are quarantined as duplicates. An organization the registry does not resolve keeps its entry
(ranks need every row) and adds a quarantine row saying so.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath

import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.sources.fetch import Fetched, local_path, read_location
from aicensus.warehouse import LocationRows
from aicensus.warehouse.tables import quarantine_table

SOURCE = "arena"
PARSER_VERSION = "1"
CLOSED_LICENSES = frozenset({"proprietary", "propretary"})  # 'Propretary' (sic) occurs

_NUM = r"(\d+(?:\.\d+)?)"
CI_NOTATIONS: dict[str, re.Pattern] = {
    "+U/-L": re.compile(rf"^\+{_NUM}\s*/\s*-{_NUM}$"),
    "-L/+U": re.compile(rf"^-{_NUM}\s*/\s*\+{_NUM}$"),
    "±U": re.compile(rf"^(?:±|\+/-)\s*{_NUM}$"),
}


class CIError(ValueError):
    """An interval string in no notation the preset accepts."""


def parse_ci(text: str, notations: tuple[str, ...]) -> tuple[float | None, float | None]:
    """(plus, minus) half-widths from an interval string; (None, None) when empty."""
    s = (text or "").strip()
    if not s:
        return None, None
    for name in notations:
        m = CI_NOTATIONS[name].match(s)
        if not m:
            continue
        if name == "+U/-L":
            return float(m.group(1)), float(m.group(2))
        if name == "-L/+U":
            return float(m.group(2)), float(m.group(1))
        return float(m.group(1)), float(m.group(1))
    raise CIError(f"unknown CI notation {s!r} (expected {' or '.join(notations)})")


def parse_date(text: str, formats: tuple[str, ...]) -> date:
    s = (text or "").strip()
    for fmt in formats:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unparseable date {s!r} (expected {' or '.join(formats)})")


def open_from_license(license_: str | None) -> bool | None:
    """Open weights unless the license says proprietary; unknown when there is no license."""
    if license_ is None or not license_.strip():
        return None
    return license_.strip().lower() not in CLOSED_LICENSES


@dataclass
class Raw:
    """One source row mapped onto the common fields, before validation."""

    record_no: int
    model: str
    org: str | None = None
    rating: str | float | None = None
    ci: str | None = None
    votes: str | int | None = None
    rank: str | int | None = None
    license: str | None = None
    date: str | None = None
    model_key: str | None = None
    country: str | None = None
    open_weights: bool | None = None
    is_current: bool | None = None
    board: str | None = None
    raw: str = ""


@dataclass(frozen=True)
class Preset:
    """How one leaderboard format maps onto snapshots and entries."""

    name: str
    publisher: str
    kind: str  # csv | aa-json | lab-js
    board: str | None = "text"
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: tuple[str, ...] = ("model", "rating")
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    date_from_name: str | None = None  # regex with one group, applied to the file name
    ci: tuple[str, ...] = ()


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "lmarena-csv",
            "LMArena (Chatbot Arena), via fboulnois/llm-leaderboard-csv",
            "csv",
            columns={
                "model": ("model",),
                "rating": ("arena_score", "arena_elo"),
                "ci": ("95_pct_ci",),
                "votes": ("votes",),
                "rank": ("rank",),
                "org": ("organization",),
                "license": ("license",),
            },
            required=("model", "rating", "ci", "org"),
            date_from_name=r"(\d{4}-\d{2}-\d{2})\.csv$",
            ci=("+U/-L",),
        ),
        Preset(
            "arena-history-csv",
            "LMSYS Chatbot Arena, via jasontrigg0/chatbot-arena-history",
            "csv",
            columns={
                "model_key": ("key",),
                "model": ("Model",),
                "rating": ("rating",),
                "org": ("Organization",),
                "license": ("License",),
                "date": ("date",),
            },
            required=("model", "rating", "org", "date"),
            date_formats=("%Y%m%d",),
        ),
        Preset(
            "lmarena-history-csv",
            "LMArena, via kevinschaul/lmarena-leaderboard-history",
            "csv",
            columns={
                "date": ("date",),
                "rank": ("rank",),
                "model": ("model",),
                "rating": ("score",),
                "ci": ("ci95",),
                "votes": ("votes",),
                "org": ("organization",),
                "license": ("license",),
            },
            required=("model", "rating", "ci", "org", "date"),
            ci=("+U/-L", "±U"),
        ),
        Preset(
            "artificialanalysis-json",
            "Artificial Analysis Video Arena, via oolong-tea-2026/artificial-analysis-leaderboards",
            "aa-json",
            board=None,
            ci=("-L/+U",),
        ),
        Preset(
            "lab-flagships-js",
            "LMArena per-lab flagships, via mayerwin/AI-Arena-History",
            "lab-js",
            board="text-lab-flagships",
        ),
    )
}


def detect_preset(location: str, content: bytes) -> Preset:
    """The preset for a file, from its name and header."""
    name = PurePosixPath(location.replace("\\", "/")).name.lower()
    head = content[:4096].decode("utf-8", errors="replace")
    if name.endswith(".js") and "CHART_DATA_HIGHEST" in head:
        return PRESETS["lab-flagships-js"]
    if head.lstrip().startswith("{") and ('"meta"' in head or '"data"' in head):
        return PRESETS["artificialanalysis-json"]
    header = {h.strip() for h in head.splitlines()[0].split(",")} if head else set()
    if "95_pct_ci" in header:
        return PRESETS["lmarena-csv"]
    if "ci95" in header:
        return PRESETS["lmarena-history-csv"]
    if {"Organization", "rating", "date"} <= header:
        return PRESETS["arena-history-csv"]
    raise SourceError(
        f"{location}: cannot tell the leaderboard format; pass --preset ({', '.join(PRESETS)})"
    )


# ------------------------------------------------------------------ readers (format -> Raw)


def _csv_rows(fetched: Fetched, preset: Preset, problems: list[tuple]) -> Iterator[Raw]:
    text = fetched.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    mapping: dict[str, str] = {}
    for fld, candidates in preset.columns.items():
        found = next((c for c in candidates if c in header), None)
        if found:
            mapping[fld] = found
    missing = [f for f in preset.required if f not in mapping]
    if preset.date_from_name is None and "date" not in mapping and "date" not in missing:
        missing.append("date")
    if missing:
        wanted = "; ".join(f"{f} (one of {', '.join(preset.columns.get(f, ()))})" for f in missing)
        problems.append((None, None, f"missing column(s) for {wanted}", ",".join(header)))
        return
    name_date = None
    if preset.date_from_name:
        m = re.search(preset.date_from_name, PurePosixPath(fetched.location).name)
        name_date = m.group(1) if m else None
    for no, row in enumerate(reader, 1):
        if None in row:
            problems.append((no, row.get(mapping["model"]), "more fields than the header", row))
            continue
        g = {f: row.get(c) for f, c in mapping.items()}
        yield Raw(
            record_no=no,
            model=(g.get("model") or "").strip(),
            org=(g.get("org") or "").strip() or None,
            rating=g.get("rating"),
            ci=g.get("ci"),
            votes=g.get("votes"),
            rank=g.get("rank"),
            license=(g.get("license") or "").strip() or None,
            date=g.get("date") or name_date,
            model_key=(g.get("model_key") or "").strip() or None,
            raw=json.dumps(row, ensure_ascii=False),
        )


def _aa_rows(fetched: Fetched, preset: Preset, problems: list[tuple]) -> Iterator[Raw]:
    """The mirror's daily files (`{meta, models}`, board and date in `meta`) or the Artificial
    Analysis API's answer (`{data}`: board from the file name, date = the day it was fetched)."""
    try:
        doc = json.loads(fetched.content)
        if "meta" not in doc and isinstance(doc.get("data"), list):  # API v2 media answer
            models = doc["data"]
            board = PurePosixPath(fetched.location).stem
            fetched_at = fetched.retrieved_at.date().isoformat()
        else:
            meta, models = doc["meta"], doc["models"]
            board = meta["endpoint"]
            fetched_at = str(meta["fetched_at"])[:10]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        problems.append((None, None, f"not an Artificial Analysis arena file ({exc!r})", ""))
        return
    for no, m in enumerate(models, 1):
        creator = m.get("creator") or m.get("model_creator") or {}
        country = creator.get("country")
        yield Raw(
            record_no=no,
            model=str(m.get("name") or "").strip(),
            org=(creator.get("name") or "").strip() or None,
            rating=m.get("elo"),
            ci=m.get("ci95"),
            votes=m.get("appearances"),
            rank=m.get("rank"),
            date=fetched_at,
            model_key=m.get("slug"),
            country=country.upper() if isinstance(country, str) and country else None,
            open_weights=m.get("open_weights_url") is not None,
            is_current=m.get("is_current"),
            board=board,
            raw=json.dumps({k: v for k, v in m.items() if k != "elos"}, ensure_ascii=False),
        )


_JS_OBJECT = re.compile(r"const\s+CHART_DATA_HIGHEST\s*=\s*(\{.*?\n\});", re.S)


def _lab_rows(fetched: Fetched, preset: Preset, problems: list[tuple]) -> Iterator[Raw]:
    m = _JS_OBJECT.search(fetched.content.decode("utf-8"))
    if not m:
        problems.append((None, None, "no CHART_DATA_HIGHEST object in the script", ""))
        return
    try:
        data = json.loads(m.group(1))
    except ValueError as exc:
        problems.append((None, None, f"CHART_DATA_HIGHEST is not JSON ({exc})", ""))
        return
    no = 0
    for lab, points in data.items():
        for p in points:
            no += 1
            yield Raw(
                record_no=no,
                model=str(p.get("model_name") or "").strip(),
                org=lab,
                rating=p.get("rating"),
                date=p.get("date"),
                raw=json.dumps({"lab": lab, **p}, ensure_ascii=False),
            )


READERS: dict[str, Callable[[Fetched, Preset, list[tuple]], Iterator[Raw]]] = {
    "csv": _csv_rows,
    "aa-json": _aa_rows,
    "lab-js": _lab_rows,
}


# ------------------------------------------------------------------ rows -> tables

SNAPSHOT_SCHEMA = pa.schema(
    [
        ("snapshot_id", pa.string()),
        ("source", pa.string()),
        ("preset", pa.string()),
        ("board", pa.string()),
        ("publisher", pa.string()),
        ("snapshot_date", pa.date32()),
        ("location", pa.string()),
        ("n_entries", pa.int32()),
        ("has_ci", pa.bool_()),
    ]
)
ENTRY_SCHEMA = pa.schema(
    [
        ("snapshot_id", pa.string()),
        ("record_no", pa.int32()),
        ("model", pa.string()),
        ("org_name", pa.string()),
        ("org_id", pa.string()),
        ("org_rule", pa.string()),
        ("country_source", pa.string()),
        ("rating", pa.float64()),
        ("ci_plus", pa.float64()),
        ("ci_minus", pa.float64()),
        ("votes", pa.int64()),
        ("rank_source", pa.int32()),
        ("model_key", pa.string()),
        ("license", pa.string()),
        ("open_weights", pa.bool_()),
        ("is_current", pa.bool_()),
    ]
)


def _int(v: object) -> int | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, int):
        return v
    return int(float(str(v).replace(",", "").strip()))


def _float(v: object) -> float:
    if isinstance(v, int | float):
        return float(v)
    return float(str(v).strip())


def load_key(location: str) -> str:
    """'<folder>/<file>' (e.g. 'fboulnois_llm-leaderboard-csv/lmsys_2024-06-19.csv')."""
    p = PurePosixPath(location.replace("\\", "/").split("://", 1)[-1])
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


def parse(fetched: Fetched, preset: Preset | None = None, key: str | None = None) -> LocationRows:
    """Parse one leaderboard file into snapshots, entries and quarantine rows. Organization
    strings are left unmatched (org_id NULL): ingest matches them to the registry."""
    loc = fetched.location
    # A file fetched online is read under its bundled name (`key`): the name carries the
    # snapshot date or the board where the upstream URL does not.
    named = replace(fetched, location=key) if key else fetched
    preset = preset or detect_preset(named.location, fetched.content)
    notes: Counter[str] = Counter({f"preset {preset.name}": 1})
    problems: list[tuple] = []  # (record_no, record_id, reason, raw)
    try:
        raws = list(READERS[preset.kind](named, preset, problems))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{loc}: not UTF-8 text ({exc.reason})") from None
    notes["records"] = len(raws)
    snapshots: dict[str, dict] = {}
    groups: dict[str, list[dict]] = {}
    for r in raws:
        entry = _entry(r, preset, problems)
        if entry is None:
            continue
        board = r.board or preset.board or "text"
        sid = f"{preset.name}:{board}:{entry.pop('_date').isoformat()}"
        snapshots.setdefault(sid, {"board": board, "date": date.fromisoformat(sid[-10:])})
        groups.setdefault(sid, []).append(entry)
    entries: list[dict] = []
    snap_rows: list[dict] = []
    for sid, rows in groups.items():
        kept = _dedupe(rows, problems, notes)
        for e in kept:
            e.pop("_raw", None)
            e["snapshot_id"] = sid
            entries.append(e)
        snap = snapshots[sid]
        snap_rows.append(
            {
                "snapshot_id": sid,
                "source": SOURCE,
                "preset": preset.name,
                "board": snap["board"],
                "publisher": preset.publisher,
                "snapshot_date": snap["date"],
                "location": loc,
                "n_entries": len(kept),
                "has_ci": any(e["ci_plus"] is not None for e in kept),
            }
        )
    notes["snapshots"] = len(snap_rows)
    notes["entries"] = len(entries)
    tables = {
        "board_snapshots": pa.Table.from_pylist(snap_rows, SNAPSHOT_SCHEMA),
        "board_entries": pa.Table.from_pylist(entries, ENTRY_SCHEMA),
        "quarantine": quarantine_table(SOURCE, loc, problems),
    }
    return LocationRows(
        key=key or load_key(loc),
        location=loc,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables=tables,
        notes=dict(notes),
    )


def _entry(r: Raw, preset: Preset, problems: list[tuple]) -> dict | None:
    """A validated entry (with '_date'), or None after recording why it was quarantined."""

    def bad(reason: str) -> dict | None:
        """Record why the row is quarantined; None, as the entry it does not make."""
        problems.append((r.record_no, r.model or None, reason, r.raw))
        return None

    if not r.model:
        return bad("empty model name")
    if r.date is None or not str(r.date).strip():
        return bad("no snapshot date (not in a column nor in the file name)")
    try:
        d = parse_date(str(r.date), preset.date_formats)
    except ValueError as exc:
        return bad(str(exc))
    try:
        rating = _float(r.rating)
    except (TypeError, ValueError):
        return bad(f"unparseable rating {r.rating!r}")
    try:
        plus, minus = parse_ci(r.ci or "", preset.ci) if preset.ci else (None, None)
    except CIError as exc:
        return bad(str(exc))
    try:
        votes, rank = _int(r.votes), _int(r.rank)
    except ValueError:
        return bad(f"unparseable votes {r.votes!r} or rank {r.rank!r}")
    ow = r.open_weights if r.open_weights is not None else open_from_license(r.license)
    return {
        "_date": d,
        "_raw": r.raw,
        "record_no": r.record_no,
        "model": r.model,
        "org_name": r.org,
        "org_id": None,
        "org_rule": None,
        "country_source": r.country,
        "rating": rating,
        "ci_plus": plus,
        "ci_minus": minus,
        "votes": votes,
        "rank_source": rank,
        "model_key": r.model_key,
        "license": r.license,
        "open_weights": ow,
        "is_current": r.is_current,
    }


def _dedupe(rows: list[dict], problems: list[tuple], notes: Counter) -> list[dict]:
    """One entry per model (by the source's key, else the name) in a snapshot: the row with the
    most votes (then the first) is kept; the others are quarantined as duplicates."""
    best: dict[str, dict] = {}
    for e in rows:
        k = e["model_key"] or e["model"]
        cur = best.get(k)
        if cur is None or (e["votes"] or -1) > (cur["votes"] or -1):
            best[k] = e
    kept_ids = {id(e) for e in best.values()}
    for e in rows:
        if id(e) not in kept_ids:
            k = e["model_key"] or e["model"]
            notes["duplicate rows (kept the one with most votes)"] += 1
            problems.append(
                (
                    e["record_no"],
                    e["model"],
                    f"duplicate of {k!r} in the same snapshot (kept record "
                    f"{best[k]['record_no']}, most votes)",
                    e["_raw"],
                )
            )
    return [e for e in rows if id(e) in kept_ids]


# ------------------------------------------------------------------ discovery

_SKIP = frozenset({"manifest.csv", "key_to_model.csv"})


def discover(location: str) -> list[str]:
    """The leaderboard files under a directory (recursively), or the location itself."""
    path = local_path(location)
    if path is None or not path.is_dir():
        return [location]
    files = [
        str(p)
        for p in sorted(Path(path).rglob("*"))
        if p.is_file()
        and p.suffix.lower() in (".csv", ".json", ".js")
        and p.name.lower() not in _SKIP
    ]
    if not files:
        raise SourceError(f"{location}: no leaderboard files (.csv, .json, .js) found")
    return files


def read(location: str, preset: str | None = None, client=None) -> LocationRows:
    """Fetch and parse one leaderboard file."""
    if preset is not None and preset not in PRESETS:
        raise SourceError(f"unknown preset {preset!r} (choose from {', '.join(PRESETS)})")
    fetched = read_location(location, client=client)
    return parse(fetched, PRESETS[preset] if preset else None)
