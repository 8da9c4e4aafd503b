"""GitHub star rankings by country and organization: repositories, stars and star growth per
definition of "model repository"; the top repositories on a date; stars over time.

Always a ranking of fixed top-100 lists, not a census of GitHub: a figure is about the most
visible repositories only, and the keyword lists in force decide which organizations can appear
(2 keywords before 2025-03-04, 15 from then on; keywords for DeepSeek, LLaMA, Mistral but none for
Qwen, GLM or Kimi). Country = the registry headquarters of the owner account's organization,
rolled up to its root; persons and unlisted organizations are `unknown` (counted, shown).

Definitions (`definition`, recorded in every result with what it keeps and leaves out):
- `registry-models`: the owner is a registry organization's GitHub account, and the
  repository's name, letters and digits only, lower-cased (at least 3 characters), begins one of
  that organization's model names so normalized (same root organization): the names of its
  Epoch models (Epoch must be loaded) and its model families in hub/families.yaml `names`
  (reference data shipped with aicensus): `deepseek-ai/DeepSeek-V3` ~ Epoch "DeepSeek-V3",
  `meta-llama/llama` ~ "LLaMA-65B"; tools, cookbooks and SDKs of those organizations are left
  out. Hub uploads are not read, so the figure does not depend on whether Hub data is loaded;
- `description`: the description matches DESCRIPTION_RULE (weights, checkpoints, pre-trained,
  "<kind> model(s)", ...), whoever owns it;
- `all-ai-repos`: everything in the lists (the broad reading: open-source AI on GitHub).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import ibis
import pandas as pd

from aicensus.engines import Engine
from aicensus.errors import MeasureError
from aicensus.hub.attribution import families
from aicensus.measures import choices as C
from aicensus.measures.base import MeasureResult, Query, backend, choice, engine_name, provenance
from aicensus.measures.provenance import dates_meta
from aicensus.measures.shares import UNKNOWN, unit_name, unit_shares
from aicensus.orgs import Registry

DEFINITIONS = C.GITHUB_DEFINITION.values
COVERAGE_CHANGE = date(2025, 3, 4)  # keyword lists: 2 keywords before, 15 from then on
CAVEAT = "top-100 lists, not a census of GitHub"
DESCRIPTION_RULE = (
    r"(?i)\b(weights|checkpoints?|pre-?trained|open-?weights?|model series|"
    r"(language|foundation|base|reasoning|multimodal|vision-language|embedding|diffusion|"
    r"video generation|speech|chat|coder|code) models?)\b"
)
MODEL_RULE = (
    "owner is a registry organization's GitHub account, and the repository name (letters and "
    "digits, lower-case, >= 3 characters) begins one of that organization's model names: its "
    "Epoch models' names and its families in hub/families.yaml (Hub uploads are not read)"
)
RULES = {
    "registry-models": MODEL_RULE,
    "description": f"description matches {DESCRIPTION_RULE}",
    "all-ai-repos": "every repository in the lists",
}


@dataclass(frozen=True)
class GithubQuery(Query):
    """Counting choices for a GitHub measure (all recorded in the output's meta)."""

    definition: str = choice(C.GITHUB_DEFINITION)
    by: str = choice(C.GITHUB_BY)
    weight: str = choice(C.GITHUB_WEIGHT)
    day: date | None = None  # the snapshot day (default: the latest)
    start: date | None = None  # growth period (default: the first day)
    end: date | None = None  # growth period (default: the latest day)
    lists: str = choice(C.GITHUB_LISTS)

    def checked(self) -> GithubQuery:
        self.require_choices()
        return self


def _norm(x: ibis.Value) -> ibis.Value:
    """Letters and digits only, lower-case: how model and repository names are compared."""
    return x.re_replace("[^A-Za-z0-9]", "").lower()


def _model_names(con: duckdb.DuckDBPyConnection, ib: ibis.BaseBackend) -> ibis.Table:
    """(root organization, normalized model name) from Epoch's models and the families of
    hub/families.yaml: both fixed for a given load of Epoch, whatever else is loaded."""
    if not con.execute("SELECT count(*) FROM models WHERE source = 'epoch'").fetchall()[0][0]:
        raise MeasureError(
            "definition registry-models reads Epoch's model names: run 'aicensus load epoch'"
        )
    orgs = ib.table("orgs").select(oid="org_id", root="root_id")
    mo = ib.table("model_orgs").select(mid="model_id", oid="org_id")
    m = ib.table("models").filter(ibis._.source == "epoch").select("model_id", "name")
    epoch = m.join(mo, m.model_id == mo.mid).join(orgs, "oid").select("root", name=_norm(m.name))
    fam = families().names
    listed = ibis.memtable(
        {"fam_org": list(fam.values()), "fam_name": list(fam)},
        schema={"fam_org": "string", "fam_name": "string"},
    )
    named = listed.join(orgs, listed.fam_org == orgs.oid).select(
        "root", name=_norm(listed.fam_name)
    )
    return epoch.union(named).distinct()


def _repos(con: duckdb.DuckDBPyConnection, q: GithubQuery, engine: Engine | None) -> ibis.Table:
    """One row per repository of the list family with its definition flags."""
    ib = backend(con, engine)
    r = ib.table("github_repos")
    r = r.filter(r.lists == q.lists).select(
        "repo_key", "full_name", "owner", "description", "org_root", "country", rn=_norm(r.repo)
    )
    names = _model_names(con, ib)
    hits = (
        r.join(
            names,
            [r.org_root == names.root, r.rn.length() >= 3, names.name.startswith(r.rn)],
        )
        .select(hit_key=r.repo_key)
        .distinct()
    )
    r = r.left_join(hits, r.repo_key == hits.hit_key)
    return r.select(
        "repo_key",
        "full_name",
        "owner",
        "description",
        "org_root",
        "country",
        is_registry_model=r.hit_key.notnull(),
        is_description=r.description.re_search(DESCRIPTION_RULE).fill_null(False),
    )


def _kept(t: ibis.Table, definition: str) -> ibis.Value:
    if definition == "registry-models":
        return t.is_registry_model
    if definition == "description":
        return t.is_description
    return ibis.literal(True)


def _days(con: duckdb.DuckDBPyConnection, lists: str) -> list[date]:
    rows = con.execute(
        "SELECT DISTINCT date FROM github_list_days WHERE lists = ? ORDER BY 1", [lists]
    ).fetchall()
    if not rows:
        raise MeasureError("no github rankings loaded (run 'aicensus load github')")
    return [r[0] for r in rows]


def _pick_day(days: list[date], wanted: date | None, what: str = "date") -> date:
    if wanted is None:
        return days[-1]
    if wanted not in days:
        before = [d for d in days if d <= wanted]
        if not before:
            raise MeasureError(f"no github list on or before {what} {wanted} (first {days[0]})")
        return before[-1]
    return wanted


def _lists_in_force(con: duckdb.DuckDBPyConnection, lists: str, day: date) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT list FROM github_list_days WHERE lists = ? AND date = ? ORDER BY 1",
            [lists, day],
        ).fetchall()
    ]


