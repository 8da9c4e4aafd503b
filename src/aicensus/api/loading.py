"""Loading sources through the library: one function per source, the default locations from
settings (config.DEFAULT_LOCATIONS), each writing through the warehouse's one load transaction."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from aicensus.config import (
    ARTIFICIAL_ANALYSIS_API,
    ARTIFICIAL_ANALYSIS_KEY_ENV,
    GITHUB_API,
    GITHUB_RAW,
    OPENREVIEW_UPSTREAM,
    OPENREVIEW_VENUES,
    PAPERLISTS_ONLINE_YEARS,
    PAPERLISTS_UPSTREAM,
    PAPERLISTS_VENUES,
    Settings,
)
from aicensus.errors import AicensusError
from aicensus.options import parse_list, parse_years

Progress = Callable[[str, int, int], None]  # (what, done, total)


def _paperlists(
    con: duckdb.DuckDBPyConnection,
    s: Settings,
    location: str | None,
    online: bool,
    venues: object,
    years: object,
    progress: Progress | None,
) -> Any:
    from aicensus.ingest.paperlists import load_paperlists

    if online:
        return _papercopilot_online(con, s, venues, years, progress, affonly_only=False)
    location = location or s.locations("paperlists")[0]
    venue_list, year_list = parse_list(venues, "venues"), parse_years(years)
    if "{venue}" in location:  # a URL pattern cannot be listed: probe the known venue-years
        venue_list = venue_list or PAPERLISTS_VENUES
        year_list = year_list or tuple(PAPERLISTS_ONLINE_YEARS)
    return load_paperlists(con, location, venue_list, year_list, progress=progress)


def _papercopilot_online(
    con: duckdb.DuckDBPyConnection,
    s: Settings,
    venues: object,
    years: object,
    progress: Progress | None,
    affonly_only: bool,
) -> Any:
    """Every selected upstream list (default: every known venue and year): all into
    paperlists and the affiliation-only ones through the resolver (built only if one changed),
    or (affonly_only) only the affiliation-only part."""
    from aicensus.ingest import papercopilot_online as pco

    summary = pco.load_paperlists_online(
        con,
        s.upstream("paperlists", PAPERLISTS_UPSTREAM),
        upstream_mirror(s),
        parse_list(venues, "venues") or PAPERLISTS_VENUES,
        parse_years(years) or PAPERLISTS_ONLINE_YEARS,
        resolver=_resolver(s),
        targets=(pco.AFFONLY,) if affonly_only else (pco.PAPERLISTS, pco.AFFONLY),
        progress=progress,
    )
    if not affonly_only or summary.affonly is None:
        return summary
    return _affonly_view(summary)


def _affonly_view(summary: Any) -> Any:
    """The affiliation-only part of an online load as the command's summary."""
    from aicensus.ingest.papercopilot_online import PaperlistsOnlineSummary

    aff = summary.affonly
    out = PaperlistsOnlineSummary(online=summary.online)
    for name, value in vars(aff).items():
        setattr(out, name, value)
    out.not_found = summary.not_found
    return out


def _resolver(s: Settings) -> Callable[[], Any]:
    """The default affiliation resolver, built on first use (about a minute) and kept."""
    built: list[Any] = []

    def get() -> Any:
        if not built:
            from aicensus.ingest.affiliations.build import default_resolver

            built.append(default_resolver(s))
        return built[0]

    return get


def _inferred(
    con: duckdb.DuckDBPyConnection,
    s: Settings,
    source: str,
    location: str | None,
    online: bool,
    venues: object,
    years: object,
) -> Any:
    """A source whose countries the affiliation resolver infers (paperlists-affonly,
    openreview): from its upstreams when online, else its bundled copy (location from
    settings) with the default resolver."""
    from aicensus.ingest.affiliations.build import default_resolver
    from aicensus.ingest.openreview_authors import load_openreview
    from aicensus.ingest.paperlists_affonly import load_affonly

    if online and source == "openreview":
        return _openreview_online(con, s, venues, years)
    if online:
        return _papercopilot_online(con, s, venues, years, None, affonly_only=True)
    load_fn: Callable[..., Any] = load_openreview if source == "openreview" else load_affonly
    location = location or s.locations(source)[0]
    resolver = default_resolver(s)
    return load_fn(con, location, resolver, parse_list(venues, "venues"), parse_years(years))


