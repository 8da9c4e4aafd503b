"""The OpenAlex REST API: configuration, filter builder, a rate-limited retrying client, and
cursor-paged streams of `/works` pages (and `/institutions`, `group_by`).

The API key and mailto come from arguments, the environment (OPENALEX_API_KEY, OPENALEX_MAILTO,
OPENALEX_BASE_URL) or aicensus.toml `[openalex]`; they are sent as query parameters but never
appear in a location, an error message or a log line (`redact`).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import orjson

from aicensus.errors import SourceError
from aicensus.sources.retry import RetryPolicy, TryAgain, retryable_status, with_retries

DEFAULT_BASE_URL = "https://api.openalex.org"
MAX_OR_VALUES = 100  # the API's limit on values in one OR-list
PER_PAGE = 200
# Top-level fields the warehouse uses (the API selects top-level fields only).
WORK_SELECT = (
    "id",
    "doi",
    "title",
    "display_name",
    "publication_year",
    "type",
    "primary_location",
    "authorships",
    "primary_topic",
    "cited_by_count",
    "fwci",
    "referenced_works",
    "concepts",
    "updated_date",
)
_SECRET_PARAMS = ("api_key", "mailto")


class AuthError(SourceError):
    """The API refused the key (HTTP 401/403)."""


class AllowanceExhausted(SourceError):
    """The request allowance (local budget or the server's daily limit) ran out."""


@dataclass(frozen=True)
class ApiConfig:
    """Where and how fast to ask. `api_key`/`mailto` are excluded from repr (never printed)."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    mailto: str | None = field(default=None, repr=False)
    rate_limit: float = 10.0  # requests per second, all threads together
    concurrency: int = 4  # streams fetched at once
    timeout: float = 30.0
    max_retries: int = 6
    backoff: float = 0.5  # first retry delay (doubles, capped at 30 s)
    max_wait: float = 120.0  # a Retry-After longer than this means the allowance is used up
    max_requests: int | None = None  # allowance for this run (None: unlimited)
    per_page: int = PER_PAGE


def load_config(**overrides) -> ApiConfig:
    """ApiConfig from aicensus.toml [openalex], then the environment, then explicit overrides."""
    cfg_path = Path(os.environ.get("AICENSUS_CONFIG", "aicensus.toml"))
    section: dict = {}
    if cfg_path.exists():
        try:
            section = tomllib.loads(cfg_path.read_text()).get("openalex", {})
        except tomllib.TOMLDecodeError as exc:
            raise SourceError(f"{cfg_path}: invalid TOML: {exc}") from None
    env = {
        "base_url": os.environ.get("OPENALEX_BASE_URL"),
        "api_key": os.environ.get("OPENALEX_API_KEY"),
        "mailto": os.environ.get("OPENALEX_MAILTO"),
    }
    values = {k: v for k, v in section.items() if k in ApiConfig.__dataclass_fields__}
    values.update({k: v for k, v in env.items() if v})
    values.update({k: v for k, v in overrides.items() if v is not None})
    return ApiConfig(**values)


def redact(url: str) -> str:
    """The URL without secret query parameters (for locations, messages and logs)."""
    if "?" not in url:
        return url
    base, query = url.split("?", 1)
    kept = [p for p in query.split("&") if p.split("=", 1)[0] not in _SECRET_PARAMS]
    return base + ("?" + "&".join(kept) if kept else "")


# ------------------------------------------------------------------ filters


@dataclass(frozen=True)
class WorkFilter:
    """What to pull. OR-lists longer than 100 values are split into several requests."""

    years: tuple[int, int] | None = None
    topics: tuple[str, ...] = ()
    subfields: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    institution_countries: tuple[str, ...] = ()
    authorship_countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
    extra: str | None = None  # a raw filter expression appended as is
    split_years: bool = True  # one cursor stream per year (concurrency, smaller resumes)

    _KEYS = (
        ("topics", "primary_topic.id"),
        ("subfields", "primary_topic.subfield.id"),
        ("fields", "primary_topic.field.id"),
        ("institution_countries", "institutions.country_code"),
        ("authorship_countries", "authorships.countries"),
        ("types", "type"),
        ("source_ids", "primary_location.source.id"),
    )

    def expressions(self) -> list[str]:
        """One filter expression per stream (the product of chunked OR-lists and years)."""
        parts: list[list[str]] = []
        if self.years:
            lo, hi = self.years
            if self.split_years and hi - lo < 200:
                parts.append([f"publication_year:{y}" for y in range(lo, hi + 1)])
            else:
                parts.append([f"publication_year:{lo}-{hi}"])
        for attr, key in self._KEYS:
            values = list(dict.fromkeys(getattr(self, attr)))
            if values:
                chunks = [
                    values[i : i + MAX_OR_VALUES] for i in range(0, len(values), MAX_OR_VALUES)
                ]
                parts.append([f"{key}:" + "|".join(c) for c in chunks])
        if self.extra:
            parts.append([self.extra])
        if not parts:
            return [""]
        return [",".join(combo) for combo in itertools.product(*parts)]

    def describe(self) -> str:
        return ";".join(self.expressions())


def stream_id(expression: str) -> str:
    return hashlib.sha256(expression.encode()).hexdigest()[:12]


# ------------------------------------------------------------------ client


class RateLimiter:
    """Spaces requests `1/rate` seconds apart across threads; a 429 pauses everyone."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = 0.0
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.next_at = max(self.next_at, time.monotonic() + seconds)


@dataclass
class Response:
    """One successful API response."""

    url: str  # redacted
    body: bytes
    doc: dict


class Client:
    """GET with rate limit, retries (429 honoring Retry-After, 5xx, timeouts, truncated or
    malformed bodies, with exponential backoff) and a request allowance."""

    def __init__(self, cfg: ApiConfig, http: httpx.Client | None = None):
        self.cfg = cfg
        self.http = http or httpx.Client(
            timeout=cfg.timeout,
            limits=httpx.Limits(max_connections=max(4, cfg.concurrency * 2)),
            headers={"User-Agent": "aicensus (+https://github.com/)"},
        )
        self.limiter = RateLimiter(cfg.rate_limit)
        self.requests = 0
        self.retries = 0
        self.rate_limited = 0  # HTTP 429 answers (each retried or fatal)
        self._lock = threading.Lock()
        self.stop = threading.Event()

    def close(self) -> None:
        self.http.close()

    def _params(self, params: dict) -> dict:
        out = {k: v for k, v in params.items() if v not in (None, "")}
        if self.cfg.api_key:
            out["api_key"] = self.cfg.api_key
        if self.cfg.mailto:
            out["mailto"] = self.cfg.mailto
        return out

    def url(self, path: str, params: dict) -> str:
        """The redacted request URL (what provenance records)."""
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{self.cfg.base_url.rstrip('/')}/{path.lstrip('/')}?{urlencode(clean)}"

    def _take(self) -> None:
        with self._lock:
            if self.cfg.max_requests is not None and self.requests >= self.cfg.max_requests:
                self.stop.set()
                raise AllowanceExhausted(
                    f"request allowance of {self.cfg.max_requests} used up; "
                    "run the same command again to continue"
                )
            self.requests += 1

    def get(self, path: str, params: dict) -> Response:
        """One page of `path`: rate-limited, retried by the shared policy (sources.retry), and
        retried too when the body is not JSON with `meta` (a truncated or malformed page)."""
        url = self.url(path, params)
        full = f"{self.cfg.base_url.rstrip('/')}/{path.lstrip('/')}"
        rate_limited = False  # the last attempt got a 429: every thread pauses before the next

        def attempt() -> Response:
            nonlocal rate_limited
            if self.stop.is_set():
                raise AllowanceExhausted("stopped: the request allowance ran out")
            self._take()
            self.limiter.acquire()
            resp = self.http.get(full, params=self._params(params))
            body = resp.content
            again = retryable_status(resp)
            rate_limited = resp.status_code == 429
            if again is not None:
                if rate_limited:
                    self._rate_limited(url, again.wait)
                raise again
            if resp.status_code in (401, 403):
                raise AuthError(
                    f"{redact(url)}: OpenAlex refused the request (HTTP {resp.status_code}): the "
                    "API key is missing, invalid or not allowed; set OPENALEX_API_KEY or "
                    "[openalex] api_key in aicensus.toml"
                )
            if resp.status_code >= 400:
                raise SourceError(f"{redact(url)}: HTTP {resp.status_code}: {_message(body)}")
            try:
                doc = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise TryAgain("truncated or malformed JSON body") from None
            if not (isinstance(doc, dict) and "meta" in doc):
                raise TryAgain("response without meta")
            return Response(redact(url), body, doc)

        def on_retry(wait: float) -> None:
            if rate_limited:
                self.limiter.pause(wait)
            with self._lock:
                self.retries += 1

        policy = RetryPolicy(self.cfg.max_retries, self.cfg.backoff, 30.0, self.cfg.max_wait)
        return with_retries(
            attempt,
            policy,
            lambda problem: SourceError(
                f"{redact(url)}: {problem}; run the same command again to resume"
            ),
            on_retry,
        )

    def _rate_limited(self, url: str, after: float | None) -> None:
        """Count a 429; a Retry-After beyond max_wait means the allowance is used up: stop all."""
        with self._lock:
            self.rate_limited += 1
        if after is not None and after > self.cfg.max_wait:
            self.stop.set()
            raise AllowanceExhausted(
                f"{redact(url)}: OpenAlex allowance exhausted (HTTP 429, retry after "
                f"{after:.0f} s); run the same command again later to continue"
            )


def _message(body: bytes) -> str:
    try:
        doc = orjson.loads(body)
        return str(doc.get("message") or doc.get("error"))[:200]
    except (orjson.JSONDecodeError, AttributeError):
        return body[:200].decode("utf-8", "replace")


def count(client: Client, expression: str, entity: str = "works") -> int:
    """meta.count for a filter (one cheap request: per_page=1, select=id)."""
    r = client.get(entity, {"filter": expression, "per_page": 1, "select": "id"})
    return int(r.doc["meta"].get("count") or 0)


def pages_needed(n: int, per_page: int = PER_PAGE) -> int:
    """Requests a cursor pull of n records takes (the last, empty-cursor page included)."""
    return max(1, math.ceil(n / per_page))