def _unit(t: ibis.Table, by: str) -> ibis.Value:
    return (t.country if by == "country" else t.org_root).fill_null(UNKNOWN)


def _sources(con: duckdb.DuckDBPyConnection, lists: str) -> list[dict]:
    return provenance(con, "github", [lists])


def _on_day(
    con: duckdb.DuckDBPyConnection, q: GithubQuery, day: date, engine: Engine | None
) -> tuple[ibis.Table, ibis.Table]:
    """(the day's snapshot rows joined to their repository flags, the repository flags)."""
    ib = backend(con, engine)
    s = ib.table("github_snapshots")
    s = s.filter((s.lists == q.lists) & (s.date == day)).select("repo_key", "stars", "rank")
    r = _repos(con, q, engine)
    return s.join(r, "repo_key"), r


def _definition_counts(t: pd.DataFrame, q: GithubQuery) -> dict:
    kept = t[t["kept"]]
    return {
        "name": q.definition,
        "rule": RULES[q.definition],
        "kept": {"repos": len(kept), "stars": int(kept["stars"].sum())},
        "left_out": {
            "repos": len(t) - len(kept),
            "stars": int(t["stars"].sum() - kept["stars"].sum()),
        },
    }


def _meta(con, q: GithubQuery, day: date, engine: Engine | None, method: str, **extra) -> dict:
    period = extra.get("coverage", {}).get("period")  # growth: the period's first day
    return {
        "method": method,
        "definition": q.definition,
        "by": q.by,
        "weight": q.weight,
        "lists": q.lists,
        "date": str(day),
        "coverage": {
            "caveat": CAVEAT,
            "lists_in_force": _lists_in_force(con, q.lists, day),
            **extra.pop("coverage", {}),
        },
        **extra,
        **dates_meta(con, ["github"], (period or {}).get("start", day), day),
        "sources": _sources(con, q.lists),
        "engine": engine_name(engine),
    }


