"""A claim's sensitivity grid as a compact heatmap: the choices on the two axes, each cell
coloured by the variant's outcome, the numbers it read on hover; collapsed by default."""

from __future__ import annotations

import html

import pandas as pd

from aicensus.claims import variants

# Outcome -> (cell colour, symbol, word for the legend); colour-blind safe (Okabe-Ito)
OUTCOMES = {
    variants.HOLDS: ("#009E73", "✓", "holds"),
    variants.FAILS: ("#D55E00", "✗", "fails"),
    variants.CLOSE: ("#E69F00", "≈", "too close to call"),
    variants.INSUFFICIENT: ("#D9D9D9", "–", "no data"),
}
_NOT_CHOICES = ("condition", "numbers", "sample", "outcome", "missing")


def _columns_axis(grid: pd.DataFrame, choices: list[str]) -> str:
    """The choice spread across the columns: the one with the most values, up to 6."""
    sizes = {c: grid[c].nunique() for c in choices}
    fitting = [c for c in choices if sizes[c] <= 6] or choices
    return max(fitting, key=lambda c: (sizes[c], -choices.index(c)))


def _cell(rows: pd.DataFrame) -> str:
    """One heatmap cell: the outcome's colour and symbol; hover shows what was read."""
    if rows.empty:
        return "<td></td>"
    r = rows.iloc[0]
    colour, symbol, word = OUTCOMES.get(r["outcome"], ("#ffffff", "?", str(r["outcome"])))
    tip = "; ".join(
        x
        for x in (
            word,
            str(r["condition"]),
            str(r["numbers"]),
            str(r["sample"]),
            str(r.get("missing", "")),
        )
        if x and x != "nan"
    )
    return f'<td class="cell" style="background:{colour}" title="{html.escape(tip)}">{symbol}</td>'


def heatmap_html(grid: pd.DataFrame) -> str:
    """The grid (one row per variant and test, as `ClaimVerdict.grid()` gives it) as an HTML
    heatmap table: rows are the combinations of all choices but one, columns that one."""
    choices = [c for c in grid.columns if c not in _NOT_CHOICES]
    varying = [c for c in choices if grid[c].nunique() > 1] or choices[:1]
    across = _columns_axis(grid, varying)
    down = [c for c in varying if c != across]
    col_values = list(dict.fromkeys(grid[across]))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in down) + "".join(
        f'<th class="cell">{html.escape(str(v))}</th>' for v in col_values
    )
    body = []
    keys = list(dict.fromkeys(map(tuple, grid[down].astype(str).values))) if down else [()]
    for key in keys:
        mask = pd.Series(True, index=grid.index)
        for c, v in zip(down, key, strict=True):
            mask &= grid[c].astype(str) == v
        cells = "".join(_cell(grid[mask & (grid[across] == v)]) for v in col_values)
        labels = "".join(f"<td>{html.escape(v)}</td>" for v in key)
        body.append(f"<tr>{labels}{cells}</tr>")
    legend = " ".join(
        f'<span class="key" style="background:{colour}">{symbol}</span> {word}'
        for colour, symbol, word in OUTCOMES.values()
    )
    return (
        f'<div class="scroll"><table class="data small heatmap"><thead>'
        f'<tr><th colspan="{len(down)}"></th><th class="cell" colspan="{len(col_values)}">'
        f"{html.escape(across)}</th></tr><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<p class="meta">{legend}. Hover a cell for the numbers it read.</p>'
    )


def sensitivity_block(grid: pd.DataFrame, n_variants: int) -> str:
    """The collapsed block holding a claim's sensitivity heatmap."""
    return (
        f"<details><summary>Sensitivity grid ({n_variants} variants)</summary>"
        f"{heatmap_html(grid)}</details>"
    )
