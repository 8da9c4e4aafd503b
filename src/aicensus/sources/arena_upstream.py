"""Where the bundled leaderboard copies came from, and how to list and fetch them online
(../shared/data/arena_text_history/SOURCE.md, ../shared/data/arena_video/SOURCE.md).

- Text arena: four GitHub repositories. fboulnois/llm-leaderboard-csv rewrites one file per
  leaderboard version, so every commit of `csv/lmsys.csv` / `csv/lmarena_text.csv` is one
  snapshot: the commits come from the GitHub commits API (`?path=`, paged by `Link`), the version
  date from the commit message ("... to version YYYY.MM.DD", else the commit date), the bytes
  from the raw URL at that commit, named `<stem>_<version>.csv` as in the bundled folder. The
  other three publish one cumulative file (all snapshots in it): only its newest commit is read.
- Video arena: the oolong-tea-2026/artificial-analysis-leaderboards mirror, one folder per day
  (`data/YYYY-MM-DD/`, listed with the GitHub contents API) with a stated index `_index.json`
  giving each board's model count; non-empty `text-to-video.json` / `image-to-video.json` are read.
- Artificial Analysis API (`/api/v2/data/media/<board>`, header `x-api-key`): today's boards,
  only when a key is configured.

Every file is fetched through `upstream.Http` and read by `arenas.parse` under its bundled name,
so an online file and its bundled copy give the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import quote

import orjson

from aicensus.errors import SourceError
from aicensus.sources.fetch import Fetched
from aicensus.sources.upstream import Http


@dataclass(frozen=True)
class TextFile:
    """One upstream file of the text arena history."""

    repo: str  # owner/name
    path: str  # path in the repository
    every_version: bool  # each commit is one snapshot (else: the newest commit holds them all)

    @property
    def folder(self) -> str:
        """The bundled folder holding its copies (`owner_name`)."""
        return self.repo.replace("/", "_")


TEXT_FILES = (
    TextFile("fboulnois/llm-leaderboard-csv", "csv/lmsys.csv", True),
    TextFile("fboulnois/llm-leaderboard-csv", "csv/lmarena_text.csv", True),
    TextFile("jasontrigg0/chatbot-arena-history", "alltime.csv", False),
    TextFile("kevinschaul/lmarena-leaderboard-history", "history.csv", False),
    TextFile("mayerwin/AI-Arena-History", "data.js", False),
)
VIDEO_REPO = "oolong-tea-2026/artificial-analysis-leaderboards"
VIDEO_FOLDER = VIDEO_REPO.replace("/", "_")
VIDEO_BOARDS = ("text-to-video", "image-to-video")
_VERSION = re.compile(r"version (\d{4})\.(\d{2})\.(\d{2})")


@dataclass(frozen=True)
class Version:
    """One file to fetch: its bundled key, the raw URL (at a commit) and what it is."""

    key: str  # the bundled load key, e.g. fboulnois_llm-leaderboard-csv/lmsys_2024-06-19.csv
    url: str
    repo: str
    commit: str | None = None
    version_date: date | None = None
    immutable: bool = True  # the URL names a commit or a dated file: its bytes never change


def text_versions(http: Http, api: str, raw: str, f: TextFile) -> list[Version]:
    """The versions of one text-arena file to read: every leaderboard version (newest commit per
    version) or the newest commit only."""
    url = f"{api}/repos/{f.repo}/commits?path={quote(f.path)}&per_page=100"
    commits = http.json_pages(url)
    out: dict[str, Version] = {}
    p = PurePosixPath(f.path)
    for c in commits:  # newest first
        try:
            sha = c["sha"]
            message = c["commit"]["message"]
            committed = c["commit"]["committer"]["date"][:10]
        except (KeyError, TypeError):
            raise SourceError(f"{url}: commit without sha, message or date") from None
        m = _VERSION.search(message)
        version = date(*map(int, m.groups())) if m else date.fromisoformat(committed)
        name = f"{p.stem}_{version.isoformat()}{p.suffix}" if f.every_version else p.name
        key = f"{f.folder}/{name}"
        if key not in out:
            out[key] = Version(key, f"{raw}/{f.repo}/{sha}/{f.path}", f.repo, sha, version)
        if not f.every_version:
            break
    return sorted(out.values(), key=lambda v: v.key)


def video_dates(http: Http, api: str) -> list[str]:
    """The day folders of the video mirror (GitHub contents API on `data/`)."""
    url = f"{api}/repos/{VIDEO_REPO}/contents/data"
    entries = http.json_pages(url)
    return sorted(
        e["name"]
        for e in entries
        if isinstance(e, dict) and e.get("type") == "dir" and _is_date(str(e.get("name")))
    )


def video_index_url(raw: str, day: str) -> str:
    return f"{raw}/{VIDEO_REPO}/HEAD/data/{day}/_index.json"


def video_versions(http: Http, raw: str, day: str) -> list[Version]:
    """The non-empty video boards of one day, from its `_index.json` (model_count > 0)."""
    index = http.get(video_index_url(raw, day))
    try:
        endpoints = orjson.loads(index.content)["endpoints"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise SourceError(f"{index.location}: not an index with 'endpoints'") from None
    return [
        Version(
            f"{day}/{board}.json",
            f"{raw}/{VIDEO_REPO}/HEAD/data/{day}/{board}.json",
            VIDEO_REPO,
            version_date=date.fromisoformat(day),
            immutable=False,  # a day's folder is rewritten until the day is over
        )
        for board in VIDEO_BOARDS
        if int((endpoints.get(board) or {}).get("model_count") or 0) > 0
    ]


def api_versions(api: str, today: date) -> list[Version]:
    """Today's boards from the Artificial Analysis API (the key goes in a header, not here)."""
    return [
        Version(
            f"artificialanalysis-api/{today.isoformat()}/{board}.json",
            f"{api}/{board}",
            "artificialanalysis.ai",
            version_date=today,
            immutable=False,
        )
        for board in VIDEO_BOARDS
    ]


def fetch(http: Http, v: Version, headers: dict[str, str] | None = None) -> Fetched:
    """The bytes of one version (its location is the URL fetched, never a secret)."""
    return http.get(v.url, headers)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
