"""A fake OpenAlex API on 127.0.0.1 serving the real records of works.jsonl.gz (and
institutions.jsonl.gz), shaped like the recorded responses in api_pages/ and group_by/.

Supports `/works` and `/institutions` with `filter` (publication_year, primary_topic.*,
institutions.country_code, authorships.countries, type, primary_location.source.id, openalex),
`select`, `per_page`, cursor paging (`cursor=*`, `meta.next_cursor`), basic paging (`page`),
`group_by` (with an `unknown` group), `sample` + `seed` (basic paging; deterministic per
seed), optional key check (401 without key, 403 with a wrong one),
per-request latency, and injected faults (429 with Retry-After, 500, slow responses, truncated
bodies, a hang after N requests). Run standalone: `python tests/fakes/openalex_server.py`.
"""

from __future__ import annotations

import base64
import gzip
import random
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import orjson

OA = "https://openalex.org/"


def _short(v: str | None) -> str | None:
    return v.rsplit("/", 1)[-1] if isinstance(v, str) else None


def record_countries(rec: dict) -> set[str]:
    """The work's countries (SOURCE.md rule: authorships[].countries, else institutions)."""
    out: set[str] = set()
    for a in rec.get("authorships") or ():
        if "countries" in a:
            out.update(c for c in a.get("countries") or () if c)
        else:
            out.update(
                i.get("country_code") for i in a.get("institutions") or () if i.get("country_code")
            )
    return out


def _inst_countries(rec: dict) -> set[str]:
    return {
        i.get("country_code")
        for a in rec.get("authorships") or ()
        for i in a.get("institutions") or ()
        if i.get("country_code")
    }


def _source_id(rec: dict) -> str | None:
    loc = rec.get("primary_location") or {}
    src = loc.get("source") or (rec.get("host_venue") if "host_venue" in rec else None) or {}
    return _short(src.get("id"))


def _topic(rec: dict, part: str) -> str | None:
    pt = rec.get("primary_topic") or {}
    return _short((pt.get(part) or {}).get("id")) if part != "id" else _short(pt.get("id"))


# filter key -> function(record) -> set of lower-case values
EXTRACT = {
    "primary_topic.subfield.id": lambda r: {_topic(r, "subfield")},
    "primary_topic.field.id": lambda r: {_topic(r, "field")},
    "primary_topic.id": lambda r: {_topic(r, "id")},
    "institutions.country_code": _inst_countries,
    "authorships.countries": record_countries,
    "type": lambda r: {r.get("type")},
    "primary_location.source.id": lambda r: {_source_id(r)},
    "openalex": lambda r: {_short(r.get("id"))},
    "concepts.id": lambda r: {_short(c.get("id")) for c in r.get("concepts") or ()},
    "ids.openalex": lambda r: {_short(r.get("id"))},
    "country_code": lambda r: {r.get("country_code")},
}


class BadRequest(Exception):
    pass


def parse_filter(spec: str | None) -> list:
    """'a:x|y,publication_year:2020-2022' -> predicates over records."""
    preds = []
    if not spec:
        return preds
    for part in spec.split(","):
        if ":" not in part:
            raise BadRequest(f"Invalid filter {part!r}")
        key, value = part.split(":", 1)
        if key == "publication_year":
            preds.append(_year_pred(value))
            continue
        if key not in EXTRACT:
            raise BadRequest(f"{key} is not a valid field")
        wanted = {(_short(v) or "").lower() for v in value.split("|")}
        fn = EXTRACT[key]
        preds.append(
            lambda r, fn=fn, wanted=wanted: any(
                (v or "").lower() in wanted for v in fn(r) if v is not None
            )
        )
    return preds


def _year_pred(value: str):
    if value.startswith(">"):
        lo, hi = int(value[1:]) + 1, 9999
    elif value.startswith("<"):
        lo, hi = 0, int(value[1:]) - 1
    elif "-" in value:
        a, b = value.split("-", 1)
        lo, hi = int(a), int(b)
    else:
        years = {int(v) for v in value.split("|")}
        return lambda r: r.get("publication_year") in years
    return lambda r: r.get("publication_year") is not None and lo <= r["publication_year"] <= hi


