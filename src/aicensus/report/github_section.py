"""The report's GitHub panel (open models): who owns the most-starred model repositories in
the daily top-100 lists, under each named definition of "model repository", with the lists'
caveats (top-100 lists, keyword bias, the 2025-03-04 coverage change)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from aicensus.measures import github as gm
from aicensus.measures.cache import cached
from aicensus.report.github_charts import stars_over_time
from aicensus.report.section import Section

if TYPE_CHECKING:
    import duckdb


def github_section(con: duckdb.DuckDBPyConnection) -> Section:
    s = Section(
        "github",
        "Open models on GitHub (star rankings)",
        "The debate says most open-source models on GitHub are Chinese. These figures read the "
        f"daily top-100 repositories of AI keyword searches ({gm.CAVEAT}): which repositories "
        "are listed depends on the keywords (DeepSeek, LLaMA and Mistral have one; Qwen, GLM "
        "and Kimi do not), and the list grew from 2 to 15 keywords on "
        f"{gm.COVERAGE_CHANGE}. Personal accounts have no country: they are counted as unknown.",
    )
    s.part("GitHub rankings could not be measured", lambda: _body(con, s))
    return s


def _body(con: duckdb.DuckDBPyConnection, s: Section) -> None:
    rows = []
    for definition in gm.DEFINITIONS:
        r = cached(con, gm.share, gm.GithubQuery(definition=definition, weight="stars"))
        t = r.table.set_index("unit")
        kept = r.meta["definition_counts"]
        rows.append(
            {
                "definition": definition,
                "rule": gm.RULES[definition],
                "repositories": kept["kept"]["repos"],
                "stars": int(t["stars"].sum()),
                **{f"{c} share": float(t["share"].get(c, 0.0)) for c in ("CN", "US")},
                "unknown share": r.meta["unknown"]["share"],
                "left out (repositories)": kept["left_out"]["repos"],
            }
        )
        day = r.meta["date"]
    s.table(
        pd.DataFrame(rows),
        f"Share of stars in the lists of {day} by the owner's country, under each definition "
        "of a model repository.",
        percent=("CN share", "US share", "unknown share"),
    )
    top = cached(con, gm.top, gm.GithubQuery(definition="registry-models"), k=10)
    s.table(
        top.table.drop(columns=["description"]),
        f"The 10 most-starred model repositories (registry-models) on {top.meta['date']}.",
    )
    trend = cached(con, gm.trend, gm.GithubQuery(definition="registry-models"))
    s.chart(
        stars_over_time(trend),
        "Stars over time of the top 3 Chinese and US model repositories (registry-models), "
        "GitHub keyword rankings; the dashed rule marks the coverage change of "
        f"{gm.COVERAGE_CHANGE} (lines are not joined across it).",
    )
