"""The report's main paper chart: China and the US by year, with controls (counting method,
venue set, regions) bound to the embedded data through Vega-Lite parameters."""

from __future__ import annotations

import altair as alt
import pandas as pd

from aicensus.report import palette

YEAR_AXIS = alt.Axis(format="d", labelAngle=0, tickMinStep=1, labelOverlap=True)


def select(name: str, options: list[str], label: str, value: str | None = None) -> alt.Parameter:
    """A parameter bound to a drop-down of `options` (first option selected by default)."""
    return alt.param(
        name=name,
        value=value or options[0],
        bind=alt.binding_select(options=options, name=label + " "),
    )


def filtered(chart: alt.Chart, params: dict[str, alt.Parameter]) -> alt.Chart:
    """`chart` with each parameter added and the data filtered to its selected value (the
    column of the same name)."""
    terms = [alt.datum[column] == p for column, p in params.items()]
    cond = terms[0]
    for term in terms[1:]:
        cond = cond & term
    return chart.add_params(*params.values()).transform_filter(cond)


def explorer_lines(
    frame: pd.DataFrame, title: str, controls: dict[str, str]
) -> tuple[alt.Chart, list[str]]:
    """Lines with points over `frame`'s rows, filtered by one drop-down per control (column ->
    label; options in order of appearance), and the `name`s in order (for the palette): the
    base of every explorer chart whose combinations are precomputed."""
    params = {c: select(c, list(dict.fromkeys(frame[c])), label) for c, label in controls.items()}
    base = alt.Chart(frame, title=title).mark_line(point=True)
    return filtered(base, params), list(dict.fromkeys(frame["name"]))


def papers_explorer(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Lines of each country's share of papers per year; `frame` holds year, name, share,
    papers, denominator and one column per control (method, venues, regions), every
    combination precomputed: choosing in the drop-downs filters the embedded rows."""
    chart, names = explorer_lines(
        frame, title, {"method": "Counting method", "venues": "Venues", "regions": "HK/MO/TW"}
    )
    return chart.encode(
        x=alt.X("year:Q", title="Year", axis=YEAR_AXIS, scale=alt.Scale(zero=False)),
        y=alt.Y("share:Q", title="Share of papers", axis=alt.Axis(format="%")),
        color=alt.Color("name:N", scale=palette.scale(names), legend=palette.legend()),
        tooltip=[
            "name:N",
            "year:Q",
            alt.Tooltip("share:Q", format=".1%"),
            alt.Tooltip("papers:Q", title="papers (weighted)", format=",.1f"),
            alt.Tooltip("denominator:Q", title="papers with a country", format=","),
            "method:N",
            "venues:N",
        ],
    ).properties(width=560, height=300)
