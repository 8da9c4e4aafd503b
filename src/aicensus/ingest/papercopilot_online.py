"""Paper Copilot online (`load paperlists --online`, `load paperlists-affonly --online`,
`load openreview --online`): every venue-year list of `papercopilot/paperlists` and the
OpenReview author files of `papercopilot/openreview`, read from their raw URLs (URL patterns
from settings) and loaded by the same code as the bundled copies.

Each file is streamed to a temporary file beside the warehouse (never whole in memory), hashed
as it arrives, classified (sources/papercopilot_upstream.py) and handed to the bundled loader
(`load_paperlists`, `load_affonly`, `load_openreview`); each parsed location then gets its
upstream URL as location, its fetch time as retrieval (copy) date, and one resume row per file
read (table resume_points, kind `upstream-file`: pull_id = URL, stream = the file's class,
position = content sha256, next = the upstream ETag, records, total = bytes), written with the
location's rows in its load transaction.

Incremental: a file whose resume row's ETag still matches is not downloaded (HTTP 304); a file
downloaded with the content hash its location already holds (same parser version) is not
parsed. Every file is fetched before a transaction opens, so an unreachable upstream raises one
line naming the URL and nothing is written. The venue-year is the period of its papers (works
carry venue and year).
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from aicensus.geo.affiliations.resolver import Resolver
from aicensus.ingest.batch import Progress
from aicensus.ingest.openreview_authors import OpenReviewLoadSummary, load_openreview
from aicensus.ingest.paperlists import PaperlistsLoadSummary, load_paperlists
from aicensus.ingest.paperlists_affonly import load_affonly
from aicensus.sources import openreview_authors as ora
from aicensus.sources import papercopilot_upstream as up
from aicensus.sources import paperlists as pl
from aicensus.sources import paperlists_affonly as pa_
from aicensus.sources.fetch import NotFound
from aicensus.sources.upstream import Downloaded, Http, client_of
from aicensus.warehouse import LocationRows, resume

KIND = "upstream-file"
PAPERLISTS = "paperlists"
AFFONLY = "paperlists-affonly"


@dataclass(frozen=True)
class Known:
    """What the warehouse holds of one upstream file (its resume row)."""

    content_hash: str
    etag: str | None
    file_class: str


@dataclass
class OnlineStats:
    """What the online part did: requests, files downloaded, files the upstream said were
    unchanged (HTTP 304), downloaded files not parsed (same content), classes seen."""

    upstream: str = ""
    requests: int = 0
    retries: int = 0
    downloaded: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    same_content: list[str] = field(default_factory=list)
    classes: Counter[str] = field(default_factory=Counter)


@dataclass
class PaperlistsOnlineSummary(PaperlistsLoadSummary):
    """A paperlists load from upstream; `affonly` is the affiliation-only part's load."""

    online: OnlineStats = field(default_factory=OnlineStats)
    affonly: PaperlistsLoadSummary | None = None


@dataclass
class OpenReviewOnlineSummary(OpenReviewLoadSummary):
    """An openreview load from upstream (venue-years probed, files not found upstream)."""

    online: OnlineStats = field(default_factory=OnlineStats)
    not_found: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- warehouse state


def known_files(con: duckdb.DuckDBPyConnection, load_id: str) -> dict[str, Known]:
    """The upstream files a location was loaded from: URL -> what was read."""
    rows = resume.committed_rows(con, KIND, load_id=load_id)
    return {r.pull_id: Known(r.position, r.next, r.stream) for r in rows}


def current_hash(con: duckdb.DuckDBPyConnection, load_id: str, parser_version: str) -> str | None:
    """The content hash a location holds, if it was parsed by `parser_version` (else None)."""
    row = con.execute(
        "SELECT content_hash FROM loads WHERE load_id = ? AND parser_version = ?",
        [load_id, parser_version],
    ).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- fetching


class _Fetch:
    """Downloads into a temporary folder; remembers each file's download for `finish`."""

    def __init__(self, http: Http, folder: Path, stats: OnlineStats):
        self.http = http
        self.folder = folder
        self.stats = stats
        self.groups: dict[str, list[tuple[Downloaded, str]]] = {}  # location -> its files

    def get(self, url: str, name: str, etag: str | None) -> Downloaded | None:
        """The downloaded file, None if `etag` still matches; NotFound if absent upstream."""
        dest = self.folder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        got = self.http.download(url, dest, etag)
        if got is None:
            self.stats.not_modified.append(name)
        else:
            self.stats.downloaded.append(name)
        return got

    def keep(self, got: Downloaded, file_class: str, location: str | None = None) -> None:
        """Remember a download as one of the files of `location` (default: itself)."""
        self.groups.setdefault(location or str(got.path), []).append((got, file_class))

    def finish(self, rows: LocationRows) -> LocationRows:
        """A parsed location as read from upstream: URL location, fetch date, resume rows."""
        files = self.groups[rows.location]
        urls = {str(g.path): g.url for g, _ in files}
        tables = dict(rows.tables)
        q = tables.get("quarantine")
        if q is not None and q.num_rows:
            where = [urls.get(x, x) for x in q.column("location").to_pylist()]
            i = q.schema.get_field_index("location")
            tables["quarantine"] = q.set_column(i, "location", pa.array(where, pa.string()))
        records = rows.notes.get("records", rows.rows_loaded)
        tables[resume.TABLE] = pa.concat_tables(
            resume.row(KIND, g.url, 1, g.content_hash, g.etag, records, cls, g.size)
            for g, cls in files
        )
        return LocationRows(
            key=rows.key,
            location=urls[rows.location],
            content_hash=rows.content_hash,
            retrieved_at=min(g.retrieved_at for g, _ in files),
            tables=tables,
            notes=rows.notes,
        )


