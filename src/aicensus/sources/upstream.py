"""HTTP for the online paths of file-based upstreams (raw GitHub files, the GitHub REST API, the
Artificial Analysis API): retries on 429 (honoring Retry-After), 5xx, timeouts and truncated
bodies, 404 as NotFound, and one clear line naming the URL when an upstream cannot be reached.

Secret headers (API keys) are sent but never appear in a message, a location or provenance:
errors name the URL only, and URLs never carry a key.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson

from aicensus.errors import SourceError
from aicensus.sources.fetch import GZIP_MAGIC, Fetched, NotFound, _gunzip, truncated
from aicensus.sources.retry import RetryPolicy, TryAgain, retryable_status, with_retries

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

    def download(self, url: str, dest: Path, etag: str | None = None) -> Downloaded | None:
        """Stream `url` into the file `dest` (never the whole body in memory), hashing the
        decompressed content as it arrives; None when `etag` still matches (HTTP 304). Same
        retries as `get` (429 with Retry-After, 5xx, timeouts, truncated bodies)."""
        headers = {"If-None-Match": etag} if etag else None
        part = dest.with_name(dest.name + ".part")

        def attempt() -> Downloaded | None:
            self.requests += 1
            try:
                with self.client.stream("GET", url, headers=headers) as resp:
                    if resp.status_code == 304 and etag:
                        return None
                    self._check_status(url, resp)
                    if resp.status_code != 200:
                        raise SourceError(f"{url}: HTTP {resp.status_code}")
                    got = _stream_to(resp, part)
                    if got is None:
                        raise TryAgain("truncated body")
                    part.replace(dest)
                    new_etag = resp.headers.get("etag")
                    return Downloaded(url, dest, *got, new_etag, datetime.now(UTC))
            except BaseException:
                part.unlink(missing_ok=True)
                raise

        return with_retries(attempt, self._policy(), self._failed(url), self._count_retry)

    def _policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_retries, self.backoff, self.max_wait, self.max_wait)

    def _count_retry(self, wait: float) -> None:
        self.retries += 1

    @staticmethod
    def _failed(url: str) -> Callable[[str], SourceError]:
        return lambda problem: SourceError(f"{url}: {problem}; nothing was written")

    def _check_status(self, url: str, resp: httpx.Response) -> None:
        """Nothing for a 2xx/3xx answer; TryAgain for 429 and 5xx; NotFound (404) or SourceError
        (refused, other 4xx) otherwise."""
        status = resp.status_code
        if status < 400:
            return
        again = retryable_status(resp)
        if again is not None:
            raise again
        if status == 404:
            self.not_found += 1
            raise NotFound(f"{url}: not found (HTTP 404)")
        if status in (401, 403):
            raise SourceError(
                f"{url}: refused (HTTP {status}): the API key is missing or not allowed, "
                "or the request allowance is used up"
            )
        raise SourceError(f"{url}: HTTP {status}")

    def _get(self, url: str, headers: dict[str, str] | None) -> tuple[bytes, httpx.Headers]:
        def attempt() -> tuple[bytes, httpx.Headers]:
            self.requests += 1
            resp = self.client.get(url, headers=headers)
            body = resp.content
            self._check_status(url, resp)
            if truncated(resp, body):
                raise TryAgain(f"truncated body ({len(body)} of {resp.headers['content-length']})")
            return body, resp.headers

        return with_retries(attempt, self._policy(), self._failed(url), self._count_retry)


@contextlib.contextmanager
def client_of(http: Http | None) -> Iterator[Http]:
    """The caller's client (left open for its owner), or a new one closed on the way out."""
    if http is not None:
        yield http
        return
    with Http() as own:
        yield own


@dataclass(frozen=True)
class Downloaded:
    """A body streamed to a file: its decompressed content's sha256 (as `Fetched` hashes it),
    its size on disk, the upstream's ETag and when it was fetched (the copy date)."""

    url: str
    path: Path
    content_hash: str
    size: int
    etag: str | None
    retrieved_at: datetime


_CHUNK = 1 << 20


def _stream_to(resp: httpx.Response, part: Path) -> tuple[str, int] | None:
    """Write the body to `part` chunk by chunk: (sha256 of the decompressed content, bytes
    written), or None when fewer bytes arrived than Content-Length announced."""
    digest = hashlib.sha256()
    inflate: zlib._Decompress | None = None
    size = 0
    encoded = "content-encoding" in resp.headers  # httpx decodes; its length is not ours
    with part.open("wb") as out:
        for chunk in resp.iter_bytes(_CHUNK) if encoded else resp.iter_raw(_CHUNK):
            if size == 0 and chunk.startswith(GZIP_MAGIC):  # a gzipped file: hash its content
                inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out.write(chunk)
            size += len(chunk)
            digest.update(inflate.decompress(chunk) if inflate else chunk)
    if inflate is not None and not inflate.eof:
        return None
    expected = resp.headers.get("content-length")
    if not encoded and expected and expected.isdigit() and size < int(expected):
        return None
    return digest.hexdigest(), size
