"""OpenAlex through the library: API pulls (resumable), group_by counts and snapshot loads,
each writing through the warehouse's load transaction (`wh.openalex.fetch(years="2023-2024",
subfields="1702")`). Filter options are given as spelled on the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aicensus.errors import AicensusError
from aicensus.options import parse_list, parse_years

if TYPE_CHECKING:
    from aicensus.api import Warehouse
    from aicensus.ingest.openalex_pull import PullState
    from aicensus.sources.openalex.api import WorkFilter

FILTER_OPTIONS = (
    "years",
    "subfields",
    "fields",
    "topics",
    "institution_countries",
    "countries",
    "types",
    "sources",
    "raw",
)


def work_filter(split: bool = True, **options: Any) -> WorkFilter:
    """An OpenAlex works filter from option strings (years "2015-2024", lists "1702,1707")."""
    from aicensus.sources.openalex import api

    unknown = set(options) - set(FILTER_OPTIONS)
    if unknown:
        raise AicensusError(
            f"unknown OpenAlex filter option(s): {', '.join(sorted(unknown))} "
            f"(valid: {', '.join(FILTER_OPTIONS)})"
        )
    ys = parse_years(options.get("years"))
    upper = lambda name: tuple(c.upper() for c in parse_list(options.get(name), name))  # noqa: E731
    return api.WorkFilter(
        years=(ys[0], ys[-1]) if ys else None,
        subfields=parse_list(options.get("subfields"), "subfields"),
        fields=parse_list(options.get("fields"), "fields"),
        topics=parse_list(options.get("topics"), "topics"),
        institution_countries=upper("institution_countries"),
        authorship_countries=upper("countries"),
        types=parse_list(options.get("types"), "types"),
        source_ids=parse_list(options.get("sources"), "sources"),
        extra=options.get("raw"),
        split_years=split,
    )


class OpenAlex:
    """`wh.openalex`: pull works from the API, group_by counts, snapshot partitions."""

    def __init__(self, warehouse: Warehouse) -> None:
        self._wh = warehouse

    def fetch(
        self,
        tag: str = "",
        institutions: bool = True,
        api_options: dict[str, Any] | None = None,
        on_plan: Callable[[PullState], bool] | None = None,
        progress: Callable[[PullState], None] | None = None,
        **filters: Any,
    ) -> tuple[PullState, dict[str, int]]:
        """Pull the works matching `filters` (resumable: the same call continues a stopped
        pull; `tag` starts a fresh one). `on_plan(state)` sees the plan and may return False to
        stop before any page is fetched. Returns the pull state and request figures
        (requests, retries, institutions fetched). `api_options`: base_url, rate_limit,
        concurrency, max_requests (None = from the environment)."""
        from aicensus.ingest import openalex_pull as pull
        from aicensus.sources.openalex import api

        cfg = api.load_config(**(api_options or {}))
        flt = work_filter(**filters)
        client = api.Client(cfg)
        n_inst = 0
        try:
            with self._wh.writing() as con:
                state = pull.plan(con, client, flt, tag=tag)
                if on_plan is not None and on_plan(state) is False:
                    return state, {"requests": client.requests, "retries": 0, "institutions": 0}
                state = pull.run(con, client, state, progress=progress)
                if institutions and not state.stopped:
                    n_inst = pull.fetch_institutions(con, client, pull.missing_institutions(con))
        finally:
            client.close()
        figures = {"requests": client.requests, "retries": client.retries, "institutions": n_inst}
        return state, figures

    def group_by(self, by: str = "authorships.countries", base_url: str | None = None,
                 **filters: Any) -> Any:  # fmt: skip
        """Counts per group (full counting) of the works matching `filters`, one request,
        stored with provenance; returns the stored rows (`.tables["group_by_counts"]`)."""
        from aicensus.ingest import openalex_pull as pull
        from aicensus.sources.openalex import api

        exprs = work_filter(split=False, **filters).expressions()
        if len(exprs) != 1:
            raise AicensusError("group-by takes at most 100 values per list (one request)")
        client = api.Client(api.load_config(base_url=base_url))
        try:
            with self._wh.writing() as con:
                return pull.fetch_group_by(con, client, exprs[0], by)
        finally:
            client.close()

    def country_counts(
        self,
        definition: str = "openalex-subfields",
        years: object = None,
        sample: int | None = None,
        seed: int | None = None,
        base_url: str | None = None,
        refresh: bool = False,
        fetch: bool = True,
    ) -> Any:
        """Country counts of AI works per publication year under a "what counts as AI"
        definition: full counting from one `group_by=authorships.countries` request per
        definition-year, and with `sample`/`seed` the author-fractional share on that stated
        random sample with its interval. Fetches (and stores) only what is missing, unless
        `fetch=False` (then measures what is stored) or `refresh`. Returns a DataFrame with
        `.attrs["meta"]` (definition, filter, years, sample, sources)."""
        from aicensus.api.families import frame
        from aicensus.ingest import openalex_counts as oc
        from aicensus.measures import ai_definitions
        from aicensus.measures import openalex as om
        from aicensus.sources.openalex import api

        flt = ai_definitions.api_filter(definition)
        ys = list(parse_years(years))
        if not ys:
            raise AicensusError("openalex counts needs --years, e.g. 2020-2024")
        if sample is not None and seed is None:
            raise AicensusError("--sample needs --seed (a sample is stated by its size and seed)")
        if fetch:
            client = api.Client(api.load_config(base_url=base_url))
            try:
                with self._wh.writing() as con:
                    oc.fetch_counts(con, client, definition, flt, ys, refresh=refresh)
                    if sample is not None and seed is not None:
                        for y in ys:
                            if refresh or not oc.stored_sample(con, definition, y, sample, seed):
                                oc.fetch_sample(con, client, definition, flt, y, sample, seed)
            finally:
                client.close()
        with self._wh.reading() as con:
            return frame(om.country_counts(con, definition, ys, sample=sample, seed=seed))

    def snapshot(
        self,
        root: str,
        entities: object = "works",
        full: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Any:
        """Load the snapshot partitions under `root` not loaded yet, then merged ids."""
        from aicensus.ingest import openalex as ing

        with self._wh.writing() as con:
            return ing.load_snapshot(
                con, root, tuple(parse_list(entities, "entities")), full=full, progress=progress
            )

    def snapshot_spark(self, root: str, out: str, entities: object = "works",
                       full: bool = False) -> Any:  # fmt: skip
        """Ingest snapshot partitions on Spark into Parquet under `out` (incremental)."""
        from aicensus.engines.spark import session
        from aicensus.ingest.spark import ingest_snapshot

        spark = session(self._wh.settings.spark)
        return ingest_snapshot(spark, root, out, tuple(parse_list(entities, "entities")), full=full)
