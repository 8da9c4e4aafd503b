"""The public Python interface: `aicensus.open(db)` returns a `Warehouse` that loads sources,
runs the main job, computes measures (`wh.papers.share(years="2023-2024", method=
"author-fractional")`), checks claim files and writes the report. The CLI is this, plus options
and printing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from aicensus.api import loading
from aicensus.api.families import Board, Github, Hub, HubAdded, Models, Papers
from aicensus.api.openalex import OpenAlex
from aicensus.config import Settings, load_settings
from aicensus.engines import Engine, get_engine
from aicensus.errors import AicensusError, SourceError

__all__ = ["Warehouse", "open"]


def open(db: str | Path | None = None, data: str | Path | None = None) -> Warehouse:
    """The warehouse at `db` (default: AICENSUS_DB, aicensus.toml, else aicensus.duckdb), with
    source data read from `data` (default: AICENSUS_DATA, aicensus.toml, else ../shared/data)."""
    return Warehouse(load_settings(db=db, data_root=data))


class Warehouse:
    """One warehouse file and the settings it is used with. Each call opens the file for as
    long as it needs it (read-only for measures), so other processes may read it meanwhile;
    `check` and `report` then store the measure results they computed in a brief write."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.papers = Papers(self)
        self.models = Models(self)
        self.board = Board(self)
        self.hub = Hub(self)
        self.openalex = OpenAlex(self)
        self.github = Github(self)
        self.hub_added = HubAdded(self)

    def __repr__(self) -> str:
        return f"aicensus.Warehouse({str(self.settings.db)!r})"

    @property
    def path(self) -> Path:
        return self.settings.db

    # ------------------------------------------------------------------ connections

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection for the duration of a block."""
        from aicensus.warehouse import open_readonly

        con = open_readonly(self.settings.db)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection (created and migrated if needed) for the duration of a block."""
        from aicensus.warehouse import connect

        con = connect(self.settings.db)
        try:
            yield con
        finally:
            con.close()

    def engine(self, name: str | Engine | None = None) -> Engine:
        """The execution engine called `name` ('duckdb', the default, or 'spark')."""
        if name is None or isinstance(name, str):
            return get_engine(name, self.settings.spark)
        return name

    # ------------------------------------------------------------------ jobs

    def load(self, source: str, location: str | list[str] | None = None, **options: Any) -> Any:
        """Load one source (paperlists, paperlists-affonly, openreview, epoch, arena, hub,
        hub-added, openalex, github) from `location` (default: the configured data); returns
        the load summary.
        Options: online, venues, years, preset, snapshot, institutions, progress."""
        with self.writing() as con:
            return loading.load(con, self.settings, source, location, **options)

    def compare_affiliations(self) -> Any:
        """Agreement of the countries inferred from two affiliation sources (paperlists_affonly
        and openreview_authors) on the papers both hold, per venue-year, differences by reason."""
        from aicensus.measures import openreview

        with self.reading() as con:
            return openreview.compare(con)

    def evaluate_resolver(
        self, holdout: str = "file", venues: object = None, save: bool = False, reuse: bool = False
    ):
        """Score the affiliation resolver against Paper Copilot's own countries (and store the
        figures quoted beside every inferred-country result when `save`). With `reuse` (the
        main job), an evaluation stored for the same inputs is returned instead (tallies and
        files; no confusion or rule counts)."""
        inputs = loading.evaluation_inputs(self.settings, holdout, venues)
        if reuse and inputs and Path(self.settings.db).is_file():
            with self.reading() as con:
                kept = loading.stored_evaluation(con, holdout, inputs)
            if kept is not None:
                return kept
        ev, location = loading.evaluate_resolver(self.settings, holdout, venues)
        if save:
            with self.writing() as con:
                loading.save_evaluation(con, ev, location, inputs)
        return ev

    def run(
        self,
        output: str | Path | None = None,
        online: bool = False,
        claims: str | Path | None = None,
        on_step: Any = None,
        only: object = None,
    ) -> Path:
        """The main job: load every source (bundled copies, or `online` from upstream where
        the source has an online path), measure the resolver, check the claims and write the
        report; returns its path. `only` ("hub,arena") loads those steps alone. Online, a
        source that cannot be reached keeps its previous rows and the run goes on: `on_step`
        receives a `Skipped` for it. `on_step(name, summary)` is called after each step."""
        from aicensus.options import parse_list

        steps = loading.run_steps(self, online)
        wanted = parse_list(only, "only")
        unknown = sorted(set(wanted) - {name for name, _ in steps})
        if unknown:
            raise AicensusError(
                f"--only: unknown step {unknown[0]!r} (choose from "
                f"{', '.join(name for name, _ in steps)})"
            )
        for name, step in steps:
            if wanted and name not in wanted:
                continue
            try:
                summary = step()
            except SourceError as exc:
                if not online:
                    raise
                summary = loading.Skipped(name, str(exc))
            if on_step:
                on_step(name, summary)
        return self.report(output, claims)

    def check(self, path: str | Path, explain: str | None = None) -> list:
        """The verdict on every claim of a claim file (or only claim `explain`)."""
        from aicensus.claims import files, verdicts
        from aicensus.errors import AicensusError
        from aicensus.measures import cache

        claims = files.load(path)
        if explain:
            claims = [c for c in claims if c.id == explain]
            if not claims:
                raise AicensusError(f"{path}: no claim with id {explain!r}")
        with self.reading() as con, cache.session(con):
            results = verdicts.check(con, claims, self.settings.stale_after_days)
        self.save_measures()
        return results

    def scorecard(self, path: str | Path) -> Any:
        """The claim file's front page (claims.headline.Scorecard): every claim checked, its
        headline sentence, and the scorecard rows."""
        from aicensus.claims import headline
        from aicensus.measures import cache

        with self.reading() as con, cache.session(con):
            card = headline.build(con, path, self.settings.stale_after_days)
        self.save_measures()
        return card

    def claims_table(self, path: str | Path, readme: str | Path | None = None) -> str:
        """The README's claims table (Markdown) from the claim file's headline sentences; with
        `readme`, also written into that file between its markers (atomically)."""
        from aicensus.report import readme_table

        table = readme_table.markdown(self.scorecard(path))
        if readme is not None:
            target = Path(readme)
            text = readme_table.replace(target.read_text(encoding="utf-8"), table)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
        return table

    def report(self, output: str | Path | None = None, claims: str | Path | None = None) -> Path:
        """Write the self-contained HTML report; returns its path."""
        from aicensus.measures import cache
        from aicensus.report import html

        path = Path(output) if output else self.settings.report
        with self.reading() as con, cache.session(con):
            written = html.write(
                con,
                path,
                Path(claims) if claims else self.settings.claims,
                self.settings.stale_after_days,
            )
        self.save_measures()
        return written

    def save_measures(self) -> int:
        """Store the measure results computed since the last save (read-only, as measures
        run) in the warehouse's cache, through a brief read-write connection; skipped when
        another process holds the file. Returns the rows written."""
        from aicensus.errors import WarehouseError
        from aicensus.measures import cache

        if not cache.pending() or not Path(self.settings.db).is_file():
            cache.discard()
            return 0
        try:
            with self.writing() as con:
                return cache.save(con)
        except (WarehouseError, duckdb.Error):  # another process holds the file: not cached
            cache.discard()
            return 0

    def status(self) -> pd.DataFrame:
        """One row per source: locations, rows loaded and quarantined, retrieval dates."""
        from aicensus.measures.provenance import source_summary

        with self.reading() as con:
            return source_summary(con)

    def paper_statuses(self, source: str | None = None) -> pd.DataFrame:
        """Records per paper file and status, and whether each status counts as accepted."""
        from aicensus.measures.provenance import paper_statuses

        with self.reading() as con:
            return paper_statuses(con, source)

    def quarantine(self) -> pd.DataFrame:
        """Quarantine reasons with counts and an example record."""
        from aicensus.measures.provenance import quarantine_reasons

        with self.reading() as con:
            return quarantine_reasons(con)
