"""HTTP for the online paths of file-based upstreams (raw GitHub files, the GitHub REST API, the
Artificial Analysis API): retries on 429 (honoring Retry-After), 5xx, timeouts and truncated
bodies, 404 as NotFound, and one clear line naming the URL when an upstream cannot be reached.

Secret headers (API keys) are sent but never appear in a message, a location or provenance:
errors name the URL only, and URLs never carry a key.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import orjson

from aicensus.errors import SourceError
from aicensus.sources.fetch import Fetched, NotFound, _gunzip

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


@dataclass
class Http:
    """One client for an online load: retry policy, request counts (for the summary/tests)."""

    timeout: float = 60.0
    max_retries: int = 4
    backoff: float = 0.5  # first retry delay, doubling (capped at max_wait)
    max_wait: float = 60.0  # a longer Retry-After is waited for max_wait at most
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request
    requests: int = 0
    retries: int = 0
    not_found: int = 0
    _client: httpx.Client | None = None

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,
                headers={"User-Agent": "aicensus (online load)", **self.headers},
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        """The decompressed body of `url`; NotFound on 404, SourceError after the retries."""
        body, _ = self._get(url, headers)
        content = _gunzip(url, body)
        return Fetched(url, content, hashlib.sha256(content).hexdigest(), datetime.now(UTC))

    def json_pages(self, url: str, headers: dict[str, str] | None = None) -> list:
        """Every element of a paged JSON array (GitHub's `Link: <...>; rel="next"` paging)."""
        out: list = []
        next_url: str | None = url
        while next_url:
            body, resp_headers = self._get(next_url, headers)
            try:
                page = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise SourceError(f"{next_url}: not JSON") from None
            if not isinstance(page, list):
                raise SourceError(f"{next_url}: expected a JSON array, got {type(page).__name__}")
            out.extend(page)
            m = _LINK_NEXT.search(resp_headers.get("link", ""))
            next_url = m.group(1) if m else None
        return out

    def _get(self, url: str, headers: dict[str, str] | None) -> tuple[bytes, httpx.Headers]:
        delay = self.backoff
        problem = ""
        for attempt in range(self.max_retries + 1):
            wait = min(delay, self.max_wait)
            self.requests += 1
            try:
                resp = self.client.get(url, headers=headers)
                body = resp.content
            except httpx.TimeoutException:
                problem = "timed out"
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                problem = f"truncated response ({type(exc).__name__})"
            except httpx.TransportError as exc:
                problem = f"unreachable ({type(exc).__name__})"
            else:
                status = resp.status_code
                if status == 404:
                    self.not_found += 1
                    raise NotFound(f"{url}: not found (HTTP 404)")
                if status in (401, 403):
                    raise SourceError(
                        f"{url}: refused (HTTP {status}): the API key is missing or not allowed, "
                        "or the request allowance is used up"
                    )
                if status == 429:
                    after = _retry_after(resp.headers.get("retry-after"))
                    wait = min(after, self.max_wait) if after is not None else wait
                    problem = "rate limited (HTTP 429)"
                elif status >= 500:
                    problem = f"HTTP {status}"
                elif status >= 400:
                    raise SourceError(f"{url}: HTTP {status}")
                elif _truncated(resp, body):
                    problem = f"truncated body ({len(body)} of {resp.headers['content-length']})"
                else:
                    return body, resp.headers
            if attempt < self.max_retries:
                self.retries += 1
                time.sleep(wait)
                delay *= 2
        raise SourceError(
            f"{url}: {problem} after {self.max_retries + 1} attempts; nothing was written"
        )


def _truncated(resp: httpx.Response, body: bytes) -> bool:
    expected = resp.headers.get("content-length")
    return bool(
        expected
        and expected.isdigit()
        and "content-encoding" not in resp.headers
        and len(body) < int(expected)
    )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
