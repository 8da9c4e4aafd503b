"""The measure families of the Python API (`wh.papers`, `wh.models`, `wh.board`, `wh.hub`):
keyword arguments spelled as on the command line, results as DataFrames carrying their metadata
in `.attrs["meta"]` (method, filters, coverage, sources with content hashes, data dates)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import pandas as pd

from aicensus.errors import AicensusError
from aicensus.measures.base import MeasureResult, Query
from aicensus.options import parse_date, parse_list

if TYPE_CHECKING:
    from aicensus.api import Warehouse


def frame(result: MeasureResult) -> pd.DataFrame:
    """A measure result as a DataFrame: the table, with `.attrs` measure and meta."""
    df = result.table.copy()
    df.attrs["measure"] = result.name
    df.attrs["meta"] = result.meta
    return df


def result_of(df: pd.DataFrame) -> MeasureResult:
    """Back from a DataFrame made by `frame` (for output writers that take a result)."""
    return MeasureResult(df.attrs.get("measure", "result"), df, df.attrs.get("meta", {}))


class Family:
    """One family of measures over one query type; subclasses name the measures."""

    query: type[Query]

    def __init__(self, warehouse: Warehouse) -> None:
        self._wh = warehouse

    def _query(self, options: dict[str, Any]) -> Query:
        names = {f.name for f in fields(self.query) if not f.name.startswith("_")}  # type: ignore[arg-type]
        unknown = sorted(set(options) - names)
        if unknown:
            raise AicensusError(
                f"unknown option {unknown[0]!r} for {self.query.__name__} "
                f"(choose from {', '.join(sorted(names))})"
            )
        return self.query(**options)

    def _run(
        self, fn: Callable[..., MeasureResult], options: dict[str, Any], **extra: Any
    ) -> pd.DataFrame:
        engine = options.pop("engine", None)
        q = self._query(options)
        with self._wh.reading() as con:
            return frame(fn(con, q, **extra, engine=self._wh.engine(engine)))


class Papers(Family):
    """Paper geography: `share`, `compare_methods`, `collaboration`, `coauthorship`,
    `citations` (options as `papers.PaperQuery`: venues, years, method, regions, by, ...)."""

    def __init__(self, warehouse: Warehouse) -> None:
        from aicensus.measures import papers

        super().__init__(warehouse)
        self._m = papers
        self.query = papers.PaperQuery

    def share(self, top: int | None = None, **options: Any) -> pd.DataFrame:
        """Share of papers by country (or institution) per group."""
        return self._run(self._m.share, options, top=top or None)

    def compare_methods(self, units: object = "CN,US", **options: Any) -> pd.DataFrame:
        """Each unit's (country's) share under all four counting methods, side by side."""
        codes = [c.upper() for c in parse_list(units, "units")]
        if not codes:
            raise AicensusError("units: give at least one ISO code, e.g. CN")
        return self._run(self._m.compare_methods, options, units=codes)

    def collaboration(self, **options: Any) -> pd.DataFrame:
        """International collaboration: papers with two or more countries."""
        return self._run(self._m.collaboration, options)

    def coauthorship(self, pair: object = None, **options: Any) -> pd.DataFrame:
        """Papers co-authored by two countries (`pair="CN,US"`), or every pair."""
        codes = [c.upper() for c in parse_list(pair, "pair")]
        if codes and len(codes) != 2:
            raise AicensusError(f"pair: expected two country codes, got {len(codes)}")
        a, b = (codes[0], codes[1]) if codes else (None, None)
        return self._run(self._m.coauthorship, options, a=a, b=b)

    def citations(self, **options: Any) -> pd.DataFrame:
        """Citations of each country's papers (OpenAlex counts)."""
        return self._run(self._m.citations, options)

    def impact(self, **options: Any) -> pd.DataFrame:
        """Citation rates by country (PP(top 10%), mean citations) with bootstrap intervals."""
        return self._run(self._m.impact, options)


class Models(Family):
    """Epoch AI notable models: `count`, `organizations`, `compute`, `concentration`
    (options as `models.ModelQuery`: years, subset, method, attribution, by, orgs, ...)."""

    def __init__(self, warehouse: Warehouse) -> None:
        from aicensus.measures import models

        super().__init__(warehouse)
        self._m = models
        self.query = models.ModelQuery

    def count(self, top: int | None = None, **options: Any) -> pd.DataFrame:
        """Models per country or organization (full or fractional counting)."""
        return self._run(self._m.count, options, top=top or None)

    def organizations(self, **options: Any) -> pd.DataFrame:
        """Distinct organizations with models, per country."""
        return self._run(self._m.organizations, options)

    def compute(self, **options: Any) -> pd.DataFrame:
        """Training compute by country (models over compute thresholds)."""
        return self._run(self._m.compute, options)

    def concentration(self, **options: Any) -> pd.DataFrame:
        """Concentration of a country's models across organizations (HHI, top share)."""
        return self._run(self._m.concentration, options)


