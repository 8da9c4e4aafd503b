"""A country (or organization) filter only selects output rows: the figures of the rows it keeps
(weights, denominators, shares, ranks, concentration) equal those rows of the unfiltered result,
for any subset of countries (hypothesis draws the subsets from the real results). The
unfiltered result of each query is computed once per module (`unfiltered`), not per example."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from aicensus.measures import boards as bm
from aicensus.measures import models as mm
from aicensus.measures import papers as pm

# Each example runs measures on the warehouse: few examples, and no shrinking (the failing
# subset is reported as drawn).
SETTINGS = settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def con(claims_db):
    c = duckdb.connect(str(claims_db), read_only=True)
    yield c
    c.close()


Unfiltered = Callable[..., pd.DataFrame]


@pytest.fixture(scope="module")
def unfiltered(con) -> Unfiltered:
    """`unfiltered(measure, query, *args)`: a copy of `measure(con, query, *args).table`,
    computed on the first call of the module and kept (the filtered calls stay per example)."""
    kept: dict[tuple, pd.DataFrame] = {}

    def table(measure, query, *args) -> pd.DataFrame:
        key = (measure, query, *(tuple(a) if isinstance(a, list) else a for a in args))
        if key not in kept:
            kept[key] = measure(con, query, *args).table
        return kept[key].copy()

    return table


def _subset(data: st.DataObject, units: pd.Series) -> tuple[str, ...]:
    pool = sorted(set(units.dropna()))
    return tuple(data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True)))


def _same_rows(filtered: pd.DataFrame, full: pd.DataFrame, col: str, keep) -> None:
    """`filtered` is exactly the rows of `full` whose `col` is in `keep`, figures unchanged."""
    want = full[full[col].isin(keep)].reset_index(drop=True)
    got = filtered.reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


MODEL_CASES = [
    dict(method="fractional", years=(2024,)),
    dict(method="full", attribution="hq", years=(2023, 2024)),
    dict(method="fractional", attribution="hq-rollup", per="all"),
]


@pytest.mark.parametrize("kw", MODEL_CASES)
@SETTINGS
@given(data=st.data())
def test_models_count_by_country(con, unfiltered, kw, data):
    q = mm.ModelQuery(**kw)
    full = unfiltered(mm.count, q)
    keep = _subset(data, full["country"])
    _same_rows(mm.count(con, replace(q, countries=keep)).table, full, "country", keep)


def test_models_count_2024_fractional_reference(con):
    """The issue's case: US/CN/GB keep the figures of the unfiltered 2024 table."""
    q = mm.ModelQuery(years=(2024,), method="fractional")
    full = mm.count(con, q).table.set_index("country")
    got = mm.count(con, replace(q, countries=("US", "CN", "GB"))).table.set_index("country")
    assert sorted(got.index) == ["CN", "GB", "US"]
    for col in ("models", "denominator", "share"):
        assert got[col].to_dict() == full.loc[got.index, col].to_dict(), col


def _orgs_of(con, year: int, keep: tuple[str, ...]) -> set[str]:
    """Registry organizations (or unmatched names) with a `year` model whose headquarters (or,
    unmatched, the country Epoch pairs with them) is in `keep`."""
    rows = con.execute(
        "SELECT DISTINCT coalesce(mo.org_id, mo.org_name) FROM model_orgs mo "
        "LEFT JOIN orgs o ON o.org_id = mo.org_id JOIN models m ON m.model_id = mo.model_id "
        "WHERE m.source = 'epoch' AND m.year = ? "
        "AND coalesce(o.country, mo.country_source) IN (SELECT unnest(?))",
        [year, list(keep)],
    ).fetchall()
    return {r[0] for r in rows}


@SETTINGS
@given(data=st.data())
def test_models_count_by_org(con, unfiltered, data):
    """Organizations of the chosen countries keep their full fractional counts."""
    q = mm.ModelQuery(years=(2024,), method="fractional", by="org", attribution="hq")
    full = unfiltered(mm.count, q)
    keep = _subset(data, unfiltered(mm.count, replace(q, by="country"))["country"])
    got = mm.count(con, replace(q, countries=keep)).table
    assert set(got["org"]) == _orgs_of(con, 2024, keep)
    _same_rows(got, full, "org", set(got["org"]))


@pytest.mark.parametrize("measure", [mm.compute, mm.organizations, mm.concentration])
@SETTINGS
@given(data=st.data())
def test_models_per_country_measures(con, unfiltered, measure, data):
    q = mm.ModelQuery(years=(2023, 2024), attribution="hq")
    full = unfiltered(measure, q)
    keep = _subset(data, full["country"])
    _same_rows(measure(con, replace(q, countries=keep)).table, full, "country", keep)


@pytest.mark.parametrize("measure", [bm.standing, bm.concentration])
@SETTINGS
@given(data=st.data())
def test_board_measures(con, unfiltered, measure, data):
    q = bm.BoardQuery(board="text-to-video", top=10)
    full = unfiltered(measure, q)
    keep = _subset(data, full["country"])
    _same_rows(measure(con, replace(q, countries=keep)).table, full, "country", keep)


@pytest.mark.parametrize("method", pm.METHODS)
@SETTINGS
@given(data=st.data())
def test_papers_share(con, unfiltered, method, data):
    q = pm.PaperQuery(venues=("ijcai",), years=(2023, 2024), method=method)
    full = unfiltered(pm.share, q)
    keep = _subset(data, full["country"])
    got = pm.share(con, replace(q, country_filter=keep))
    _same_rows(got.table, full, "country", keep)
    assert got.meta["country_filter"] == sorted(keep)


@SETTINGS
@given(data=st.data())
def test_papers_compare_methods(con, unfiltered, data):
    q = pm.PaperQuery(venues=("icml",), years=(2019,))
    pool = unfiltered(pm.share, q)["country"]
    everything = sorted(set(pool))
    full = unfiltered(pm.compare_methods, q, everything)
    keep = _subset(data, pool)
    _same_rows(pm.compare_methods(con, q, list(keep)).table, full, "country", keep)
