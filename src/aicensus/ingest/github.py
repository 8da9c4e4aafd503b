"""Load GitHub star rankings (one list family per location, one transaction per call), each
repository's owner matched to a registry organization by its GitHub account.

Attribution: the account's organization (registry `github:` accounts, case-insensitive), rolled
up to the top of its parent chain, and that root's headquarters country. Any other account (a
person, or an organization not in the registry) keeps NULL organization and country: counted
and shown as unknown, never guessed from a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from aicensus.ingest.batch import registry_version, write_one
from aicensus.ingest.orgs import ensure_registry
from aicensus.orgs import Registry
from aicensus.sources import github
from aicensus.warehouse import LocationRows


@dataclass
class GithubLoadSummary:
    """What a GitHub rankings load did, for the CLI and tests."""

    location: str
    lists: str
    written: bool = False
    first_date: date | None = None
    last_date: date | None = None
    snapshot_rows: int = 0
    quarantined: int = 0
    list_names: dict[str, list[str]] = field(default_factory=dict)  # period -> lists in force
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def coverage_change(self) -> str | None:
        """The keyword lists' coverage change (2 keywords -> 15 on 2025-03-04), in words."""
        if self.lists != "keyword" or len(self.list_names) < 2:
            return None
        before, after = self.list_names.values()
        return (
            f"coverage changes on {github.COVERAGE_CHANGE}: {len(before)} keyword(s) before, "
            f"{len(after)} from then on; a trend across that date is an artefact"
        )


def attribute(repos: pa.Table, registry: Registry) -> pa.Table:
    """github_repos rows with org_id, org_root and country from the registry's accounts."""
    accounts = pa.table(
        {
            "account": list(registry.github_accounts()),
            "org_id": list(registry.github_accounts().values()),
        }
    )
    roots = [registry.root(o) for o in accounts["org_id"].to_pylist()]
    accounts = accounts.append_column("org_root", pa.array(roots, pa.string()))
    accounts = accounts.append_column(
        "country", pa.array([registry.get(r).country for r in roots], pa.string())
    )
    con = duckdb.connect()
    try:
        con.register("repos", repos)
        con.register("accounts", accounts)
        out = con.sql(
            "SELECT r.*, a.org_id, a.org_root, a.country FROM repos r "
            "LEFT JOIN accounts a ON lower(r.owner) = a.account ORDER BY r.repo_key"
        ).to_arrow_table()
    finally:
        con.close()
    return out


def _periods(days: pa.Table, lists: str) -> dict[str, list[str]]:
    """The lists in force before and from the coverage change (keyword family), else overall."""
    con = duckdb.connect()
    try:
        con.register("days", days)
        rows = con.execute(
            "SELECT date >= ? AS after, min(date), max(date), list(DISTINCT list ORDER BY list) "
            "FROM days GROUP BY 1 ORDER BY 1",
            [github.COVERAGE_CHANGE],
        ).fetchall()
    finally:
        con.close()
    if lists != "keyword":
        names = sorted({n for r in rows for n in r[3]})
        lo, hi = min(r[1] for r in rows), max(r[2] for r in rows)
        return {f"{lo} .. {hi}": names}
    return {f"{r[1]} .. {r[2]}": list(r[3]) for r in rows}


def load_github(
    con: duckdb.DuckDBPyConnection,
    location: str,
    registry: Registry | None = None,
    daily: list[Path] | None = None,
    extra: dict[str, pa.Table] | None = None,
) -> GithubLoadSummary:
    """Parse `location` (a list family's folder or file) plus upstream `daily` files fetched
    online, and replace its rows (skipped when content, parser and registry are unchanged);
    `extra` tables (an online load's resume rows) are written with them."""
    registry = registry or Registry.load()
    rows = github.parse(location, daily)
    tables = dict(rows.tables)
    tables["github_repos"] = attribute(tables["github_repos"], registry)
    tables.update(extra or {})
    rows = LocationRows(
        key=rows.key,
        location=rows.location,
        content_hash=rows.content_hash,
        retrieved_at=rows.retrieved_at,
        tables=tables,
        notes=rows.notes,
    )
    ensure_registry(con, registry)
    written = write_one(con, github.SOURCE, registry_version(github.PARSER_VERSION, registry), rows)
    snaps = tables["github_snapshots"]
    dates = snaps.column("date")
    lists = rows.key
    repos = tables["github_repos"]
    known = repos.filter(pc.is_valid(repos.column("country"))).num_rows
    notes = {k: v for k, v in rows.notes.items() if k not in ("quarantined",)}
    notes["repositories with a registry owner"] = known
    return GithubLoadSummary(
        location=rows.location,
        lists=lists,
        written=written,
        first_date=pc.min(dates).as_py() if len(dates) else None,
        last_date=pc.max(dates).as_py() if len(dates) else None,
        snapshot_rows=snaps.num_rows,
        quarantined=rows.rows_quarantined,
        list_names=_periods(tables["github_list_days"], lists) if snaps.num_rows else {},
        notes=notes,
    )
