"""Claim measure names -> adapters over the library measures.

An adapter runs one library measure with a test's filters and returns a `Frame`: the measure's
rows (one per country, organization or leaderboard entry), how to summarize the rows a subject
selects into named numbers (`share`, `rank`, `hhi`, ...), and the measure's metadata (coverage,
sources). The claim engine picks the subject's, the `other` subject's and the best of the rest's
numbers from it; adapters hold no claim logic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from aicensus.errors import MeasureError, NoDataError
from aicensus.options import parse_years

if TYPE_CHECKING:
    import duckdb

Summary = dict[str, float | None]


class MissingSource(NoDataError):
    """The source a measure needs is not loaded (the variant is `insufficient data`)."""


@dataclass
class Frame:
    """A measure's rows for one set of filters, and how a subject's rows become numbers."""

    rows: pd.DataFrame
    kinds: dict[str, str]  # subject kind (country/org/model) -> column of `rows` to match
    summarize: Callable[[pd.DataFrame, pd.DataFrame], Summary]
    better: dict[str, str]  # value -> 'max' | 'min': how the best of the rest is picked
    meta: dict[str, Any] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    chart_value: str = "share"
    label: Callable[[pd.DataFrame], str | None] | None = None  # e.g. the best model's name
    # For sources that list only some subjects (a leaderboard): (subject kind, values with no
    # row) -> why the source cannot speak for them; the variant is then insufficient data, not
    # a zero. None: a missing subject counts as zero (catalogues meant to be complete).
    absent: Callable[[str, list[str]], str] | None = None


@dataclass(frozen=True)
class MeasureSpec:
    """A claim measure: the filters it accepts, the subject kinds, the values it yields."""

    name: str
    doc: str
    filters: tuple[str, ...]
    kinds: tuple[str, ...]
    values: tuple[str, ...]
    run: Callable[[duckdb.DuckDBPyConnection, dict], Frame]
    needs: str  # the source named when the data is missing


def _tuple(v: Any) -> tuple:
    if v is None:
        return ()
    if isinstance(v, list | tuple):
        return tuple(v)
    return (v,)


def _rank_of(value: float | None, others: pd.Series, higher_is_better: bool = True) -> float | None:
    """1 + units (outside the subject) with a strictly better value."""
    if value is None:
        return None
    vals = others.dropna()
    return float(1 + ((vals > value) if higher_is_better else (vals < value)).sum())


def _summed(rank_by: str, **sums: str) -> Callable[[pd.DataFrame, pd.DataFrame], Summary]:
    """A subject summary that adds up its rows' columns (value name -> column; 0 when it has no
    rows or the table lacks the column) and ranks the sum of `rank_by` among the other units."""

    def summarize(sel: pd.DataFrame, all_: pd.DataFrame) -> Summary:
        def total(col: str) -> float:
            return float(sel[col].sum()) if col in sel and len(sel) else 0.0

        rest = all_.loc[~all_.index.isin(sel.index), rank_by]
        return {name: total(col) for name, col in sums.items()} | {
            "rank": _rank_of(total(rank_by), rest)
        }

    return summarize


def source_dates(sources: list[dict]) -> list[dict]:
    """Compress a measure's `sources` (one row per load) to one line per source kind:
    locations, retrieval dates and distinct content hashes."""
    by: dict[str, dict] = {}
    for s in sources:
        loc = str(s.get("location", ""))
        kind = s.get("source") or _source_name(loc, s.get("key", ""))
        d = by.setdefault(kind, {"source": kind, "locations": 0, "retrieved": set(), "hashes": 0})
        d["locations"] += 1
        d["hashes"] += 1
        if s.get("retrieved_at"):
            d["retrieved"].add(str(s["retrieved_at"])[:10])
    return [{**d, "retrieved": sorted(d["retrieved"])} for d in by.values()]


def _source_name(location: str, key: str) -> str:
    for name in ("paperlists", "epoch", "arena", "orgs", "openalex", "hub"):
        if name in location.lower():
            return name
    return key.split("/")[0] if "/" in key else (location.rsplit("/", 2)[-2:][0] or key)


# ------------------------------------------------------------------ papers


def _paper_query(con: duckdb.DuckDBPyConnection, f: dict, **over: Any):
    """The PaperQuery of a test's filters; named venue sets (`all-with-countries`) resolved
    against the warehouse now, so the result names the venues it counted."""
    from aicensus.measures.papers import PaperQuery, resolve_venues

    source = f.get("source", "paperlists")
    years = parse_years(f.get("years"))
    venues = tuple(str(v) for v in _tuple(f.get("venues")))
    resolved = resolve_venues(con, venues, source, years)
    if venues and not resolved:  # an empty named set must not widen to every venue
        when = f"years {','.join(map(str, years))}" if years else "any year"
        raise MissingSource(
            f"venue set {', '.join(venues)}: no {source} venue with author countries in {when}"
        )
    return PaperQuery.of(f, venues=resolved, years=years, source=source, by="all", **over)


def _named_venues(f: dict, q: Any) -> dict[str, list[str]]:
    """{"venues": [...]}: the venues a named venue set resolved to (nothing without one)."""
    named = set(_tuple(f.get("venues"))) & set(venue_sets())
    return {"venues": list(q.venues)} if named else {}


def _tag_sources(source: str, rows: list[dict]) -> list[dict]:
    return [{**r, "source": source} for r in rows]


def papers_share(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    from aicensus.measures import cache, papers

    # papers.share without its regions-moved summary (three extra queries per variant)
    q = _paper_query(con, f).checked()
    r = cache.cached(con, papers.share, q, regions_moved=False)
    t = r.table.rename(columns={"unit": "country"})
    t = t[t["country"] != papers.UNKNOWN_UNIT]

    summarize = _summed("share", share="share", papers="papers")
    denom = int(t["denominator"].iloc[0]) if len(t) else 0
    loaded = int(t["papers_loaded"].iloc[0]) if len(t) else 0
    return Frame(
        rows=t.reset_index(drop=True),
        kinds={"country": "country"},
        summarize=summarize,
        better={"share": "max", "papers": "max", "rank": "min"},
        meta=r.meta,
        coverage={"papers_counted": denom, "papers_loaded": loaded, **_named_venues(f, q)},
        sources=_tag_sources(q.source, r.meta.get("sources", [])),
        chart_value="share",
    )


def _cited(con: duckdb.DuckDBPyConnection, f: dict, measure: Any) -> tuple[Any, Any, pd.DataFrame]:
    """(query, result, country rows without `unknown`) of a citation measure; MissingSource
    when no selected paper has a citation count."""
    from aicensus.measures import cache, papers

    q = _paper_query(con, f)
    r = cache.cached(con, measure, q)
    t = r.table.rename(columns={"unit": "country"})
    t = t[t["country"] != papers.UNKNOWN_UNIT]
    if t.empty:
        raise MissingSource("no citation counts for the selected papers")
    return q, r, t


def papers_citations(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    from aicensus.measures import papers

    q, r, t = _cited(con, f, papers.citations)

    def summarize(sel: pd.DataFrame, all_: pd.DataFrame) -> Summary:
        if sel.empty:
            return {"mean_citations": None, "median_citations": None, "top10_share": 0.0}
        w = sel["papers"]
        return {
            "papers": float(w.sum()),
            "mean_citations": float((sel["mean_citations"] * w).sum() / w.sum()),
            "median_citations": float(sel["median_citations"].iloc[0]) if len(sel) == 1 else None,
            "top10_share": float(sel["top10_share"].sum()),
            "pp_top10": float(sel["top10_papers"].sum() / w.sum()),
        }

    return Frame(
        rows=t.reset_index(drop=True),
        kinds={"country": "country"},
        summarize=summarize,
        better={"mean_citations": "max", "top10_share": "max", "pp_top10": "max", "papers": "max"},
        meta=r.meta,
        coverage={"citations_known": r.meta.get("coverage_citations")},
        sources=_tag_sources(q.source, r.meta.get("sources", [])),
        chart_value="mean_citations",
    )


def papers_impact(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    """Citation rates (PP(top 10%), mean citations per paper) with their bootstrap intervals;
    a subject of several countries reads the weighted rates of their rows together (its
    interval then is the widest of theirs: the bounds are not additive)."""
    from aicensus.measures import papers

    q, r, t = _cited(con, f, papers.impact)

    def summarize(sel: pd.DataFrame, all_: pd.DataFrame) -> Summary:
        if sel.empty:
            return {v: None for v in _IMPACT_VALUES} | {"papers": 0.0, "n_papers": 0.0}
        w = sel["papers"]
        out: Summary = {"papers": float(w.sum()), "n_papers": float(sel["n_papers"].sum())}
        for v in ("pp_top10", "mean_citations"):
            out[v] = float((sel[v] * w).sum() / w.sum())
            out[f"{v}_lo"] = float(sel[f"{v}_lo"].min())
            out[f"{v}_hi"] = float(sel[f"{v}_hi"].max())
        return out

    return Frame(
        rows=t.reset_index(drop=True),
        kinds={"country": "country"},
        summarize=summarize,
        better={v: "max" for v in (*_IMPACT_VALUES, "papers", "n_papers")},
        meta=r.meta,
        coverage={
            "citations_known": r.meta.get("coverage_citations"),
            "reference_set": r.meta.get("reference_set"),
            "interval": r.meta.get("interval"),
            **_named_venues(f, q),
        },
        sources=_tag_sources(q.source, r.meta.get("sources", [])),
        chart_value="pp_top10",
    )


_IMPACT_VALUES = (
    "pp_top10",
    "pp_top10_lo",
    "pp_top10_hi",
    "mean_citations",
    "mean_citations_lo",
    "mean_citations_hi",
)


# ------------------------------------------------------------------ models (Epoch)


def _model_query(f: dict, **over: Any):
    from aicensus.measures.models import ModelQuery

    return ModelQuery.of(f, **{"per": "all", **over})


def _model_sources(meta: dict) -> list[dict]:
    return [
        {**s, "source": "orgs" if s.get("key") == "registry" else "epoch"}
        for s in meta.get("sources", [])
    ]


def models_count(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    from aicensus.measures import cache, models

    by = f.get("by", "country")
    q = _model_query(f, by=by)
    r = cache.cached(con, models.count, q)
    t = r.table
    col = q.by

    summarize = _summed("models", models="models", count="models", share="share")
    denom = int(t["denominator"].iloc[0]) if len(t) else 0
    return Frame(
        rows=t,
        kinds={col: col},
        summarize=summarize,
        better={"models": "max", "count": "max", "share": "max", "rank": "min"},
        meta=r.meta,
        coverage={"models_with_unit": denom, **(r.meta.get("coverage") or {})},
        sources=_model_sources(r.meta),
        chart_value="share",
    )


def models_organizations(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    from aicensus.measures import cache, models

    q = _model_query(f)
    r = cache.cached(con, models.organizations, q)
    t = r.table

    summarize = _summed("organizations", organizations="organizations", models="models")
    return Frame(
        rows=t,
        kinds={"country": "country"},
        summarize=summarize,
        better={"organizations": "max", "models": "max", "rank": "min"},
        meta=r.meta,
        coverage=dict(r.meta.get("coverage") or {}),
        sources=_model_sources(r.meta),
        chart_value="organizations",
    )


def _concentration_summary(sel: pd.DataFrame, all_: pd.DataFrame) -> Summary:
    if len(sel) != 1:
        return {"hhi": None, "top_share": None, "organizations": float(sel["organizations"].sum())}
    row = sel.iloc[0]
    return {
        "hhi": float(row["hhi"]),
        "top_share": float(row["top_share"]),
        "organizations": float(row["organizations"]),
        "entries": float(row["entries"]),
    }


def models_concentration(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    from aicensus.measures import cache, models

    q = _model_query(f)
    r = cache.cached(con, models.concentration, q)
    return Frame(
        rows=r.table,
        kinds={"country": "country"},
        summarize=_concentration_summary,
        better={"hhi": "min", "top_share": "min", "organizations": "max", "entries": "max"},
        meta=r.meta,
        coverage={},
        sources=_model_sources(r.meta),
        chart_value="hhi",
    )


# ------------------------------------------------------------------ leaderboards


def _board_query(f: dict):
    from aicensus.measures.boards import BoardQuery

    def d(v: Any) -> date | None:
        return date.fromisoformat(str(v)) if v else None

    return BoardQuery(
        board=f.get("board", "text"),
        presets=tuple(_tuple(f.get("presets"))),
        start=d(f.get("start")),
        end=d(f.get("end")),
        top=int(f.get("top", 10)),
        attribution=f.get("attribution", "hq"),
        orgs=f.get("orgs", "registry"),
        current_only=bool(f.get("current_only", False)),
    )


def _board_rows(con: duckdb.DuckDBPyConnection, f: dict) -> tuple[pd.DataFrame, Any, dict]:
    from aicensus.measures import boards, cache

    q = _board_query(f).checked()
    try:
        r = cache.cached(con, boards.ranked, q)
    except NoDataError as exc:
        raise MissingSource(str(exc)) from None
    t = r.table
    if t.empty:
        raise MissingSource(f"no entries of board {q.board!r} in the selected dates")
    which = f.get("snapshot", "latest")
    if which == "latest":
        t = t[t["snapshot_id"] == _latest_snapshot(t)]
    t = t.assign(snapshot_date=pd.to_datetime(t["snapshot_date"]).dt.date)
    if which not in ("latest", "all"):
        t = t[t["snapshot_date"] == date.fromisoformat(str(which))]
        if t.empty:
            raise MissingSource(f"no snapshot of board {q.board!r} on {which}")
    # the period is that of the snapshots kept (the latest one by default), not of every
    # snapshot the measure read
    used = sorted(t["snapshot_date"].unique())
    meta = {**r.meta, "data_period": {"start": str(used[0]), "end": str(used[-1])}}
    return t.reset_index(drop=True), q, meta


def _latest_snapshot(t: pd.DataFrame) -> str:
    """The snapshot of the entry last in (date, preset) order, ties to the later entry; sorts
    one row per snapshot instead of every entry (a check picks it two dozen times)."""
    snaps = t.drop_duplicates("snapshot_id", keep="last")
    return snaps.sort_values(["snapshot_date", "preset"], kind="stable").iloc[-1]["snapshot_id"]


def board_rank(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    t, q, meta = _board_rows(con, f)
    col = "rank_ub" if f.get("rank", "strict") == "ub" else "rank_strict"
    t = t.assign(rank=t[col].astype("float64"), model_l=t["model"].str.lower())
    n_max = float(t["n_entries"].max())

    def summarize(sel: pd.DataFrame, all_: pd.DataFrame) -> Summary:
        if sel.empty:  # not on the board: ranked below every entry
            return {"rank": n_max + 1, "rating": None, "entries_top": 0.0, "orgs_top": 0.0}
        top = sel[sel["rank"] <= q.top]
        return {
            "rank": float(sel["rank"].min()),
            "rating": float(sel["rating"].max()),
            "entries_top": float(len(top)),
            "orgs_top": float(top["org_unit"].nunique()),
        }

    snaps = sorted({str(d) for d in t["snapshot_date"]})
    return Frame(
        rows=t,
        kinds={"country": "country", "org": "org_unit", "model": "model_l"},
        summarize=summarize,
        better={"rank": "min", "rating": "max", "entries_top": "max", "orgs_top": "max"},
        meta=meta,
        coverage={
            "entries": len(t),
            "entries_without_country": int(t["country"].isna().sum()),
            "snapshots": snaps if len(snaps) <= 3 else [snaps[0], "…", snaps[-1]],
            "rank": col,
        },
        sources=[{**s, "source": s.get("source", "arena")} for s in meta.get("sources", [])],
        chart_value="rank",
        label=_best_entry,
        absent=_not_listed(q.board, snaps),
    )


def _not_listed(board: str, snaps: list[str]) -> Callable[[str, list[str]], str]:
    """The reason a board cannot speak for subjects it has no entry for."""

    def reason(kind: str, values: list[str]) -> str:
        from aicensus.geo.countries import country_name

        if kind == "country":
            what = "model from " + ", ".join(f"{country_name(v)} ({v})" for v in values)
        else:
            what = ("model by " if kind == "org" else "model named ") + ", ".join(values)
        when = snaps[0] if len(snaps) == 1 else f"{snaps[0]} to {snaps[-1]}"
        return (
            f"board {board!r} lists no {what} (snapshots {when}): "
            "it cannot speak for it, which is not a zero"
        )

    return reason


def _best_entry(sel: pd.DataFrame) -> str | None:
    if sel.empty:
        return None
    row = sel.sort_values(["rank", "rating"], ascending=[True, False]).iloc[0]
    return f"{row['model']} ({row['org_name']}, {row['snapshot_date']})"


def board_concentration(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    from aicensus.measures.models import concentration_table

    t, q, meta = _board_rows(con, f)
    top = t[t["country"].notna() & (t["rank_strict"] <= q.top)].copy()
    top["entry"] = top["snapshot_id"] + ":" + top["record_no"].astype(str)
    if top.empty:
        raise MissingSource(f"no attributed top-{q.top} entries on board {q.board!r}")
    out = concentration_table(top, ["country"], "org_unit", "entry")
    return Frame(
        rows=out.reset_index(drop=True),
        kinds={"country": "country"},
        summarize=_concentration_summary,
        better={"hhi": "min", "top_share": "min", "organizations": "max", "entries": "max"},
        meta=meta,
        coverage={
            "entries_top": len(top),
            "snapshots": sorted({str(d) for d in t["snapshot_date"]}),
        },
        sources=list(meta.get("sources", [])),
        chart_value="hhi",
        absent=_not_listed(q.board, sorted({str(d) for d in t["snapshot_date"]})),
    )


# ------------------------------------------------------------------ Hugging Face Hub


HUB_SOURCE = "Hugging Face Hub snapshot"


def _hub(con: duckdb.DuckDBPyConnection, f: dict, fn: str):
    """Call aicensus.measures.hub (built on its own branch) lazily; missing = insufficient."""
    try:
        from aicensus.measures import cache, hub
    except ImportError:
        raise MissingSource(f"{HUB_SOURCE} not available (hub measures not installed)") from None
    try:
        q = hub.HubQuery.of({"attribution": "uploader", **f})  # claims: uploader by default
        return cache.cached(con, getattr(hub, fn), q)
    except NoDataError as exc:
        raise MissingSource(f"{HUB_SOURCE} not loaded ({exc})") from None


def _unit_col(t: pd.DataFrame) -> str:
    for c in ("unit", "country", "org"):
        if c in t.columns:
            return c
    raise MeasureError("hub measure returned no unit column")


def hub_share(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    return _share_frame(_hub(con, f, "share"), f)


def hub_added(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    """New 2025 Hub derivatives by root family (aicensus.measures.hub_added.derivatives)."""
    from aicensus.measures import cache, hub_added

    try:
        q = hub_added.AddedQuery.of(f, exclude_top=int(f.get("exclude_top", 0)))
        r = cache.cached(con, hub_added.derivatives, q)
    except MeasureError as exc:
        raise MissingSource(f"2025 Hub additions not loaded ({exc})") from None
    return _share_frame(r, f)


def _share_frame(r: Any, f: dict) -> Frame:
    """A Hub share result (unit, value, share, share_known) as a claim frame."""
    t = r.table.copy()
    col = _unit_col(t)
    t = t[t[col].astype("string").str.lower() != "unknown"].reset_index(drop=True)
    if f.get("denominator", "all") == "known" and "share_known" in t.columns:
        t["share"] = t["share_known"]  # share among models whose country/org is known

    summarize = _summed("share", share="share", value="value", count="value")
    return Frame(
        rows=t,
        kinds={f.get("by", "country"): col},
        summarize=summarize,
        better={"share": "max", "value": "max", "count": "max", "rank": "min"},
        meta=r.meta,
        coverage=dict(r.meta.get("coverage") or {}),
        sources=[{**s, "source": "hub"} for s in r.meta.get("sources", [])],
    )


def hub_concentration(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    r = _hub(con, f, "concentration")
    t = r.table.rename(
        columns={"top1_share": "top_share", "orgs": "organizations", "value": "entries"}
    )
    col = _unit_col(t)
    for c in ("organizations", "entries"):
        if c not in t.columns:
            t[c] = float("nan")
    return Frame(
        rows=t,
        kinds={"country": col},
        summarize=_concentration_summary,
        better={"hhi": "min", "top_share": "min", "organizations": "max", "entries": "max"},
        meta=r.meta,
        coverage=dict(r.meta.get("coverage") or {}),
        sources=[{**s, "source": "hub"} for s in r.meta.get("sources", [])],
        chart_value="hhi",
    )


def github_share(con: duckdb.DuckDBPyConnection, f: dict) -> Frame:
    """GitHub rankings: share of repositories, stars or star growth by country or organization
    under a definition of "model repository" (top-100 lists, not a census)."""
    from aicensus.measures import cache, github

    try:
        q = github.GithubQuery.of(f)
        r = cache.cached(con, github.share, q)
    except MeasureError as exc:
        raise MissingSource(f"github rankings not loaded ({exc})") from None
    t = r.table[r.table["unit"] != github.UNKNOWN].reset_index(drop=True)
    if f.get("denominator", "all") == "known":
        t["share"] = t["share_known"]

    summarize = _summed("share", share="share", value="value")
    return Frame(
        rows=t,
        kinds={f.get("by", "country"): "unit"},
        summarize=summarize,
        better={"share": "max", "value": "max", "rank": "min"},
        meta=r.meta,
        coverage=dict(r.meta.get("coverage") or {}),
        sources=[{**x, "source": "github"} for x in r.meta.get("sources", [])],
    )


# ------------------------------------------------------------------ the registry


def venue_sets() -> dict[str, str]:
    """Named venue sets a paper test's `venues` may hold, resolved when the claim is checked
    (name -> what it holds)."""
    from aicensus.measures.papers import VENUE_SETS

    return dict(VENUE_SETS)


_PAPER_FILTERS = (
    "venues",
    "years",
    "method",
    "regions",
    "source",
    "field_definition",
    "countries",
    "alignment",
    "status",
)
_MODEL_FILTERS = ("years", "subset", "method", "attribution", "orgs")
_BOARD_FILTERS = (
    "board",
    "presets",
    "start",
    "end",
    "top",
    "attribution",
    "orgs",
    "current_only",
    "snapshot",
    "rank",
)
_HUB_FILTERS = ("by", "weight", "attribution", "snapshot", "source", "denominator")
_GITHUB_FILTERS = ("definition", "by", "weight", "day", "start", "end", "denominator")
_ADDED_FILTERS = ("by", "relation", "exclude_top", "exclude_parents", "denominator")

MEASURES: dict[str, MeasureSpec] = {
    s.name: s
    for s in (
        MeasureSpec(
            "papers.share",
            "share of papers (Paper Copilot or OpenAlex) by country under a counting method",
            _PAPER_FILTERS,
            ("country",),
            ("share", "papers", "rank"),
            papers_share,
            "papers",
        ),
        MeasureSpec(
            "papers.citations",
            "citations by country: weighted mean, median, share of the top-10% cited papers",
            _PAPER_FILTERS,
            ("country",),
            ("mean_citations", "median_citations", "top10_share", "pp_top10", "papers"),
            papers_citations,
            "papers with citation counts",
        ),
        MeasureSpec(
            "papers.impact",
            "citation rates by country: PP(top 10%) within each venue-year and mean citations "
            "per paper, with 95% bootstrap intervals and the number of papers",
            _PAPER_FILTERS,
            ("country",),
            (*_IMPACT_VALUES, "papers", "n_papers"),
            papers_impact,
            "papers with citation counts",
        ),
        MeasureSpec(
            "models.count",
            "Epoch notable / frontier / open-weight models by country or organization",
            (*_MODEL_FILTERS, "by"),
            ("country", "org"),
            ("models", "count", "share", "rank"),
            models_count,
            "Epoch notable models",
        ),
        MeasureSpec(
            "models.organizations",
            "distinct organizations with at least one (notable / frontier) model, per country",
            _MODEL_FILTERS,
            ("country",),
            ("organizations", "models", "rank"),
            models_organizations,
            "Epoch notable models",
        ),
        MeasureSpec(
            "models.concentration",
            "within a country: HHI and top organization's share of its models",
            _MODEL_FILTERS,
            ("country",),
            ("hhi", "top_share", "organizations", "entries"),
            models_concentration,
            "Epoch notable models",
        ),
        MeasureSpec(
            "board.rank",
            "best leaderboard rank of a country, organization or model family (name contains)",
            _BOARD_FILTERS,
            ("country", "org", "model"),
            ("rank", "rating", "entries_top", "orgs_top"),
            board_rank,
            "leaderboard snapshots",
        ),
        MeasureSpec(
            "board.concentration",
            "within a country: HHI and top organization's share of its top-k leaderboard entries",
            _BOARD_FILTERS,
            ("country",),
            ("hhi", "top_share", "organizations", "entries"),
            board_concentration,
            "leaderboard snapshots",
        ),
        MeasureSpec(
            "hub.share",
            "share of Hugging Face Hub models by country or organization (count, downloads, "
            "derivatives)",
            _HUB_FILTERS,
            ("country", "org"),
            ("share", "value", "count", "rank"),
            hub_share,
            HUB_SOURCE,
        ),
        MeasureSpec(
            "hub.added",
            "share of new 2025 Hub derivatives (finetune, adapter, quantized, merge) by root "
            "family's country or organization",
            _ADDED_FILTERS,
            ("country", "org"),
            ("share", "value", "count", "rank"),
            hub_added,
            "Hugging Face Hub 2025 additions",
        ),
        MeasureSpec(
            "hub.concentration",
            "within a country: concentration of Hub models by organization",
            _HUB_FILTERS,
            ("country",),
            ("hhi", "top_share", "organizations", "entries"),
            hub_concentration,
            HUB_SOURCE,
        ),
        MeasureSpec(
            "github.share",
            "share of GitHub ranking repositories, stars or star growth by country or "
            "organization under a definition of model repository (top-100 lists)",
            _GITHUB_FILTERS,
            ("country", "org"),
            ("share", "value", "rank"),
            github_share,
            "GitHub star rankings",
        ),
    )
}


def get(name: str) -> MeasureSpec:
    try:
        return MEASURES[name]
    except KeyError:
        raise MeasureError(
            f"unknown measure {name!r} (choose from {', '.join(sorted(MEASURES))})"
        ) from None
