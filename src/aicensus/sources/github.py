"""GitHub star rankings (../shared/data/github_rankings/SOURCE.md) -> repository snapshots.

Two list families, one location each:
- `keyword`: the daily top-100 of a GitHub search per AI keyword (`daily_top100_by_keyword.csv`,
  with `repos.csv` beside it for descriptions and languages);
- `language`: the monthly top-100 per language plus `top-100-stars` / `top-100-forks`
  (`monthly_top100_by_language.csv`; the folder's single last-day file repeats its last date and
  is not read).

Rules: a repository is `owner/repo`, compared case-insensitively as GitHub does (names listed
in two spellings are one repository, shown in its latest spelling); it is one row per list
family and day however many lists name it, keeping which lists, its best rank and the highest
star and fork counts of the day (lists are fetched at different times of a day). Rows without a
date, an `owner/repo` name or integer counts are quarantined. DuckDB reads the CSVs (no per-row
Python); the parse runs in a private in-memory DuckDB, never the warehouse.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from aicensus.errors import SourceError
from aicensus.sources.fetch import is_url
from aicensus.warehouse import LocationRows
from aicensus.warehouse.tables import QUARANTINE, RAW_LIMIT

SOURCE = "github"
PARSER_VERSION = "github.1"
KEYWORD_FILE = "daily_top100_by_keyword.csv.gz"
REPOS_FILE = "repos.csv.gz"
LANGUAGE_FILE = "monthly_top100_by_language.csv.gz"
# The date the keyword lists grew from 2 keywords to 15 (SOURCE.md, quirks): a trend across
# it is an artefact of coverage.
COVERAGE_CHANGE = date(2025, 3, 4)

# Columns each file must have (its own names) -> what the snapshot rows are built from.
KEYWORD_COLUMNS = ("date", "topic", "rank", "full_name", "stars", "forks")
LANGUAGE_COLUMNS = ("date", "rank", "item", "repo_name", "stars", "forks", "username")

SNAPSHOTS_SCHEMA = pa.schema(
    [
        ("lists", pa.string()),
        ("date", pa.date32()),
        ("repo_key", pa.string()),
        ("full_name", pa.string()),
        ("owner", pa.string()),
        ("repo", pa.string()),
        ("rank", pa.int32()),
        ("stars", pa.int64()),
        ("forks", pa.int64()),
        ("n_lists", pa.int32()),
        ("list_names", pa.list_(pa.string())),
    ]
)
LIST_DAYS_SCHEMA = pa.schema(
    [
        ("lists", pa.string()),
        ("date", pa.date32()),
        ("list", pa.string()),
        ("n_rows", pa.int32()),
    ]
)
REPOS_SCHEMA = pa.schema(
    [
        ("lists", pa.string()),
        ("repo_key", pa.string()),
        ("full_name", pa.string()),
        ("owner", pa.string()),
        ("repo", pa.string()),
        ("language", pa.string()),
        ("description", pa.string()),
        ("first_seen", pa.date32()),
        ("last_seen", pa.date32()),
        ("spellings", pa.int32()),
    ]
)


def files_of(location: str) -> tuple[str, Path, Path | None]:
    """(list family, the rankings file, the repos file or None) of a folder or file location."""
    if is_url(location):
        raise SourceError(f"{location}: github rankings are read from a local file or folder")
    p = Path(location)
    if p.is_dir():
        for name in (KEYWORD_FILE, LANGUAGE_FILE):
            if (p / name).is_file():
                p = p / name
                break
        else:
            raise SourceError(f"{location}: no {KEYWORD_FILE} or {LANGUAGE_FILE} in the folder")
    if not p.is_file():
        raise SourceError(f"{location}: no such file")
    family = "language" if "language" in p.name else "keyword"
    repos = p.parent / REPOS_FILE if family == "keyword" else None
    return family, p, repos if repos is not None and repos.is_file() else None


def _hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _columns(con: duckdb.DuckDBPyConnection, path: Path, needed: tuple[str, ...]) -> None:
    try:
        cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM raw").fetchall()]
    except duckdb.Error as exc:
        raise SourceError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in needed if c not in cols]
    if missing:
        raise SourceError(f"{path}: missing column(s) {', '.join(missing)}")


# The raw rows as text, numbered; each family's columns mapped to one shape.
_SHAPE = {
    "keyword": "topic AS list, full_name AS name",
    "language": "item AS list, coalesce(username, '') || '/' || coalesce(repo_name, '') AS name",
}
_CHECKED = """
CREATE TEMP TABLE checked AS
SELECT record_no, raw_text, list, trim(name) AS name,
       try_cast(date AS DATE) AS d, try_cast(rank AS INTEGER) AS rank,
       try_cast(stars AS BIGINT) AS stars, try_cast(forks AS BIGINT) AS forks,
       CASE
         WHEN try_cast(date AS DATE) IS NULL THEN 'date missing or not YYYY-MM-DD'
         WHEN list IS NULL OR trim(list) = '' THEN 'no list (topic/item)'
         WHEN NOT regexp_full_match(trim(name), '[^/\\s]+/[^/\\s]+') THEN 'name is not owner/repo'
         WHEN try_cast(rank AS INTEGER) IS NULL THEN 'rank not an integer'
         WHEN try_cast(stars AS BIGINT) IS NULL OR try_cast(stars AS BIGINT) < 0
           THEN 'stars not a non-negative integer'
         WHEN forks IS NOT NULL AND try_cast(forks AS BIGINT) IS NULL THEN 'forks not an integer'
       END AS problem
