"""The report's claims section: the verdict on each debate claim, its sensitivity grid (one
row per variant) and a chart of the numbers each variant read."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from aicensus.claims import files, variants, verdicts
from aicensus.errors import AicensusError
from aicensus.report.grid_heatmap import sensitivity_block

if TYPE_CHECKING:
    import duckdb

    from aicensus.report.html import Section

_BADGE = {
    verdicts.SUPPORTED: "#2e7d32",
    verdicts.REFUTED: "#c62828",
    verdicts.DEPENDS: "#b26a00",
    verdicts.INSUFFICIENT_DATA: "#6b7280",
}


def _badge(kind: str) -> str:
    return (
        f'<span style="color:#fff;background:{_BADGE[kind]};padding:1px 7px;'
        f'border-radius:3px;font-size:12px;white-space:nowrap">{html.escape(kind)}</span>'
    )


def claims_section(con: duckdb.DuckDBPyConnection, path: Path | None) -> Section:
    from aicensus.report.html import Section

    s = Section(
        "claims",
        "Claims",
        "Claims people make about who leads in AI, written as tests the data can decide and "
        "evaluated under every combination of the defensible choices (counting method, venues, "
        "years, attribution, leaderboard, ...). supported = holds under every variant that the "
        "loaded data can decide; refuted = fails under every one; depends = the choices named "
        "flip it; insufficient data = no variant could be decided (the source named is not loaded, "
        "the sample is below the claim's minimum, the data end before the period the claim is "
        "about, or every variant is too close to call). Shares carry a 95% Wilson interval, "
        "leaderboard ranks the arena's CI-aware range: a variant holds or fails only when its "
        "whole interval does, otherwise it is too close to call and counted apart.",
    )
    if path is None or not Path(path).exists():
        s.text(f"No claim file found ({html.escape(str(path))}); nothing to check.")
        return s
    try:
        claims = files.load(path)
    except AicensusError as exc:
        s.text(f"The claim file is invalid: {html.escape(str(exc))}")
        return s
    results = verdicts.check(con, claims)
    summary = pd.DataFrame(
        [
            {
                "claim": f"<b>{html.escape(v.id)}</b><br>{html.escape(v.claim)}",
                "verdict": _badge(v.verdict),
                "holds / fails / too close / no data": " / ".join(
                    str(v.counts.get(o, 0))
                    for o in (variants.HOLDS, variants.FAILS, variants.CLOSE, variants.INSUFFICIENT)
                ),
                "why": html.escape(v.reason),
            }
            for v in results
        ]
    )
    s.blocks.append(
        "<figure>"
        + summary.to_html(index=False, classes="data claims", border=0, escape=False)
        + f"<figcaption>Verdicts on {html.escape(Path(path).name)}.</figcaption></figure>"
    )
    for v in results:
        s.blocks.append(
            f'<h3 id="claim-{html.escape(v.id)}">{html.escape(v.claim)} {_badge(v.verdict)}</h3>'
            f'<p class="meta">{html.escape(v.id)}'
            + (f" · {html.escape(v.where)}" if v.where else "")
            + f"<br>{html.escape(v.reason)}</p>"
        )
        s.chart(
            verdicts.chart(v),
            f"{v.id}: left, each variant's choices; right, the number its condition reads with "
            "its 95% interval, the threshold (tick) and the other subject's value (diamond).",
        )
        s.blocks.append(sensitivity_block(v.grid(), len(v.variants)))
        if v.sources:
            lines = "; ".join(
                f"{x['source']}: {x['locations']} location(s), retrieved "
                f"{', '.join(x['retrieved'])}"
                for x in v.sources
            )
            s.blocks.append(f'<p class="meta">Sources: {html.escape(lines)}</p>')
    return s
