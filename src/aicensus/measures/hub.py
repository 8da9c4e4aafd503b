"""Open models on the Hugging Face Hub by country and organization: share by count, downloads
or derivatives, attributed to the direct uploader or to the root family; top families,
concentration within a country, change between snapshots.

Definitions:
- a snapshot is (source, date) of hub_snapshots; default: the latest date (if several sources
  have that date, the one with the most models);
- `attribution`: `uploader` = registry organization of the model's own namespace; `root` = the
  organization of its root family (rule per model in hub_lineage.rule, see
  aicensus.hub.attribution). Countries are the registry headquarters of that organization;
- `weight`: `count` = 1 per model; `downloads` = the Hub's ~30-day downloads at the snapshot;
  `derivatives` = 1 per model with a base_model link (what the world builds on the unit);
- the `unknown` row holds models without an organization; share = value / total (unknown
  included), share_known = value / total of attributed models.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import ibis
import pandas as pd

from aicensus.engines import Engine
from aicensus.errors import NoDataError
from aicensus.geo.countries import country_name
from aicensus.measures import choices as C
from aicensus.measures.base import MeasureResult, Query, backend, choice, engine_name, provenance
from aicensus.measures.provenance import dates_meta
from aicensus.measures.shares import UNKNOWN, unit_name, unit_shares
from aicensus.orgs import Registry

BY = C.HUB_BY.values
WEIGHTS = C.HUB_WEIGHT.values
ATTRIBUTIONS = C.HUB_ATTRIBUTION.values


@dataclass(frozen=True)
class HubQuery(Query):
    """Counting choices for a Hub measure (all recorded in the output's meta)."""

    by: str = choice(C.HUB_BY)
    weight: str = choice(C.HUB_WEIGHT)
    attribution: str = choice(C.HUB_ATTRIBUTION)
    snapshot: str | None = None
    source: str | None = None

    def checked(self) -> HubQuery:
        self.require_choices()
        return self


def snapshots(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Loaded, complete Hub snapshots (source, snapshot, models)."""
    try:
        return con.execute(
            "SELECT source, snapshot, sum(n_models)::BIGINT AS models FROM hub_snapshots "
            "WHERE complete GROUP BY ALL ORDER BY snapshot, source"
        ).df()
    except duckdb.Error:
        return pd.DataFrame(columns=["source", "snapshot", "models"])


def pick(con: duckdb.DuckDBPyConnection, q: HubQuery) -> tuple[str, str]:
    """(source, snapshot) the query measures; MeasureError when nothing fits."""
    snaps = snapshots(con)
    if snaps.empty:
        raise NoDataError("no hub snapshot loaded (run 'aicensus load hub' or 'aicensus hub pull')")
    if q.source:
        snaps = snaps[snaps["source"] == q.source]
    if q.snapshot:
        snaps = snaps[snaps["snapshot"] == q.snapshot]
    if snaps.empty:
        raise NoDataError(
            f"no hub snapshot loaded for source={q.source or 'any'} "
            f"snapshot={q.snapshot or 'latest'}"
        )
    latest = snaps[snaps["snapshot"] == snaps["snapshot"].max()]
    row = latest.sort_values(["models", "source"], ascending=[False, True]).iloc[0]
    return str(row["source"]), str(row["snapshot"])


def _models(
    con: duckdb.DuckDBPyConnection, source: str, snapshot: str, engine: Engine | None = None
) -> ibis.Table:
    """One row per model of the snapshot: lineage, attribution, stats and link count."""
    ib = backend(con, engine)
    lin = ib.table("hub_lineage").filter(lambda t: (t.source == source) & (t.snapshot == snapshot))
    st = ib.table("model_stats").filter(lambda t: (t.source == source) & (t.snapshot == snapshot))
    m = ib.table("hub_models").filter(lambda t: (t.source == source) & (t.snapshot == snapshot))
    st = st.select(sid="model_id", downloads="downloads", likes="likes")
    m = m.select(mid="model_id", n_parents="n_parents")
    j = lin.left_join(st, lin.model_id == st.sid).select(*lin.columns, "downloads", "likes")
    return j.left_join(m, j.model_id == m.mid).select(*j.columns, "n_parents")


def _unit_col(t: ibis.Table, q: HubQuery) -> ibis.Value:
    col = {
        ("country", "root"): t.root_country,
        ("country", "uploader"): t.uploader_country,
        ("org", "root"): t.root_org,
        ("org", "uploader"): t.uploader_org,
    }[(q.by, q.attribution)]
    return col.fill_null(UNKNOWN)


def _weight_col(t: ibis.Table, q: HubQuery) -> ibis.Value:
    if q.weight == "downloads":
        return t.downloads.fill_null(0)
    if q.weight == "derivatives":
        return (t.n_parents > 0).cast("int64")
    return ibis.literal(1, "int64")


def _sources(con: duckdb.DuckDBPyConnection, source: str, snapshot: str) -> list[dict]:
    keys = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT l.key FROM loads l JOIN hub_snapshots s USING (load_id) "
            "WHERE s.source = ? AND s.snapshot = ?",
            [source, snapshot],
        ).fetchall()
    ]
    return provenance(con, source, keys)


def _meta(
    con, q: HubQuery, source: str, snapshot: str, method: str, engine: Engine | None, **extra
) -> dict:
    rules = con.execute(
        "SELECT rule, count(*) FROM hub_lineage WHERE source = ? AND snapshot = ? GROUP BY 1 "
        "ORDER BY 1",
        [source, snapshot],
    ).fetchall()
    return {
        "method": method,
        **replace(q, source=source, snapshot=snapshot).describe(),
        "attribution_rules": dict(rules),
        "sources": _sources(con, source, snapshot),
        **extra,
        **dates_meta(con, [source], snapshot, snapshot),
        "engine": engine_name(engine),
    }


def share(
    con: duckdb.DuckDBPyConnection, q: HubQuery = HubQuery(), engine: Engine | None = None
) -> MeasureResult:
    """Weighted models per country or organization, with the unknown row always present."""
    q = q.checked()
    source, snapshot = pick(con, q)
    t = _models(con, source, snapshot, engine)
    t = t.mutate(unit=_unit_col(t, q), w=_weight_col(t, q))
    agg = t.group_by("unit").aggregate(value=t.w.sum(), models=t.count()).to_pandas()
    agg = unit_shares(agg.astype({"value": "int64", "models": "int64"}), {"value": 0, "models": 0})
    reg = Registry.load()
    agg["name"] = [unit_name(u, q.by, reg) for u in agg["unit"]]
    table = agg[["unit", "name", "value", "share", "share_known", "models"]].reset_index(drop=True)
    unk = table[table["unit"] == UNKNOWN].iloc[0]
    meta = _meta(
        con,
        q,
        source,
        snapshot,
        f"{q.weight}-weighted models by {q.by}, {q.attribution} attribution",
        engine,
        total=int(table["value"].sum()),
        unknown={
            "models": int(unk["models"]),
            "value": int(unk["value"]),
            "share": float(unk["share"]),
        },
        models=int(table["models"].sum()),
    )
    return MeasureResult("hub_share", table, meta)


def top_families(
    con: duckdb.DuckDBPyConnection,
    q: HubQuery = HubQuery(),
    top: int | None = 20,
    engine: Engine | None = None,
) -> MeasureResult:
    """Root families (root by reference: an absent parent id names the family) with their
    models, derivatives, share of derivatives, downloads, organization and country."""
    q = q.checked()
    source, snapshot = pick(con, q)
    t = _models(con, source, snapshot, engine)
    # The family's most frequent attribution rule (ties: the first by name). Written out, not
    # `mode()`, which Spark's SQL lacks and which leaves ties to the engine.
    rules = t.group_by(family=t.ref_id, top_rule=t.rule).aggregate(n=ibis._.count())
    order = [ibis.desc(rules.n), rules.top_rule]
    rules = rules.mutate(k=ibis.row_number().over(group_by=rules.family, order_by=order))
    rules = rules.filter(rules.k == 0).select("family", "top_rule")
    agg = (
        t.group_by(family=t.ref_id)
        .aggregate(
            # constant within a family; min() rather than arbitrary() keeps it deterministic
            namespace=t.ref_namespace.min(),
            org=t.root_org.min(),
            country=t.root_country.min(),
            models=t.count(),
            derivatives=(t.n_parents > 0).cast("int64").sum(),
            downloads=t.downloads.fill_null(0).sum(),
        )
        .mutate(derivative_share=lambda s: s.derivatives / s.models)
    )
    agg = agg.join(rules, "family").rename(rule="top_rule")
    key = {"count": "models", "downloads": "downloads", "derivatives": "derivatives"}[q.weight]
    df = agg.order_by([ibis.desc(key), "family"]).to_pandas()
    if top:
        df = df.head(top)
    df = df[
        [
            "family",
            "namespace",
            "org",
            "country",
            "models",
            "derivatives",
            "derivative_share",
            "downloads",
            "rule",
        ]
    ].reset_index(drop=True)
    meta = _meta(con, q, source, snapshot, f"root families ordered by {key}", engine, top=top)
    return MeasureResult("hub_families", df, meta)


def concentration(
    con: duckdb.DuckDBPyConnection, q: HubQuery = HubQuery(), engine: Engine | None = None
) -> MeasureResult:
    """Per country: organizations, HHI of organization shares (0-1), top organization and its
    share, under the query's weight and attribution (unknown organizations excluded)."""
    q = q.checked()
    source, snapshot = pick(con, q)
    t = _models(con, source, snapshot, engine)
    qc, qo = replace(q, by="country"), replace(q, by="org")
    t = t.mutate(country=_unit_col(t, qc), org=_unit_col(t, qo), w=_weight_col(t, q))
    t = t.filter((t.country != UNKNOWN) & (t.org != UNKNOWN))
    per = t.group_by(["country", "org"]).aggregate(value=t.w.sum()).to_pandas()
    rows = []
    for c, g in per.groupby("country"):
        g = g.sort_values(["value", "org"], ascending=[False, True])  # ties: first org by id
        tot = g["value"].sum()
        if tot <= 0:
            continue
        s = g["value"] / tot
        top_org = g["org"].iloc[0]
        rows.append(
            dict(
                unit=c,
                name=country_name(c),
                value=int(tot),
                orgs=len(g),
                hhi=float((s**2).sum()),
                top_org=top_org,
                top1_share=float(s.iloc[0]),
            )
        )
    df = pd.DataFrame(
        rows, columns=["unit", "name", "value", "orgs", "hhi", "top_org", "top1_share"]
    )
    df = df.sort_values(["value", "unit"], ascending=[False, True]).reset_index(drop=True)
    meta = _meta(
        con,
        q,
        source,
        snapshot,
        "Herfindahl-Hirschman index of organization shares "
        "within each country (0-1), unknown organizations excluded",
        engine,
    )
    return MeasureResult("hub_concentration", df, meta)


def change(
    con: duckdb.DuckDBPyConnection,
    q: HubQuery,
    from_snapshot: str,
    to_snapshot: str,
    engine: Engine | None = None,
) -> MeasureResult:
    """Share per unit in two snapshots and the change in percentage points."""
    a = share(con, replace(q, snapshot=from_snapshot), engine)
    b = share(con, replace(q, snapshot=to_snapshot), engine)
    cols = ["unit", "name", "value", "share"]
    df = a.table[cols].merge(
        b.table[cols], on=["unit", "name"], how="outer", suffixes=("_from", "_to")
    )
    df = df.fillna({"value_from": 0, "value_to": 0, "share_from": 0.0, "share_to": 0.0})
    df["value_from"] = df["value_from"].astype("int64")
    df["value_to"] = df["value_to"].astype("int64")
    df["change_pp"] = 100 * (df["share_to"] - df["share_from"])
    df = df.sort_values("share_to", ascending=False).reset_index(drop=True)
    meta = {
        "engine": engine_name(engine),
        "method": f"change in {q.weight}-weighted share by {q.by} ({q.attribution})",
        "from": {k: a.meta[k] for k in ("source", "snapshot", "total", "unknown")},
        "to": {k: b.meta[k] for k in ("source", "snapshot", "total", "unknown")},
        **{k: v for k, v in q.describe().items() if k not in ("snapshot", "source")},
        "sources": a.meta["sources"] + b.meta["sources"],
        **dates_meta(
            con,
            list(dict.fromkeys([a.meta["source"], b.meta["source"]])),
            min(a.meta["snapshot"], b.meta["snapshot"]),
            max(a.meta["snapshot"], b.meta["snapshot"]),
        ),
    }
    return MeasureResult("hub_change", df, meta)
