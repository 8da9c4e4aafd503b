"""OpenAlex-only measures: group_by aggregates set against counts from downloaded works."""

from __future__ import annotations

import duckdb
import ibis
import numpy as np
import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures import ai_definitions
from aicensus.measures import papers as pm
from aicensus.measures.base import MeasureResult, backend, provenance
from aicensus.warehouse.rows import one_row


def group_by_agreement(
    con: duckdb.DuckDBPyConnection, q: pm.PaperQuery, filter_expr: str | None = None
) -> MeasureResult:
    """`openalex.group-by-agreement`: per country, the `authorships.countries` group_by count
    (full counting, from the API) next to the full count from the loaded works under `q`."""
    q = pm.replace(q, method="full", by="all", unit="country", source="openalex").checked()
    gb = con.execute(
        "SELECT g.key, g.count, l.key AS load_key FROM group_by_counts g "
        "JOIN loads l USING (load_id) WHERE g.group_by = 'authorships.countries' "
        "AND coalesce(g.filter, '') = ?",
        [filter_expr or ""],
    ).df()
    if gb.empty:
        raise MeasureError(
            f"no authorships.countries group_by stored for filter {filter_expr!r}; "
            "run 'aicensus openalex group-by' first"
        )
    shares = pm.share(con, q)
    works = shares.table[["country", "papers"]].rename(columns={"papers": "works"})
    gb = gb[gb.key != "unknown"].rename(columns={"key": "country", "count": "group_by"})
    df = pd.merge(gb[["country", "group_by"]], works, on="country", how="outer").fillna(0)
    df["difference"] = df["works"] - df["group_by"]
    df = df.sort_values(["group_by", "country"], ascending=[False, True]).reset_index(drop=True)
    keys = sorted(set(gb["load_key"]))
    meta = {
        "measure": "openalex.group-by-agreement",
        **q.describe(),
        "filter": filter_expr,
        "agree": bool((df["difference"] == 0).all()),
        "sources": provenance(con, "openalex", keys) + shares.meta["sources"],
        "data_period": shares.meta["data_period"],
        "data_sources": shares.meta["data_sources"],
    }
    return MeasureResult("openalex.group-by-agreement", df, meta)


def loaded_summary(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int | None, int | None]:
    """(works, source locations, first year, last year) of OpenAlex works in works_current."""
    row = one_row(
        con,
        "SELECT count(*), count(DISTINCT load_id), min(year), max(year) FROM works_current "
        "WHERE source = 'openalex'",
    )
    return int(row[0]), int(row[1]), row[2], row[3]


# ------------------------------------------------------------------ country counts at full scale

BOOTSTRAP = 1000  # resamples of the sample's fractional share interval


def _require_years(stored: pd.Series, years: list[int], what: str, fix: str) -> None:
    """Raise MeasureError naming the years of `years` absent from `stored` (the year column of
    what is stored) and how to fetch them: counts and samples are fetched per year."""
    missing = sorted(set(years) - set(stored.astype(int)))
    if missing:
        raise MeasureError(f"no {what}, year(s) {', '.join(map(str, missing))}; {fix}")


def _full_counts(
    con: duckdb.DuckDBPyConnection, definition: str, years: list[int]
) -> tuple[pd.DataFrame, list[str]]:
    """Full counting per year and country from the stored group_by counts (one request per
    definition-year: a census of every matching work, no sampling)."""
    stored = con.execute(
        "SELECT key, CAST(split_part(key, '/', 3) AS INTEGER) AS year FROM loads "
        "WHERE source = 'openalex' AND key LIKE 'counts/' || ? || '/%'",
        [definition],
    ).df()
    _require_years(
        stored["year"],
        years,
        f"group_by counts stored for definition {definition!r}",
        "run 'aicensus openalex counts' to fetch them",
    )
    df = con.execute(
        "SELECT g.year, g.key AS country, g.count AS works, g.meta_count AS works_total "
        "FROM group_by_counts g WHERE g.definition = ? AND g.group_by = 'authorships.countries' "
        "AND g.year IN (SELECT unnest(?))",
        [definition, years],
    ).df()
    keys = sorted(stored.loc[stored["year"].isin(years), "key"])
    df["share"] = df["works"] / df["works_total"]
    return df, keys


def _bootstrap(w: np.ndarray, seed: int, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of column means of `w` (works x countries), resampling
    works with replacement, `BOOTSTRAP` times, seeded by the sample's seed (reproducible)."""
    rng = np.random.default_rng(seed)
    n = w.shape[0]
    means = []
    for _ in range(0, BOOTSTRAP, 100):
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=100)
        means.append(counts @ w / n)
    m = np.vstack(means)
    a = (1 - level) / 2
    return np.quantile(m, a, axis=0), np.quantile(m, 1 - a, axis=0)


