"""The report's Hugging Face Hub section: open-model share by country under three weights and
two attributions, top root families, and change between snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures import hub as hm
from aicensus.report.hub_charts import share_bars

if TYPE_CHECKING:
    import duckdb

    from aicensus.report.html import Section


def hub_section(con: duckdb.DuckDBPyConnection) -> Section:
    from aicensus.report.html import Section

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
        return s
    try:
        _body(con, s, snaps)
    except MeasureError as exc:
        s.text(f"Hub data could not be measured: {exc}.")
    return s


def _body(con: duckdb.DuckDBPyConnection, s: Section, snaps: pd.DataFrame) -> None:
    latest = hm.share(con, hm.HubQuery(weight="downloads"))
    s.chart(
        share_bars(latest),
        "Share of downloads by the root family's country; grey = unknown organization.",
    )
    rows = []
    for weight in hm.WEIGHTS:
        for attribution in hm.ATTRIBUTIONS:
            r = hm.share(con, hm.HubQuery(weight=weight, attribution=attribution))
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
    fam = hm.top_families(con, hm.HubQuery(weight="derivatives"), top=15).table
    s.table(
        fam,
        "Root families with the most derivatives (family = root by reference).",
        percent=("derivative_share",),
    )
    if len(snaps["snapshot"].unique()) > 1:
        first, last = snaps["snapshot"].min(), snaps["snapshot"].max()
        ch = hm.change(con, hm.HubQuery(), first, last).table.head(10)
        s.table(
            ch,
            f"Share of models by root country, {first} → {last} (different sources: "
            "a broad 2022 cross-section vs the 2024 top downloads).",
            percent=("share_from", "share_to"),
        )
