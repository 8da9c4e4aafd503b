"""A fake upstream on 127.0.0.1: serves the real paperlists files in the upstream raw layout
(`/<venue>/<venue><year>.json`, decompressed on the fly), plus fault paths for tests."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _handler(root: Path):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path.startswith("/status/"):
                self.send_response(int(path.split("/")[2]))
                self.end_headers()
                return
            if path.startswith("/truncated/"):
                body = self._file(path.removeprefix("/truncated"))
                if body is None:
                    return self._404()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                return
            body = self._file(path)
            if body is None:
                return self._404()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _file(self, path: str) -> bytes | None:
            local = root / (path.lstrip("/") + ".gz")
            if not local.is_file() or ".." in path:
                return None
            return gzip.decompress(local.read_bytes())

        def _404(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Run the server in a thread; yield its base URL (http://127.0.0.1:PORT)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
