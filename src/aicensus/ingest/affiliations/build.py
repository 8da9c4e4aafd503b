"""Build the resolver from the configured data: ROR records, OpenAlex institutions and the
institution-country pairs learned from the paperlists files (optionally an extra alias source).

Building takes about a minute, and one `aicensus run` needs the resolver three times (the
paperlists-affonly and OpenReview loads, the evaluation): a process keeps the resolvers it
built, keyed by the content hashes of their inputs, and builds again only when one changed."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import astuple
from pathlib import Path
from typing import TypeVar

from aicensus.config import Settings
from aicensus.errors import SourceError
from aicensus.geo.affiliations.learned import Pair, pairs_from_tables
from aicensus.geo.affiliations.reference import ExtraAlias
from aicensus.geo.affiliations.resolver import Resolver
from aicensus.sources import paperlists as pl
from aicensus.sources.reference_records import read_jsonl


def reference_paths(settings: Settings) -> tuple[Path, Path]:
    """(ROR JSONL, OpenAlex institutions JSONL) under the configured locations."""
    ror = Path(settings.locations("ror")[0])
    oa = Path(settings.locations("openalex-institutions")[0])
    for p in (ror, oa):
        if not p.is_file():
            raise SourceError(f"{p}: reference file for the affiliation resolver not found")
    return ror, oa


T = TypeVar("T")
KEPT = 2  # resolvers (and learned-pair sets) a process keeps, the most recently used
_resolvers: OrderedDict[str, Resolver] = OrderedDict()
_learned: OrderedDict[str, Counter[Pair]] = OrderedDict()


def forget() -> None:
    """Drop the resolvers and learned pairs this process kept (the next call builds)."""
    _resolvers.clear()
    _learned.clear()


def _keep(kept: OrderedDict[str, T], key: str, value: T) -> T:
    kept[key] = value
    while len(kept) > KEPT:
        kept.popitem(last=False)
    return value


def file_digest(path: str | Path) -> str:
    """sha256 of a local file's bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _files_key(files: list[pl.VenueYear]) -> str | None:
    """A key for the content of `files`, or None if one is not a local file (not kept)."""
    if not all(Path(vy.location).is_file() for vy in files):
        return None
    doc = [[vy.key, file_digest(vy.location)] for vy in files]
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()


def learned_pairs(location: str) -> Counter[Pair]:
    """Pairs learned from every paperlists file at `location` that has country indexes (kept
    per process while the files' contents are unchanged; callers get their own copy)."""
    files, _ = pl.discover(location)
    key = _files_key(files)
    if key is not None and key in _learned:
        _learned.move_to_end(key)
        return Counter(_learned[key])
    out: Counter[Pair] = Counter()
    for vy, rows in zip(files, pl.read_all(files), strict=True):
        out.update(pairs_from_tables(rows.tables, vy.key))
    if key is not None:
        _keep(_learned, key, Counter(out))
    return out


def resolver_key(
    ror: Path,
    oa: Path,
    learned: Mapping[Pair, int],
    extra: list[ExtraAlias] | None,
    fuzzy: bool,
) -> str:
    """sha256 of everything a built resolver depends on: the reference files' bytes, the
    learned pairs in order (insertion order can break ties), the extra aliases, fuzzy."""
    h = hashlib.sha256()
    for part in (file_digest(ror), file_digest(oa), repr(fuzzy)):
        h.update(part.encode() + b"\0")
    h.update(json.dumps([astuple(x) for x in extra or []]).encode() + b"\0")
    h.update(json.dumps(list(learned.items())).encode())
    return h.hexdigest()


def default_resolver(
    settings: Settings,
    learned: Counter[Pair] | None = None,
    extra: list[ExtraAlias] | None = None,
    fuzzy: bool = True,
) -> Resolver:
    """The resolver aicensus uses: ROR + OpenAlex + paperlists pairs (+ registry aliases);
    the one this process built from the same inputs if there is one (resolutions do not
    depend on what was resolved before, so a kept resolver answers as a new one)."""
    ror, oa = reference_paths(settings)
    if learned is None:
        learned = learned_pairs(settings.locations("paperlists")[0])
    key = resolver_key(ror, oa, learned, extra, fuzzy)
    if key in _resolvers:
        _resolvers.move_to_end(key)
        return _resolvers[key]
    built = Resolver.build(
        read_jsonl(ror), read_jsonl(oa), list(learned.items()), extra=extra, fuzzy=fuzzy
    )
    return _keep(_resolvers, key, built)


def _code_files() -> list[Path]:
    """The resolver's and the evaluation's own source files (their rules are part of a result)."""
    from aicensus.geo import affiliations as geo_affiliations

    here = Path(__file__).parent
    return sorted(Path(geo_affiliations.__file__).parent.glob("*.py")) + sorted(here.glob("*.py"))


def evaluation_inputs(settings: Settings, holdout: str) -> str | None:
    """sha256 of everything an evaluation of every paperlists file depends on (the resolver
    version and code, the hold-out, the reference files, the paperlists files), or None when
    the paperlists files are not local."""
    from aicensus.geo.affiliations.resolver import RESOLVER_VERSION

    ror, oa = reference_paths(settings)
    files, _ = pl.discover(settings.locations("paperlists")[0])
    files_key = _files_key(files)
    if files_key is None:
        return None
    code = [file_digest(p) for p in _code_files()]
    doc = [RESOLVER_VERSION, holdout, file_digest(ror), file_digest(oa), files_key, code]
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()
