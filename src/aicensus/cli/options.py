"""Every command-line option, defined once: each command lists the ones it takes. Values are
passed to the library as spelled (`--years 2020-2024`); aicensus.options parses them there."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from aicensus.measures import choices as C

# ---------------------------------------------------------------- loads


def origin(help: str) -> Any:
    """A load command's --from: where to read (`help` names what it takes and the default,
    the source's configured location)."""
    return typer.Option(None, "--from", help=help)


# ---------------------------------------------------------------- output (every measure)
FMT = typer.Option("table", "--format", help="table | csv | json | parquet")
OUT = typer.Option(None, "--output", help="Write to this file.")
CHART = typer.Option(None, "--chart", help="Also draw a chart (.svg, .png or .html).")
ENGINE = typer.Option(
    "duckdb",
    "--engine",
    help="duckdb (default) | spark (master from AICENSUS_SPARK_MASTER or [spark] master in "
    "aicensus.toml)",
)
COUNTRY = typer.Option(
    None,
    "--country",
    help="Only these countries' rows (ISO codes, comma-separated); figures are computed over "
    "all countries.",
)
TOP = typer.Option(15, help="Rows per group (0 = all).")
YEARS = typer.Option(None, help="Years, e.g. 2020-2024 or 2019,2021 (default: all loaded).")

# ---------------------------------------------------------------- papers
VENUES = typer.Option(None, help="Comma-separated venue codes (default: all loaded).")
METHOD = typer.Option(C.PAPER_METHOD.default, help=C.PAPER_METHOD.help)
REGIONS = typer.Option(
    C.PAPER_REGIONS.default,
    help="source (as Paper Copilot folds HK/MO/TW into CN) | "
    "recovered (HK/MO/TW recovered; default)",
)
GROUP = typer.Option(None, help="Country grouping, e.g. 'CN=CN,HK,MO'.")
BY = typer.Option(C.PAPER_BY.default, help=C.PAPER_BY.help)
ALIGN = typer.Option(
    C.PAPER_ALIGNMENT.default, help=f"{C.PAPER_ALIGNMENT.help} (author-level methods)"
)
UNIT = typer.Option(C.PAPER_UNIT.default, help=C.PAPER_UNIT.help)
PAPER_SOURCE = typer.Option(
    C.PAPER_SOURCE.default, "--source", help=f"Which loaded paper source: {C.PAPER_SOURCE.help}."
)
DEFINITION = typer.Option(
    None,
    "--field-definition",
    help="What counts as AI: openalex-subfields | oecd-concepts | ai-venues (default: no filter).",
)
UNKNOWN = typer.Option(
    C.PAPER_UNKNOWN.default,
    help=f"{C.PAPER_UNKNOWN.help} (author-level methods: authors without a country count as "
    "'unknown', as OpenAlex SOURCE.md counts)",
)
STATUS = typer.Option(
    C.PAPER_STATUS.default,
    "--status",
    help="accepted (default: a venue's accepted papers; rejected, withdrawn and workshop-track "
    "records left out, see README) | all (every record loaded)",
)
COUNTRIES = typer.Option(
    C.PAPER_COUNTRIES.default,
    "--countries",
    help="Countries (and institutions) counted: source | inferred (from affiliation text) | "
    "inferred-where-missing",
)

# ---------------------------------------------------------------- models
MODEL_SOURCE = typer.Option("epoch", "--source", help="Which loaded model source to measure.")
SUBSET = typer.Option(C.MODEL_SUBSET.default, help=C.MODEL_SUBSET.help)
MODEL_METHOD = typer.Option(C.MODEL_METHOD.default, "--method", help=C.MODEL_METHOD.help)
MODEL_BY = typer.Option(C.MODEL_BY.default, help=C.MODEL_BY.help)
MODEL_ATTR = typer.Option(
    C.MODEL_ATTRIBUTION.default,
    "--attribution",
    help="source (country Epoch states) | hq (registry HQ) | hq-rollup (root's HQ)",
)
ORGS = typer.Option(
    C.MODEL_ORGS.default, help="raw (source strings) | registry | rollup (root parents)"
)
# Leaderboard entries are always matched through the registry: no `raw`.
BOARD_ORGS = typer.Option(C.BOARD_ORGS.default, "--orgs", help="registry | rollup (root parents)")
PER = typer.Option(C.MODEL_PER.default, help=C.MODEL_PER.help)

# ---------------------------------------------------------------- github
GH_DEFINITION = typer.Option(
    C.GITHUB_DEFINITION.default,
    "--definition",
    help="What a model repository is: registry-models | description | all-ai-repos",
)
GH_BY = typer.Option(C.GITHUB_BY.default, help=C.GITHUB_BY.help)
GH_WEIGHT = typer.Option(
    C.GITHUB_WEIGHT.default, help=f"{C.GITHUB_WEIGHT.help} (between --start and --end)"
)
GH_DATE = typer.Option(None, "--date", help="Snapshot day YYYY-MM-DD (default: the latest).")
GH_START = typer.Option(None, help="Growth period start YYYY-MM-DD (default: first day).")
GH_END = typer.Option(None, help="Growth period end YYYY-MM-DD (default: latest day).")
GH_LISTS = typer.Option(
    C.GITHUB_LISTS.default, "--lists", help="keyword (AI keyword lists) | language"
)
GITHUB_ONLINE = typer.Option(
    False,
    "--online",
    help="Also read the upstream daily files after the bundled copy's newest day (kept beside "
    "the warehouse; a later run fetches only newer days).",
)

