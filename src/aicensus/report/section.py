"""One section of the HTML report: its title, intro and blocks (tables, text, charts). Its own
module, below html.py and every section module, so they all import it directly."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from aicensus.errors import MeasureError
from aicensus.report import formatting, palette


@dataclass
class Section:
    """One report section: a title, an intro, and blocks of HTML (tables) and charts."""

    id: str
    title: str
    intro: str = ""
    blocks: list[str] = field(default_factory=list)
    charts: dict[str, dict] = field(default_factory=dict)

    def chart(self, chart: alt.TopLevelMixin, caption: str, controls: bool = False) -> None:
        """Add a chart (its Vega-Lite spec is embedded; drawn by vega-embed on load) with the
        report's palette config; `controls`: the chart binds inputs (drawn above it)."""
        cid = f"chart-{self.id}-{len(self.charts) + 1}"
        spec = chart.to_dict()
        config = spec.setdefault("config", {})
        for key, values in palette.CONFIG.items():
            config[key] = {**values, **dict(config.get(key, {}))}
        self.charts[cid] = spec
        kind = "chart interactive" if controls else "chart"
        self.blocks.append(
            f'<figure><div class="{kind}" id="{cid}"></div>'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def table(self, df: pd.DataFrame, caption: str, percent: tuple[str, ...] = ()) -> None:
        """Add a table: counts as integers, `percent` columns as percentages (one decimal)."""
        self.blocks.append(
            f"<figure>{formatting.table_html(df, percent)}"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def part(self, failed: str, body: Callable[[], None]) -> None:
        """Run `body`, which adds blocks to this section; when its measure cannot be computed
        (MeasureError), add the one line `<failed>: <why>.` instead and let the report go on."""
        try:
            body()
        except MeasureError as exc:
            self.text(f"{failed}: {exc}.")

    def text(self, paragraph_html: str) -> None:
        self.blocks.append(f"<p>{paragraph_html}</p>")

    def details(self, summary: str, body_html: str) -> None:
        """A block collapsed by default (a reader can skip it)."""
        self.blocks.append(
            f"<details><summary>{html.escape(summary)}</summary>{body_html}</details>"
        )