def _group_values(rec: dict, key: str) -> list[tuple[str, str]]:
    if key == "authorships.countries":
        return [(f"{OA}countries/{c}", c) for c in sorted(record_countries(rec))]
    if key == "type":
        t = rec.get("type")
        return [(f"{OA}types/{t}", t)] if t else []
    if key == "publication_year":
        y = rec.get("publication_year")
        return [(str(y), str(y))] if y is not None else []
    if key == "primary_topic.subfield.id":
        s = _topic(rec, "subfield")
        return [(f"{OA}subfields/{s}", s)] if s else []
    raise BadRequest(f"{key} is not a valid group_by field")


class FakeOpenAlex:
    """The fake server and its knobs (set attributes between requests)."""

    def __init__(
        self,
        works: list[dict],
        institutions: list[dict] | None = None,
        api_key: str | None = None,
        latency: float = 0.0,
        rate_limit: float | None = None,
    ):
        self.works = works
        self.institutions = institutions or []
        self.api_key = api_key
        self.latency = latency
        self.rate_limit = rate_limit  # enforced: more requests per second get 429
        self.rejected = 0
        self.faults: list[tuple] = []  # consumed one per request: ("429", s) ("500",) ...
        self.hang_after: int | None = None  # requests served before every later one hangs
        self.requests: list[tuple[float, str, dict]] = []
        # filter results per (record list, filter): the real API answers a cursor page without
        # rescanning the corpus; rescanning here made the fake server the bench's bottleneck.
        self._matched: dict[tuple[int, str | None], list[dict]] = {}
        self.lock = threading.Lock()
        self._stop_hang = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeOpenAlex:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop_hang.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeOpenAlex:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---------------------------------------------------------------- responses

    def respond(self, path: str, params: dict) -> tuple[int, dict, dict]:
        """(status, headers, body) for one request."""
        entity = path.strip("/").split("/")[0]
        if entity not in ("works", "institutions"):
            return 404, {}, {"error": "Not found", "message": f"{path} is not an endpoint"}
        records = self.works if entity == "works" else self.institutions
        try:
            preds = parse_filter(params.get("filter"))
            per_page = int(params.get("per_page", params.get("per-page", 25)))
            if not 1 <= per_page <= 200:
                raise BadRequest("per_page must be between 1 and 200")
            key = (id(records), params.get("filter"))
            matched = self._matched.get(key)
            if matched is None:
                matched = [r for r in records if all(p(r) for p in preds)]
                self._matched[key] = matched
            if params.get("group_by"):
                return 200, {}, self._group_by(matched, params, per_page)
            return 200, {}, self._list(matched, params, per_page)
        except (BadRequest, ValueError) as exc:
            return 400, {}, {"error": "Invalid query parameters error.", "message": str(exc)}

    def _list(self, matched: list[dict], params: dict, per_page: int) -> dict:
        cursor = params.get("cursor")
        if params.get("sample") is not None:
            matched = self.sampled(matched, params)
            if cursor is not None:
                raise BadRequest("cursor paging is not supported with sample; use page")
        if cursor is not None:
            offset = 0 if cursor == "*" else int(base64.b64decode(cursor).decode())
            page = None
        else:
            page = int(params.get("page", 1))
            offset = (page - 1) * per_page
        results = matched[offset : offset + per_page]
        select = params.get("select")
        if select:
            fields = select.split(",")
            results = [{k: r[k] for k in fields if k in r} for r in results]
        meta: dict = {"count": len(matched), "db_response_time_ms": 12, "page": page}
        meta["per_page"] = per_page
        if cursor is not None:
            end = offset + per_page
            more = bool(results) and end < len(matched)
            meta["next_cursor"] = base64.b64encode(str(end).encode()).decode() if more else None
        meta["groups_count"] = None
        meta["cost_usd"] = 0.0001
        return {"meta": meta, "results": results, "group_by": []}

    @staticmethod
    def sampled(matched: list[dict], params: dict) -> list[dict]:
        """`sample=N` (at most 10,000) drawn from the matching records: the same records in
        the same order for the same `seed` (random.Random(seed)), a fresh draw without one."""
        n = int(params["sample"])
        if not 1 <= n <= 10_000:
            raise BadRequest("sample must be between 1 and 10000")
        seed = params.get("seed")
        if seed is None and int(params.get("page", 1)) > 1:
            raise BadRequest("a seed is required to page beyond the first page of a sample")
        rng = random.Random(int(seed)) if seed is not None else random.Random()
        return rng.sample(matched, min(n, len(matched)))

    def _group_by(self, matched: list[dict], params: dict, per_page: int) -> dict:
        counts: dict[tuple[str, str], int] = {}
        unknown = 0
        for r in matched:
            vals = _group_values(r, params["group_by"])
            if not vals:
                unknown += 1
            for v in vals:
                counts[v] = counts.get(v, 0) + 1
        groups = [
            {"key": k, "key_display_name": d, "count": n}
            for (k, d), n in sorted(counts.items(), key=lambda x: (-x[1], x[0][0]))
        ]
        if unknown:
            groups.append({"key": "unknown", "key_display_name": "unknown", "count": unknown})
        cursor = params.get("cursor")
        offset = 0 if cursor in (None, "*") else int(base64.b64decode(cursor).decode())
        page_groups = groups[offset : offset + per_page]
        end = offset + per_page
        meta = {
            "count": len(matched),
            "db_response_time_ms": 12,
            "page": None,
            "per_page": per_page,
            "next_cursor": base64.b64encode(str(end).encode()).decode()
            if end < len(groups)
            else None,
            "groups_count": len(groups),
            "cost_usd": 0.0001,
        }
        return {"meta": meta, "group_by": page_groups}

    # ---------------------------------------------------------------- HTTP

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                u = urlparse(self.path)
                params = {k: v[-1] for k, v in parse_qs(u.query).items()}
                with server.lock:
                    server.requests.append((time.monotonic(), u.path, params))
                    n = len(server.requests)
                    fault = server.faults.pop(0) if server.faults else None
                    now = server.requests[-1][0]
                    # over the limit: the request rate_limit+1 back is less than a second old
                    window = int(server.rate_limit or 0) + 1
                    recent = n >= window and now - server.requests[-window][0] < 1.0
                    if server.rate_limit and recent:
                        server.rejected += 1
                        fault = ("429", 1)
                if server.hang_after is not None and n > server.hang_after:
                    server._stop_hang.wait()
                    return
                if server.latency:
                    time.sleep(server.latency)
                if server.api_key is not None:
                    key = params.get("api_key")
                    if key is None:
                        return self._send(
                            401, {}, {"error": "Unauthorized", "message": "API key required"}
                        )
                    if key != server.api_key:
                        return self._send(
                            403, {}, {"error": "Forbidden", "message": "Invalid API key"}
                        )
                if fault:
                    kind = fault[0]
                    if kind == "429":
                        hdr = {"Retry-After": str(fault[1])} if len(fault) > 1 else {}
                        return self._send(429, hdr, {"error": "Too many requests"})
                    if kind == "500":
                        return self._send(500, {}, {"error": "Internal server error"})
                    if kind == "slow":
                        time.sleep(fault[1])
                    if kind == "truncate":
                        status, headers, body = server.respond(u.path, params)
                        data = orjson.dumps(body)
                        self.send_response(status)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data[: len(data) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        return None
                status, headers, body = server.respond(u.path, params)
                return self._send(status, headers, body)

            def _send(self, status: int, headers: dict, body: dict) -> None:
                data = orjson.dumps(body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def load_records(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines() if line]


def replicate(works: list[dict], copies: int) -> Iterable[dict]:
    """`copies` copies of the works with rewritten ids (W<id><copy:03d>) for load tests."""
    for c in range(copies):
        for w in works:
            if c == 0:
                yield w
            else:
                yield dict(w, id=f"{w['id']}{c:03d}")


def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data"))
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--copies", type=int, default=1)
    p.add_argument("--rate-limit", type=float, default=None)
    a = p.parse_args()
    root = Path(a.data) / "openalex_works"
    works = list(replicate(load_records(root / "works.jsonl.gz"), a.copies))
    srv = FakeOpenAlex(
        works, load_records(root / "institutions.jsonl.gz"), latency=a.latency,
        rate_limit=a.rate_limit,
    )  # fmt: skip
    print(srv.url, flush=True)
    srv.httpd.serve_forever()


if __name__ == "__main__":
    main()
