"""The report's claims section: the verdict on each debate claim, its sensitivity grid (one
row per variant) and a chart of the numbers each variant read."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from aicensus.claims import headline, verdicts
from aicensus.claims.files import ClaimFileError
from aicensus.config import STALE_AFTER_DAYS
from aicensus.report.grid_heatmap import sensitivity_block
from aicensus.report.scorecard_section import badge
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


def claims_section(
    con: duckdb.DuckDBPyConnection,
    path: Path | None,
    card: headline.Scorecard | None = None,
    problem: str | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> Section:
    """The claims' details: each verdict, its chart and its sensitivity grid, from `card` (the
    report's scorecard, built once) or, without one, checked here from the file at `path`
    (stale past `stale_after_days`); `problem` says why there is no card."""
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
    if card is None and problem is None:
        if path is None or not Path(path).exists():
            problem = f"No claim file found ({path}); nothing to check."
        else:
            try:
                card = headline.build(con, path, stale_after_days)
            except ClaimFileError as exc:
                problem = f"The claim file is invalid: {exc}"
    if card is None:
        s.text(html.escape(problem or "No claims checked."))
        return s
    results = card.verdicts
    said = {c.id: c.sentence for c in card.claims}
    for v in results:
        s.blocks.append(
            f'<h3 id="claim-{html.escape(v.id)}">{html.escape(v.claim)} {badge(v.verdict)}</h3>'
            + (f"<p>{html.escape(said[v.id])}</p>" if said.get(v.id) else "")
            + f'<p class="meta">{html.escape(v.id)}'
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