def _frame(con, q: GithubQuery, engine: Engine | None) -> tuple[pd.DataFrame, date, dict]:
    """Per repository: stars (on the day) or growth (over the period), flags, unit."""
    days = _days(con, q.lists)
    if q.weight != "growth":
        day = _pick_day(days, q.day)
        j, _ = _on_day(con, q, day, engine)
        j = j.mutate(kept=_kept(j, q.definition), unit=_unit(j, q.by), value=j.stars)
        return j.to_pandas(), day, {}
    start = _pick_day(days, q.start or days[0], "start")
    end = _pick_day(days, q.end, "end")
    if start >= end:
        raise MeasureError(f"growth period: start {start} is not before end {end}")
    ib = backend(con, engine)
    s = ib.table("github_snapshots")
    s = s.filter((s.lists == q.lists) & (s.date >= start) & (s.date <= end))
    per = s.group_by("repo_key").aggregate(
        first=s.stars.argmin(s.date),
        stars=s.stars.argmax(s.date),
        days_listed=s.date.nunique(),
    )
    r = _repos(con, q, engine)
    j = per.join(r, "repo_key")
    j = j.mutate(kept=_kept(j, q.definition), unit=_unit(j, q.by), value=j.stars - j.first)
    df = j.to_pandas()
    period = {
        "start": str(start),
        "end": str(end),
        "rule": "per repository: stars on its last listed day in the period minus on its first",
        "repos_listed_one_day_only": int((df["days_listed"] == 1).sum()),
        "spans_coverage_change": start < COVERAGE_CHANGE <= end and q.lists == "keyword",
    }
    return df, end, period


def share(
    con: duckdb.DuckDBPyConnection, q: GithubQuery = GithubQuery(), engine: Engine | None = None
) -> MeasureResult:
    """Repositories, stars (or star growth) per country or organization under a definition,
    with the unknown row always present and the top repositories of each unit named."""
    q = q.checked()
    df, day, period = _frame(con, q, engine)
    counts = _definition_counts(df.assign(stars=df["value"]), q)
    k = df[df["kept"]].copy()
    w = "repos" if q.weight == "repos" else "value"
    k["w"] = 1 if w == "repos" else k["value"]
    reg = Registry.load()
    rows = []
    for unit, g in k.groupby("unit"):
        g = g.sort_values(["value", "full_name"], ascending=[False, True])
        rows.append(
            {
                "unit": unit,
                "value": int(g["w"].sum()),
                "repos": len(g),
                "stars": int(g["value"].sum()),
                "top_repos": ", ".join(
                    f"{n} ({v:,})" for n, v in zip(g["full_name"][:3], g["value"][:3], strict=True)
                ),
            }
        )
    t = pd.DataFrame(rows, columns=["unit", "value", "repos", "stars", "top_repos"])
    t = unit_shares(t, {"value": 0, "repos": 0, "stars": 0, "top_repos": ""})
    t["name"] = [
        unit_name(u, q.by, reg, "(unknown: persons and organizations not in the registry)")
        for u in t["unit"]
    ]
    t = t[["unit", "name", "value", "share", "share_known", "repos", "stars", "top_repos"]]
    t = t.reset_index(drop=True)
    unk = t[t["unit"] == UNKNOWN].iloc[0]
    what = {"repos": "repositories", "stars": "stars", "growth": "star growth"}[q.weight]
    meta = _meta(
        con,
        q,
        day,
        engine,
        f"{what} of {q.definition} repositories by {q.by}",
        coverage={
            "unknown_share_repos": float(unk["repos"] / t["repos"].sum())
            if t["repos"].sum()
            else 0.0,
            "unknown_share": float(unk["share"]),
            **({"period": period} if period else {}),
        },
        definition_counts=counts,
        total=int(t["value"].sum()),
        unknown={
            "repos": int(unk["repos"]),
            "value": int(unk["value"]),
            "share": float(unk["share"]),
        },
    )
    return MeasureResult("github_share", t, meta)


