"""A fake Artificial Analysis data API on 127.0.0.1: `GET /text-to-video` and
`/image-to-video` answer `{"data": [...]}` as the v2 media endpoints do, built from the REAL
bundled board files of one day (`creator` becomes `model_creator`, without the country the API
does not give). Requests without the right `x-api-key` header get 401. It records whether the
key arrived (never the key itself)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FOLDER = "arena_video/oolong-tea-2026_artificial-analysis-leaderboards"


def api_answer(board_file: Path) -> bytes:
    """The bundled board file's models in the API's shape."""
    models = json.loads(board_file.read_bytes())["models"]
    data = []
    for m in models:
        creator = {k: v for k, v in (m.get("creator") or {}).items() if k in ("id", "name")}
        row = {k: v for k, v in m.items() if k not in ("creator", "elos")}
        data.append({**row, "model_creator": creator})
    return json.dumps({"status": 200, "data": data}).encode()


class ArtificialAnalysisServer:
    def __init__(self, data: Path, key: str, day: str = "2026-05-14"):
        self.key = key
        self.boards = {p.stem: api_answer(p) for p in (data / FOLDER / day).glob("*.json")}
        self.keyed_requests = 0
        self.refused = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ArtificialAnalysisServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                if self.headers.get("x-api-key") != server.key:
                    server.refused += 1
                    return self._send(401, b'{"error": "Invalid or missing API key"}')
                server.keyed_requests += 1
                body = server.boards.get(self.path.strip("/").split("?")[0])
                if body is None:
                    return self._send(404, b"{}")
                self._send(200, body)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
