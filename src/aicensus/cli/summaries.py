"""What a load did, printed: one printer per source's summary (`aicensus load ...`, `openalex`
and `hub snapshot` commands, and each step of `aicensus run` through print_load)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aicensus.cli.common import console

# A location whose content, parser and registry version are all loaded already is not rewritten.
UNCHANGED = "unchanged (same content, parser and registry)"


def _written(summary: Any) -> str:
    """'N written, M unchanged': the files (or venue-years, locations) of a load."""
    return f"{len(summary.written)} written, {len(summary.unchanged)} unchanged"


def _location(header: str, x: Any, held: str, db: str) -> None:
    """A one-location load: written or unchanged, then what it held and quarantined."""
    console.print(f"{header}: {x.location}: {'written' if x.written else UNCHANGED}")
    console.print(f"  {held}, {x.quarantined:,} quarantined  →  {db}")


def _notes(notes: dict[str, int]) -> None:
    """A load's notes (what was fixed up or set aside, with counts), one dim line each."""
    for note, count in sorted(notes.items()):
        console.print(f"  [dim]{note}: {count:,}[/dim]")


def print_openreview(summary: Any, db: str) -> None:
    console.print(
        f"openreview_authors: {summary.files} venue-year(s): {_written(summary)}; "
        f"{summary.papers:,} accepted papers, {summary.author_records:,} author records, "
        f"{summary.quarantined:,} quarantined  →  {db}"
    )
    _notes(summary.notes)
    print_online(summary)


def print_online(summary: Any) -> None:
    """What an online Paper Copilot load fetched (nothing for a bundled load)."""
    o = getattr(summary, "online", None)
    if o is None:
        return
    console.print(
        f"  online: {o.requests} request(s) ({o.retries} retried) to {o.upstream}: "
        f"{len(o.downloaded)} file(s) downloaded, {len(o.not_modified)} unchanged upstream "
        f"(not downloaded), {len(o.same_content)} downloaded with the content already loaded "
        "(not parsed)"
    )
    if o.classes:
        shown = ", ".join(f"{n} {c}" for c, n in sorted(o.classes.items()))
        console.print(f"  lists downloaded by class: {shown}")


def print_summary(summary: Any, db: str, name: str = "paperlists") -> None:
    """What a paperlists (or affiliation-only) load did, and what an online load fetched."""
    console.print(
        f"{name}: {summary.files} file(s): {_written(summary)}, "
        f"{len(summary.not_found)} not found upstream"
    )
    console.print(
        f"  {summary.records:,} records: {summary.loaded:,} papers loaded, "
        f"{summary.quarantined:,} quarantined  →  {db}"
    )
    for note in summary.discover_notes:
        console.print(f"  [yellow]{note}[/yellow]")
    _notes(summary.notes)
    affonly = getattr(summary, "affonly", None)
    if affonly is not None:
        console.print(
            f"  paperlists_affonly (lists with affiliation text, no countries; inferred): "
            f"{_written(affonly)}, {affonly.loaded:,} papers loaded, "
            f"{affonly.quarantined:,} quarantined"
        )
    print_online(summary)


def print_statuses(statuses: Any, summary: Any) -> None:
    """Records per status in the files just loaded (written or unchanged): counted statuses in
    one line, each status not counted with the files holding it."""
    keys = set(summary.written) | set(summary.unchanged)
    df = statuses[statuses["file"].isin(keys)]
    if df.empty:
        return
    counted = df[df["counted"]].groupby("status")["records"].sum().sort_values(ascending=False)
    shown = "; ".join(f"{s or '(none)'} {n:,}" for s, n in counted.items())
    console.print(f"  counted as accepted: {int(counted.sum()):,} records ({shown})")
    for status, rows in df[~df["counted"]].groupby("status"):
        files = ", ".join(f"{f} {n:,}" for f, n in zip(rows["file"], rows["records"], strict=True))
        total = int(rows["records"].sum())
        console.print(f"  [yellow]not counted ({status}): {total:,} — {files}[/yellow]")


def print_epoch_summary(summary: Any, db: str) -> None:
    held = f"{summary.records:,} records: {summary.loaded:,} models loaded"
    _location("epoch", summary, held, db)
    _notes(summary.notes)