def top(
    con: duckdb.DuckDBPyConnection,
    q: GithubQuery = GithubQuery(),
    k: int = 10,
    engine: Engine | None = None,
) -> MeasureResult:
    """The k most-starred repositories of a definition on a date, with owner, organization and
    country (the standing: which countries own the top-k)."""
    q = q.checked()
    days = _days(con, q.lists)
    day = _pick_day(days, q.day)
    j, _ = _on_day(con, q, day, engine)
    j = j.filter(_kept(j, q.definition))
    df = j.order_by([ibis.desc("stars"), "full_name"]).limit(k).to_pandas()
    df.insert(0, "position", range(1, len(df) + 1))
    df["country"] = df["country"].fillna(UNKNOWN)
    df["org"] = df["org_root"].fillna(UNKNOWN)
    df = df[["position", "full_name", "owner", "org", "country", "stars", "description"]]
    standing = df.groupby("country").agg(repos=("full_name", "size"), best=("position", "min"))
    meta = _meta(
        con,
        q,
        day,
        engine,
        f"top {k} {q.definition} repositories by stars",
        standing={c: {"repos": int(r.repos), "best": int(r.best)} for c, r in standing.iterrows()},
        k=k,
    )
    return MeasureResult("github_top", df.reset_index(drop=True), meta)


def trend(
    con: duckdb.DuckDBPyConnection,
    q: GithubQuery = GithubQuery(),
    countries: tuple[str, ...] = ("CN", "US"),
    per_country: int = 3,
    engine: Engine | None = None,
) -> MeasureResult:
    """Stars over time of each country's top repositories (by stars on the end day), with the
    list era of every point so a chart never joins points across the coverage change."""
    q = q.checked()
    days = _days(con, q.lists)
    end = _pick_day(days, q.end or q.day)
    j, _ = _on_day(con, q, end, engine)
    j = j.filter(_kept(j, q.definition) & j.country.isin(list(countries))).to_pandas()
    j = j.sort_values(["stars", "full_name"], ascending=[False, True])
    picked = j.groupby("country").head(per_country)
    ib = backend(con, engine)
    s = ib.table("github_snapshots")
    keys = list(picked["repo_key"])
    s = s.filter((s.lists == q.lists) & s.repo_key.isin(keys) & (s.date <= end))
    df = s.select("date", "repo_key", "stars").order_by(["repo_key", "date"]).to_pandas()
    info = picked.set_index("repo_key")
    df["full_name"] = df["repo_key"].map(info["full_name"])
    df["country"] = df["repo_key"].map(info["country"])
    df["date"] = pd.to_datetime(df["date"]).dt.date
    after = df["date"] >= COVERAGE_CHANGE
    df["era"] = (
        ["15 keywords" if a else "2 keywords" for a in after] if q.lists == "keyword" else "all"
    )
    df = df[["date", "full_name", "country", "stars", "era"]].reset_index(drop=True)
    meta = _meta(
        con,
        q,
        end,
        engine,
        f"stars over time of the top {per_country} {q.definition} repositories of "
        f"{', '.join(countries)}",
        coverage_change=str(COVERAGE_CHANGE) if q.lists == "keyword" else None,
        repos=list(picked["full_name"]),
    )
    return MeasureResult("github_trend", df, meta)
