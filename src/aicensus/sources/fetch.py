"""Read the bytes of a source location: https/http URL, file:// URL, or local path.

Gzip is detected from the content (magic bytes), so `.json` and `.json.gz` read alike.
Every failure becomes a one-line SourceError naming the location.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from isal import igzip, isal_zlib

from aicensus.errors import SourceError

if TYPE_CHECKING:  # httpx (with rich, click, pygments: 0.3 CPU s) is imported for URLs only
    import httpx

GZIP_MAGIC = b"\x1f\x8b"
# ISA-L's decompression error (its stubs declare it as an instance, not a class).
_ISAL_ERROR: type[Exception] = isal_zlib.error  # type: ignore[assignment]


@dataclass(frozen=True)
class Fetched:
    """Decompressed content of one location, with what provenance needs."""

    location: str
    content: bytes
    content_hash: str
    retrieved_at: datetime


class NotFound(SourceError):
    """The location does not exist (HTTP 404, missing file)."""


def is_url(location: str) -> bool:
    return urlparse(location).scheme in ("http", "https", "file")


def local_path(location: str) -> Path | None:
    """The filesystem path for a path or file:// URL; None for http(s)."""
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme in ("http", "https"):
        return None
    return Path(location)


def _gunzip(location: str, raw: bytes) -> bytes:
    """Gzip content decompressed (ISA-L: half zlib's time), other content as it is."""
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return igzip.decompress(raw)
    except (EOFError, OSError, zlib.error, _ISAL_ERROR) as exc:
        raise SourceError(f"{location}: truncated or corrupt gzip data ({exc})") from None


def read_location(
    location: str, client: httpx.Client | None = None, timeout: float = 60.0
) -> Fetched:
    """Fetch and decompress one location; raise NotFound / SourceError with a clear line."""
    path = local_path(location)
    if path is not None:
        if not path.exists():
            raise NotFound(f"{location}: file not found")
        if path.is_dir():
            raise SourceError(f"{location}: is a directory, expected a file")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"{location}: cannot read ({exc.strerror})") from None
    else:
        raw = _http_get(location, client, timeout)
    content = _gunzip(location, raw)
    return Fetched(
        location=location,
        content=content,
        content_hash=hashlib.sha256(content).hexdigest(),
        retrieved_at=datetime.now(UTC),
    )


def _http_get(url: str, client: httpx.Client | None, timeout: float) -> bytes:
    import httpx

    own = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        resp = client.get(url)
    except httpx.TimeoutException:
        raise SourceError(f"{url}: timed out") from None
    except httpx.RemoteProtocolError as exc:
        raise SourceError(f"{url}: truncated download ({exc})") from None
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: unreachable ({type(exc).__name__}: {exc})") from None
    finally:
        if own:
            client.close()
    if resp.status_code == 404:
        raise NotFound(f"{url}: not found (HTTP 404)")
    if resp.status_code >= 400:
        raise SourceError(f"{url}: HTTP {resp.status_code}")
    body = resp.content
    if truncated(resp, body):
        expected = resp.headers["content-length"]
        raise SourceError(f"{url}: truncated download ({len(body)} of {expected} bytes)")
    return body


def truncated(resp: httpx.Response, body: bytes) -> bool:
    """Fewer bytes arrived than the answer's Content-Length announced (an unencoded body)."""
    expected = resp.headers.get("content-length")
    return bool(
        expected
        and expected.isdigit()
        and "content-encoding" not in resp.headers
        and len(body) < int(expected)
    )
