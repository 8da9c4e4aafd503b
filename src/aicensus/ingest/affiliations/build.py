"""Build the resolver from the configured data: ROR records, OpenAlex institutions and the
institution-country pairs learned from the paperlists files (optionally an extra alias source)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

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


def learned_pairs(location: str) -> Counter[Pair]:
    """Pairs learned from every paperlists file at `location` that has country indexes."""
    files, _ = pl.discover(location)
    out: Counter[Pair] = Counter()
    for vy, rows in zip(files, pl.read_all(files), strict=True):
        out.update(pairs_from_tables(rows.tables, vy.key))
    return out


def default_resolver(
    settings: Settings,
    learned: Counter[Pair] | None = None,
    extra: list[ExtraAlias] | None = None,
    fuzzy: bool = True,
) -> Resolver:
    """The resolver aicensus uses: ROR + OpenAlex + paperlists pairs (+ registry aliases)."""
    ror, oa = reference_paths(settings)
    if learned is None:
        learned = learned_pairs(settings.locations("paperlists")[0])
    return Resolver.build(
        read_jsonl(ror), read_jsonl(oa), list(learned.items()), extra=extra, fuzzy=fuzzy
    )
