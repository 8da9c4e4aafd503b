"""Epoch AI "Notable AI Models" CSV -> rows of models, model_orgs, model_countries (or
quarantine). Quirks handled (see ../shared/data/epoch_notable_models/SOURCE.md):

- organizations are separated by ',' without a space; ', ' (comma + space) stays inside a name
  ("NERSC, Lawrence Berkeley National Laboratory");
- the country list has one entry per organization except where an organization carries two
  countries: such rows are kept, flagged `orgs_aligned = false`, and no organization is paired
  with a country (the distinct-country list is still exact);
- embedded newlines in quoted fields: read with a real CSV parser;
- empty publication dates: kept with a NULL date (counted in notes); a date that is present but
  not YYYY-MM-DD is quarantined;
- UN-style country names ("Korea (Republic of)") mapped to ISO alpha-2; "Multinational" kept
  as a name with no code.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import urlparse

import pyarrow as pa

from aicensus.config import EPOCH_URL
from aicensus.errors import SourceError
from aicensus.geo.countries import to_iso2
from aicensus.sources.fetch import Fetched, read_location
from aicensus.warehouse import LocationRows
from aicensus.warehouse.tables import quarantine_table

SOURCE = "epoch"
PARSER_VERSION = "1"
DEFAULT_URL = EPOCH_URL

COLUMNS = {
    "name": "Model",
    "organization": "Organization",
    "date": "Publication date",
    "country": "Country (of organization)",
    "sector": "Organization categorization",
    "domain": "Domain",
    "task": "Task",
    "parameters": "Parameters",
    "compute": "Training compute (FLOP)",
    "confidence": "Confidence",
    "accessibility": "Model accessibility",
    "frontier": "Frontier model",
    "notability": "Notability criteria",
}
OPTIONAL = {"open_weights": "Open model weights?", "base_model": "Base model"}
OPEN_ACCESS = frozenset(
    {
        "Open weights (unrestricted)",
        "Open weights (non-commercial)",
        "Open weights (restricted use)",
    }
)
# Epoch writes UN-style names; these are the ones pycountry's lookup does not resolve.
COUNTRY_NAMES = {
    "Korea (Republic of)": "KR",
    "Iran (Islamic Republic of)": "IR",
    "Russia": "RU",
    "Taiwan": "TW",
    "Hong Kong": "HK",
}
NO_COUNTRY = frozenset({"Multinational"})
ORG_SPLIT = re.compile(r",(?! )")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MODELS_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("source", pa.string()),
        ("record_no", pa.int32()),
        ("name", pa.string()),
        ("publication_date", pa.date32()),
        ("year", pa.int32()),
        ("domain", pa.string()),
        ("task", pa.string()),
        ("parameters", pa.float64()),
        ("training_compute", pa.float64()),
        ("compute_confidence", pa.string()),
        ("accessibility", pa.string()),
        ("open_weights", pa.bool_()),
        ("frontier", pa.bool_()),
        ("notability", pa.string()),
        ("organization_raw", pa.string()),
        ("country_raw", pa.string()),
        ("n_orgs", pa.int32()),
        ("n_countries_listed", pa.int32()),
        ("orgs_aligned", pa.bool_()),
        ("base_model", pa.string()),
    ]
)
MODEL_ORGS_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("position", pa.int32()),
        ("org_name", pa.string()),
        ("org_id", pa.string()),
        ("org_rule", pa.string()),
        ("org_score", pa.float64()),
        ("sector", pa.string()),
        ("country_source_name", pa.string()),
        ("country_source", pa.string()),
    ]
)
MODEL_COUNTRIES_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("country_source_name", pa.string()),
        ("country_source", pa.string()),
    ]
)


def country_code(name: str) -> str | None:
    """ISO alpha-2 for an Epoch country name (None for 'Multinational' and unknown names)."""
    if name in NO_COUNTRY:
        return None
    return COUNTRY_NAMES.get(name) or to_iso2(name)


def split_list(value: str, pattern: re.Pattern | str = ",") -> list[str]:
    if not value.strip():
        return []
    parts = pattern.split(value) if isinstance(pattern, re.Pattern) else value.split(pattern)
    return [p.strip() for p in parts if p.strip()]


def _float(value: str, notes: Counter, col: str) -> float | None:
    v = value.strip()
    if not v:
        return None
    try:
        return float(v)
    except ValueError:
        notes[f"unparseable {col} (set NULL)"] += 1
        return None


def load_key(location: str) -> str:
    """The load key: the file name (so a local copy and the URL of one file replace each other)."""
    path = urlparse(location).path if "://" in location else location
    return PurePosixPath(path.replace("\\", "/")).name or "notable_ai_models.csv"


def parse(fetched: Fetched, key: str | None = None) -> LocationRows:
    """Parse one Epoch CSV into warehouse tables; a bad file or record becomes quarantine rows.
    Organization strings are left unmatched (org_id NULL): ingest matches them to the registry."""
    loc = fetched.location
    key = key or load_key(loc)
    notes: Counter[str] = Counter()
    problems: list[tuple[int | None, str | None, str, object]] = []
    models: list[dict] = []
    orgs: list[dict] = []
    countries: list[dict] = []
    try:
        text = fetched.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{loc}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS.values() if c not in header]

    def reject(record_no: int | None, record_id: str | None, reason: str, raw: object) -> None:
        problems.append((record_no, record_id, reason, raw))

    if missing:
        reject(None, None, f"missing column(s) {', '.join(map(repr, missing))}", ",".join(header))
    else:
        seen: set[str] = set()
        for no, row in enumerate(reader, 1):
            notes["records"] += 1
            if None in row:  # more fields than the header
                reject(no, row.get("Model"), "more fields than the header", row)
                continue
            rec = _record(no, row, notes, seen)
            if isinstance(rec, str):
                reject(no, row.get("Model") or None, rec, row)
                continue
            m, o, c = rec
            models.append(m)
            orgs.extend(o)
            countries.extend(c)
    notes["quarantined"] = len(problems)
    tables = {
        "models": pa.Table.from_pylist(models, MODELS_SCHEMA),
        "model_orgs": pa.Table.from_pylist(orgs, MODEL_ORGS_SCHEMA),
        "model_countries": pa.Table.from_pylist(countries, MODEL_COUNTRIES_SCHEMA),
        "quarantine": quarantine_table(SOURCE, loc, problems),
    }
    return LocationRows(
        key=key,
        location=loc,
        content_hash=fetched.content_hash,
        retrieved_at=fetched.retrieved_at,
        tables=tables,
        notes=dict(notes),
    )


def _record(
    no: int, row: dict[str, str], notes: Counter, seen: set[str]
) -> str | tuple[dict, list[dict], list[dict]]:
    """(model row, org rows, country rows) or the reason to quarantine the record."""
    g = {k: (row.get(c) or "") for k, c in {**COLUMNS, **OPTIONAL}.items()}
    name = g["name"].strip()
    if not name:
        return "empty model name"
    if name in seen:
        return f"duplicate model name {name!r}"
    seen.add(name)
    pub: date | None = None
    raw_date = g["date"].strip()
    if raw_date:
        if not DATE.match(raw_date):
            return f"unparseable publication date {raw_date!r} (expected YYYY-MM-DD)"
        try:
            pub = date.fromisoformat(raw_date)
        except ValueError:
            return f"invalid publication date {raw_date!r}"
    else:
        notes["no publication date (kept, year NULL)"] += 1
    org_names = split_list(g["organization"], ORG_SPLIT)
    country_names = split_list(g["country"])
    sectors = split_list(g["sector"], ORG_SPLIT)
    aligned = len(org_names) == len(country_names)
    if not aligned:
        notes["organization and country lists misaligned (no pairing)"] += 1
    if not org_names:
        notes["no organization"] += 1
    model_id = f"{SOURCE}:{name}"
    org_rows = []
    for i, org in enumerate(org_names):
        cname = country_names[i] if aligned else None
        org_rows.append(
            {
                "model_id": model_id,
                "position": i,
                "org_name": org,
                "org_id": None,  # matched in ingest (ingest.orgs.match_orgs)
                "org_rule": None,
                "org_score": None,
                "sector": sectors[i] if len(sectors) == len(org_names) else None,
                "country_source_name": cname,
                "country_source": country_code(cname) if cname else None,
            }
        )
    country_rows = []
    for cname in dict.fromkeys(country_names):
        code = country_code(cname)
        if code is None and cname not in NO_COUNTRY:
            notes[f"country name unmapped: {cname}"] += 1
        country_rows.append(
            {"model_id": model_id, "country_source_name": cname, "country_source": code}
        )
    access = g["accessibility"].strip()
    ow_flag = g["open_weights"].strip()
    open_weights = access in OPEN_ACCESS if access else {"Yes": True, "No": False}.get(ow_flag)
    frontier_raw = g["frontier"].strip()
    if frontier_raw not in ("", "True", "False"):
        notes[f"unexpected frontier flag {frontier_raw!r} (taken as False)"] += 1
    model = {
        "model_id": model_id,
        "source": SOURCE,
        "record_no": no,
        "name": name,
        "publication_date": pub,
        "year": pub.year if pub else None,
        "domain": g["domain"] or None,
        "task": g["task"] or None,
        "parameters": _float(g["parameters"], notes, "Parameters"),
        "training_compute": _float(g["compute"], notes, "Training compute (FLOP)"),
        "compute_confidence": g["confidence"] or None,
        "accessibility": access or None,
        "open_weights": open_weights,
        "frontier": frontier_raw == "True",
        "notability": g["notability"] or None,
        "organization_raw": g["organization"] or None,
        "country_raw": g["country"] or None,
        "n_orgs": len(org_names),
        "n_countries_listed": len(country_names),
        "orgs_aligned": aligned,
        "base_model": g["base_model"] or None,
    }
    return model, org_rows, country_rows


def read(location: str, client=None) -> LocationRows:
    """Fetch and parse one Epoch CSV location (path, file:// or http(s) URL)."""
    return parse(read_location(location, client=client))