def _openreview_online(
    con: duckdb.DuckDBPyConnection, s: Settings, venues: object, years: object
) -> Any:
    """The OpenReview author files and their lists from upstream (default: every known
    OpenReview venue and year)."""
    from aicensus.ingest.papercopilot_online import load_openreview_online

    return load_openreview_online(
        con,
        s.upstream("openreview", OPENREVIEW_UPSTREAM),
        s.upstream("paperlists", PAPERLISTS_UPSTREAM),
        upstream_mirror(s),
        parse_list(venues, "venues") or OPENREVIEW_VENUES,
        parse_years(years) or PAPERLISTS_ONLINE_YEARS,
        resolver=_resolver(s),
    )


def _epoch(con: duckdb.DuckDBPyConnection, s: Settings, location: str | None, online: bool) -> Any:
    from aicensus.ingest.epoch import load_epoch
    from aicensus.sources import epoch as epoch_source

    if online:  # Epoch's public CSV, or AICENSUS_EPOCH_UPSTREAM / [sources] epoch_upstream
        location = s.upstream("epoch", epoch_source.DEFAULT_URL)
    location = location or s.locations("epoch")[0]
    if Path(location).is_dir():
        location = str(Path(location) / "notable_ai_models.csv")
    summary = load_epoch(con, location)
    if summary.rejected:
        raise AicensusError(f"{location}: rejected ({summary.rejected}); see the quarantine")
    return summary


def _arena(
    con: duckdb.DuckDBPyConnection,
    s: Settings,
    locations: list[str],
    preset: str | None,
    online: bool = False,
    progress: Progress | None = None,
) -> Any:
    from aicensus.ingest.arenas import load_arenas

    if online:
        return _arena_online(con, s, progress)
    summary = load_arenas(con, locations or s.locations("arena"), preset)
    if summary.rejected:
        where, why = next(iter(summary.rejected.items()))
        raise AicensusError(
            f"{where}: rejected ({why}); {len(summary.rejected)} file(s) in the quarantine"
        )
    return summary


def _arena_online(con: duckdb.DuckDBPyConnection, s: Settings, progress: Progress | None) -> Any:
    """The leaderboards from their upstreams (URLs from settings; the Artificial Analysis key
    from the environment, never echoed)."""
    from aicensus.ingest.arena_online import Upstreams, load_arenas_online

    urls = Upstreams(
        text_raw=s.upstream("arena_text", GITHUB_RAW),
        video_raw=s.upstream("arena_video", GITHUB_RAW),
        api=s.upstream("github_api", GITHUB_API),
        aa_api=s.upstream("artificialanalysis", ARTIFICIAL_ANALYSIS_API),
        aa_key=os.environ.get(ARTIFICIAL_ANALYSIS_KEY_ENV) or None,
    )
    return load_arenas_online(con, urls, progress=progress)


def upstream_mirror(s: Settings) -> Path:
    """Where online loads keep the upstream files they fetched (beside the warehouse)."""
    db = Path(s.db)
    return db.parent / f"{db.name}.upstream"


def _hub(
    con: duckdb.DuckDBPyConnection, s: Settings, locations: list[str], snapshot: str | None
) -> Any:
    from aicensus.ingest.hub import load_hub_dumps

    return [
        x
        for loc in (locations or s.locations("hub"))
        for x in load_hub_dumps(con, loc, snapshot=snapshot)
    ]


def _hub_added(con: duckdb.DuckDBPyConnection, s: Settings, location: str | None) -> Any:
    from aicensus.ingest.hub_added import load_hub_added

    return load_hub_added(con, location or s.locations("hub-added")[0])


def _openalex(
    con: duckdb.DuckDBPyConnection, s: Settings, location: str | None, institutions: bool
) -> Any:
    from aicensus.ingest import openalex

    kind = "institutions" if institutions else "works"
    default = s.locations("openalex-institutions" if institutions else "openalex")[0]
    return openalex.load_files(con, location or default, kind)


def _github(
    con: duckdb.DuckDBPyConnection, s: Settings, locations: list[str], online: bool = False
) -> Any:
    from aicensus.ingest.github import load_github

    if online:
        from aicensus.ingest.github_online import load_github_online

        raw = s.upstream("github_rankings", GITHUB_RAW)
        mirror = upstream_mirror(s) / "github"
        return [
            load_github_online(con, loc, raw, mirror)
            for loc in (locations or s.locations("github"))
        ]
    return [load_github(con, loc) for loc in (locations or s.locations("github"))]


def evaluate_resolver(s: Settings, holdout: str = "file", venues: object = None) -> tuple[Any, str]:
    """Score the affiliation resolver against Paper Copilot's own countries: (evaluation, the
    paperlists location scored)."""
    from aicensus.ingest.affiliations.build import default_resolver
    from aicensus.ingest.affiliations.evaluate import evaluate

    location = s.locations("paperlists")[0]
    ev = evaluate(
        location,
        lambda learned: default_resolver(s, learned=Counter(dict(learned))),
        holdout=holdout,
        venues=list(parse_list(venues, "venues")) or None,
    )
    return ev, location