class Board(Family):
    """Arena leaderboards: `entries`, `standing`, `gap`, `concentration` (options as
    `boards.BoardQuery`: board, presets, start, end, top, attribution, orgs, ...)."""

    def __init__(self, warehouse: Warehouse) -> None:
        from aicensus.measures import boards

        super().__init__(warehouse)
        self._m = boards
        self.query = boards.BoardQuery

    def entries(self, snapshot_date: object = None, **options: Any) -> pd.DataFrame:
        """The ranked entries of the selected snapshots (top k of each)."""
        return self._run(self._m.entries, options, snapshot_date=parse_date(snapshot_date))

    def standing(self, **options: Any) -> pd.DataFrame:
        """Each country's best entry per snapshot."""
        return self._run(self._m.standing, options)

    def gap(self, a: str = "US", b: str = "CN", **options: Any) -> pd.DataFrame:
        """Best model of country `a` minus best of `b` per snapshot, with an interval."""
        return self._run(self._m.gap, options, a=a, b=b)

    def concentration(self, **options: Any) -> pd.DataFrame:
        """Concentration of the top entries across organizations."""
        return self._run(self._m.concentration, options)


class HubAdded(Family):
    """New derivatives on the Hub in 2025: `derivatives`, `uploaders` (options as
    `hub_added.AddedQuery`: by, relation, per, exclude_top, exclude_parents)."""

    def __init__(self, warehouse: Warehouse) -> None:
        from aicensus.measures import hub_added

        super().__init__(warehouse)
        self._m = hub_added
        self.query = hub_added.AddedQuery

    def derivatives(self, **options: Any) -> pd.DataFrame:
        """New derivatives by root country, organization or family, per week or in total."""
        return self._run(self._m.derivatives, options)

    def uploaders(self, top: int = 20, **options: Any) -> pd.DataFrame:
        """The uploaders with the most new derivatives."""
        return self._run(self._m.uploaders, options, top=top)


class Hub(Family):
    """Hugging Face Hub: `share`, `families`, `concentration`, `change` (options as
    `hub.HubQuery`: by, weight, attribution, snapshot, source)."""

    def __init__(self, warehouse: Warehouse) -> None:
        from aicensus.measures import hub

        super().__init__(warehouse)
        self._m = hub
        self.query = hub.HubQuery

    def share(self, **options: Any) -> pd.DataFrame:
        """Share of models (or downloads, derivatives) by country or organization."""
        return self._run(self._m.share, options)

    def families(self, top: int | None = 20, **options: Any) -> pd.DataFrame:
        """The largest model families (lineage roots)."""
        return self._run(self._m.top_families, options, top=top)

    def concentration(self, **options: Any) -> pd.DataFrame:
        """Concentration of Hub models across organizations."""
        return self._run(self._m.concentration, options)

    def top_snapshot(
        self,
        top: int = 1000,
        sort: str = "downloads",
        endpoint: str | None = None,
        max_parents: int = 500,
        refresh: bool = False,
        progress: Callable[[str, int], None] | None = None,
    ) -> Any:
        """Today's top-`top` models by `sort` (downloads | trending) from the Hub, stored as a
        dated snapshot (source hub_top_<sort>) with lineage, after fetching the parents the
        snapshot lacks (at most `max_parents`). Endpoint: the argument, else HF_ENDPOINT, else
        AICENSUS_HUB_UPSTREAM / `[sources] hub_upstream`, else https://huggingface.co."""
        import os

        from aicensus.ingest import hub_top
        from aicensus.ingest.hub_pull import DEFAULT_ENDPOINT

        ep = (
            endpoint
            or os.environ.get("HF_ENDPOINT")
            or self._wh.settings.upstream("hub", DEFAULT_ENDPOINT)
        )
        with self._wh.writing() as con:
            return hub_top.snapshot(
                con, ep, top, sort, max_parents=max_parents, refresh=refresh, progress=progress
            )

    def snapshots(self) -> pd.DataFrame:
        """The loaded Hub snapshots (source, date, models, complete)."""
        with self._wh.reading() as con:
            return self._m.snapshots(con)

    def change(self, from_snapshot: str, to_snapshot: str, **options: Any) -> pd.DataFrame:
        """Share per unit in two snapshots and the change in percentage points."""
        return self._run(
            self._m.change, options, from_snapshot=from_snapshot, to_snapshot=to_snapshot
        )


class Github(Family):
    """GitHub star rankings: `share`, `top`, `trend` (options as `github.GithubQuery`:
    definition, by, weight, date, start, end, lists)."""

    def __init__(self, warehouse: Warehouse) -> None:
        from aicensus.measures import github

        super().__init__(warehouse)
        self._m = github
        self.query = github.GithubQuery

    def share(self, **options: Any) -> pd.DataFrame:
        """Repositories, stars or star growth by country or organization under a definition."""
        return self._run(self._m.share, options)

    def top(self, k: int = 10, **options: Any) -> pd.DataFrame:
        """The k most-starred repositories of a definition on a date, with their countries."""
        return self._run(self._m.top, options, k=k)

    def trend(self, countries: object = "CN,US", per_country: int = 3, **options: Any):
        """Stars over time of each country's top repositories (era marks the list change)."""
        codes = tuple(c.upper() for c in parse_list(countries, "countries"))
        return self._run(self._m.trend, options, countries=codes, per_country=per_country)
