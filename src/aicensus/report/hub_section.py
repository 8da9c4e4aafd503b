"""The report's Hugging Face Hub section: open-model share by country under three weights and
two attributions, top root families, and change between snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from aicensus.measures import hub as hm
from aicensus.measures import hub_added as ha
from aicensus.measures.cache import cached
from aicensus.report.hub_charts import share_bars, weekly_added_lines
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


def hub_section(con: duckdb.DuckDBPyConnection) -> Section:
    s = Section(
        "hub",
        "Open models on the Hugging Face Hub",
        "Who the world's open models come from depends on how they are counted: by uploads, by "
        "downloads, or by derivatives (models with a base_model link). 'root' attributes every "
        "model to its root family's organization (lineage, then the absent parent's namespace, "
        "then the architecture); 'uploader' to its own namespace. Re-uploads by packagers "
        "(TheBloke, bartowski, ...) go to the original family. Unknown models are always shown.",
    )
    snaps = hm.snapshots(con)
    if snaps.empty:
        s.text("No Hub snapshot loaded (run 'aicensus load hub' or 'aicensus hub pull').")
    else:
        s.part("Hub data could not be measured", lambda: _body(con, s, snaps))
    s.part("2025 Hub additions", lambda: _added(con, s))
    return s


def _added(con: duckdb.DuckDBPyConnection, s: Section) -> None:
    """New derivatives in 2025 by root family's country: weekly chart and the headline table
    (each relation, all uploaders and without the top 10)."""
    weekly = cached(con, ha.derivatives, ha.AddedQuery(per="week"))
    m, p = weekly.meta, weekly.meta["period"]
    s.chart(
        weekly_added_lines(weekly),
        f"Models created on the Hub in {p['weeks']} weeks, {p['first_week_end']} .. "
        f"{p['last_week_end']} (source {m['source']}, weeks ending on the dates shown; the week "
        "ending 2025-06-25 is short upstream), that declare a base model, by the country of "
        f"the root family they build on. {m['caveat'].capitalize()}.",
    )
    rows = []
    for relation in ha.RELATIONS:
        for k in (0, 10):
            r = cached(con, ha.derivatives, ha.AddedQuery(relation=relation, exclude_top=k))
            t = r.table.set_index("unit")
            rows.append(
                {
                    "relation": relation,
                    "top uploaders left out": k,
                    "derivatives": r.meta["total"],
                    **{c: float(t["share"].get(c, 0.0)) for c in ("CN", "US", "DE", "FR")},
                    "unknown": r.meta["unknown"]["share"],
                    "CN of known": float(t["share_known"].get("CN", 0.0)),
                }
            )
    s.table(
        pd.DataFrame(rows),
        f"Share of 2025 derivatives by root family's country, per relation, with all uploaders "
        f"and without the 10 with the most derivatives ({m['source']}).",
        percent=("CN", "US", "DE", "FR", "unknown", "CN of known"),
    )


def _body(con: duckdb.DuckDBPyConnection, s: Section, snaps: pd.DataFrame) -> None:
    latest = cached(con, hm.share, hm.HubQuery(weight="downloads"))
    s.chart(
        share_bars(latest),
        "Share of downloads by the root family's country; grey = unknown organization.",
    )
    rows = []
    for weight in hm.WEIGHTS:
        for attribution in hm.ATTRIBUTIONS:
            r = cached(con, hm.share, hm.HubQuery(weight=weight, attribution=attribution))
            t = r.table.set_index("unit")["share"]
            rows.append(
                {
                    "weight": weight,
                    "attribution": attribution,
                    **{c: float(t.get(c, 0.0)) for c in ("US", "CN", "FR", "DE")},
                    "unknown": r.meta["unknown"]["share"],
                }
            )
    s.table(
        pd.DataFrame(rows),
        f"Share by country, {latest.meta['source']} "
        f"{latest.meta['snapshot']}: three weights x two attributions.",
        percent=("US", "CN", "FR", "DE", "unknown"),
    )
    fam = cached(con, hm.top_families, hm.HubQuery(weight="derivatives"), top=15).table
    s.table(
        fam,
        "Root families with the most derivatives (family = root by reference).",
        percent=("derivative_share",),
    )
    if len(snaps["snapshot"].unique()) > 1:
        first, last = snaps["snapshot"].min(), snaps["snapshot"].max()
        ch = cached(con, hm.change, hm.HubQuery(), first, last).table.head(10)
        s.table(
            ch,
            f"Share of models by root country, {first} → {last} (different sources: "
            "a broad 2022 cross-section vs the 2024 top downloads).",
            percent=("share_from", "share_to"),
        )
