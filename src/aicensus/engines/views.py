"""Warehouse views as Ibis expressions, for engines that do not run the DuckDB view SQL.

`works_current` is a view in the DuckDB schema (003_openalex.sql); Spark computes it from the
base tables with this expression instead of receiving it pre-computed, so the de-duplication of
the full OpenAlex snapshot runs on the cluster. tests/test_engines_views.py holds the two
definitions equal on real data with duplicated and merged-away works.
"""

from __future__ import annotations

import ibis
from ibis import _


def works_current(ic: ibis.BaseBackend) -> ibis.Table:
    """One row per work: other sources as loaded; OpenAlex works without ids merged away,
    de-duplicated across loads (newest record `updated_date`, then newest load, then the
    greatest load id), exactly as the DuckDB view."""
    works = ic.table("works")
    columns = list(works.columns)
    other = works.filter(_.source != "openalex")
    merged = ic.table("merged_ids").filter(_.entity == "works").select(_.merged_id)
    oa = works.filter(_.source == "openalex")
    oa = oa.anti_join(merged, oa.work_id == merged.merged_id)
    loads = ic.table("loads").select(_.load_id, _loaded_at=_.loaded_at)
    oa = oa.left_join(loads, oa.load_id == loads.load_id).select(*columns, "_loaded_at")
    order = [
        ibis.desc(_.updated_date, nulls_first=False),
        ibis.desc(_._loaded_at, nulls_first=False),
        ibis.desc(_.load_id),
    ]
    rank = ibis.row_number().over(group_by=_.work_id, order_by=order)
    newest = oa.mutate(_rank=rank).filter(_._rank == 0).select(*columns)
    # The left join makes every column nullable in Ibis' types; the values are the works'.
    return other.union(newest.cast(works.schema()))
