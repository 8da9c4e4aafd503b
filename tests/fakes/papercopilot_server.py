"""A fake raw.githubusercontent.com on 127.0.0.1 serving the REAL bundled Paper Copilot files in
the upstream repositories' layout, uncompressed as upstream serves them:

- `/papercopilot/paperlists/main/<venue>/<venue><year>.json`: the bundled paperlists file, else
  the paperlists_affonly one, else the openreview_authors list of that venue-year;
- `/papercopilot/openreview/main/authors/<venue>/<venue><year>.jsonl`: the author file.

Each body has a strong ETag (its sha256) and `If-None-Match` with it answers 304 (as
upstream's raw host does) unless `etags` is off. Faults apply per request:
`faults[substring] = ["429", "500", "truncate", ...]` applies the next fault to each request
whose path contains the substring (429 carries `Retry-After: 1`). `paths` logs every request
(path, status).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAPERLISTS = "/papercopilot/paperlists/main"
OPENREVIEW = "/papercopilot/openreview/main/authors"


class PaperCopilotServer:
    """`with PaperCopilotServer(data_root) as fake:` fake.paperlists / fake.openreview are the
    URL patterns to configure."""

    def __init__(self, data: Path, faults: dict[str, list[str]] | None = None):
        self.data = data
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.etags = True
        self.paths: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.paperlists = base + PAPERLISTS + "/{venue}/{venue}{year}.json"
        self.openreview = base + OPENREVIEW + "/{venue}/{venue}{year}.jsonl"

    def __enter__(self) -> PaperCopilotServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def file(self, path: str) -> Path | None:
        """The bundled file behind an upstream path (None: 404)."""
        if ".." in path:
            return None
        name = path.rsplit("/", 1)[-1]
        if path.startswith(OPENREVIEW + "/") and name.endswith(".jsonl"):
            found = self.data / "openreview_authors" / "authors" / f"{name}.gz"
            return found if found.is_file() else None
        if not path.startswith(PAPERLISTS + "/") or not name.endswith(".json"):
            return None
        venue = path.removeprefix(PAPERLISTS + "/").split("/")[0]
        for candidate in (
            self.data / "paperlists" / venue / f"{name}.gz",
            self.data / "paperlists_affonly" / venue / f"{name}.gz",
            self.data / "openreview_authors" / "lists" / f"{name}.gz",
        ):
            if candidate.is_file():
                return candidate
        return None

    def _fault(self, path: str) -> str | None:
        with self._lock:
            for key, queue in self.faults.items():
                if key in path and queue:
                    return queue.pop(0)
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
                fake.paths.append((self.path, status))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k.replace("_", "-"), v)
                if "Content_Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                found = fake.file(self.path)
                if found is None:
                    return self._send(404)
                fault = fake._fault(self.path)
                if fault == "429":
                    return self._send(429, Retry_After="1")
                if fault == "500":
                    return self._send(500)
                body = gzip.decompress(found.read_bytes())
                etag = f'"{hashlib.sha256(body).hexdigest()}"'
                if fake.etags and self.headers.get("If-None-Match") == etag:
                    return self._send(304, ETag=etag)
                tags = {"ETag": etag} if fake.etags else {}
                if fault == "truncate":
                    half = body[: len(body) // 2]
                    return self._send(200, half, Content_Length=str(len(body)), **tags)
                return self._send(200, body, Content_Type="text/plain; charset=utf-8", **tags)

        return Handler
