"""The self-contained HTML report: sections of tables and charts, Vega inlined (works offline)."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import pandas as pd
import vl_convert as vlc

from aicensus.claims import headline
from aicensus.claims.files import ClaimFileError
from aicensus.config import STALE_AFTER_DAYS
from aicensus.measures.provenance import (
    data_dates,
    loads_table,
    quarantine_reasons,
    quarantine_rows,
    source_summary,
)
from aicensus.report import formatting
from aicensus.report.claims_section import claims_section
from aicensus.report.github_section import github_section
from aicensus.report.hub_section import hub_section
from aicensus.report.inferred_section import inferred_section
from aicensus.report.models_section import models_section
from aicensus.report.openalex_section import openalex_section
from aicensus.report.papers_section import papers_section
from aicensus.report.scorecard_section import scorecard_section
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


_TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("aicensus.report", "templates"), autoescape=False
).get_template("report.html.j2")


def _date(x: object) -> str:
    return "–" if x is None else str(x)[:10]


def sources_table(
    con: duckdb.DuckDBPyConnection, stale_after_days: int = STALE_AFTER_DAYS
) -> pd.DataFrame:
    """One row per source: publisher, period described, upstream copy date, load date, how old
    the data are (stale past `stale_after_days`), rows loaded and quarantined with the
    quarantine reasons counted."""
    summary = source_summary(con)
    reasons = quarantine_reasons(con)
    dates = data_dates(con, stale_after_days).set_index("source")
    rows = []
    for r in summary.itertuples(index=False):
        d = dates.loc[r.source] if r.source in dates.index else None
        why = reasons[reasons["source"] == r.source]
        rows.append(
            {
                "source": r.source,
                "publisher": d["publisher"] if d is not None else "–",
                "period described": d["data_period"] if d is not None else "–",
                "upstream copy": d["copied"] if d is not None else "–",
                "loaded": d["loaded"] if d is not None else _date(r.last_retrieved),
                "age of data": (
                    f"{d['age']} ({d['fresh']})" if d is not None and d["age"] else "–"
                ),
                "locations": int(r.locations),
                "rows loaded": int(r.loaded),
                "quarantined": int(r.quarantined),
                "quarantined by reason": "; ".join(
                    f"{x.reason}: {int(x.records):,}" for x in why.itertuples(index=False)
                ),
            }
        )
    return pd.DataFrame(rows)


def provenance_section(
    con: duckdb.DuckDBPyConnection, stale_after_days: int = STALE_AFTER_DAYS
) -> Section:
    s = Section(
        "provenance",
        "Provenance",
        "Every source in the warehouse: who publishes it, what period its data describe, when "
        "the upstream copy was taken and when it was loaded, and what was loaded or set aside. "
        "The content hash of every location (collapsed below) makes each figure reproducible.",
    )
    s.table(
        sources_table(con, stale_after_days),
        "Sources loaded; quarantined = records set aside, by reason.",
    )
    rows = quarantine_rows(con)
    reasons = quarantine_reasons(con)
    if len(rows):
        data = base64.b64encode(rows.to_csv(index=False).encode()).decode()
        s.text(
            f'<a download="aicensus-quarantine.csv" href="data:text/csv;base64,{data}">'
            f"Download the {len(rows):,} quarantined records (CSV: source, location, record, "
            "reason)</a>. Grouped by reason (ids elided):"
        )
        s.details(
            f"Quarantine reasons ({len(reasons)} kinds)",
            formatting.table_html(reasons, classes="data small"),
        )
    loads = loads_table(con)
    s.details(
        f"All loads ({len(loads)} locations, with content hashes)",
        formatting.table_html(loads, classes="data small"),
    )
    return s


def _scorecard(
    con: duckdb.DuckDBPyConnection, claims: Path | None, stale_after_days: int
) -> tuple[headline.Scorecard | None, str | None]:
    """The claim file's scorecard (checked claims), or None and why there is none."""
    if claims is None or not Path(claims).exists():
        return None, f"No claim file found ({claims}); nothing to check."
    try:
        return headline.build(con, claims, stale_after_days), None
    except ClaimFileError as exc:
        return None, f"The claim file is invalid: {exc}"


def build(
    con: duckdb.DuckDBPyConnection,
    claims: Path | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> str:
    """The report's HTML text for the warehouse behind `con`; `claims` is the claim file whose
    scorecard opens the report and whose verdicts the claims section details (none: the
    sections say so); data older than `stale_after_days` are named stale (Settings')."""
    card, problem = _scorecard(con, claims, stale_after_days)
    sections = [
        claims_section(con, claims, card, problem, stale_after_days),
        papers_section(con),
        inferred_section(con),
        openalex_section(con),
        models_section(con),
        hub_section(con),
        github_section(con),
        provenance_section(con, stale_after_days),
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


def write(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    claims: Path | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> Path:
    """Write the report atomically (temp file, then rename): never a half-written report."""
    text = build(con, claims, stale_after_days)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path
