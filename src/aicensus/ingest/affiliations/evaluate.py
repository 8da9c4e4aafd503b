"""Accuracy of the resolver against Paper Copilot's own countries.

For every paperlists file with country indexes: hide the indexes, infer each author's countries
from the raw `aff` text and email domain, and compare with the source countries. Pairs learned
from paperlists exclude the evaluated file (`holdout='file'`) or its whole venue
(`holdout='venue'`), so no file is scored with its own ground truth.

Paper level: the paper's inferred country set (union over authors) against the source set, on
papers whose source set is non-empty; coverage = papers with a non-empty inferred set / those
papers; agreement = identical sets / covered papers. Author level: the same per author of aligned
papers. Frame `source` folds inferred HK/MO/TW into CN as upstream does; frame `recovered`
compares with the warehouse's HK/MO/TW-recovered countries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from aicensus.errors import AicensusError
from aicensus.geo.affiliations.learned import pairs_from_tables
from aicensus.geo.affiliations.resolver import Resolver
from aicensus.sources import paperlists as pl

HOLDOUTS = ("file", "venue")
FRAMES = ("source", "recovered")
_FOLD = {"HK": "CN", "MO": "CN", "TW": "CN"}


@dataclass
class Tally:
    known: int = 0
    covered: int = 0
    agree: int = 0

    def add(self, truth: frozenset, inferred: frozenset) -> bool | None:
        if not truth:
            return None
        self.known += 1
        if not inferred:
            return None
        self.covered += 1
        ok = truth == inferred
        self.agree += ok
        return ok


@dataclass
class Evaluation:
    """Per-venue and overall tallies, the most frequent disagreements and the rules used."""

    holdout: str
    tallies: dict[tuple[str, str, str], Tally] = field(default_factory=dict)  # frame, level, venue
    confusion: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rules: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)

    def tally(self, frame: str, level: str, venue: str) -> Tally:
        return self.tallies.setdefault((frame, level, venue), Tally())

    def table(self) -> pd.DataFrame:
        rows = []
        for (frame, level, venue), t in self.tallies.items():
            rows.append(
                {
                    "frame": frame,
                    "level": level,
                    "venue": venue,
                    "known": t.known,
                    "covered": t.covered,
                    "agree": t.agree,
                    "coverage": t.covered / t.known if t.known else None,
                    "agreement": t.agree / t.covered if t.covered else None,
                }
            )
        df = pd.DataFrame(rows)
        df["_all"] = df["venue"] == "all"
        df = df.sort_values(["frame", "level", "_all", "venue"]).drop(columns="_all")
        return df.reset_index(drop=True)

    def overall(self, frame: str = "source", level: str = "paper") -> Tally:
        return self.tallies.get((frame, level, "all"), Tally())

    def confusion_table(self, frame: str = "source", top: int = 20) -> pd.DataFrame:
        rows = [
            {"frame": frame, "source": s, "inferred": i, "papers": n}
            for (s, i), n in self.confusion[frame].most_common(top)
        ]
        return pd.DataFrame(rows, columns=["frame", "source", "inferred", "papers"])


def _fmt(s: frozenset) -> str:
    return "+".join(sorted(s)) or "(none)"


def evaluate(
    location: str,
    resolver_factory: Callable[[list], Resolver],
    holdout: str = "file",
    venues: list[str] | None = None,
) -> Evaluation:
    """Evaluate on the paperlists files at `location` that carry country indexes.

    `resolver_factory(learned_pairs)` builds the resolver once; each file is then resolved by a
    view holding out its own pairs (or its venue's).
    """
    if holdout not in HOLDOUTS:
        raise ValueError(f"holdout must be one of {HOLDOUTS}")
    files, _ = pl.discover(location)
    parsed = []
    learned: Counter = Counter()
    for vy, rows in zip(files, pl.read_all(files), strict=True):
        if not any(rows.tables["works"].column("has_country_table").to_pylist()):
            continue
        parsed.append((vy, rows))
        learned.update(pairs_from_tables(rows.tables, vy.key))
    scored = sorted({vy.venue for vy, _ in parsed})
    if venues and not set(venues) & set(scored):
        raise AicensusError(
            f"{location}: no file of {', '.join(venues)} has author countries to score against "
            f"(venues with them: {', '.join(scored) or 'none'})"
        )
    resolver = resolver_factory(list(learned.items()))
    by_venue: dict[str, list[str]] = defaultdict(list)
    for vy, _ in parsed:
        by_venue[vy.venue].append(vy.key)
    ev = Evaluation(holdout)
    for vy, rows in parsed:
        if venues and vy.venue not in venues:
            continue
        ev.files.append(vy.key)
        groups = {vy.key} if holdout == "file" else set(by_venue[vy.venue])
        _score(ev, vy, rows.tables, resolver.holding_out(groups))
    return ev


def _score(ev: Evaluation, vy: pl.VenueYear, tables: dict, r: Resolver) -> None:
    works = tables["works"].select(["work_id", "aligned", "has_country_table"]).to_pydict()
    aligned = dict(zip(works["work_id"], works["aligned"], strict=True))
    truth: dict[str, dict[str, set]] = {f: defaultdict(set) for f in FRAMES}
    truth_author: dict[str, dict[tuple[str, int], set]] = {f: defaultdict(set) for f in FRAMES}
    aff = (
        tables["affiliations"]
        .select(["work_id", "author_position", "country_source", "country"])
        .to_pydict()
    )
    for wid, pos, src, rec in zip(*aff.values(), strict=True):
        for frame, c in (("source", src), ("recovered", rec)):
            if c:
                truth[frame][wid].add(c)
                if pos is not None:
                    truth_author[frame][(wid, pos)].add(c)
    inferred: dict[str, set] = defaultdict(set)
    inferred_author: dict[tuple[str, int], set] = {}
    au = tables["authorships"].select(["work_id", "position", "raw_affiliation", "email_domain"])
    for wid, pos, raw, email in zip(*au.to_pydict().values(), strict=True):
        got: set[str] = set()
        for res in r.resolve_author(raw, email):
            ev.rules[res.rule.split(":")[0]] += 1
            got.update(res.countries)
        inferred[wid] |= got
        inferred_author[(wid, pos)] = got
    for frame in FRAMES:
        fold = _FOLD if frame == "source" else {}
        for wid in aligned:
            t = frozenset(truth[frame].get(wid, ()))
            i = frozenset(fold.get(c, c) for c in inferred.get(wid, ()))
            for venue in (vy.venue, "all"):
                ok = ev.tally(frame, "paper", venue).add(t, i)
            if ok is False:
                ev.confusion[frame][(_fmt(t), _fmt(i))] += 1
        for (wid, pos), truth_set in truth_author[frame].items():
            if not aligned.get(wid):
                continue
            i = frozenset(fold.get(c, c) for c in inferred_author.get((wid, pos), ()))
            for venue in (vy.venue, "all"):
                ev.tally(frame, "author", venue).add(frozenset(truth_set), i)
