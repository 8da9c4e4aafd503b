"""A fake Hugging Face Hub API on 127.0.0.1 serving the real records of the 2022 dump
(hf_models_api_2022-02.jsonl.gz) at `/api/models`, paged like the Hub: `limit` per page and a
`Link: <...&cursor=...>; rel="next"` header on every page but the last.

Filters: `author`, `pipeline_tag`, `filter` (a tag or library name). Records get the Hub's
current `id` key (= modelId). Optional token check (401 on a missing or wrong Bearer token) and
injected faults: 429 with Retry-After, 500/503, slow responses (client timeouts), by request
number. Run standalone: `python tests/fakes/hub_server.py [port]`.
"""

from __future__ import annotations

import base64
import gzip
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

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


class HubServer:
    """Threaded fake Hub; `faults` maps request number (1-based) -> 429 | 500 | 503 | 'slow'."""

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
        return out

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
                if u.path != "/api/models":
                    return self._send(404, b'{"error":"not found"}')
                if server.token is not None:
                    auth = self.headers.get("authorization", "")
                    if auth != f"Bearer {server.token}":
                        return self._send(
                            401, b'{"error":"Invalid credentials in Authorization header"}'
                        )
                qs = parse_qs(u.query)
                rows = server.select(qs)
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
                with server.lock:
                    server.served_pages.append(self.path)
                self._send(200, orjson.dumps(page), headers)

        return Handler


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    srv = HubServer(read_records())
    if port:
        srv.httpd.server_close()
        srv.httpd = ThreadingHTTPServer(("127.0.0.1", port), srv._handler())
    print(srv.url, flush=True)
    srv.httpd.serve_forever()
