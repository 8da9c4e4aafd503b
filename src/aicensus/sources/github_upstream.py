"""Where the GitHub ranking lists live upstream (../shared/data/github_rankings/SOURCE.md): one
CSV per day, `Data/github-ranking-YYYY-MM-DD.csv`, in two repositories, read from raw URLs.

The repositories' `Data/` folders hold more files than GitHub's contents API lists (1,000), so
the daily files are found by date: a day without a file answers 404. Keyword lists are read for
every day after the newest day held; language lists (as the bundled copy) for the first file of
every month after the newest day held, plus the newest file.
"""

from __future__ import annotations

from datetime import date, timedelta

from aicensus.sources.fetch import Fetched, NotFound
from aicensus.sources.upstream import Http

REPOS = {"keyword": "yuxiaopeng/Github-Ranking-AI", "language": "EvanLi/Github-Ranking"}
MAX_GAP = 40  # days probed back from today for the newest language file


def file_name(day: date) -> str:
    return f"github-ranking-{day.isoformat()}.csv"


def daily_url(raw: str, family: str, day: date) -> str:
    return f"{raw}/{REPOS[family]}/HEAD/Data/{file_name(day)}"


def get_day(http: Http, raw: str, family: str, day: date) -> Fetched | None:
    """The file of one day, or None when the upstream has none (HTTP 404)."""
    try:
        return http.get(daily_url(raw, family, day))
    except NotFound:
        return None


def new_days(http: Http, raw: str, family: str, after: date, today: date) -> list[Fetched]:
    """The daily files after `after` up to `today` that the family's rule selects."""
    if family == "keyword":
        days = [after + timedelta(n) for n in range(1, (today - after).days + 1)]
        return [f for f in (get_day(http, raw, family, d) for d in days) if f is not None]
    out: list[Fetched] = []
    month = date(after.year, after.month, 1)
    while True:
        month = (month + timedelta(32)).replace(day=1)
        if month > today:
            break
        day = month
        while day.month == month.month and day <= today:  # the month's first file
            got = get_day(http, raw, family, day)
            if got is not None:
                out.append(got)
                break
            day += timedelta(1)
    newest = max([after] + [_day_of(f) for f in out])
    day = today
    while day > newest and (today - day).days <= MAX_GAP:  # the newest file
        got = get_day(http, raw, family, day)
        if got is not None:
            out.append(got)
            break
        day -= timedelta(1)
    return out


def _day_of(f: Fetched) -> date:
    return day_of(f.location)


def day_of(name: str) -> date:
    """The day of a daily file, from its name or URL."""
    return date.fromisoformat(name.rsplit("github-ranking-", 1)[1][:10])
