"""The self-contained HTML report: sections of tables and charts, Vega inlined (works offline)."""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import jinja2
import pandas as pd
import vl_convert as vlc

from aicensus.claims import headline
from aicensus.claims.files import ClaimFileError
from aicensus.measures.provenance import (
    data_dates,
    loads_table,
    quarantine_reasons,
    source_summary,
)
from aicensus.report.claims_section import claims_section
from aicensus.report.github_section import github_section
from aicensus.report.hub_section import hub_section
from aicensus.report.inferred_section import inferred_section
from aicensus.report.models_section import models_section
from aicensus.report.openalex_section import openalex_section
from aicensus.report.papers_section import papers_section
from aicensus.report.scorecard_section import scorecard_section

if TYPE_CHECKING:
    import duckdb


@dataclass
class Section:
    """One report section: a title, an intro, and blocks of HTML (tables) and charts."""

    id: str
    title: str
    intro: str = ""
    blocks: list[str] = field(default_factory=list)
    charts: dict[str, dict] = field(default_factory=dict)

    def chart(self, chart: alt.TopLevelMixin, caption: str) -> None:
        """Add a chart (its Vega-Lite spec is embedded; drawn by vega-embed on load)."""
        cid = f"chart-{self.id}-{len(self.charts) + 1}"
        self.charts[cid] = chart.to_dict()
        self.blocks.append(
            f'<figure><div class="chart" id="{cid}"></div>'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def table(self, df: pd.DataFrame, caption: str, percent: tuple[str, ...] = ()) -> None:
        fmt = {c: "{:,}".format for c in df.columns if pd.api.types.is_integer_dtype(df[c])}
        fmt |= {c: "{:.2%}".format for c in percent if c in df.columns}
        body = df.to_html(
            index=False,
            classes="data",
            border=0,
            formatters=fmt,
            float_format=lambda x: f"{x:,.2f}",
            na_rep="–",
        )
        self.blocks.append(
            f"<figure>{body}<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def text(self, paragraph_html: str) -> None:
        self.blocks.append(f"<p>{paragraph_html}</p>")


_TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("aicensus.report", "templates"), autoescape=False
).get_template("report.html.j2")


def provenance_section(con: duckdb.DuckDBPyConnection) -> Section:
    s = Section(
        "provenance",
        "Provenance",
        "Every source location in the warehouse, with the "
        "content hash and retrieval time that make each figure reproducible, and per source the "
        "publisher, the period its data describe, the date upstream's copy was made and the load.",
    )
    s.table(source_summary(con), "Sources loaded.")
    s.table(
        data_dates(con),
        "Data dates: per source, the publisher, the period its loaded data describe, the date "
        "upstream's copy was made (commit or export date; fetch date online) and the last load.",
    )
    s.table(quarantine_reasons(con), "Quarantined records: reason (ids elided), count, example.")
    loads = loads_table(con)
    s.blocks.append(
        "<details><summary>All loads ({} locations)</summary>{}</details>".format(
            len(loads), loads.to_html(index=False, classes="data small", border=0)
        )
    )
    return s


def _scorecard(
    con: duckdb.DuckDBPyConnection, claims: Path | None
) -> tuple[headline.Scorecard | None, str | None]:
    """The claim file's scorecard (checked claims), or None and why there is none."""
    if claims is None or not Path(claims).exists():
        return None, f"No claim file found ({claims}); nothing to check."
    try:
        return headline.build(con, claims), None
    except ClaimFileError as exc:
        return None, f"The claim file is invalid: {exc}"


def build(con: duckdb.DuckDBPyConnection, claims: Path | None = None) -> str:
    """The report's HTML text for the warehouse behind `con`; `claims` is the claim file whose
    scorecard opens the report and whose verdicts the claims section details (none: the
    sections say so)."""
    card, problem = _scorecard(con, claims)
    sections = [
        claims_section(con, claims, card, problem),
        papers_section(con),
        inferred_section(con),
        openalex_section(con),
        models_section(con),
        hub_section(con),
        github_section(con),
        provenance_section(con),
    ]
    sections.insert(0, scorecard_section(card, [s.id for s in sections]))
    specs = {cid: spec for s in sections for cid, spec in s.charts.items()}
    return _TEMPLATE.render(
        title="aicensus report",
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=version("aicensus"),
        sections=sections,
        # snippet is optional at run time (default: vegaEmbed etc. on window); the stub requires it
        vega_bundle=vlc.javascript_bundle(),  # type: ignore[call-arg]
        specs_json=json.dumps(specs).replace("</", "<\\/"),
    )


def write(con: duckdb.DuckDBPyConnection, path: Path, claims: Path | None = None) -> Path:
    """Write the report atomically (temp file, then rename): never a half-written report."""
    text = build(con, claims)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path
