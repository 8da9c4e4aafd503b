"""`aicensus orgs ...`: the organization registry and how well it covers loaded sources."""

from __future__ import annotations

from typing import Any

import typer

from aicensus.cli.common import console, emit, print_table, settings
from aicensus.cli.measure import on_screen
from aicensus.cli.options import FORMAT, takes

app = typer.Typer(help="Organization registry: lookup, matching, coverage.", no_args_is_help=True)


@app.command("unmatched")
@takes(FORMAT)
def unmatched(
    ctx: typer.Context,
    source: str = typer.Option(None, help="Only this source (e.g. epoch, arena)."),
    **o: Any,
) -> None:
    """Organization strings the registry does not resolve, by frequency across loaded sources."""
    from aicensus.measures.orgs import unmatched as unmatched_rows
    from aicensus.warehouse import open_readonly

    with open_readonly(settings(ctx).db) as con:
        result = unmatched_rows(con, source)
    if on_screen(o):
        print_table(result.table, title="Unmatched organization strings")
        m = result.meta
        console.print(
            f"[dim]{m['unmatched_rows']:,} of {m['organization_rows']:,} organization rows "
            f"unmatched ({m['distinct_unmatched']:,} distinct strings)[/dim]"
        )
        return
    emit(result, o["fmt"], o["output"], "Unmatched organization strings")


@app.command("match")
def match(names: list[str] = typer.Argument(..., help="Organization strings to resolve.")) -> None:
    """Resolve strings through the registry and show which rule matched."""
    import pandas as pd

    from aicensus.orgs import Registry

    reg = Registry.load()
    rows = []
    for n in names:
        m = reg.match(n)
        o = reg.get(m.org_id) if m else None
        rows.append(
            {
                "text": n,
                "org_id": m.org_id if m else None,
                "rule": m.rule if m else "unmatched",
                "score": m.score if m else None,
                "country": o.country if o else None,
                "root": reg.root(o.id) if o else None,
            }
        )
    print_table(pd.DataFrame(rows), title="Registry matches")


@app.command("list")
@takes(FORMAT)
def list_orgs(
    country: str = typer.Option(None, help="Only this headquarters country (ISO alpha-2)."),
    **o: Any,
) -> None:
    """The registry's organizations (id, name, kind, country, parent, root, ROR)."""
    import pandas as pd

    from aicensus.measures.base import MeasureResult
    from aicensus.orgs import Registry

    reg = Registry.load()
    rows = [
        {
            "id": o.id,
            "name": o.name,
            "kind": o.kind,
            "country": o.country,
            "parent": o.parent,
            "root": reg.root(o.id),
            "ror": o.ror,
        }
        for o in reg.orgs.values()
        if not country or o.country == country.upper()
    ]
    result = MeasureResult("orgs.list", pd.DataFrame(rows), {"organizations": len(rows)})
    emit(result, o["fmt"], o["output"], "Organization registry")
