"""Each measure option that takes one of a few named values, declared once with its default:
the measure queries check it (measures.base.choice), claim files are checked against it
(claims.checks) and the CLI's options show it. Light to import (no pandas, Arrow or Ibis), so
the CLI's help reads it without loading the measures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """An option's allowed values and its default (one of them)."""

    default: str
    values: tuple[str, ...]

    @property
    def help(self) -> str:
        """The values as the CLI's help lists them: `full | fractional`."""
        return " | ".join(self.values)


# ---------------------------------------------------------------- papers (measures.papers)
PAPER_METHOD = Choice("full", ("full", "country-fractional", "author-fractional", "first-author"))
PAPER_REGIONS = Choice("recovered", ("source", "recovered"))
PAPER_BY = Choice("venue-year", ("venue-year", "year", "venue", "all"))
PAPER_ALIGNMENT = Choice("strict", ("strict", "realigned"))
PAPER_UNIT = Choice("country", ("country", "institution"))
# The sources that load works (papers): each source module's SOURCE name.
PAPER_SOURCE = Choice(
    "paperlists", ("paperlists", "paperlists_affonly", "openreview_authors", "openalex")
)
PAPER_UNKNOWN = Choice("drop", ("drop", "count"))
# Which countries to count: the source's, those inferred from affiliation text (the resolver),
# or the source's where a row has one and the inferred one elsewhere.
PAPER_COUNTRIES = Choice("source", ("source", "inferred", "inferred-where-missing"))
# Which records count (measures.paper_status): the source's accepted papers, or every record.
PAPER_STATUS = Choice("accepted", ("accepted", "all"))

# ---------------------------------------------------------------- models (measures.models)
MODEL_SUBSET = Choice("notable", ("notable", "frontier", "open-weights"))
MODEL_METHOD = Choice("full", ("full", "fractional"))
ATTRIBUTIONS = ("source", "hq", "hq-rollup")  # models' and leaderboards' country rules
MODEL_ATTRIBUTION = Choice("source", ATTRIBUTIONS)
MODEL_BY = Choice("country", ("country", "org"))
MODEL_ORGS = Choice("registry", ("raw", "registry", "rollup"))
MODEL_PER = Choice("year", ("year", "all"))

# ---------------------------------------------------------------- leaderboards (measures.boards)
# The models' rules; a board's `source` country falls back to the headquarters where the
# leaderboard states none.
BOARD_ATTRIBUTION = Choice("hq", ATTRIBUTIONS)
BOARD_ORGS = Choice("registry", ("registry", "rollup"))

# ---------------------------------------------------------------- Hub dumps (measures.hub)
HUB_BY = Choice("country", ("country", "org"))
HUB_WEIGHT = Choice("count", ("count", "downloads", "derivatives"))
HUB_ATTRIBUTION = Choice("root", ("uploader", "root"))

# ---------------------------------------------------------------- Hub 2025 additions (hub_added)
ADDED_BY = Choice("country", ("country", "org", "family"))
ADDED_RELATION = Choice("all", ("all", "finetune", "adapter", "quantized", "merge"))
ADDED_PER = Choice("all", ("all", "week"))

# ---------------------------------------------------------------- GitHub rankings (github)
GITHUB_DEFINITION = Choice("registry-models", ("registry-models", "description", "all-ai-repos"))
GITHUB_BY = Choice("country", ("country", "org"))
GITHUB_WEIGHT = Choice("stars", ("repos", "stars", "growth"))
GITHUB_LISTS = Choice("keyword", ("keyword", "language"))
