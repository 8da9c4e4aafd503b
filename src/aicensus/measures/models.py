"""Model measures over Epoch AI notable models: counts by country or organization (full and
fractional), training compute by country, and concentration within a country.

Definitions (the counting rules of ../shared/data/epoch_notable_models/SOURCE.md):
- year = year of the publication date (models without a date only enter `--per all`);
- subset: `notable` (every record), `frontier` (Epoch's frontier flag), `open-weights`
  (accessibility 'Open weights (...)', equal to 'Open model weights?' == Yes);
- `full`: a model counts 1 for each of its distinct units; `fractional`: 1/k for each of its k
  distinct units; share = weighted models / models with at least one unit in the group;
- attribution of countries: `source` = the distinct countries Epoch states for the model;
  `hq` = the registry headquarters of each matched organization; `hq-rollup` = the
  headquarters of the organization's root parent. Under `hq*`, an organization the registry
  does not know keeps the country Epoch pairs with it (when the lists line up);
- organizations: `raw` = Epoch's strings, `registry` = registry ids (unmatched strings kept as
  written), `rollup` = registry root ids (e.g. Google DeepMind -> Google);
- `countries` only selects output rows (those countries, or organizations attributed to one),
  after every weight and denominator is computed over all models in scope.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import ibis
import pandas as pd
from ibis import _

from aicensus.engines import Engine
from aicensus.errors import NoDataError
from aicensus.geo.countries import country_name
from aicensus.measures import choices as C
from aicensus.measures.base import (
    MeasureResult,
    Query,
    backend,
    choice,
    engine_name,
    fixed_sum,
    ibis_connection,
    provenance,
)
from aicensus.measures.provenance import dates_meta
from aicensus.warehouse.rows import one_row

SUBSETS = C.MODEL_SUBSET.values
METHODS = C.MODEL_METHOD.values
THRESHOLDS = (1e23, 1e24, 1e25)


@dataclass(frozen=True)
class ModelQuery(Query):
    """Filters and counting choices for a model measure (all recorded in the output)."""

    source: str = "epoch"
    years: tuple[int, ...] = ()
    subset: str = choice(C.MODEL_SUBSET)
    method: str = choice(C.MODEL_METHOD)
    attribution: str = choice(C.MODEL_ATTRIBUTION)
    by: str = choice(C.MODEL_BY)
    orgs: str = choice(C.MODEL_ORGS)
    per: str = choice(C.MODEL_PER)
    countries: tuple[str, ...] = ()

    def checked(self) -> ModelQuery:
        self.require_choices()
        return replace(self, countries=tuple(c.upper() for c in self.countries))

    @property
    def keys(self) -> list[str]:
        return ["year"] if self.per == "year" else []

    def describe(self) -> dict:
        return {
            "source": self.source,
            "subset": self.subset,
            "method": self.method,
            "attribution": self.attribution,
            "by": self.by,
            "orgs": self.orgs if self.by == "org" else None,
            "per": self.per,
            "years": list(self.years) or "all loaded",
            "countries": list(self.countries) or "all",
        }


# ------------------------------------------------------------------ expressions


def models_expr(ic: ibis.BaseBackend, q: ModelQuery) -> ibis.Table:
    """The models in scope (source, subset, years)."""
    m = ic.table("models").filter(_.source == q.source)
    if q.subset == "frontier":
        m = m.filter(_.frontier)
    elif q.subset == "open-weights":
        m = m.filter(_.open_weights.fill_null(False))
    if q.years:
        m = m.filter(_.year.isin(list(q.years)))
    elif q.per == "year":
        m = m.filter(_.year.notnull())
    return m


def org_rows(ic: ibis.BaseBackend, q: ModelQuery) -> ibis.Table:
    """(model_id, org_unit, org_country) per model organization under q.orgs/q.attribution."""
    mo = ic.table("model_orgs")
    o = ic.table("orgs").select("org_id", "name", "country", "root_id", "root_country")
    j = mo.left_join(o, mo.org_id == o.org_id)
    unit = {
        "raw": j.org_name,
        "registry": j.org_id.fill_null(j.org_name),
        "rollup": j.root_id.fill_null(j.org_name),
    }[q.orgs]
    country = {
        "source": j.country_source,
        "hq": j.country.fill_null(j.country_source),
        "hq-rollup": j.root_country.fill_null(j.country_source),
    }[q.attribution]
    return j.select(model_id=j.model_id, org_unit=unit, org_country=country)


def country_org_rows(ic: ibis.BaseBackend, q: ModelQuery) -> ibis.Table:
    """(model_id, year, org_unit, org_country) of the models in scope whose organization has a
    country under q.attribution (only q.countries' when given): what organization counts read."""
    m = models_expr(ic, q).select("model_id", "year")
    r = org_rows(ic, q).join(m, "model_id").filter(_.org_country.notnull())
    if q.countries:
        r = r.filter(_.org_country.isin(list(q.countries)))
    return r


def unit_rows(ic: ibis.BaseBackend, q: ModelQuery) -> ibis.Table:
    """Distinct (model_id, year, unit) rows for the query's unit (country or organization)."""
    m = models_expr(ic, q).select("model_id", "year")
    if q.by == "country":
        if q.attribution == "source":
            mc = ic.table("model_countries")
            rows = mc.select(
                model_id=mc.model_id, unit=mc.country_source.fill_null(mc.country_source_name)
            )
        else:
            r = org_rows(ic, q)
            rows = r.select(model_id=r.model_id, unit=r.org_country)
    else:
        r = org_rows(ic, q)
        rows = r.select(model_id=r.model_id, unit=r.org_unit)
    rows = rows.filter(_.unit.notnull()).distinct()
    return rows.join(m, "model_id")


def only_countries(ic: ibis.BaseBackend, q: ModelQuery, t: ibis.Table) -> ibis.Table:
    """The rows of `t` (a `unit` column) for q.countries: countries, or organizations with a
    model in scope attributed to one of them. Applied last, so a filter never changes the
    weights, denominators or shares of the rows it keeps."""
    if not q.countries:
        return t
    if q.by == "country":
        return t.filter(t.unit.isin(list(q.countries)))
    m = models_expr(ic, q).select("model_id")
    r = org_rows(ic, q).filter(_.org_country.isin(list(q.countries)))
    return t.semi_join(r.semi_join(m, "model_id").select(unit=_.org_unit), "unit")


def count_expr(ic: ibis.BaseBackend, q: ModelQuery) -> ibis.Table:
    """Models per unit and group under q.method, with the group's denominator and share."""
    rows = unit_rows(ic, q)
    keys = q.keys
    if q.method == "full":
        w = rows.mutate(weight=ibis.literal(1.0))
    else:
        w = rows.mutate(weight=1.0 / _.model_id.count().over(group_by="model_id"))
    agg = w.group_by([*keys, "unit"]).aggregate(models=fixed_sum(_.weight))
    denom = (rows.group_by(keys) if keys else rows).aggregate(denominator=_.model_id.nunique())
    loaded = models_expr(ic, q)
    loaded = (loaded.group_by(keys) if keys else loaded).aggregate(models_loaded=_.count())
    out = agg.join(denom, keys) if keys else agg.cross_join(denom)
    out = out.join(loaded, keys) if keys else out.cross_join(loaded)
    out = out.mutate(share=_.models / _.denominator, coverage=_.denominator / _.models_loaded)
    return only_countries(ic, q, out).order_by([*keys, ibis.desc("models"), "unit"])


# ------------------------------------------------------------------ helpers


def loaded_keys(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT key FROM loads WHERE source = ? ORDER BY 1", [source]
    ).fetchall()
    return [r[0] for r in rows]


def _check_loaded(con: duckdb.DuckDBPyConnection, q: ModelQuery) -> None:
    n = one_row(con, "SELECT count(*) FROM models WHERE source = ?", [q.source])[0]
    if not n:
        raise NoDataError(f"no {q.source} models loaded; run 'aicensus load {q.source}' first")


def _names(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, by: str, col: str) -> list:
    if by == "country":
        return [country_name(u) if isinstance(u, str) and len(u) == 2 else u for u in df[col]]
    names = dict(con.execute("SELECT org_id, name FROM orgs").fetchall())
    return [names.get(u, u) for u in df[col]]


def _finish(
    con: duckdb.DuckDBPyConnection,
    name: str,
    q: ModelQuery,
    df: pd.DataFrame,
    extra: dict,
    unit_col: str = "unit",
    engine: Engine | None = None,
) -> MeasureResult:
    if unit_col in df.columns:
        df.insert(df.columns.get_loc(unit_col) + 1, "name", _names(con, df, q.by, unit_col))
        df = df.rename(columns={unit_col: q.by})
    meta = {
        "measure": name,
        **q.describe(),
        **extra,
        "sources": provenance(con, q.source, loaded_keys(con, q.source))
        + provenance(con, "orgs", ["registry"]),
    }
    span = models_expr(ibis_connection(con), q).aggregate(
        lo=_.publication_date.min(), hi=_.publication_date.max()
    )
    lo_hi = span.execute()
    meta.update(dates_meta(con, [q.source], lo_hi["lo"].iloc[0], lo_hi["hi"].iloc[0]))
    meta["engine"] = engine_name(engine)
    return MeasureResult(name=name, table=df.reset_index(drop=True), meta=meta)


def _years_coverage(con: duckdb.DuckDBPyConnection, q: ModelQuery) -> dict:
    row = one_row(
        con,
        "SELECT count(*), count(*) FILTER (WHERE year IS NULL) FROM models WHERE source = ?",
        [q.source],
    )
    return {"models_loaded": row[0], "models_without_date": row[1]}


# ------------------------------------------------------------------ public measures


def count(
    con: duckdb.DuckDBPyConnection,
    q: ModelQuery,
    top: int | None = None,
    engine: Engine | None = None,
) -> MeasureResult:
    """`models.count`: notable / frontier / open-weights models by country or organization."""
    q = q.checked()
    _check_loaded(con, q)
    df = count_expr(backend(con, engine), q).execute()
    if top:
        df = df.groupby(q.keys, sort=False).head(top) if q.keys else df.head(top)
    return _finish(con, "models.count", q, df, {"coverage": _years_coverage(con, q)}, engine=engine)


def organizations(
    con: duckdb.DuckDBPyConnection, q: ModelQuery, engine: Engine | None = None
) -> MeasureResult:
    """`models.organizations`: distinct organizations with at least one model, per country
    (the organization's country under q.attribution) and group, with their names."""
    q = replace(q.checked(), by="org")
    _check_loaded(con, q)
    r = country_org_rows(backend(con, engine), q)
    keys = [*q.keys, "org_country"]
    agg = r.group_by(keys).aggregate(
        organizations=_.org_unit.nunique(), models=_.model_id.nunique()
    )
    df = agg.order_by([*q.keys, ibis.desc("organizations"), "org_country"]).execute()
    lists = r.select(*keys, "org_unit").distinct().execute()
    listed = lists.groupby(keys)["org_unit"].apply(lambda s: ", ".join(sorted(s))).reset_index()
    df = df.merge(listed.rename(columns={"org_unit": "names"}), on=keys, how="left")
    df = df.rename(columns={"org_country": "country"})
    df.insert(df.columns.get_loc("country") + 1, "name", _names(con, df, "country", "country"))
    return _finish(
        con, "models.organizations", q, df, {"coverage": _years_coverage(con, q)}, engine=engine
    )


def compute(
    con: duckdb.DuckDBPyConnection, q: ModelQuery, engine: Engine | None = None
) -> MeasureResult:
    """`models.compute`: training compute by country: models with known compute, sum and max
    FLOP, and counts at or above 1e23, 1e24, 1e25 FLOP. Full counting (a model counts for each
    of its countries, so sums over countries exceed the world total)."""
    q = replace(q.checked(), by="country", method="full")
    _check_loaded(con, q)
    ic = backend(con, engine)
    rows = unit_rows(ic, q)
    m = models_expr(ic, q).select("model_id", "training_compute")
    j = rows.join(m, "model_id").filter(_.training_compute.notnull())
    keys = [*q.keys, "unit"]
    aggs = {
        "models_with_compute": _.model_id.nunique(),
        "compute_sum": fixed_sum(_.training_compute, scale=0),  # whole FLOP
        "compute_max": _.training_compute.max(),
    }
    for t in THRESHOLDS:
        aggs[f"n_ge_{t:.0e}".replace("+", "")] = (_.training_compute >= t).sum().cast("int64")
    agg = only_countries(ic, q, j.group_by(keys).aggregate(**aggs))
    df = agg.order_by([*q.keys, ibis.desc("compute_sum"), "unit"]).execute()
    known = models_expr(ic, q).filter(_.training_compute.notnull()).count().execute()
    total = models_expr(ic, q).count().execute()
    extra = {"compute_known": int(known), "models_in_scope": int(total)}
    return _finish(con, "models.compute", q, df, extra, engine=engine)


def concentration(
    con: duckdb.DuckDBPyConnection, q: ModelQuery, engine: Engine | None = None
) -> MeasureResult:
    """`models.concentration`: within each country, how concentrated models are across
    organizations: HHI (sum of squared shares, 0..1) and the top organization's share.

    Organizations are registry ids (`--orgs registry`) or their root parents (`rollup`); an
    organization belongs to a country under q.attribution; each model counts once per
    organization (full counting within the country)."""
    q = replace(q.checked(), by="org")
    _check_loaded(con, q)
    r = country_org_rows(backend(con, engine), q)
    df = r.select(*q.keys, "org_country", "org_unit", "model_id").distinct().execute()
    out = concentration_table(df, [*q.keys, "org_country"], "org_unit", "model_id")
    out = out.rename(columns={"org_country": "country"})
    out.insert(out.columns.get_loc("country") + 1, "name", _names(con, out, "country", "country"))
    names = dict(con.execute("SELECT org_id, name FROM orgs").fetchall())
    out["top_org_name"] = [names.get(o, o) for o in out["top_org"]]
    return _finish(con, "models.concentration", q, out, {}, engine=engine)


def concentration_table(df: pd.DataFrame, keys: list[str], unit: str, item: str) -> pd.DataFrame:
    """HHI and top-1 share of `item` counts over `unit` within each `keys` group (pandas on the
    small aggregated table; the shares are defined here once for models and leaderboards)."""
    counts = df.groupby([*keys, unit]).size().rename("n").reset_index()
    counts["total"] = counts.groupby(keys)["n"].transform("sum")
    counts["s"] = counts["n"] / counts["total"]
    counts = counts.sort_values([*keys, "n", unit], ascending=[True] * len(keys) + [False, True])
    g = counts.groupby(keys, sort=True)
    out = g.agg(
        entries=("n", "sum"),
        organizations=(unit, "nunique"),
        hhi=("s", lambda s: float((s**2).sum())),
        top_org=(unit, "first"),
        top_share=("s", "first"),
    ).reset_index()
    return out.sort_values([*keys[:-1], "entries"], ascending=[True] * (len(keys) - 1) + [False])