# ---------------------------------------------------------------- Paper Copilot online
PAPERLISTS_ONLINE = typer.Option(
    False,
    "--online",
    help="Read every venue-year list from upstream (the raw URL pattern; default: every known "
    "venue, 2013 to next year): all into paperlists, those with affiliation text but no "
    "countries also through the resolver. Unchanged files are neither downloaded nor parsed.",
)
AFFONLY_ONLINE = typer.Option(
    False,
    "--online",
    help="Read the upstream lists and load those with affiliation text but no country fields "
    "(countries inferred). Unchanged files are neither downloaded nor parsed.",
)
OPENREVIEW_ONLINE = typer.Option(
    False,
    "--online",
    help="Read papercopilot/openreview's author files and the paperlists upstream's lists of "
    "the same venue-years, joined as the bundled copies are. Unchanged files are skipped.",
)

# ---------------------------------------------------------------- leaderboards
BOARD = typer.Option("text", help="text | text-to-video | image-to-video | text-lab-flagships")
ARENA_ONLINE = typer.Option(
    False,
    "--online",
    help="Read the upstream repositories the bundled copies came from (only files not yet "
    "loaded), and today's Artificial Analysis video boards when ARTIFICIAL_ANALYSIS_API_KEY "
    "is set.",
)
PRESET = typer.Option(None, help="Only these presets (sources), comma-separated.")
SINCE = typer.Option(None, help="First snapshot date (YYYY-MM-DD).")
UNTIL = typer.Option(None, help="Last snapshot date (YYYY-MM-DD).")
BOARD_TOP = typer.Option(10, "--top", help="k for top-k figures.")
BOARD_ATTR = typer.Option(
    C.BOARD_ATTRIBUTION.default,
    "--attribution",
    help="source (leaderboard's country, else HQ) | hq (registry HQ) | hq-rollup",
)
CURRENT = typer.Option(False, "--current-only", help="Rank only current entries.")

# ---------------------------------------------------------------- Hub
HUB_BY = typer.Option(C.HUB_BY.default, "--by", help=C.HUB_BY.help)
WEIGHT = typer.Option(C.HUB_WEIGHT.default, help=C.HUB_WEIGHT.help)
HUB_ATTR = typer.Option(
    C.HUB_ATTRIBUTION.default,
    "--attribution",
    help="root (root family's organization) | uploader (own namespace)",
)
SNAPSHOT = typer.Option(None, help="Snapshot date YYYY-MM-DD (default: the latest loaded).")
HUB_SOURCE = typer.Option(
    None,
    "--source",
    help="hf_models_api | hf_models_table | hub_pull | hub_top_downloads | hub_top_trending "
    "(default: any).",
)
# 2025 additions (hf_added_models_2025)
ADDED_BY = typer.Option(C.ADDED_BY.default, "--by", help="country | org | family (root family)")
ADDED_PER = typer.Option(C.ADDED_PER.default, help=C.ADDED_PER.help)
ADDED_RELATION = typer.Option(C.ADDED_RELATION.default, help=C.ADDED_RELATION.help)
EXCLUDE_TOP = typer.Option(
    0, "--exclude-top", help="Leave out the k uploaders with the most derivatives (0 = none)."
)
EXCLUDE_PARENTS = typer.Option(
    None,
    "--exclude-parents",
    help="Leave out derivatives whose first parent is in these namespaces, e.g. Gensyn.",
)


# ---------------------------------------------------------------- OpenAlex API filters
OA_YEARS = typer.Option(None, "--years", help="Publication years, e.g. 2015-2024.")
OA_SUBFIELDS = typer.Option(None, help="Primary-topic subfield ids, e.g. 1702,1707.")
OA_FIELDS = typer.Option(None, help="Primary-topic field ids, e.g. 17.")
OA_TOPICS = typer.Option(None, help="Primary-topic ids, e.g. T10036.")
OA_INST_C = typer.Option(None, "--institution-countries", help="institutions.country_code values.")
OA_AUTH_C = typer.Option(None, "--countries", help="authorships.countries values, e.g. CN,US.")
OA_TYPES = typer.Option(None, help="Work types, e.g. article,preprint.")
OA_SOURCES = typer.Option(None, "--sources", help="OpenAlex source ids (venues), e.g. S4306420609.")
OA_RAW = typer.Option(None, "--filter", help="A raw OpenAlex filter expression appended as is.")
OA_BASE = typer.Option(None, "--base-url", help="API base URL (env OPENALEX_BASE_URL).")
OA_RATE = typer.Option(None, "--rate-limit", help="Requests per second (default 10).")
OA_CONC = typer.Option(None, "--concurrency", help="Streams fetched at once (default 4).")
OA_BUDGET = typer.Option(None, "--max-requests", help="Request allowance for this run.")
OA_DEFINITION = typer.Option(
    "openalex-subfields",
    "--definition",
    help="What counts as AI, as an API filter: openalex-subfields | oecd-concepts.",
)
OA_SAMPLE = typer.Option(
    None, "--sample", help="Also draw this many random works per year (<= 10,000): fractional."
)
OA_SEED = typer.Option(None, "--seed", help="Seed of the random sample (needed with --sample).")


