"""Stream the lines of a (gzipped) JSON Lines location without holding the file in memory.

Local paths, file:// and http(s) URLs; `s3://bucket/key` is read over HTTPS from the public
bucket. The sha256 of the decompressed bytes is computed on the way (for provenance).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import httpx

from aicensus.errors import SourceError
from aicensus.sources.fetch import GZIP_MAGIC, NotFound, local_path

CHUNK = 1 << 20


class _Digest(Protocol):
    """The part of a hashlib hash object the stream uses (hashlib's own type is private)."""

    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def http_url(location: str) -> str:
    """s3://bucket/key -> https://bucket.s3.amazonaws.com/key; other URLs unchanged."""
    p = urlparse(location)
    if p.scheme == "s3":
        return f"https://{p.netloc}.s3.amazonaws.com{p.path}"
    return location


@dataclass
class LineStream:
    """Iterate `lines()` once; afterwards `content_hash` and `n_bytes` describe what was read."""

    location: str
    client: httpx.Client | None = None
    _hash: _Digest = field(default_factory=hashlib.sha256, repr=False)
    n_bytes: int = 0

    @property
    def content_hash(self) -> str:
        return self._hash.hexdigest()

    def _chunks(self) -> Iterator[bytes]:
        path = _local_file(self.location)
        if path is not None:
            try:
                with path.open("rb") as fh:
                    while chunk := fh.read(CHUNK):
                        yield chunk
            except OSError as exc:
                raise SourceError(f"{self.location}: cannot read ({exc.strerror})") from None
            return
        url = http_url(self.location)
        own = self.client is None
        client = self.client or httpx.Client(timeout=120.0, follow_redirects=True)
        try:
            with client.stream("GET", url) as resp:
                if resp.status_code == 404:
                    raise NotFound(f"{self.location}: not found (HTTP 404)")
                if resp.status_code >= 400:
                    raise SourceError(f"{self.location}: HTTP {resp.status_code}")
                yield from resp.iter_raw(CHUNK)
        except httpx.HTTPError as exc:
            raise SourceError(f"{self.location}: download failed ({type(exc).__name__})") from None
        finally:
            if own:
                client.close()

    def _decompressed(self) -> Iterator[bytes]:
        chunks = self._chunks()
        first = b""
        for chunk in chunks:  # enough bytes to see the gzip magic (a stream may trickle)
            first += chunk
            if len(first) >= len(GZIP_MAGIC):
                break
        check_gzip_head(self.location, first)
        if not first.startswith(GZIP_MAGIC):
            if first:
                yield first
            yield from chunks
            return
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            for chunk in _chain(first, chunks):
                while chunk:
                    out = d.decompress(chunk)
                    if out:
                        yield out
                    if d.eof and d.unused_data:  # concatenated gzip members are allowed
                        chunk = d.unused_data
                        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    else:
                        chunk = b""
        except zlib.error as exc:
            raise SourceError(f"{self.location}: corrupt gzip data ({exc})") from None
        if not d.eof:
            raise SourceError(f"{self.location}: truncated gzip data")

    def lines(self) -> Iterator[bytes]:
        """Each line (without the newline), in order."""
        rest = b""
        h = self._hash
        for block in self._decompressed():
            h.update(block)
            self.n_bytes += len(block)
            block = rest + block
            parts = block.split(b"\n")
            rest = parts.pop()
            yield from parts
        if rest:
            yield rest


def _local_file(location: str) -> Path | None:
    """The file behind a local location (None for http(s) and s3); a directory or a missing
    file is a one-line error naming it as such."""
    path = local_path(location) if urlparse(location).scheme != "s3" else None
    if path is not None and not path.is_file():
        if path.is_dir():
            raise SourceError(f"{location}: is a directory, expected a file")
        raise NotFound(f"{location}: file not found")
    return path


def check_gzip_head(location: str, head: bytes) -> None:
    """A location named .gz must start with the gzip magic bytes: read as text, anything else
    would pass as one garbage record (or as uncompressed lines nobody asked for)."""
    name = urlparse(location).path if "://" in location else location
    if name.endswith(".gz") and not head.startswith(GZIP_MAGIC):
        what = "the file is empty" if not head else f"it starts with {head[:8]!r}"
        raise SourceError(f"{location}: not gzip data though named .gz ({what})")


def check_local_head(location: str) -> None:
    """`check_gzip_head` on a local file's first bytes, for readers that open it themselves
    (Spark); remote locations are checked while streamed."""
    path = _local_file(location)
    if path is None:
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise SourceError(f"{location}: cannot read ({exc.strerror})") from None
    check_gzip_head(location, head)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