FROM (SELECT *, {shape} FROM raw_numbered)
"""
_SNAPSHOTS = """
SELECT ? AS lists, d AS date, lower(name) AS repo_key, min(name) AS full_name,
       split_part(min(name), '/', 1) AS owner, split_part(min(name), '/', 2) AS repo,
       min(rank)::INTEGER AS rank, max(stars) AS stars, max(forks) AS forks,
       count(DISTINCT list)::INTEGER AS n_lists, list(DISTINCT list ORDER BY list) AS list_names
FROM checked WHERE problem IS NULL GROUP BY d, lower(name) ORDER BY date, repo_key
"""
_LIST_DAYS = """
SELECT ? AS lists, d AS date, list, count(*)::INTEGER AS n_rows
FROM checked WHERE problem IS NULL GROUP BY ALL ORDER BY date, list
"""


def _repos_sql(family: str, has_repos_file: bool) -> str:
    """One row per repository: its latest spelling, language and description, first and last
    day listed, and how many spellings were merged."""
    seen = (
        "SELECT lower(name) AS repo_key, arg_max(name, d) AS full_name, min(d) AS first_seen, "
        "max(d) AS last_seen, count(DISTINCT name)::INTEGER AS spellings "
        "FROM checked WHERE problem IS NULL GROUP BY 1"
    )
    if family == "language":
        extra = (
            "SELECT lower(coalesce(username, '') || '/' || coalesce(repo_name, '')) AS repo_key, "
            "arg_max(language, try_cast(date AS DATE)) AS language, "
            "arg_max(description, try_cast(date AS DATE)) AS description FROM raw GROUP BY 1"
        )
    elif has_repos_file:
        extra = (
            "SELECT lower(full_name) AS repo_key, arg_max(language, last_seen) AS language, "
            "arg_max(description, last_seen) AS description FROM repos_file GROUP BY 1"
        )
    else:
        extra = "SELECT NULL::VARCHAR AS repo_key, NULL AS language, NULL AS description"
    return (
        f"SELECT ? AS lists, s.repo_key, s.full_name, split_part(s.full_name, '/', 1) AS owner, "
        f"split_part(s.full_name, '/', 2) AS repo, e.language, e.description, s.first_seen, "
        f"s.last_seen, s.spellings FROM ({seen}) s LEFT JOIN ({extra}) e USING (repo_key) "
        f"ORDER BY s.repo_key"
    )


# The upstream daily files (`Data/github-ranking-YYYY-MM-DD.csv`, both repositories) mapped onto
# each family's bundled columns: the date from the file name, the list from `item`.
_DAILY_DATE = r"regexp_extract(filename, '(\d{4}-\d{2}-\d{2})\.csv$', 1)"
_DAILY_NAME = (
    "coalesce(nullif(regexp_extract(repo_url, 'github[.]com/([^/]+/[^/?#]+)', 1), ''), "
    "username || '/' || repo_name)"
)
_DAILY = {
    "keyword": (
        f"SELECT {_DAILY_DATE} AS date, item AS topic, rank, {_DAILY_NAME} AS full_name, "
        "stars, forks, issues FROM daily"
    ),
    "language": f"SELECT {_DAILY_DATE} AS date, * EXCLUDE (filename) FROM daily",
}
_DAILY_REPOS = (
    f"SELECT {_DAILY_NAME} AS full_name, language, description, "
    f"try_cast({_DAILY_DATE} AS DATE) AS last_seen FROM daily"
)


def _add_daily(con: duckdb.DuckDBPyConnection, family: str, daily: list[Path]) -> None:
    """Append upstream daily files to the raw rows (and, for keyword lists, their language and
    description as of the file's date to the repos rows)."""
    try:
        con.execute(
            "CREATE TEMP TABLE daily AS SELECT * FROM read_csv(?, header = true, "
            "all_varchar = true, filename = true, union_by_name = true)",
            [[str(p) for p in daily]],
        )
        con.execute(f"INSERT INTO raw BY NAME {_DAILY[family]}")
    except duckdb.Error as exc:
        why = str(exc).splitlines()[0]
        raise SourceError(f"{daily[0].parent}: daily files not readable ({why})") from None


def parse(location: str, daily: list[Path] | None = None) -> LocationRows:
    """Parse one list family's file (or folder), plus upstream daily files fetched online
    (`daily`, same list family), into github_snapshots, github_list_days, github_repos and
    quarantine rows; notes summarise dates, lists and rows."""
    family, path, repos_path = files_of(location)
    daily = sorted(daily or [])
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        try:
            con.execute(
                "CREATE TEMP TABLE raw AS SELECT * FROM read_csv(?, header = true, "
                "all_varchar = true)",
                [str(path)],
            )
        except duckdb.Error as exc:
            raise SourceError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
        _columns(con, path, KEYWORD_COLUMNS if family == "keyword" else LANGUAGE_COLUMNS)
        if daily:
            _add_daily(con, family, daily)
        con.execute(
            "CREATE TEMP TABLE raw_numbered AS SELECT row_number() OVER () AS record_no, "
            "to_json(raw)::VARCHAR AS raw_text, * FROM raw"
        )
        con.execute(_CHECKED.format(shape=_SHAPE[family]))
        if repos_path is not None:
            con.execute(
                "CREATE TEMP TABLE repos_file AS SELECT full_name, language, description, "
                "try_cast(last_seen AS DATE) AS last_seen "
                "FROM read_csv(?, header = true, all_varchar = true)",
                [str(repos_path)],
            )
        if family == "keyword" and daily:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE repos_file AS "
                + ("SELECT * FROM repos_file UNION ALL " if repos_path else "")
                + _DAILY_REPOS
            )
        snaps = con.sql(_SNAPSHOTS, params=[family]).to_arrow_table().cast(SNAPSHOTS_SCHEMA)
        days = con.sql(_LIST_DAYS, params=[family]).to_arrow_table().cast(LIST_DAYS_SCHEMA)
        repos = (
            con.sql(_repos_sql(family, repos_path is not None or bool(daily)), params=[family])
            .to_arrow_table()
            .cast(REPOS_SCHEMA)
        )
        quarantine = (
            con.sql(
                "SELECT ? AS source, ? AS location, name AS record_id, "
                "record_no::INTEGER AS record_no, problem AS reason, "
                f"left(raw_text, {RAW_LIMIT}) AS raw FROM checked WHERE problem IS NOT NULL "
                "ORDER BY record_no",
                params=[SOURCE, str(path)],
            )
            .to_arrow_table()
            .cast(QUARANTINE)
        )
        notes = _notes(con, family)
    finally:
        con.close()
    hashed = [path] + ([repos_path] if repos_path else []) + daily
    if daily:
        notes["upstream daily files"] = len(daily)
    return LocationRows(
        key=family,
        location=f"{path} + {len(daily)} daily files in {daily[0].parent}" if daily else str(path),
        content_hash=_hash(hashed),
        retrieved_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        tables={
            "github_snapshots": snaps,
            "github_list_days": days,
            "github_repos": repos,
            "quarantine": quarantine,
        },
        notes=notes,
    )


def _notes(con: duckdb.DuckDBPyConnection, family: str) -> dict[str, int]:
    """Counts for the load summary (rows, dates, lists, repositories, merged duplicates)."""
    row = con.execute(
        "SELECT count(*), count(*) FILTER (problem IS NULL), count(DISTINCT d), "
        "count(DISTINCT list), count(DISTINCT name) FILTER (problem IS NULL), "
        "count(DISTINCT lower(name)) FILTER (problem IS NULL), "
        "count(*) FILTER (problem IS NULL) - count(DISTINCT (d, list, lower(name))) "
        "FILTER (problem IS NULL) FROM checked"
    ).fetchone()
    assert row is not None
    rows, good, dates, lists, names, repos, repeats = row
    return {
        "records": int(rows),
        "rows": int(good),
        "dates": int(dates),
        "lists": int(lists),
        "repositories": int(repos),
        "names differing only in case (merged)": int(names - repos),
        "repeated listings in one list and day (counted once)": int(repeats),
        "quarantined": int(rows - good),
    }
