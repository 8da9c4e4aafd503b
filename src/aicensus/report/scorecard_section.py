"""The report's front page: the scorecard (one row per dimension of the debate: who leads under
the claim file's headline variant, China's and the US's figures, the runner-up, the period, a
link to the section), the answer to the debate's question counted from the rows, then each claim
in one plain sentence with its verdict, what it depends on and its data dates. It prints
claims.headline's results only."""

from __future__ import annotations

import html
from collections.abc import Iterable

from aicensus.claims import headline, verdicts
from aicensus.report.section import Section

BADGE = {
    verdicts.SUPPORTED: "#2e7d32",
    verdicts.REFUTED: "#c62828",
    verdicts.DEPENDS: "#b26a00",
    verdicts.INSUFFICIENT_DATA: "#6b7280",
}


def badge(kind: str) -> str:
    """A verdict as a coloured label."""
    return (
        f'<span style="color:#fff;background:{BADGE.get(kind, "#6b7280")};padding:1px 7px;'
        f'border-radius:3px;font-size:12px;white-space:nowrap">{html.escape(kind)}</span>'
    )


def _figure(f: headline.Figure | None) -> str:
    if f is None:
        return "–"
    best = f'<br><span class="meta">{html.escape(f.best)}</span>' if f.best else ""
    return f"{html.escape(f.text)}{best}"


def _leader(r: headline.Row) -> str:
    if not r.standings:
        return f'<span class="meta">no data: {html.escape(r.missing)}</span>'
    lead = r.leader
    assert lead is not None
    if r.close:
        other = r.runner_up
        assert other is not None
        return (
            f"<b>too close to call</b><br>{html.escape(lead.name)} {html.escape(lead.text)} vs "
            f"{html.escape(other.name)} {html.escape(other.text)}"
        )
    return f"<b>{html.escape(lead.name)}</b> {html.escape(lead.text)}"


def _next(r: headline.Row) -> str:
    """The best-placed country other than China and the US, with its place."""
    f = r.next_country
    if f is None:
        return "–"
    return f"{html.escape(f.name)} {_figure(f)} (#{r.standings.index(f) + 1})"


def scorecard_section(card: headline.Scorecard | None, sections: Iterable[str]) -> Section:
    """The front page from a built scorecard (None: no valid claim file); `sections` are the
    report's section ids, so a row links to its section only when it exists."""
    s = Section(
        "scorecard",
        card.question if card else "Scorecard",
        "Who leads on each dimension of the debate, counted one stated way (the claim file's "
        "headline variant); the claims below give the verdict under every defensible way.",
    )
    if card is None:
        s.text("No valid claim file: no scorecard.")
        return s
    ids = set(sections)
    if card.rows:
        s.blocks.append(f'<p class="answer"><b>{html.escape(card.answer)}</b></p>')
        s.blocks.append(_rows_table(card, ids))
    s.blocks.append("<h3>The claims, one sentence each</h3>")
    s.blocks.append(_claims_table(card))
    return s


def _rows_table(card: headline.Scorecard, ids: set[str]) -> str:
    head = (
        "<tr><th>dimension</th><th>leads</th><th>China</th><th>United States</th>"
        "<th>next country</th><th>counted by</th><th>data</th><th>details</th></tr>"
    )
    body = []
    for r in card.rows:
        links = [f'<a href="#claim-{html.escape(r.claim)}">claim</a>']
        if r.section in ids:
            links.append(f'<a href="#{html.escape(r.section)}">section</a>')
        body.append(
            "<tr>"
            f"<td>{html.escape(r.dimension)}</td>"
            f"<td>{_leader(r)}</td>"
            f"<td>{_figure(r.figure(headline.CHINA))}</td>"
            f"<td>{_figure(r.figure(headline.US))}</td>"
            f"<td>{_next(r)}</td>"
            f"<td>{html.escape(r.counted)}</td>"
            f"<td>{html.escape(r.period or '–')}</td>"
            f"<td>{' · '.join(links)}</td>"
            "</tr>"
        )
    return (
        f'<figure><table class="data claims scorecard">{head}{"".join(body)}</table>'
        "<figcaption>Leads = the best value of the number named under 'counted by' (highest; "
        "for ranks and concentration the lowest); too close to call = the leader's 95% interval "
        "overlaps the runner-up's.</figcaption></figure>"
    )


def _claims_table(card: headline.Scorecard) -> str:
    head = "<tr><th>claim</th><th>verdict</th><th>depends on</th><th>data</th></tr>"
    body = []
    for c in card.claims:
        body.append(
            "<tr>"
            f'<td><a href="#claim-{html.escape(c.id)}">{html.escape(c.claim)}</a>'
            f"<br>{html.escape(c.sentence) if c.sentence else ''}"
            + (
                f' <span class="meta">(headline variant: {html.escape(c.missing)})</span>'
                if c.missing
                else ""
            )
            + "</td>"
            f"<td>{badge(c.verdict)}</td>"
            f"<td>{html.escape(', '.join(c.depends_on) or '–')}</td>"
            f"<td>{html.escape(_dates(c))}</td>"
            "</tr>"
        )
    return (
        f'<figure><table class="data claims">{head}{"".join(body)}</table>'
        "<figcaption>Each claim's sentence is filled from its headline variant; the verdict "
        "is over every variant (details under each claim).</figcaption></figure>"
    )


def _dates(c: headline.ClaimLine) -> str:
    """The period the headline data cover and when each source was loaded."""
    loaded = sorted({d for x in c.sources for d in x.get("retrieved", [])})
    out = c.period or "–"
    if loaded:
        out += (
            f"; loaded {loaded[-1]}" if len(loaded) == 1 else f"; loaded {loaded[0]}–{loaded[-1]}"
        )
    return out