# ---------------------------------------------------------------- option sets
# Typer reads a command's options from its signature; `takes` appends a set's options to it, so
# a set of options shared by several commands is written once (Typer has no such grouping).
Spec = dict[str, tuple[Any, Any]]  # parameter name -> (type, typer.Option)

FORMAT: Spec = {"fmt": (str, FMT), "output": (Path, OUT)}  # a table the library makes
OUTPUT: Spec = {"engine": (str, ENGINE), **FORMAT}  # a measure's result: also where it runs
MODEL_QUERY: Spec = {
    "source": (str, MODEL_SOURCE),
    "years": (str, YEARS),
    "subset": (str, SUBSET),
    "attribution": (str, MODEL_ATTR),
    "per": (str, PER),
    "country": (str, COUNTRY),
}
BOARD_QUERY: Spec = {
    "board": (str, BOARD),
    "preset": (str, PRESET),
    "since": (str, SINCE),
    "until": (str, UNTIL),
    "attribution": (str, BOARD_ATTR),
    "current": (bool, CURRENT),
}
PAPER_FILTERS: Spec = {
    "venues": (str, VENUES),
    "years": (str, YEARS),
    "regions": (str, REGIONS),
    "group": (str, GROUP),
    "by": (str, BY),
    "source": (str, PAPER_SOURCE),
    "definition": (str, DEFINITION),
    "status": (str, STATUS),
}
HUB_QUERY: Spec = {
    "weight": (str, WEIGHT),
    "attribution": (str, HUB_ATTR),
    "source": (str, HUB_SOURCE),
}
OPENALEX_API: Spec = {  # how to reach the API (aicensus.api.openalex's api_options)
    "base_url": (str, OA_BASE),
    "rate_limit": (float, OA_RATE),
    "concurrency": (int, OA_CONC),
    "max_requests": (int, OA_BUDGET),
}
OPENALEX_FILTER: Spec = {  # names as aicensus.api.openalex.FILTER_OPTIONS
    "years": (str, OA_YEARS),
    "subfields": (str, OA_SUBFIELDS),
    "fields": (str, OA_FIELDS),
    "topics": (str, OA_TOPICS),
    "institution_countries": (str, OA_INST_C),
    "countries": (str, OA_AUTH_C),
    "types": (str, OA_TYPES),
    "sources": (str, OA_SOURCES),
    "raw": (str, OA_RAW),
}
HUB_SNAPSHOT: Spec = {"snapshot": (str, SNAPSHOT)}  # not for `hub change` (two snapshots)
GITHUB_QUERY: Spec = {
    "definition": (str, GH_DEFINITION),
    "day": (str, GH_DATE),
    "lists": (str, GH_LISTS),
}
GITHUB_PERIOD: Spec = {"weight": (str, GH_WEIGHT), "start": (str, GH_START), "end": (str, GH_END)}
ADDED_QUERY: Spec = {
    "relation": (str, ADDED_RELATION),
    "exclude_top": (int, EXCLUDE_TOP),
    "exclude_parents": (str, EXCLUDE_PARENTS),
}


def takes(
    *sets: Spec, first: Spec | None = None
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Add the options of `sets` to a command, after its own (`first`: before them, after the
    context); the command receives them in `**options`."""

    def wrap(fn: Callable[..., None]) -> Callable[..., None]:
        sig = inspect.signature(fn, eval_str=True)
        own = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
        names = {p.name for p in own}

        def params(specs: tuple[Spec, ...], kind: Any) -> list[inspect.Parameter]:
            return [
                inspect.Parameter(name, kind, default=opt, annotation=typ)
                for spec in specs
                for name, (typ, opt) in spec.items()
                if name not in names
            ]

        lead = params((first,) if first else (), inspect.Parameter.POSITIONAL_OR_KEYWORD)
        added = params(sets, inspect.Parameter.KEYWORD_ONLY)
        at = next((i for i, p in enumerate(own) if p.default is not p.empty), len(own))

        @functools.wraps(fn)
        def command(*args: Any, **kwargs: Any) -> None:
            fn(*args, **kwargs)

        parameters = [*own[:at], *lead, *own[at:], *added]
        command.__signature__ = sig.replace(parameters=parameters)  # type: ignore[attr-defined]
        return command

    return wrap
