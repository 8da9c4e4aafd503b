"""A fake Hugging Face Hub API on 127.0.0.1 serving the real records of the 2022 dump
(hf_models_api_2022-02.jsonl.gz) at `/api/models`, paged like the Hub: `limit` per page and a
`Link: <...&cursor=...>; rel="next"` header on every page but the last.

Filters: `author`, `pipeline_tag`, `filter` (a tag or library name). Records get the Hub's
current `id` key (= modelId). `sort` (downloads, likes, trendingScore, createdAt, lastModified;
descending like the Hub, records without the field last, ties in file order), `limit` (page size,
at most `page_size`), `expand` / `expand[]` (only those fields, plus `_id` and `id`, as the Hub
answers), and `/api/models/<id>` (model_info; 404 for an unknown id). `table_records` serves
the top-downloads table (hf_models_table) in the API's JSON spelling. Optional token check
(401 on a missing or wrong Bearer token) and injected faults: 429 with Retry-After, 500/503,
slow responses (client timeouts), truncated bodies, by request number.
Run standalone: `python tests/fakes/hub_server.py [port]`.
"""

from __future__ import annotations

import ast
import base64
import csv
import gzip
import hashlib
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlparse

import orjson

DEFAULT_DUMP = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "hf_models_api"
    / "hf_models_api_2022-02.jsonl.gz"
)


def read_records(path: Path = DEFAULT_DUMP) -> list[dict]:
    with gzip.open(path, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def table_records(path: Path) -> list[dict]:
    """The rows of the hf_models_table CSV as the Hub API spells them: `id`, `author`,
    `downloads` (int), `lastModified` (ISO 8601 with milliseconds, Z), `tags` (a JSON list),
    `pipeline_tag` (absent when empty), `sha`, `private`. Nothing else is invented."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            when = datetime.fromisoformat(row["lastModified"]).astimezone(UTC)
            rec = {
                "_id": hashlib.sha1(row["modelId"].encode()).hexdigest()[:24],
                "id": row["modelId"],
                "modelId": row["modelId"],
                "author": row["author"],
                "downloads": int(row["downloads"]),
                "lastModified": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "tags": ast.literal_eval(row["tags"]),
                "sha": row["sha"],
                "private": row["private"] == "True",
            }
            if row["pipeline_tag"]:
                rec["pipeline_tag"] = row["pipeline_tag"]
            out.append(rec)
    return out


SORT_KEYS = ("downloads", "likes", "trendingScore", "createdAt", "lastModified")


class HubServer:
    """Threaded fake Hub; `faults` maps request number (1-based) -> 429 | 500 | 503 | 'slow' |
    'truncate'."""

    def __init__(
        self,
        records: list[dict],
        page_size: int = 1000,
        token: str | None = None,
        faults: dict[int, object] | None = None,
        slow_seconds: float = 3.0,
        latency: float = 0.0,
    ):
        self.records = [{**r, "id": r["modelId"]} for r in records]
        self.page_size = page_size
        self.token = token
        self.faults = dict(faults or {})
        self.slow_seconds = slow_seconds
        self.latency = latency
        self.requests = 0
        self.served_pages: list[str] = []
        self.info_requests: list[str] = []  # model ids asked at /api/models/<id> (answered)
        self.by_id = {r["id"].lower(): r for r in self.records}
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> HubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def select(self, qs: dict[str, list[str]]) -> list[dict]:
        out = self.records
        if "author" in qs:
            a = qs["author"][0].lower()
            out = [r for r in out if r["id"].split("/")[0].lower() == a and "/" in r["id"]]
        if "pipeline_tag" in qs:
            out = [r for r in out if r.get("pipeline_tag") == qs["pipeline_tag"][0]]
        for f in qs.get("filter", []):
            out = [r for r in out if f in (r.get("tags") or []) or r.get("library_name") == f]
        if "sort" in qs:
            key = qs["sort"][0]
            if key not in SORT_KEYS:
                raise ValueError(f"invalid sort {key!r}")
            have = [r for r in out if r.get(key) is not None]
            have.sort(key=lambda r: r[key], reverse=True)  # stable: ties keep file order
            out = have + [r for r in out if r.get(key) is None]
        return out

    @staticmethod
    def expanded(rec: dict, qs: dict[str, list[str]]) -> dict:
        """The record as the Hub answers with `expand`: only those fields (and _id, id)."""
        fields = qs.get("expand", []) + qs.get("expand[]", [])
        if not fields:
            return rec
        return {k: v for k, v in rec.items() if k in ("_id", "id", *fields)}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _send(self, code: int, body: bytes, headers: dict | None = None):
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                with server.lock:
                    server.requests += 1
                    n = server.requests
                fault = server.faults.pop(n, None)
                if server.latency:
                    time.sleep(server.latency)
                if fault == 429:
                    return self._send(429, b'{"error":"rate limited"}', {"Retry-After": "0"})
                if fault in (500, 502, 503):
                    return self._send(int(fault), b'{"error":"server error"}')
                if fault == "slow":
                    time.sleep(server.slow_seconds)
                u = urlparse(self.path)
                qs = parse_qs(u.query)
                if u.path.startswith("/api/models/"):
                    mid = unquote(u.path[len("/api/models/") :])
                    rec = server.by_id.get(mid.lower())
                    with server.lock:
                        server.info_requests.append(mid)
                    if rec is None:
                        return self._send(404, b'{"error":"Repository not found"}')
                    body = orjson.dumps(server.expanded(rec, qs))
                    if fault == "truncate":
                        return self._truncated(body)
                    return self._send(200, body)
                if u.path != "/api/models":
                    return self._send(404, b'{"error":"not found"}')
                if server.token is not None:
                    auth = self.headers.get("authorization", "")
                    if auth != f"Bearer {server.token}":
                        return self._send(
                            401, b'{"error":"Invalid credentials in Authorization header"}'
                        )
                try:
                    rows = server.select(qs)
                except ValueError as exc:
                    return self._send(400, orjson.dumps({"error": str(exc)}))
                limit = min(int(qs.get("limit", [server.page_size])[0]), server.page_size)
                start = 0
                if "cursor" in qs:
                    start = int(base64.urlsafe_b64decode(qs["cursor"][0]).decode())
                page = rows[start : start + limit]
                headers = {}
                if start + limit < len(rows):
                    nq = {k: v for k, v in qs.items() if k != "cursor"}
                    cur = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
                    nxt = f"{server.url}/api/models?{urlencode(nq, doseq=True)}&cursor={cur}"
                    headers["Link"] = f'<{nxt}>; rel="next"'
                body = orjson.dumps([server.expanded(r, qs) for r in page])
                if fault == "truncate":
                    return self._truncated(body)
                with server.lock:
                    server.served_pages.append(self.path)
                self._send(200, body, headers)

            def _truncated(self, body: bytes) -> None:
                """Announce the whole body, send half, close: a broken transfer."""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True

        return Handler


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    srv = HubServer(read_records())
    if port:
        srv.httpd.server_close()
        srv.httpd = ThreadingHTTPServer(("127.0.0.1", port), srv._handler())
    print(srv.url, flush=True)
    srv.httpd.serve_forever()