def save_evaluation(
    con: duckdb.DuckDBPyConnection, ev: Any, location: str, inputs: str | None = None
) -> bool:
    """Store a resolver evaluation (table resolver_evaluation); True if written."""
    from aicensus.ingest.affiliations.store import save

    return save(con, ev, location, inputs)


def evaluation_inputs(s: Settings, holdout: str = "file", venues: object = None) -> str | None:
    """The content key of an evaluation of every paperlists file (None: venues chosen, or
    files not local): the main job reuses a stored evaluation with the same key."""
    from aicensus.ingest.affiliations.build import evaluation_inputs as inputs

    return None if parse_list(venues, "venues") else inputs(s, holdout)


def stored_evaluation(con: duckdb.DuckDBPyConnection, holdout: str, inputs: str) -> Any:
    """The evaluation stored for these inputs, or None."""
    from aicensus.ingest.affiliations.store import stored

    return stored(con, holdout, inputs)


SOURCES = (
    "paperlists",
    "paperlists-affonly",
    "openreview",
    "epoch",
    "arena",
    "hub",
    "hub-added",
    "openalex",
    "github",
)


def load(
    con: duckdb.DuckDBPyConnection,
    s: Settings,
    source: str,
    location: str | list[str] | None = None,
    *,
    online: bool = False,
    venues: object = None,
    years: object = None,
    preset: str | None = None,
    snapshot: str | None = None,
    institutions: bool = False,
    progress: Progress | None = None,
) -> Any:
    """Load `source` (one of SOURCES) from `location` (default: settings) into `con`."""
    many = [location] if isinstance(location, str) else list(location or [])
    one = many[0] if many else None
    if source == "paperlists":
        return _paperlists(con, s, one, online, venues, years, progress)
    if source in ("paperlists-affonly", "openreview"):
        return _inferred(con, s, source, one, online, venues, years)
    if source == "epoch":
        return _epoch(con, s, one, online)
    if source == "arena":
        return _arena(con, s, many, preset, online, progress)
    if source == "hub":
        return _hub(con, s, many, snapshot)
    if source == "hub-added":
        return _hub_added(con, s, one)
    if source == "openalex":
        return _openalex(con, s, one, institutions)
    if source == "github":
        return _github(con, s, many, online)
    raise AicensusError(f"unknown source {source!r} (choose from {', '.join(SOURCES)})")


# Sources with an online path (`load <source> --online`); the others read their bundled copies
# in an online run (their upstream paths are added per source).
ONLINE = ("paperlists", "paperlists-affonly", "openreview", "epoch", "arena", "github")


@dataclass(frozen=True)
class Skipped:
    """An online step whose upstream could not be reached: its previous rows are kept."""

    source: str
    reason: str


def run_steps(wh: Any, online: bool) -> list[tuple[str, Callable[[], Any]]]:
    """The main job's steps in order: (name, call). Online, sources with an online path read
    their upstream; the resolver is measured after the sources it scores are loaded."""

    def loader(source: str) -> Callable[[], Any]:
        return lambda: wh.load(source, online=online and source in ONLINE)

    names = ("paperlists", "epoch", "arena", "paperlists-affonly", "openreview")
    steps = [(name, loader(name)) for name in names]
    steps.append(("resolver", lambda: wh.evaluate_resolver(save=True, reuse=True)))
    steps += [(name, loader(name)) for name in ("hub", "hub-added", "openalex", "github")]
    if online:  # today's data where the upstream is an API rather than a file
        steps.append(("hub-top", lambda: wh.hub.top_snapshot(top=ONLINE_HUB_TOP)))
        steps.append(("openalex-counts", lambda: _openalex_counts(wh)))
    return steps


ONLINE_HUB_TOP = 1000  # models in the online run's Hub snapshot (top by downloads)
ONLINE_OPENALEX_FIRST_YEAR = 2015  # OpenAlex country counts from this year to the current one


def _openalex_counts(wh: Any) -> list[Any]:
    """Country counts (full counting, one group_by request per definition-year) for every
    "what counts as AI" definition the API can filter, 2015 to this year."""
    from datetime import date

    from aicensus.measures.ai_definitions import API_FILTERS

    years = f"{ONLINE_OPENALEX_FIRST_YEAR}-{date.today().year}"
    return [wh.openalex.country_counts(definition=d, years=years) for d in API_FILTERS]
