"""Paper measures: shares by country or institution, collaboration and citations.

Each measure is one Ibis expression over the warehouse tables (works, affiliations), so the same
definition runs on DuckDB and, later, on Spark. The counting methods follow
../shared/data/paperlists/SOURCE.md exactly:

- `full`: a paper counts 1 for every distinct unit (country/institution) in its set;
  share = papers whose set contains the unit / papers with a non-empty set.
- `country-fractional` (for institutions: unit-fractional): a paper weighs 1, split equally over
  the distinct units of its set; share = weight / papers with a non-empty set.
- `author-fractional`: papers whose author positions are known (aligned lists); 1 split equally
  over the authors with a non-empty set, each author's part split over its units;
  share = weight / such papers.
- `first-author`: aligned papers whose first author has a non-empty set; 1 split over its units.

With `unknown="count"` (as ../shared/data/openalex_works/SOURCE.md counts), the author-level
methods keep every paper with at least one author: `author-fractional` splits 1 over all authors
(n_authors) and `first-author` takes the first author, and the part of an author with no known
unit goes to the unit `unknown`; the denominator is papers with at least one author.

`field_definition` names a "what counts as AI" definition (measures.ai_definitions) applied to
the works before counting; it is recorded in the result's meta. Works are read from the view
`works_current` (OpenAlex works de-duplicated across loads, merged ids removed) and joined to
their affiliations on (work_id, load_id).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace

import duckdb
import ibis
import numpy as np
import pandas as pd
from ibis import _

from aicensus.engines import Engine
from aicensus.errors import MeasureError, NoDataError
from aicensus.geo.countries import country_name
from aicensus.geo.regions import parse_group
from aicensus.measures import ai_definitions, openreview, paper_status
from aicensus.measures import choices as C
from aicensus.measures.base import (
    MeasureResult,
    Query,
    backend,
    choice,
    engine_name,
    fixed,
    fixed_sum,
    ibis_connection,
    listing,
    provenance,
)
from aicensus.measures.provenance import dates_meta, year_span
from aicensus.options import format_years

METHODS = C.PAPER_METHOD.values
REGIONS = C.PAPER_REGIONS.values
UNKNOWN_UNIT = "unknown"
PAPER_SOURCES = C.PAPER_SOURCE.values
_FOLD = {"HK": "CN", "MO": "CN", "TW": "CN"}


@dataclass(frozen=True)
class PaperQuery(Query):
    """Filters and counting choices for a paper measure (all recorded in the output)."""

    venues: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    method: str = choice(C.PAPER_METHOD)
    regions: str = choice(C.PAPER_REGIONS)
    group: str | None = None
    by: str = choice(C.PAPER_BY)
    alignment: str = choice(C.PAPER_ALIGNMENT)
    unit: str = choice(C.PAPER_UNIT)
    source: str = choice(C.PAPER_SOURCE)
    field_definition: str | None = None
    unknown: str = choice(C.PAPER_UNKNOWN)
    countries: str = choice(C.PAPER_COUNTRIES)
    # Output rows to show (country codes, after grouping); figures are computed over all units.
    country_filter: tuple[str, ...] = ()
    # accepted (default: the source's status rule, measures.paper_status) | all records
    status: str = choice(C.PAPER_STATUS)
    _group_map: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def checked(self) -> PaperQuery:
        """Validate choices; raise MeasureError naming the bad one."""
        self.require_choices()
        try:
            mapping = parse_group(self.group)
        except ValueError as exc:
            raise MeasureError(f"--group: {exc}") from None
        if self.field_definition is not None:
            ai_definitions.get(self.field_definition)
        if self.country_filter and self.unit != "country":
            raise MeasureError("--country filters countries: it needs --unit country")
        venues = self.venues if self.source == "openalex" else tuple(v.lower() for v in self.venues)
        only = tuple(sorted({c.strip().upper() for c in self.country_filter}))
        return replace(self, venues=venues, country_filter=only, _group_map=mapping)

    @property
    def keys(self) -> list[str]:
        return {"venue-year": ["venue", "year"], "year": ["year"], "venue": ["venue"], "all": []}[
            self.by
        ]

    def describe(self) -> dict:
        return {
            "method": self.method,
            "unit": self.unit,
            "regions": self.regions,
            "group": self.group,
            "alignment": self.alignment,
            "by": self.by,
            "venues": list(self.venues) or "all loaded",
            "years": list(self.years) or "all loaded",
            "source": self.source,
            "unknown": self.unknown,
            "field_definition": (
                ai_definitions.get(self.field_definition).describe()
                if self.field_definition
                else None
            ),
            "countries": self.countries,
            "country_filter": list(self.country_filter) or "all",
            "status": paper_status.describe(self.source, self.status),
        }


# ------------------------------------------------------------------ expressions


def _works(ic: ibis.BaseBackend, q: PaperQuery) -> ibis.Table:
    w = ic.table("works_current").filter(_.source == q.source)
    if q.status == "accepted":
        w = w.filter(paper_status.accepted(w.status, q.source))
    if q.venues:
        w = w.filter(_.venue.isin(list(q.venues)))
    if q.years:
        w = w.filter(_.year.isin(list(q.years)))
    if q.field_definition:
        w = ai_definitions.apply(ic, w, q.field_definition, q.source)
    return w.select(
        "work_id", "load_id", "venue", "year", "aligned", "realigned", "citations", "n_authors"
    )


def _unit(a: ibis.Table, q: PaperQuery) -> tuple[ibis.Value, ibis.Value, ibis.Value]:
    """(unit, rows to keep, rule that set the unit) of affiliation rows under q's choices.

    Countries: the source's (regions recovered, or folded as upstream), those inferred from the
    affiliation text, or the source's where given and the inferred elsewhere; q's grouping
    applies to every choice. Institutions follow the same choice (source names, the resolver's
    institutions, or source names where given)."""
    if q.unit == "institution":
        src, inferred = a.institution_name, a.inferred_institution
        has_src, has_inf = src.notnull(), inferred.notnull()
        rule_src, rule_inf = ibis.literal("source"), a.inferred_rule
    else:
        src = a.country if q.regions == "recovered" else a.country_source
        inferred = a.country_inferred
        if q.regions == "source":  # as upstream: HK/MO/TW counted as China
            inferred = inferred.substitute(_FOLD)
        has_src, has_inf = a.country_source.notnull(), a.country_inferred.notnull()
        rule_src, rule_inf = a.country_rule, a.inferred_rule
    if q.countries == "source":
        unit, keep, rule = src, has_src, rule_src
    elif q.countries == "inferred":
        unit, keep, rule = inferred, has_inf, rule_inf
    else:
        unit, keep = ibis.coalesce(src, inferred), has_src | has_inf
        rule = ibis.ifelse(has_src, rule_src, rule_inf)
    if q.unit == "country" and q._group_map:
        unit = unit.substitute(q._group_map)
    return unit, keep, rule


def unit_rows(ic: ibis.BaseBackend, q: PaperQuery, with_rule: bool = False) -> ibis.Table:
    """Distinct (work, author position, unit) rows with a known unit, after region choice and
    grouping (and the rule that set the unit, `with_rule`). `pos` is NULL where the author
    cannot be identified under the alignment rule."""
    a = ic.table("affiliations")
    unit, keep, rule = _unit(a, q)
    a = a.filter(keep)
    pos = a.author_position if q.alignment == "strict" else a.author_position_realigned
    cols = {"work_id": a.work_id, "load_id": a.load_id, "pos": pos, "unit": unit}
    if with_rule:
        cols["rule"] = rule
    rows = a.select(**cols).filter(_.unit.notnull()).distinct()
    return rows.join(_works(ic, q), ["work_id", "load_id"])


def weights(rows: ibis.Table, q: PaperQuery) -> tuple[ibis.Table, ibis.Table]:
    """(weight per work and unit, denominator papers per group) for the counting method."""
    keys = q.keys
    if q.method in ("full", "country-fractional"):
        pu = rows.select("work_id", *keys, "unit").distinct()
        if q.method == "full":
            w = pu.mutate(weight=ibis.literal(1.0))
        else:
            w = pu.mutate(weight=1.0 / _.work_id.count().over(group_by="work_id"))
        return w, _denominator(pu, keys)
    ar = rows.filter(_.pos.notnull())
    if q.unknown == "count":
        return _weights_with_unknown(ar, q)
    if q.method == "first-author":
        ar = ar.filter(_.pos == 0)
        w = ar.mutate(weight=1.0 / _.unit.count().over(group_by="work_id"))
        return w.select("work_id", *keys, "unit", "weight"), _denominator(ar, keys)
    # author-fractional: split over authors with a known unit, then over each author's units
    per_author = ar.mutate(n_units=_.unit.count().over(group_by=["work_id", "pos"]))
    n_auth = ar.group_by("work_id").aggregate(n_known_authors=_.pos.nunique())
    w = per_author.join(n_auth, "work_id").mutate(weight=1.0 / (_.n_units * _.n_known_authors))
    w = w.group_by(["work_id", *keys, "unit"]).aggregate(weight=fixed_sum(_.weight))
    return w, _denominator(ar, keys)


def _weights_with_unknown(ar: ibis.Table, q: PaperQuery) -> tuple[ibis.Table, ibis.Table]:
    """Author-level weights over all authors (n_authors); unknown parts go to `unknown`."""
    keys = q.keys
    if q.method == "first-author":
        ar = ar.filter(_.pos == 0)
        known = ar.mutate(weight=1.0 / _.unit.count().over(group_by="work_id"))
        known = known.select("work_id", *keys, "unit", "weight")
    else:
        per_author = ar.mutate(n_units=_.unit.count().over(group_by=["work_id", "pos"]))
        known = per_author.mutate(weight=1.0 / (_.n_units * _.n_authors))
        known = known.group_by(["work_id", *keys, "unit"]).aggregate(weight=fixed_sum(_.weight))
    return known, None  # completed with unknown rows by share_expr (needs all works)


def _unknown_rows(ic: ibis.BaseBackend, q: PaperQuery, known: ibis.Table) -> ibis.Table:
    """Per work with authors: the weight not given to a known unit, as unit `unknown`."""
    keys = q.keys
    works = _works(ic, q).filter(_.n_authors > 0)
    got = known.group_by("work_id").aggregate(known_weight=fixed_sum(_.weight))
    rest = works.left_join(got, "work_id").mutate(
        weight=1.0 - _.known_weight.fill_null(0.0), unit=ibis.literal(UNKNOWN_UNIT)
    )
    rest = rest.filter(_.weight > 1e-12).select("work_id", *keys, "unit", "weight")
    return known.union(rest)


def _denominator(t: ibis.Table, keys: list[str]) -> ibis.Table:
    if keys:
        return t.group_by(keys).aggregate(denominator=_.work_id.nunique())
    return t.aggregate(denominator=_.work_id.nunique())


def _loaded(ic: ibis.BaseBackend, q: PaperQuery) -> ibis.Table:
    w = _works(ic, q)
    if q.keys:
        return w.group_by(q.keys).aggregate(papers_loaded=_.count())
    return w.aggregate(papers_loaded=_.count())


def weights_all(ic: ibis.BaseBackend, q: PaperQuery) -> tuple[ibis.Table, ibis.Table]:
    """weights() over unit_rows, completed with `unknown` rows when q.unknown == 'count'."""
    w, denom = weights(unit_rows(ic, q), q)
    if denom is None:
        w = _unknown_rows(ic, q, w)
        denom = _denominator(_works(ic, q).filter(_.n_authors > 0), q.keys)
    return w, denom


def share_expr(ic: ibis.BaseBackend, q: PaperQuery) -> ibis.Table:
    """Share of papers by unit per group under q.method (the measure's single definition)."""
    w, denom = weights_all(ic, q)
    keys = q.keys
    agg = w.group_by([*keys, "unit"]).aggregate(papers=fixed_sum(_.weight))
    joined = agg.join(denom, keys) if keys else agg.cross_join(denom)
    loaded = _loaded(ic, q)
    joined = joined.join(loaded, keys) if keys else joined.cross_join(loaded)
    out = joined.mutate(share=_.papers / _.denominator, coverage=_.denominator / _.papers_loaded)
    if q.country_filter:  # last: the filter never changes the figures of the rows it keeps
        out = out.filter(_.unit.isin(list(q.country_filter)))
    return out.order_by([*keys, ibis.desc("share"), "unit"])


# ------------------------------------------------------------------ public measures


def _finish(
    con: duckdb.DuckDBPyConnection,
    name: str,
    q: PaperQuery,
    df: pd.DataFrame,
    extra: dict,
    engine: Engine | None = None,
) -> MeasureResult:
    if q.unit == "country" and "unit" in df.columns:
        df.insert(
            df.columns.get_loc("unit") + 1,
            "name",
            [country_name(u) if isinstance(u, str) and len(u) == 2 else u for u in df["unit"]],
        )
    df = df.rename(columns={"unit": q.unit})
    keys = loaded_keys(con, q)
    meta = {"measure": name, **q.describe(), **extra, "sources": provenance(con, q.source, keys)}
    meta.update(dates_meta(con, [q.source], *_year_span(con, q)))
    meta["engine"] = engine_name(engine)
    if q.unit == "country" and q.countries != "source":
        meta["inference_accuracy"] = inference_accuracy(con)
    if q.source == openreview.SOURCE:  # how its papers reached an author record (or did not)
        meta["joins"] = openreview.join_summary(con, q.venues, q.years)
    return MeasureResult(name=name, table=df.reset_index(drop=True), meta=meta)


def _year_span(con: duckdb.DuckDBPyConnection, q: PaperQuery) -> tuple:
    """The years of the works in q's scope as dates (the period the counted papers describe),
    asked of the warehouse itself (a metadata query, whatever the engine)."""
    span = _works(ibis_connection(con), q).aggregate(lo=_.year.min(), hi=_.year.max()).execute()
    return year_span(span["lo"].iloc[0], span["hi"].iloc[0])


def inference_accuracy(con: duckdb.DuckDBPyConnection) -> dict:
    """The resolver's measured agreement (`aicensus resolve evaluate --save`), quoted beside
    every figure computed from inferred countries; says so when it was never measured."""
    rows = con.execute(
        "SELECT resolver_version, holdout, level, known, covered, agree, coverage, agreement "
        "FROM resolver_evaluation WHERE frame = 'source' AND venue = 'all' "
        "ORDER BY holdout = 'file' DESC, level DESC"
    ).fetchall()
    if not rows:
        return {"status": "not measured: run `aicensus resolve evaluate --save`"}
    cols = ["resolver_version", "holdout", "level", "known", "covered", "agree"]
    cols += ["coverage", "agreement"]
    return {
        "status": "measured on paperlists files with country indexes (source frame)",
        "levels": [dict(zip(cols, r, strict=True)) for r in rows],
    }


def loaded_keys(con: duckdb.DuckDBPyConnection, q: PaperQuery) -> list[str]:
    """The load keys (venue-year files, OpenAlex pages/partitions) the query covers."""
    sql = (
        "SELECT DISTINCT l.key FROM works_current w JOIN loads l ON l.load_id = w.load_id "
        "WHERE w.source = ?"
    )
    params: list = [q.source]
    if q.venues:
        sql += " AND w.venue IN (SELECT unnest(?))"
        params.append(list(q.venues))
    if q.years:
        sql += " AND w.year IN (SELECT unnest(?))"
        params.append(list(q.years))
    return [r[0] for r in con.execute(sql + " ORDER BY 1", params).fetchall()]


def _check_loaded(con: duckdb.DuckDBPyConnection, q: PaperQuery) -> None:
    if not loaded_keys(con, q):
        what = f"venues {','.join(q.venues) or 'any'}, years {format_years(q.years) or 'any'}"
        raise NoDataError(f"no {q.source} papers loaded for {what}; load them first")


def share(
    con: duckdb.DuckDBPyConnection,
    q: PaperQuery,
    top: int | None = None,
    engine: Engine | None = None,
    regions_moved: bool = True,
) -> MeasureResult:
    """`papers.share`: share of papers by country (or institution) per group.
    `regions_moved=False` skips the HK/MO/TW recovery summary (three more queries)."""
    q = q.checked()
    _check_loaded(con, q)
    ic = backend(con, engine)
    missing = _require_data(ic, q)
    df = share_expr(ic, q).execute()
    if top:
        df = df.groupby(q.keys, sort=False).head(top) if q.keys else df.head(top)
    moved = region_moves(con, q, engine) if q.unit == "country" and regions_moved else None
    extra = {"regions_moved": moved, "without_data": missing}
    return _finish(con, "papers.share", q, df, extra, engine)


def without_data(ic: ibis.BaseBackend, q: PaperQuery) -> tuple[list[str], int]:
    """Venue-years in scope where no paper counts under q (no known unit, e.g. files without
    institutions, or no usable author list for the author-level methods), and the number of
    venue-years in scope. OpenAlex works are grouped by journal, not by venue-year files: none."""
    if q.source == "openalex":
        return [], 0
    keys = ["venue", "year"]
    vq = replace(q, by="venue-year", country_filter=())
    _, denom = weights_all(ic, vq)
    scope = _works(ic, vq).select(*keys).distinct()
    missing = scope.anti_join(denom, keys).order_by(keys).execute()
    names = [f"{v} {y}" for v, y in zip(missing["venue"], missing["year"], strict=True)]
    return names, int(scope.count().execute())


def _require_data(ic: ibis.BaseBackend, q: PaperQuery) -> list[str]:
    """The venue-years without data (for the result's meta); MeasureError naming them when no
    venue-year in scope has any, with a pointer to inferred values where those exist."""
    missing, n_scope = without_data(ic, q)
    if not missing or len(missing) < n_scope:
        return missing
    what = f"a known {q.unit}"
    if q.method in ("author-fractional", "first-author") and q.unknown == "drop":
        what += " and an author list aligned with its authors"
    hint = ""
    if (
        q.countries == "source"
        and len(without_data(ic, replace(q, countries="inferred"))[0]) < n_scope
    ):
        units = "institutions" if q.unit == "institution" else "countries"
        hint = f"; --countries inferred counts the {units} inferred from affiliation text"
    raise NoDataError(f"no {q.source} paper with {what} in {listing(missing)}{hint}")


def compare_methods(
    con: duckdb.DuckDBPyConnection,
    q: PaperQuery,
    units: list[str],
    engine: Engine | None = None,
) -> MeasureResult:
    """`papers.compare-methods`: each unit's share under all four methods side by side."""
    q = q.checked()
    _check_loaded(con, q)
    ic = backend(con, engine)
    missing = _require_data(ic, replace(q, method="full"))
    frames = []
    for method in METHODS:
        mq = replace(q, method=method)
        df = share_expr(ic, mq).filter(_.unit.isin(units)).execute()
        df["method"] = method
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    wide = df.pivot_table(index=[*q.keys, "unit"], columns="method", values="share")
    # A country counted under one method and given no weight under another (e.g. no first
    # author) has share 0 there, whichever other units were asked for; the `unknown` row stays
    # empty under the methods that do not count unknown authors.
    wide = wide.reindex(columns=list(METHODS)).reset_index()
    known = wide["unit"] != UNKNOWN_UNIT
    wide.loc[known, list(METHODS)] = wide.loc[known, list(METHODS)].fillna(0.0)
    wide.columns.name = None
    return _finish(
        con,
        "papers.compare-methods",
        replace(q, method="all"),
        wide,
        {"long": df.to_dict(orient="records"), "without_data": missing},
        engine,
    )


def region_moves(
    con: duckdb.DuckDBPyConnection, q: PaperQuery, engine: Engine | None = None
) -> dict:
    """How many papers the regions choice moves: papers whose country set (under q's countries
    choice and grouping) differs between 'recovered' and 'source'; by the recovered unit they
    gain and by the rule that set it."""
    ic = backend(con, engine)
    q = replace(q, unit="country")
    rec = unit_rows(ic, replace(q, regions="recovered"), with_rule=True)
    src = unit_rows(ic, replace(q, regions="source"))
    rec_units = rec.select("work_id", "unit").distinct()
    src_units = src.select("work_id", "unit").distinct()
    gained = rec_units.difference(src_units)
    lost = src_units.difference(rec_units)
    moved = gained.select("work_id").union(lost.select("work_id"), distinct=True)
    total = moved.count().execute()
    to_code = gained.group_by("unit").aggregate(papers=_.work_id.nunique()).execute()
    rules = rec.join(gained, ["work_id", "unit"]).select("work_id", "rule").distinct()
    by_rule = rules.group_by("rule").aggregate(papers=_.work_id.nunique()).execute()
    return {
        "papers_moved": int(total),
        "by_rule": {r.rule: int(r.papers) for r in by_rule.sort_values("rule").itertuples()},
        "by_region": {r.unit: int(r.papers) for r in to_code.sort_values("unit").itertuples()},
    }


def collaboration(
    con: duckdb.DuckDBPyConnection, q: PaperQuery, engine: Engine | None = None
) -> MeasureResult:
    """`papers.collaboration`: international collaboration rate per group (papers whose country
    set has two or more countries, over papers with a non-empty set)."""
    q = replace(q.checked(), method="full", unit="country")
    _check_loaded(con, q)
    ic = backend(con, engine)
    pu = unit_rows(ic, q).select("work_id", *q.keys, "unit").distinct()
    per = pu.group_by(["work_id", *q.keys]).aggregate(n=_.count())
    agg = (per.group_by(q.keys) if q.keys else per).aggregate(
        papers_known=_.count(), international=(_.n >= 2).sum()
    )
    agg = agg.mutate(rate=_.international / _.papers_known)
    df = (agg.order_by(q.keys) if q.keys else agg).execute()
    return _finish(con, "papers.collaboration", q, df, {}, engine)


def coauthorship(
    con: duckdb.DuckDBPyConnection,
    q: PaperQuery,
    a: str | None = None,
    b: str | None = None,
    engine: Engine | None = None,
) -> MeasureResult:
    """`papers.coauthorship`: papers co-authored by countries A and B (both in the set), with
    share of papers with a non-empty set; all pairs when A/B are not given."""
    q = replace(q.checked(), method="full", unit="country")
    _check_loaded(con, q)
    ic = backend(con, engine)
    pu = unit_rows(ic, q).select("work_id", *q.keys, "unit").distinct()
    left = pu.rename(unit_a="unit")
    right = pu.select("work_id", unit_b="unit")
    pairs = left.join(right, "work_id").filter(_.unit_a < _.unit_b)
    if a and b:
        x, y = sorted([a.upper(), b.upper()])
        pairs = pairs.filter((_.unit_a == x) & (_.unit_b == y))
    agg = pairs.group_by([*q.keys, "unit_a", "unit_b"]).aggregate(papers=_.work_id.nunique())
    denom = _denominator(pu, q.keys)
    agg = agg.join(denom, q.keys) if q.keys else agg.cross_join(denom)
    agg = agg.mutate(share=_.papers / _.denominator)
    df = agg.order_by([*q.keys, ibis.desc("papers"), "unit_a", "unit_b"]).execute()
    pair = {"pair": [a, b] if a and b else "all"}
    return _finish(con, "papers.coauthorship", q, df, pair, engine)


def citations(
    con: duckdb.DuckDBPyConnection, q: PaperQuery, engine: Engine | None = None
) -> MeasureResult:
    """`papers.citations`: citations by unit under q.method.

    Per unit: weighted mean citations per paper (sum of weight x citations / sum of weight),
    weighted median, the unit's share of the group's top-10%-cited papers, and PP(top 10%) (the
    weighted fraction of the unit's papers that are top-cited). A paper is top-10% cited when
    fewer than 10% of the group's papers with known citations have strictly more citations
    (ties at the boundary are all included). Papers without a citation count are left out and
    counted in `coverage_citations`.
    """
    q = q.checked()
    _check_loaded(con, q)
    ic = backend(con, engine)
    w, _denom = weights_all(ic, q)
    works = _works(ic, q).filter(_.citations.notnull())
    keys = q.keys
    part = keys or None
    ranked = works.mutate(
        n_known=_.work_id.count().over(group_by=part),
        n_above=ibis.rank().over(group_by=part, order_by=ibis.desc(_.citations)),
    ).mutate(top10=_.n_above < 0.1 * _.n_known)
    wc = w.join(ranked.select("work_id", "citations", "top10"), "work_id")
    cumulative = ibis.cumulative_window(group_by=[*keys, "unit"], order_by=[_.citations, _.work_id])
    ordered = wc.mutate(
        cum=fixed(_.weight).sum().over(cumulative).cast("float64"),
        tot=fixed(_.weight).sum().over(group_by=[*keys, "unit"]).cast("float64"),
    )
    median = (
        # 1e-9: fractional weights summed in another order (another engine) must not move
        # the median when the cumulative weight is exactly half.
        ordered.filter(_.cum >= _.tot / 2 - 1e-9)
        .group_by([*keys, "unit"])
        .aggregate(median_citations=_.citations.min())
    )
    agg = wc.group_by([*keys, "unit"]).aggregate(
        papers=fixed_sum(_.weight),
        mean_citations=fixed_sum(_.weight * _.citations) / fixed_sum(_.weight),
        top10_papers=fixed_sum(_.weight * _.top10.cast("float64")),
    )
    # Each counted paper weighs 1 in total under every method, so the top set's size is its
    # number of distinct papers.
    top = wc.filter(_.top10)
    top_total = (top.group_by(keys) if keys else top).aggregate(top10_total=_.work_id.nunique())
    out = agg.join(median, [*keys, "unit"])
    out = out.join(top_total, keys) if keys else out.cross_join(top_total)
    out = out.mutate(top10_share=_.top10_papers / _.top10_total, pp_top10=_.top10_papers / _.papers)
    df = out.order_by([*keys, ibis.desc("papers"), "unit"]).execute()
    cov = _citation_coverage(ic, q)
    return _finish(con, "papers.citations", q, df, {"coverage_citations": cov}, engine)


def _citation_coverage(ic: ibis.BaseBackend, q: PaperQuery) -> float | None:
    counts = _works(ic, q).aggregate(total=_.count(), known=_.citations.count()).execute()
    total, known = int(counts["total"].iloc[0]), int(counts["known"].iloc[0])
    return None if not total else known / total


def countries_present(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """Every country some author of `source`'s current works is attributed to, sorted."""
    rows = con.execute(
        "SELECT DISTINCT a.country FROM affiliations a JOIN works_current w "
        "USING (work_id, load_id) WHERE w.source = ? AND a.country IS NOT NULL ORDER BY 1",
        [source],
    ).fetchall()
    return [r[0] for r in rows]


def venue_coverage(con: duckdb.DuckDBPyConnection, source: str = "paperlists") -> pd.DataFrame:
    """Per venue: first and last year, papers loaded, papers with a source country, coverage."""
    df = con.execute(
        """SELECT venue, min(year) AS first_year, max(year) AS last_year,
                  count(*) AS papers_loaded,
                  count(*) FILTER (WHERE work_id IN (SELECT work_id FROM affiliations
                                   WHERE country_source IS NOT NULL)) AS with_country
           FROM works WHERE source = ? GROUP BY venue ORDER BY venue""",
        [source],
    ).df()
    df["coverage"] = df["with_country"] / df["papers_loaded"]
    return df


def latest_years(con: duckdb.DuckDBPyConnection, source: str = "paperlists") -> list[tuple]:
    """(venue, latest year with at least one author country) for every venue of `source`."""
    return con.execute(
        "SELECT venue, max(year) FROM works w WHERE source = ? AND EXISTS "
        "(SELECT 1 FROM affiliations a WHERE a.work_id = w.work_id AND a.country IS NOT NULL) "
        "GROUP BY venue ORDER BY venue",
        [source],
    ).fetchall()


# ------------------------------------------------------------------ citation impact (rates)

TOP_SHARE = 0.10  # PP(top 10%): the top 10% most cited papers of each reference set
BOOTSTRAP_RESAMPLES = 1_000
BOOTSTRAP_SEED = 20_250_601  # fixed: the same warehouse gives the same intervals
INTERVAL_LEVEL = 0.95
_DRAWS_PER_CHUNK = 2_000_000  # resample indexes held in memory at once


def reference_keys(q: PaperQuery) -> list[str]:
    """The reference set a paper's citations are compared within: its venue-year for conference
    lists, its publication year for OpenAlex (whose field is the query's field definition)."""
    return ["year"] if q.source == "openalex" else ["venue", "year"]


def impact_rows(ic: ibis.BaseBackend, q: PaperQuery) -> ibis.Table:
    """Per counted (work, unit): the method's weight, the citation count and `top10`, the
    paper's membership of its reference set's top 10% (1, 0, or a fraction at the boundary).

    As in the Leiden Ranking (Waltman & Schreiber 2013): in a reference set of n papers with a
    known count, a paper with `above` papers cited strictly more and `tied` papers (itself
    included) cited as much gets clip((0.1 n - above) / tied, 0, 1), so the set's memberships
    add up to exactly 0.1 n and tied papers are treated alike."""
    w, _denom = weights_all(ic, q)
    ref = reference_keys(q)
    works = _works(ic, q).filter(_.citations.notnull())
    ranked = works.mutate(
        n_ref=_.work_id.count().over(group_by=ref),
        above=ibis.rank().over(group_by=ref, order_by=ibis.desc(_.citations)),
        tied=_.work_id.count().over(group_by=[*ref, "citations"]),
    )
    ranked = ranked.mutate(
        top10=((TOP_SHARE * _.n_ref - _.above) / _.tied).clip(lower=0.0, upper=1.0)
    )
    return w.join(ranked.select("work_id", "citations", "top10"), "work_id")


def impact(
    con: duckdb.DuckDBPyConnection, q: PaperQuery, engine: Engine | None = None
) -> MeasureResult:
    """`papers.impact`: citation rates by unit, which do not grow with a unit's paper count.

    Per unit: `pp_top10`, the weighted share of its papers in the top 10% most cited of their
    reference set (`reference_keys`; ties split as `impact_rows` says; 0.10 when a unit is
    cited like its reference sets), and `mean_citations` per paper, each with a 95% percentile
    bootstrap interval (resampling the unit's papers with their weights, 1,000 resamples, fixed
    seed; reference sets held fixed); `n_papers` is the sample (distinct papers with a weight),
    `papers` their weight under q.method. Papers without a citation count are left out
    (`coverage_citations`)."""
    q = q.checked()
    _check_loaded(con, q)
    ic = backend(con, engine)
    keys = q.keys
    df = impact_rows(ic, q).select("work_id", *keys, "unit", "weight", "citations", "top10")
    rows = df.execute().sort_values([*keys, "unit", "work_id"], kind="stable")
    out = []
    for g, part in rows.groupby([*keys, "unit"], sort=True):
        names = dict(zip([*keys, "unit"], g if isinstance(g, tuple) else (g,), strict=True))
        out.append({**names, **_impact_stats(part, g)})
    cols = [*keys, "unit", "papers", "n_papers", "mean_citations", "mean_citations_lo"]
    cols += ["mean_citations_hi", "pp_top10", "pp_top10_lo", "pp_top10_hi", "top10_papers"]
    table = pd.DataFrame(out, columns=cols)
    table = table.sort_values(
        [*keys, "papers", "unit"], ascending=[True] * len(keys) + [False, True]
    )
    extra = {
        "coverage_citations": _citation_coverage(ic, q),
        "reference_set": "+".join(reference_keys(q)),
        "top_share": TOP_SHARE,
        "ties": "fractional at the top-10% boundary (Leiden Ranking)",
        "interval": {
            "kind": "percentile bootstrap over the unit's papers",
            "level": INTERVAL_LEVEL,
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": BOOTSTRAP_SEED,
        },
    }
    return _finish(con, "papers.impact", q, table.reset_index(drop=True), extra, engine)


def _impact_stats(part: pd.DataFrame, group: object) -> dict[str, float]:
    """Point values and bootstrap intervals of one unit's (weight, citations, top10) rows; the
    generator is seeded by BOOTSTRAP_SEED and the group's name, so a unit's interval does not
    depend on which other units are in the result."""
    w = part["weight"].to_numpy(dtype="float64")
    c = part["citations"].to_numpy(dtype="float64")
    t = part["top10"].to_numpy(dtype="float64")
    total = float(w.sum())
    rng = np.random.default_rng([BOOTSTRAP_SEED, zlib.crc32(repr(group).encode())])
    n = len(w)
    means, pps = [], []
    chunk = max(1, _DRAWS_PER_CHUNK // n)
    for start in range(0, BOOTSTRAP_RESAMPLES, chunk):
        idx = rng.integers(0, n, size=(min(chunk, BOOTSTRAP_RESAMPLES - start), n))
        ws = w[idx].sum(axis=1)
        means.append((w * c)[idx].sum(axis=1) / ws)
        pps.append((w * t)[idx].sum(axis=1) / ws)
    lo, hi = (1 - INTERVAL_LEVEL) / 2, 1 - (1 - INTERVAL_LEVEL) / 2
    m_lo, m_hi = np.quantile(np.concatenate(means), [lo, hi])
    p_lo, p_hi = np.quantile(np.concatenate(pps), [lo, hi])
    return {
        "papers": total,
        "n_papers": float(n),
        "mean_citations": float((w * c).sum() / total),
        "mean_citations_lo": float(m_lo),
        "mean_citations_hi": float(m_hi),
        "pp_top10": float((w * t).sum() / total),
        "pp_top10_lo": float(p_lo),
        "pp_top10_hi": float(p_hi),
        "top10_papers": float((w * t).sum()),
    }


# ------------------------------------------------------------------ named venue sets

ALL_WITH_COUNTRIES = "all-with-countries"
VENUE_SETS = {
    ALL_WITH_COUNTRIES: "every venue with author countries in the selected years (resolved "
    "from the warehouse when the measure runs)",
}


def venues_with_countries(
    con: duckdb.DuckDBPyConnection, source: str = "paperlists", years: tuple[int, ...] = ()
) -> list[str]:
    """Venues of `source` with at least one paper with an author country in `years` (every
    loaded year when empty), sorted."""
    sql = (
        "SELECT DISTINCT w.venue FROM works_current w WHERE w.source = ? AND EXISTS "
        "(SELECT 1 FROM affiliations a WHERE a.work_id = w.work_id AND a.load_id = w.load_id "
        "AND a.country IS NOT NULL)"
    )
    params: list = [source]
    if years:
        sql += " AND w.year IN (SELECT unnest(?))"
        params.append(list(years))
    return [r[0] for r in con.execute(sql + " ORDER BY 1", params).fetchall()]


def resolve_venues(
    con: duckdb.DuckDBPyConnection,
    venues: tuple[str, ...],
    source: str = "paperlists",
    years: tuple[int, ...] = (),
) -> tuple[str, ...]:
    """`venues` with every named set (VENUE_SETS) replaced by the venues it holds now."""
    out: list[str] = []
    for v in venues:
        got = venues_with_countries(con, source, years) if v == ALL_WITH_COUNTRIES else [v]
        out += [x for x in got if x not in out]
    return tuple(out)
