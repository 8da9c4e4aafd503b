"""A fake GitHub on 127.0.0.1 (raw.githubusercontent.com and api.github.com in one server),
serving the REAL bundled leaderboard and ranking records in the upstream repositories' layout:

- `GET /repos/<owner>/<repo>/commits?path=P&per_page=N&page=K`: the commits of a file, newest
  first, paged with GitHub's `Link: <...>; rel="next"` header (per_page capped at `page_cap`).
  fboulnois/llm-leaderboard-csv's commits are those of the bundled MANIFEST.csv (sha, date,
  message); the cumulative files of the other text repositories have one commit (their bundled
  copy) each.
- `GET /repos/<repo>/contents/data`: the video mirror's day folders.
- `GET /<owner>/<repo>/<sha or HEAD>/<path>`: raw bytes: a text file at a commit; a video day's
  `_index.json` (built from the day's files, as the mirror's) and board files; the GitHub
  ranking daily files `Data/github-ranking-YYYY-MM-DD.csv`, split on the fly from the bundled
  concatenated tables back into the upstream's per-day columns.

Faults are injected per request: `faults[substring] = ["429", "500", "truncate", ...]` applies
the next fault in the list to each request whose path contains the substring.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections import defaultdict
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import duckdb

TEXT = "arena_text_history"
FBOULNOIS = "fboulnois/llm-leaderboard-csv"
CUMULATIVE = {
    "jasontrigg0/chatbot-arena-history": "alltime.csv",
    "kevinschaul/lmarena-leaderboard-history": "history.csv",
    "mayerwin/AI-Arena-History": "data.js",
}
VIDEO = "oolong-tea-2026/artificial-analysis-leaderboards"
RANKINGS = {"keyword": "yuxiaopeng/Github-Ranking-AI", "language": "EvanLi/Github-Ranking"}
DAILY_COLUMNS = (
    "rank,item,repo_name,stars,forks,language,repo_url,username,issues,last_commit,description"
)


def fboulnois_commits(data: Path) -> list[dict]:
    """The bundled MANIFEST.csv rows as GitHub commits (oldest first), with their bytes."""
    folder = data / TEXT / FBOULNOIS.replace("/", "_")
    with (folder / "MANIFEST.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        {
            "path": r["source_path"],
            "sha": r["commit_sha"],
            "date": r["commit_date"],
            "message": r["commit_message"],
            "content": (folder / r["file"]).read_bytes(),
        }
        for r in sorted(rows, key=lambda r: r["commit_date"])
    ]


def video_days(data: Path) -> dict[str, dict[str, bytes]]:
    """The bundled video files by day and board."""
    out: dict[str, dict[str, bytes]] = defaultdict(dict)
    for p in sorted((data / "arena_video" / VIDEO.replace("/", "_")).glob("*/*.json")):
        out[p.parent.name][p.stem] = p.read_bytes()
    return dict(out)


def daily_files(data: Path, family: str, after: date) -> dict[str, bytes]:
    """The bundled rows of days after `after` as upstream daily CSVs (name -> bytes)."""
    con = duckdb.connect()
    root = data / "github_rankings"
    if family == "keyword":
        sql = (
            "SELECT k.date, k.rank, k.topic AS item, split_part(k.full_name, '/', 2) AS repo_name,"
            " k.stars, k.forks, r.language, 'https://github.com/' || k.full_name AS repo_url, "
            "split_part(k.full_name, '/', 1) AS username, k.issues, r.last_commit, r.description "
            "FROM read_csv(?, header = true, all_varchar = true) k "
            "LEFT JOIN read_csv(?, header = true, all_varchar = true) r USING (full_name) "
            "WHERE try_cast(k.date AS DATE) > ?"
        )
        params = [
            str(root / "ai_keyword_lists" / "daily_top100_by_keyword.csv.gz"),
            str(root / "ai_keyword_lists" / "repos.csv.gz"),
            after,
        ]
    else:
        sql = (
            "SELECT * FROM read_csv(?, header = true, all_varchar = true) "
            "WHERE try_cast(date AS DATE) > ?"
        )
        params = [str(root / "all_languages" / "monthly_top100_by_language.csv.gz"), after]
    rows = con.execute(sql, params).fetchall()
    names = [d[0] for d in con.description]
    con.close()
    by_day: dict[str, list] = defaultdict(list)
    for r in rows:
        rec = dict(zip(names, r, strict=True))
        by_day[rec["date"]].append(rec)
    out = {}
    for day, recs in by_day.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(DAILY_COLUMNS.split(","))
        for rec in recs:
            w.writerow([rec[c] for c in DAILY_COLUMNS.split(",")])
        out[f"github-ranking-{day}.csv"] = buf.getvalue().encode()
    return out


def base_file(data: Path, family: str, through: date, folder: Path) -> Path:
    """A copy of a bundled family folder whose rankings end at `through` (the keyword folder
    keeps its repos.csv): what a bundled copy made on that day would hold."""
    sub = "ai_keyword_lists" if family == "keyword" else "all_languages"
    src = data / "github_rankings" / sub
    name = (
        "daily_top100_by_keyword.csv.gz"
        if family == "keyword"
        else ("monthly_top100_by_language.csv.gz")
    )
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv(?, header = true, all_varchar = true) "
        f"WHERE try_cast(date AS DATE) <= ?) TO '{folder / name}' (HEADER, COMPRESSION gzip)",
        [str(src / name), through],
    )
    con.close()
    if family == "keyword":
        (folder / "repos.csv.gz").write_bytes((src / "repos.csv.gz").read_bytes())
    return folder


class GithubServer:
    """Threaded fake GitHub serving what `commits`, `video` and `daily` hold (mutable between
    runs: a test adds a commit or a day to see an incremental load fetch only it)."""

    def __init__(
        self,
        data: Path,
        page_cap: int = 100,
        faults: dict[str, list[str]] | None = None,
        commits: list[dict] | None = None,
        video: dict[str, dict[str, bytes]] | None = None,
        daily: dict[str, dict[str, bytes]] | None = None,
    ):
        self.page_cap = page_cap
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.commits = list(commits if commits is not None else fboulnois_commits(data))
        self.cumulative = {
            repo: (data / TEXT / repo.replace("/", "_") / name).read_bytes()
            for repo, name in CUMULATIVE.items()
        }
        self.video = dict(video if video is not None else video_days(data))
        self.daily = {k: dict(v) for k, v in (daily or {}).items()}
        self.paths: list[str] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> GithubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ------------------------------------------------------------------ content

    def _commits_of(self, repo: str, path: str) -> list[dict]:
        """Commits touching a file, newest first."""
        if repo == FBOULNOIS:
            found = [c for c in self.commits if c["path"] == path]
        elif CUMULATIVE.get(repo) == path:
            content = self.cumulative[repo]
            sha = hashlib.sha1(content).hexdigest()
            found = [
                {
                    "path": path,
                    "sha": sha,
                    "date": "2025-11-10",
                    "message": "update",
                    "content": content,
                }
            ]
        else:
            found = []
        return sorted(found, key=lambda c: c["date"], reverse=True)

    def _raw(self, repo: str, ref: str, path: str) -> bytes | None:
        if repo in (FBOULNOIS, *CUMULATIVE):
            for c in self._commits_of(repo, path):
                if ref in (c["sha"], "HEAD"):
                    return c["content"]
            return None
        if repo == VIDEO and path.startswith("data/"):
            _, day, name = [*path.split("/"), "", ""][:3]
            files = self.video.get(day)
            if files is None:
                return None
            if name == "_index.json":
                return self._index(day, files)
            return files.get(name.removesuffix(".json"))
        for family, r in RANKINGS.items():
            if repo == r and path.startswith("Data/"):
                return self.daily.get(family, {}).get(path.removeprefix("Data/"))
        return None

    @staticmethod
    def _index(day: str, files: dict[str, bytes]) -> bytes:
        endpoints = {}
        for board in ("text-to-video", "image-to-video"):
            doc = json.loads(files[board]) if board in files else None
            endpoints[board] = {
                "model_count": doc["meta"]["model_count"] if doc else 0,
                "source_type": "public_json",
                "source_url": doc["meta"]["source_url"] if doc else "",
            }
        return json.dumps({"date": day, "endpoints": endpoints}, indent=2).encode()

    # ------------------------------------------------------------------ HTTP

    def _fault(self, path: str) -> str | None:
        with self.lock:
            self.paths.append(path)
            for key, queue in self.faults.items():
                if key in path and queue:
                    return queue.pop(0)
        return None

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                u = urlparse(self.path)
                fault = server._fault(u.path)
                if fault == "429":
                    return self._send(429, b"", {"Retry-After": "1"})
                if fault == "500":
                    return self._send(500, b"")
                if u.path.startswith("/repos/"):
                    body, headers = self._api(u)
                else:
                    parts = u.path.lstrip("/").split("/", 3)
                    body = (
                        server._raw(f"{parts[0]}/{parts[1]}", parts[2], parts[3])
                        if len(parts) == 4
                        else None
                    )
                    headers = {}
                if body is None:
                    return self._send(404, b"Not Found")
                if fault == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    return
                self._send(200, body, headers)

            def _api(self, u) -> tuple[bytes | None, dict[str, str]]:
                parts = u.path.split("/")  # ['', 'repos', owner, repo, kind, ...]
                repo, kind = f"{parts[2]}/{parts[3]}", parts[4] if len(parts) > 4 else ""
                qs = parse_qs(u.query)
                if kind == "contents" and repo == VIDEO and "/".join(parts[5:]) == "data":
                    listing = [{"name": d, "type": "dir"} for d in sorted(server.video)]
                    return json.dumps(listing).encode(), {}
                if kind != "commits":
                    return None, {}
                path = qs.get("path", [""])[0]
                per_page = min(int(qs.get("per_page", ["30"])[0]), server.page_cap)
                page = int(qs.get("page", ["1"])[0])
                found = server._commits_of(repo, path)
                chunk = found[(page - 1) * per_page : page * per_page]
                body = [
                    {
                        "sha": c["sha"],
                        "commit": {
                            "message": c["message"],
                            "committer": {"date": f"{c['date']}T12:00:00Z"},
                        },
                    }
                    for c in chunk
                ]
                headers = {}
                if page * per_page < len(found):
                    nxt = dict(path=path, per_page=per_page, page=page + 1)
                    headers["Link"] = f'<{server.url}{u.path}?{urlencode(nxt)}>; rel="next"'
                return json.dumps(body).encode(), headers

            def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