def _probe(venues: Iterable[str], years: Iterable[int]) -> list[tuple[str, int]]:
    """The venue-years to ask upstream for: every venue (lower case) with every year."""
    return [(v.strip().lower(), y) for v in venues for y in sorted(set(years))]


@contextlib.contextmanager
def _fetching(
    http: Http | None, scratch: Path, prefix: str, stats: OnlineStats
) -> Iterator[_Fetch]:
    """Downloads into a temporary folder under `scratch` (removed after the load); the request
    counts go to `stats` at the end, and a client made here is closed."""
    scratch.mkdir(parents=True, exist_ok=True)
    with client_of(http) as client:
        try:
            with tempfile.TemporaryDirectory(dir=scratch, prefix=prefix) as tmp:
                yield _Fetch(client, Path(tmp), stats)
        finally:
            stats.requests, stats.retries = client.requests, client.retries


# ---------------------------------------------------------------- Paper Copilot lists


def load_paperlists_online(
    con: duckdb.DuckDBPyConnection,
    pattern: str,
    scratch: Path,
    venues: Iterable[str],
    years: Iterable[int],
    resolver: Callable[[], Resolver] | None = None,
    targets: tuple[str, ...] = (PAPERLISTS, AFFONLY),
    http: Http | None = None,
    progress: Progress | None = None,
) -> PaperlistsOnlineSummary:
    """Fetch every selected venue-year from `pattern` ({venue}, {year}) and load what changed:
    every list into paperlists (if a target), the affiliation-only ones through `resolver`
    (built only if one must be parsed) into paperlists_affonly (if a target)."""
    probe = _probe(venues, years)
    stats = OnlineStats(upstream=pattern)
    summary = PaperlistsOnlineSummary(files=len(probe), online=stats)
    to_list: list[pl.VenueYear] = []
    to_affonly: list[pl.VenueYear] = []
    affonly_same: list[str] = []
    with _fetching(http, scratch, "papercopilot-", stats) as fetch:
        for i, (v, y) in enumerate(probe, 1):
            key = f"{v}/{v}{y}"
            url = pattern.format(venue=v, year=y)
            have = {
                t: current_hash(con, f"{src}:{key}", version)
                for t, src, version in (
                    (PAPERLISTS, pl.SOURCE, pl.PARSER_VERSION),
                    (AFFONLY, pa_.SOURCE, pa_.PARSER_VERSION),
                )
                if t in targets
            }
            known = known_files(con, f"{pl.SOURCE}:{key}").get(url) or known_files(
                con, f"{pa_.SOURCE}:{key}"
            ).get(url)
            etag = known.etag if known and not _needs(known, have) else None
            try:
                got = fetch.get(url, f"paperlists/{v}/{v}{y}.json", etag)
            except NotFound:
                summary.not_found.append(key)
                continue
            finally:
                if progress:
                    progress(key, i, len(probe))
            if got is None:  # unchanged upstream, and every target holds it
                assert known is not None
                if PAPERLISTS in targets:
                    summary.unchanged.append(key)
                if AFFONLY in targets and known.file_class == up.AFFILIATION_ONLY:
                    affonly_same.append(key)
                continue
            cls = up.classify(got.path)
            stats.classes[cls] += 1
            fetch.keep(got, cls)
            vy = pl.VenueYear(v, y, str(got.path))
            need = _needs(Known(got.content_hash, got.etag, cls), have)
            if PAPERLISTS in need:
                to_list.append(vy)
            elif PAPERLISTS in targets:
                summary.unchanged.append(key)
            if AFFONLY in need:
                to_affonly.append(vy)
            elif AFFONLY in targets and cls == up.AFFILIATION_ONLY:
                affonly_same.append(key)
            applies = PAPERLISTS in targets or cls == up.AFFILIATION_ONLY
            if applies and not need:
                stats.same_content.append(key)
        # Everything is fetched: now the bundled loaders, each one transaction.
        if to_list:
            base = load_paperlists(
                con, str(fetch.folder), files=to_list, finish=fetch.finish, progress=progress
            )
            for name in ("records", "loaded", "quarantined", "notes", "written"):
                setattr(summary, name, getattr(base, name))
            summary.unchanged += base.unchanged
        if AFFONLY in targets:
            aff = PaperlistsLoadSummary(files=len(to_affonly) + len(affonly_same))
            if to_affonly:
                assert resolver is not None, "the affiliation-only part needs a resolver"
                aff = load_affonly(
                    con, str(fetch.folder), resolver(), files=to_affonly, finish=fetch.finish
                )
                aff.files += len(affonly_same)
            aff.unchanged += affonly_same
            summary.affonly = aff
    return summary


