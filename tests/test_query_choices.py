"""A measure query's choices are declared once, on its fields (measures.base.choice): the query
checks every one of them, and claim files are checked against the same lists."""

from __future__ import annotations

import dataclasses

import pytest

from aicensus.claims import files
from aicensus.claims.files import ClaimFileError
from aicensus.errors import MeasureError
from aicensus.measures import boards, github, hub, hub_added, models, papers
from aicensus.measures.base import Query

QUERIES = [
    papers.PaperQuery,
    models.ModelQuery,
    boards.BoardQuery,
    hub.HubQuery,
    hub_added.AddedQuery,
    github.GithubQuery,
]


def test_choices_are_the_modules_lists():
    assert papers.PaperQuery.choices()["method"] == papers.METHODS
    assert papers.PaperQuery.choices()["status"] == ("accepted", "all")
    assert models.ModelQuery.choices()["subset"] == models.SUBSETS
    assert boards.BoardQuery.choices() == {
        "attribution": ("source", "hq", "hq-rollup"),
        "orgs": ("registry", "rollup"),
    }
    assert hub_added.AddedQuery.choices()["by"] == ("country", "org", "family")


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.__name__)
def test_every_declared_choice_is_checked(query: type[Query]):
    """Each field with choices: its default passes, any other value is refused naming the
    field and its choices."""
    choices = query.choices()
    assert choices, query
    query().checked()  # type: ignore[attr-defined]
    for name, allowed in choices.items():
        with pytest.raises(MeasureError) as exc:
            query(**{name: "bogus"}).checked()  # type: ignore[attr-defined]
        assert str(exc.value) == f"unknown {name} 'bogus' (choose from {', '.join(allowed)})"


def test_of_takes_fields_defaults_and_overrides():
    q = hub.HubQuery.of({"weight": "downloads", "denominator": "known"}, by="org")
    assert (q.weight, q.by, q.attribution) == ("downloads", "org", "root")
    m = models.ModelQuery.of({"years": "2023-2024", "method": "fractional"})
    assert m.years == (2023, 2024) and m.method == "fractional" and m.subset == "notable"


CLAIM = """\
claims:
  - id: c
    claim: x
    tests:
      - measure: {measure}
        filters: {{{filters}}}
        subject: {subject}
        condition: share > 0.1
"""


@pytest.mark.parametrize(
    ("measure", "filters", "subject"),
    [
        ("hub.added", "by: family", "{org: qwen}"),  # AddedQuery's `by`, not HubQuery's
        ("github.share", "weight: growth, denominator: known", "CN"),
        ("papers.share", "status: all", "CN"),
    ],
)
def test_claim_filters_accept_the_querys_choices(measure, filters, subject):
    files.loads(CLAIM.format(measure=measure, filters=filters, subject=subject), "ok.yaml")


@pytest.mark.parametrize(
    ("measure", "filters", "problem"),
    [
        ("hub.added", "relation: forks", "unknown relation 'forks' (choose from all, finetune"),
        ("github.share", "weight: forks", "unknown weight 'forks' (choose from repos, stars"),
        ("github.share", "denominator: some", "unknown denominator 'some' (choose from all"),
        ("papers.share", "status: rejected", "unknown status 'rejected' (choose from accepted"),
    ],
)
def test_claim_filters_refuse_other_values_at_read(measure, filters, problem):
    text = CLAIM.format(measure=measure, filters=filters, subject="CN")
    with pytest.raises(ClaimFileError) as exc:
        files.loads(text, "bad.yaml")
    assert str(exc.value).startswith("bad.yaml:6: ") and problem in str(exc.value)


def _option_cases() -> list[tuple[str, type[Query], str]]:
    """(option in cli.options, query, field) for every CLI option of a query's choice."""
    return [
        ("METHOD", papers.PaperQuery, "method"),
        ("REGIONS", papers.PaperQuery, "regions"),
        ("BY", papers.PaperQuery, "by"),
        ("ALIGN", papers.PaperQuery, "alignment"),
        ("UNIT", papers.PaperQuery, "unit"),
        ("PAPER_SOURCE", papers.PaperQuery, "source"),
        ("UNKNOWN", papers.PaperQuery, "unknown"),
        ("STATUS", papers.PaperQuery, "status"),
        ("COUNTRIES", papers.PaperQuery, "countries"),
        ("SUBSET", models.ModelQuery, "subset"),
        ("MODEL_METHOD", models.ModelQuery, "method"),
        ("MODEL_BY", models.ModelQuery, "by"),
        ("MODEL_ATTR", models.ModelQuery, "attribution"),
        ("ORGS", models.ModelQuery, "orgs"),
        ("PER", models.ModelQuery, "per"),
        ("BOARD_ATTR", boards.BoardQuery, "attribution"),
        ("BOARD_ORGS", boards.BoardQuery, "orgs"),
        ("HUB_BY", hub.HubQuery, "by"),
        ("WEIGHT", hub.HubQuery, "weight"),
        ("HUB_ATTR", hub.HubQuery, "attribution"),
        ("ADDED_BY", hub_added.AddedQuery, "by"),
        ("ADDED_PER", hub_added.AddedQuery, "per"),
        ("ADDED_RELATION", hub_added.AddedQuery, "relation"),
        ("GH_DEFINITION", github.GithubQuery, "definition"),
        ("GH_BY", github.GithubQuery, "by"),
        ("GH_WEIGHT", github.GithubQuery, "weight"),
        ("GH_LISTS", github.GithubQuery, "lists"),
    ]


@pytest.mark.parametrize(("option", "query", "name"), _option_cases())
def test_cli_options_show_the_querys_choices(option: str, query: type[Query], name: str):
    """The CLI's default is the query's, and its help names every value the query takes."""
    from aicensus.cli import options

    opt = getattr(options, option)
    default = {f.name: f.default for f in dataclasses.fields(query)}[name]  # type: ignore[arg-type]
    assert opt.default == default
    assert all(v in opt.help for v in query.choices()[name]), opt.help


def test_board_orgs_help_offers_only_what_boards_take():
    """Board commands' --orgs lists registry and rollup only (it listed the models' `raw`,
    which a leaderboard query refuses)."""
    from aicensus.cli import options

    assert "raw" not in options.BOARD_ORGS.help
    assert "raw" not in boards.BoardQuery.choices()["orgs"]