def print_arena_summary(summary: Any, db: str) -> None:
    console.print(f"arena: {summary.files} file(s): {_written(summary)}")
    console.print(
        f"  {summary.snapshots:,} snapshots, {summary.entries:,} entries, "
        f"{summary.quarantined:,} quarantined  →  {db}"
    )
    _notes(summary.notes)
    if hasattr(summary, "fetched"):  # an online load
        console.print(
            f"  online: {len(summary.fetched)} file(s) fetched, {summary.already} already "
            f"loaded, {summary.requests} request(s) ({summary.retries} retried) from "
            f"{', '.join(summary.upstreams)}"
        )
        for group, newest in sorted(summary.newest.items()):
            console.print(f"  newest snapshot fetched: {group}: {newest}")


def print_hub_summaries(summaries: list, db: str) -> None:
    for x in summaries:
        _location("hub", x, f"{x.source} snapshot {x.snapshot}: {x.models:,} models", db)
        _notes(x.notes)


def print_hub_added(x: Any, db: str) -> None:
    held = f"{x.listings:,} listings: {x.models:,} models (a repeated id counts at its first week)"
    _location("hub-added", x, held, db)
    _notes(x.notes)


def print_resolver(ev: Any, db: str) -> None:
    overall = ev.overall()
    agree = overall.agree / overall.covered if overall.covered else 0.0
    cover = overall.covered / overall.known if overall.known else 0.0
    console.print(
        f"resolver: paper-level agreement {100 * agree:.2f}% at coverage {100 * cover:.2f}% "
        f"(leave-one-{ev.holdout}-out, {len(ev.files)} files)  →  {db}"
    )


def print_openalex(summary: Any, db: str) -> None:
    console.print(
        f"openalex: {summary.locations} location(s): {_written(summary)}, "
        f"{len(summary.skipped)} already loaded; {summary.records:,} records, "
        f"{summary.loaded:,} works loaded, {summary.quarantined:,} quarantined  →  {db}"
    )
    _notes(summary.notes)


def print_github_summaries(summaries: list, db: str) -> None:
    for x in summaries:
        held = f"{x.first_date} .. {x.last_date}: {x.snapshot_rows:,} repository-days"
        _location(f"github {x.lists} lists", x, held, db)
        for period, names in x.list_names.items():
            console.print(f"  {period}: {len(names)} list(s): {', '.join(names)}")
        if x.coverage_change:
            console.print(f"  [yellow]{x.coverage_change}[/yellow]")
        if hasattr(x, "fetched"):  # an online load
            console.print(
                f"  online: {len(x.fetched)} new daily file(s) from {x.upstream} "
                f"({x.requests} request(s)); {x.daily_files} daily file(s) after the bundled "
                f"copy; newest day {x.newest_day}"
            )
        _notes(x.notes)


def print_hub_top(s: Any, db: str = "") -> None:
    """What a Hub top-N snapshot fetched (listing, parents looked up, left)."""
    listed = "listed" if s.listed else "already stored"
    console.print(
        f"hub snapshot {s.source} {s.snapshot} ({listed}): {s.models:,} models; "
        f"{s.parents_fetched:,} parent(s) looked up this run, {s.parents_missing:,} unknown to "
        f"the Hub, {s.parents_left:,} left (over --max-parents)"
    )


def print_openalex_counts(frames: list, db: str = "") -> None:
    """One line per definition: the years counted and the works they hold (full counting)."""
    from aicensus.options import format_years

    for df in frames:
        m = df.attrs.get("meta", {})
        works = sum((m.get("works_per_year") or {}).values())
        console.print(
            f"openalex counts {(m.get('definition') or {}).get('name')}: "
            f"{format_years(tuple(m.get('years') or ()))}, {works:,} works (full counting)  →  {db}"
        )


def print_load(source: str, summary: Any, db: str) -> None:
    """Print what one load (or the resolver evaluation) of the main job did."""
    printers: dict[str, Callable[[Any, str], None]] = {
        "paperlists": print_summary,
        "paperlists-affonly": functools.partial(print_summary, name="paperlists-affonly"),
        "openreview": print_openreview,
        "epoch": print_epoch_summary,
        "arena": print_arena_summary,
        "hub": print_hub_summaries,
        "hub-added": print_hub_added,
        "resolver": print_resolver,
        "openalex": print_openalex,
        "github": print_github_summaries,
        "hub-top": print_hub_top,
        "openalex-counts": print_openalex_counts,
    }
    printers[source](summary, db)