def _needs(known: Known, have: dict[str, str | None]) -> set[str]:
    """The targets that must parse a file with this content and class."""
    out = set()
    if PAPERLISTS in have and have[PAPERLISTS] != known.content_hash:
        out.add(PAPERLISTS)
    affonly = known.file_class == up.AFFILIATION_ONLY
    if AFFONLY in have and affonly and have[AFFONLY] != known.content_hash:
        out.add(AFFONLY)
    return out


# ---------------------------------------------------------------- OpenReview author files


def load_openreview_online(
    con: duckdb.DuckDBPyConnection,
    authors_pattern: str,
    lists_pattern: str,
    scratch: Path,
    venues: Iterable[str],
    years: Iterable[int],
    resolver: Callable[[], Resolver],
    http: Http | None = None,
    progress: Progress | None = None,
) -> OpenReviewOnlineSummary:
    """Fetch each selected venue-year's author file and its accepted-paper list (the paperlists
    upstream's), then load the changed ones as the bundled openreview load does."""
    probe = _probe(venues, years)
    stats = OnlineStats(upstream=authors_pattern)
    summary = OpenReviewOnlineSummary(files=len(probe), online=stats)
    todo: list[ora.VenueYearFiles] = []
    with _fetching(http, scratch, "openreview-", stats) as fetch:
        for i, (v, y) in enumerate(probe, 1):
            key = f"{v}{y}"
            if progress:
                progress(key, i, len(probe))
            got = _openreview_pair(con, fetch, v, y, authors_pattern, lists_pattern)
            if got is None:
                summary.not_found.append(key)
            elif isinstance(got, str):  # "unchanged"
                summary.unchanged.append(key)
            else:
                todo.append(got)
        if todo:
            base = load_openreview(
                con, str(fetch.folder), resolver(), files=todo, finish=fetch.finish
            )
            for name in ("papers", "author_records", "quarantined", "notes", "written"):
                setattr(summary, name, getattr(base, name))
            summary.unchanged += base.unchanged
    return summary


def _openreview_pair(
    con: duckdb.DuckDBPyConnection,
    fetch: _Fetch,
    v: str,
    y: int,
    authors_pattern: str,
    lists_pattern: str,
) -> ora.VenueYearFiles | str | None:
    """One venue-year's files: the pair to parse, 'unchanged', or None (no author file)."""
    key = f"{v}{y}"
    a_url, l_url = authors_pattern.format(venue=v, year=y), lists_pattern.format(venue=v, year=y)
    a_name, l_name = f"openreview/authors/{key}.jsonl", f"openreview/lists/{key}.json"
    known = known_files(con, f"{ora.SOURCE}:{key}")
    held = current_hash(con, f"{ora.SOURCE}:{key}", ora.PARSER_VERSION)
    a_known, l_known = known.get(a_url), known.get(l_url)
    # Conditional requests only when the location holds exactly what those files gave.
    hashes = [k.content_hash for k in (l_known, a_known) if k is not None]
    cond = a_known is not None and held == _digest(hashes)
    try:
        auth = fetch.get(a_url, a_name, a_known.etag if cond and a_known else None)
    except NotFound:
        return None
    try:
        lst = fetch.get(l_url, l_name, l_known.etag if cond and l_known else None)
        absent = False
    except NotFound:
        lst, absent = None, True
    list_same = (lst is None and not absent) or (absent and l_known is None)
    if auth is None and list_same:
        return "unchanged"
    if auth is None:  # the author file is unchanged, its list is not: read both again
        auth = fetch.get(a_url, a_name, None)
    if lst is None and not absent:
        lst = fetch.get(l_url, l_name, None)
    assert auth is not None and (lst is not None or absent)
    location = str(lst.path if lst else auth.path)
    fetch.keep(auth, "author-file", location)
    if lst is not None:
        fetch.keep(lst, "list", location)
    if held == _digest([g.content_hash for g in (lst, auth) if g is not None]):
        fetch.stats.same_content.append(key)
        return "unchanged"
    return ora.VenueYearFiles(v, y, str(lst.path) if lst else None, str(auth.path))


def _digest(hashes: list[str]) -> str:
    """A venue-year's content hash as ora.parse computes it (list first, then author file)."""
    return hashlib.sha256("".join(hashes).encode()).hexdigest()
