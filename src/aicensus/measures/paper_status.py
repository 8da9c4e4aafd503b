"""Which papers count: a venue's papers are its accepted papers (one status rule per source).

Paper Copilot files (`paperlists`, `paperlists_affonly`) list every OpenReview submission for
some venue-years, with its decision in `status`. Measured on the bundled files, the statuses
that are not an accepted conference paper are:

- `Reject`, `Desk Reject`: rejected (ICLR 2013/2017/2018/2021, NeurIPS 2021, EMNLP 2023);
- `Withdraw`: withdrawn by the authors (ICLR 2018, ICLR 2021);
- `Active`: still under review when upstream copied it, no decision (ICLR 2018);
- `Workshop`, `Oral Workshop`, `Poster Workshop`: the workshop track (ICLR 2013; ICLR 2017/2018's
  "invite to workshop track", given to papers the conference did not accept).

Every other status is an accepted paper (`Poster`, `Oral`, `Spotlight`, `Highlight`, `Long`,
`Short`, `Findings`, `Long Main`, `Technical Paper`, ...), and so is an empty or absent status
(KDD 2023/2024, a few records elsewhere): upstream lists a venue's proceedings there. Statuses
match case-insensitively after trimming. OpenAlex works are published works: all count.

The rule is a definition (like measures.ai_definitions), applied by the paper measures at query
time (`PaperQuery.status`), so `--status all` reproduces the figures of every record loaded.
"""

from __future__ import annotations

import ibis

# Per source: the statuses (lower case) that are not an accepted paper of the venue.
NOT_ACCEPTED: dict[str, tuple[str, ...]] = {
    "paperlists": (
        "reject",
        "desk reject",
        "withdraw",
        "active",
        "workshop",
        "oral workshop",
        "poster workshop",
    ),
    "openalex": (),  # published works: every work counts
}
NOT_ACCEPTED["paperlists_affonly"] = NOT_ACCEPTED["paperlists"]  # the same upstream format


def not_accepted(source: str) -> tuple[str, ...]:
    """The statuses of `source` that do not count as accepted papers (lower case)."""
    return NOT_ACCEPTED.get(source, ())


def is_accepted(source: str, status: str | None) -> bool:
    """True when a record of `source` with this status is an accepted paper."""
    return status is None or status.strip().lower() not in not_accepted(source)


def accepted(status: ibis.Value, source: str) -> ibis.Value:
    """Boolean Ibis expression: the works whose `status` counts as accepted under `source`'s
    rule (NULL status counts)."""
    excluded = not_accepted(source)
    if not excluded:
        return ibis.literal(True)
    return status.isnull() | ~status.strip().lower().isin(list(excluded))


def describe(source: str, status: str) -> str:
    """The rule as recorded in a result's meta."""
    if status == "all":
        return "all: every record loaded, whatever its status"
    excluded = not_accepted(source)
    if not excluded:
        return "accepted: every work (published works)"
    return "accepted: every status except " + ", ".join(excluded) + " (case-insensitive)"