def _sample_fractional(
    con: duckdb.DuckDBPyConnection, definition: str, years: list[int], n: int, seed: int
) -> tuple[pd.DataFrame, list[str], dict]:
    """Author-fractional share per year and country on the stated random sample (works without
    an authorship left out; authorships without a country go to `unknown`)."""
    sample = con.execute(
        "SELECT s.year, s.work_id, s.meta_count, l.key AS load_key FROM openalex_samples s "
        "JOIN loads l USING (load_id) WHERE s.definition = ? AND s.sample_size = ? "
        "AND s.seed = ? AND s.year IN (SELECT unnest(?))",
        [definition, n, seed, years],
    ).df()
    _require_years(
        sample["year"],
        years,
        f"sample (n={n}, seed={seed}) stored for definition {definition!r}",
        "run 'aicensus openalex counts --sample' to fetch",
    )
    sample = sample.drop_duplicates(["year", "work_id"])
    q = pm.PaperQuery(
        method="author-fractional", unknown="count", by="all", unit="country", source="openalex"
    ).checked()
    ic = backend(con)
    w, _denom = pm.weights_all(ic, q)
    ids = ibis.memtable(sample[["work_id"]].drop_duplicates())
    weights = w.semi_join(ids, "work_id").select("work_id", "unit", "weight").to_pandas()
    weights = weights.groupby(["work_id", "unit"], as_index=False)["weight"].sum()
    frames, sizes = [], {}
    for year, part in sample.groupby("year"):
        wy = weights[weights["work_id"].isin(part["work_id"])]
        wide = wy.pivot_table(index="work_id", columns="unit", values="weight", fill_value=0.0)
        k = len(wide)  # sampled works with at least one authorship
        sizes[int(year)] = {"drawn": len(part), "with_authorships": k,
                            "works_total": int(part["meta_count"].iloc[0] or 0)}  # fmt: skip
        if k == 0:
            continue
        mat = wide.to_numpy(dtype=float)
        lo, hi = _bootstrap(mat, seed + int(year))
        frames.append(
            pd.DataFrame(
                {"year": int(year), "country": wide.columns.astype(str),
                 "works_fractional": mat.sum(axis=0), "share_fractional": mat.mean(axis=0),
                 "share_fractional_lo": lo, "share_fractional_hi": hi, "sample_works": k}
            )
        )  # fmt: skip
    cols = ["year", "country", "works_fractional", "share_fractional", "share_fractional_lo",
            "share_fractional_hi", "sample_works"]  # fmt: skip
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return df, sorted(set(sample["load_key"])), sizes


def country_counts(
    con: duckdb.DuckDBPyConnection,
    definition: str,
    years: list[int],
    sample: int | None = None,
    seed: int | None = None,
) -> MeasureResult:
    """`openalex.country-counts`: per publication year and country, the works of an AI
    definition with an author in that country (full counting, from `group_by` over every
    matching work) and their share of the year's works; `unknown` = works with no country.
    With `sample`/`seed`: the author-fractional share on that stated random sample, with its
    95% percentile-bootstrap interval (resampling sampled works)."""
    d = ai_definitions.get(definition)
    ai_definitions.api_filter(definition)
    years = sorted(set(years))
    if not years:
        raise MeasureError("openalex.country-counts needs --years")
    full, keys = _full_counts(con, definition, years)
    meta: dict = {
        "measure": "openalex.country-counts",
        "definition": d.describe(),
        "filter": ai_definitions.api_filter(definition),
        "years": years,
        "full_counting": "group_by=authorships.countries per publication year: a work counts 1 "
        "for each country among its authorships; share = works with the country / works of "
        "the definition-year (meta.count); unknown = works with no country",
        "works_per_year": {
            y: int(full.loc[full["year"] == y, "works_total"].max())
            if (full["year"] == y).any()
            else 0
            for y in years
        },
        "unknown": full[full["country"] == "unknown"].set_index("year")["share"].to_dict(),
    }
    df = full.drop(columns=["works_total"])
    if sample is not None:
        if seed is None:
            raise MeasureError("a sample needs its --seed (the sample is stated by size and seed)")
        frac, skeys, sizes = _sample_fractional(con, definition, years, sample, seed)
        df = pd.merge(df, frac, on=["year", "country"], how="outer")
        drawn = df["year"].map({y: v["with_authorships"] for y, v in sizes.items()}).fillna(0)
        absent = df["share_fractional"].isna() & (drawn > 0)  # not drawn: 0 in the sample
        for col in ("works_fractional", "share_fractional", "share_fractional_lo",
                    "share_fractional_hi"):  # fmt: skip
            df.loc[absent, col] = 0.0
        df.loc[absent, "sample_works"] = drawn[absent]
        keys += skeys
        meta["sample"] = {
            "size": sample,
            "seed": seed,
            "per_year": sizes,
            "method": "author-fractional: each sampled work with authorships weighs 1, split "
            "equally over its authorships, each over its countries; an authorship without a "
            "country goes to unknown",
            "interval": f"95% percentile bootstrap over sampled works ({BOOTSTRAP} resamples, "
            "seeded by seed + year)",
        }
    df["works"] = df["works"].fillna(0).astype("int64")
    df["share"] = df["share"].fillna(0.0)
    df = df.sort_values(["year", "works", "country"], ascending=[True, False, True])
    meta["sources"] = provenance(con, "openalex", keys)
    return MeasureResult("openalex.country-counts", df.reset_index(drop=True), meta)
