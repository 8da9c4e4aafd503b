"""The report's section on the newest venue-years, whose countries are inferred from raw
affiliation text (paperlists_affonly), with the resolver's measured agreement beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from aicensus.errors import MeasureError
from aicensus.measures import papers as pm

if TYPE_CHECKING:
    import duckdb

    from aicensus.report.html import Section

SOURCE = "paperlists_affonly"
UNITS = ["CN", "US", "HK", "GB", "DE", "KR", "SG"]


def inferred_section(con: duckdb.DuckDBPyConnection) -> Section:
    from aicensus.report.html import Section

    s = Section(
        "inferred",
        "Newest venues: countries inferred from affiliations",
        "Paper Copilot's copies of CVPR 2020–24, ICCV 2021/23, ICML 2023/24, NeurIPS 2021, ICLR "
        "2021 and EMNLP 2023 carry raw affiliations and email domains but no country fields. "
        "aicensus infers countries from that text (ROR, OpenAlex institutions, place names, "
        "email domains) and quotes the inference's measured agreement with known countries.",
    )
    frames = []
    acc = None
    try:
        for method in ("full", "country-fractional"):
            r = pm.share(con, pm.PaperQuery(source=SOURCE, countries="inferred", method=method))
            acc = r.meta.get("inference_accuracy")
            t = r.table[r.table["country"].isin(UNITS)].copy()
            t["method"] = method
            frames.append(t)
    except MeasureError as exc:
        s.text(f"Not loaded: {exc}.")
        return s
    if acc and acc.get("status", "").startswith("not measured"):
        s.text(
            "<strong>Agreement not measured</strong> in this warehouse "
            "(run <code>aicensus resolve evaluate --save</code>)."
        )
    elif acc:
        parts = [
            f"{r['level']}-level agreement {r['agreement']:.2%} at {r['coverage']:.2%} coverage"
            for r in acc.get("levels", [])
            if r.get("holdout") == "file"
        ]
        s.text(
            "Measured on the 215 Paper Copilot files that do have country fields, with "
            "their country fields hidden and institution-country pairs learned from the "
            "scored file left out: " + "; ".join(parts) + "."
        )
    df = pd.concat(frames, ignore_index=True)
    wide = df.pivot_table(
        index=["venue", "year", "method"], columns="country", values="share"
    ).reset_index()
    wide.columns.name = None
    cov = df.groupby(["venue", "year", "method"])["coverage"].first().reset_index()
    wide = wide.merge(cov, on=["venue", "year", "method"])
    cols = ["venue", "year", "method", *[u for u in UNITS if u in wide.columns], "coverage"]
    s.table(
        wide[cols],
        "Share of papers by inferred country (Hong Kong kept separate; "
        "coverage = papers with an inferred country / papers loaded).",
        percent=(*UNITS, "coverage"),
    )
    return s
