"""New derivatives on the Hugging Face Hub in 2025 (source hf_added_models_2025): models created
in 16 weeks of March-July 2025 that declare a base model, by the root family they build on.

Definitions:
- a derivative is a counted model (first listing of its id) with a relation: finetune,
  adapter, quantized or merge (`relation="all"`: any of them);
- `by`: `country` / `org` = the root family's organization and its registry headquarters
  (hub_added_lineage.root_org/root_country; rule per model in `rule`), `family` = the root by
  reference (the absent parent's id, else the root in the file);
- `per`: `all` (16 weeks together) or `week` (week-end dates);
- `exclude_top`: leave out the derivatives of the k uploaders (namespaces of the new models)
  with the most derivatives under the query's relation; `exclude_parents`: leave out
  derivatives whose first parent is in these namespaces (e.g. Gensyn's swarm checkpoints, spread
  over thousands of uploaders, which no top-k catches);
- share = value / all derivatives (the unknown row included), share_known = value / derivatives
  with a known unit. The file has no download counts: derivatives measure activity, not usage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import ibis
import pandas as pd

from aicensus.engines import Engine
from aicensus.errors import MeasureError
from aicensus.measures import choices as C
from aicensus.measures.base import MeasureResult, Query, backend, choice, engine_name, provenance
from aicensus.measures.provenance import dates_meta
from aicensus.measures.shares import UNKNOWN, unit_name
from aicensus.orgs import Registry

SOURCE = "hf_added_models_2025"
RELATIONS = C.ADDED_RELATION.values
CAVEAT = (
    "derivatives, not usage: models created on the Hub that declare a base model, counted "
    "once each; the file has no download counts"
)


@dataclass(frozen=True)
class AddedQuery(Query):
    """Counting choices for the 2025 derivative measures (all recorded in the meta)."""

    by: str = choice(C.ADDED_BY)
    relation: str = choice(C.ADDED_RELATION)
    per: str = choice(C.ADDED_PER)
    exclude_top: int = 0
    exclude_parents: tuple[str, ...] = ()

    def checked(self) -> AddedQuery:
        self.require_choices()
        if not isinstance(self.exclude_top, int) or self.exclude_top < 0:
            raise MeasureError(f"exclude_top must be a whole number >= 0, not {self.exclude_top!r}")
        return self


def _require_loaded(con: duckdb.DuckDBPyConnection) -> None:
    try:
        n = con.execute("SELECT count(*) FROM hub_added_lineage").fetchall()[0][0]
    except duckdb.Error:
        n = 0
    if not n:
        raise MeasureError("no 2025 Hub additions loaded (run 'aicensus load hub-added')")


def _derivatives(
    con: duckdb.DuckDBPyConnection, q: AddedQuery, engine: Engine | None
) -> tuple[ibis.Table, list[tuple[str, int]]]:
    """The derivatives the query counts, and the top uploaders it left out (namespace, n)."""
    ib = backend(con, engine)
    t = ib.table("hub_added_lineage").filter(lambda t: t.relation.notnull())
    if q.relation != "all":
        t = t.filter(t.relation == q.relation)
    if q.exclude_parents:
        links = ib.table("hub_added_links").filter(lambda k: k.position == 0)
        ns = links.parent_id.split("/")[0].lower()
        drop = links.filter(ns.isin([p.lower() for p in q.exclude_parents])).select(did="model_id")
        t = t.anti_join(drop, t.model_id == drop.did)
    dropped: list[tuple[str, int]] = []
    if q.exclude_top:
        top = (
            t.group_by("namespace")
            .aggregate(n=ibis._.count())
            .order_by([ibis.desc("n"), "namespace"])
            .limit(q.exclude_top)
            .to_pandas()
        )
        dropped = [(str(a), int(b)) for a, b in zip(top["namespace"], top["n"], strict=True)]
        t = t.filter(~t.namespace.isin([a for a, _ in dropped]))
    return t, dropped


def _unit(t: ibis.Table, by: str) -> ibis.Value:
    col = {"country": t.root_country, "org": t.root_org, "family": t.ref_id}[by]
    if by == "family":
        return ibis.ifelse(t.root_org.isnull(), UNKNOWN, col)
    return col.fill_null(UNKNOWN)


def _meta(con: duckdb.DuckDBPyConnection, q: AddedQuery, engine: Engine | None, **extra) -> dict:
    keys = [
        r[0] for r in con.execute("SELECT key FROM loads WHERE source = ?", [SOURCE]).fetchall()
    ]
    weeks = con.execute(
        "SELECT min(week_end)::VARCHAR, max(week_end)::VARCHAR, count(DISTINCT week_end) "
        "FROM hub_added_lineage"
    ).fetchall()[0]
    rules = con.execute(
        "SELECT rule, count(*) FROM hub_added_lineage WHERE relation IS NOT NULL GROUP BY 1 "
        "ORDER BY 1"
    ).fetchall()
    return {
        "source": SOURCE,
        **q.describe(),
        "period": {"first_week_end": weeks[0], "last_week_end": weeks[1], "weeks": weeks[2]},
        "caveat": CAVEAT,
        "attribution": "root family (hub_added_lineage.rule; registry headquarters)",
        "attribution_rules": dict(rules),
        "sources": provenance(con, SOURCE, keys),
        **extra,
        **dates_meta(
            con,
            [SOURCE],
            date.fromisoformat(weeks[0]) - timedelta(days=6) if weeks[0] else None,
            weeks[1],
        ),
        "engine": engine_name(engine),
    }


def derivatives(
    con: duckdb.DuckDBPyConnection, q: AddedQuery = AddedQuery(), engine: Engine | None = None
) -> MeasureResult:
    """New derivatives by root country, organization or family (per week or in total), with
    the unknown row always present and the left-out uploaders named in the meta."""
    q = q.checked()
    _require_loaded(con)
    t, dropped = _derivatives(con, q, engine)
    t = t.mutate(unit=_unit(t, q.by))
    keys = ["week_end", "unit"] if q.per == "week" else ["unit"]
    agg = t.group_by(keys).aggregate(value=ibis._.count()).to_pandas()
    if q.per == "week":
        agg["week_end"] = pd.to_datetime(agg["week_end"]).dt.strftime("%Y-%m-%d")
    group = ["week_end"] if q.per == "week" else []
    if not (agg["unit"] == UNKNOWN).any():
        agg = pd.concat([agg, pd.DataFrame([{"unit": UNKNOWN, "value": 0}])], ignore_index=True)
        if q.per == "week":
            agg = agg.dropna(subset=["week_end"])
    agg["value"] = agg["value"].astype("int64")
    known = agg["unit"] != UNKNOWN
    if group:
        total = agg.groupby("week_end")["value"].transform("sum")
        total_known = agg["value"].where(known, 0).groupby(agg["week_end"]).transform("sum")
    else:
        total = pd.Series(agg["value"].sum(), index=agg.index)
        total_known = pd.Series(agg.loc[known, "value"].sum(), index=agg.index)
    agg["share"] = (agg["value"] / total.where(total > 0)).fillna(0.0)
    agg["share_known"] = (agg["value"] / total_known.where(total_known > 0)).where(known)
    reg = Registry.load()
    agg["name"] = [unit_name(u, q.by, reg) for u in agg["unit"]]
    agg["is_unknown"] = ~known
    agg = agg.sort_values(
        [*group, "is_unknown", "value", "unit"], ascending=[*[True] * len(group), True, False, True]
    )
    table = agg[[*group, "unit", "name", "value", "share", "share_known"]].reset_index(drop=True)
    n = int(table["value"].sum())
    unknown = int(table.loc[table["unit"] == UNKNOWN, "value"].sum())
    meta = _meta(
        con,
        q,
        engine,
        method=f"new derivatives ({q.relation}) by root {q.by}, per {q.per}",
        total=n,
        unknown={"value": unknown, "share": unknown / n if n else 0.0},
        excluded_uploaders=[{"namespace": a, "derivatives": b} for a, b in dropped],
    )
    return MeasureResult("hub_added_derivatives", table, meta)


def uploaders(
    con: duckdb.DuckDBPyConnection,
    q: AddedQuery = AddedQuery(),
    top: int = 20,
    engine: Engine | None = None,
) -> MeasureResult:
    """The uploaders (namespaces of the new models) with the most derivatives under the query's
    relation: their derivatives, share and cumulative share (how much a few accounts weigh)."""
    q = q.checked()
    _require_loaded(con)
    t, dropped = _derivatives(con, q, engine)
    agg = (
        t.group_by("namespace")
        .aggregate(value=ibis._.count(), families=t.ref_id.nunique())
        .order_by([ibis.desc("value"), "namespace"])
        .to_pandas()
    )
    total = int(agg["value"].sum())
    agg["share"] = agg["value"] / total if total else 0.0
    agg["cumulative_share"] = agg["share"].cumsum()
    table = agg.head(top) if top else agg
    meta = _meta(
        con,
        q,
        engine,
        method=f"new derivatives ({q.relation}) by uploader namespace",
        total=total,
        uploaders=len(agg),
        top=top,
        excluded_uploaders=[{"namespace": a, "derivatives": b} for a, b in dropped],
    )
    return MeasureResult("hub_added_uploaders", table.reset_index(drop=True), meta)
