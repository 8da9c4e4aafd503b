"""Stream the lines of a (gzipped) JSON Lines location without holding the file in memory.

Local paths, file:// and http(s) URLs; `s3://bucket/key` is read over HTTPS from the public
bucket. The sha256 of the decompressed bytes is computed on the way (for provenance).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx

from aicensus.errors import SourceError
from aicensus.sources.fetch import GZIP_MAGIC, NotFound, local_path

CHUNK = 1 << 20


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
    _hash: object = field(default_factory=hashlib.sha256, repr=False)
    n_bytes: int = 0

    @property
    def content_hash(self) -> str:
        return self._hash.hexdigest()

    def _chunks(self) -> Iterator[bytes]:
        path = local_path(self.location) if urlparse(self.location).scheme != "s3" else None
        if path is not None:
            if not path.is_file():
                raise NotFound(f"{self.location}: file not found")
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
        first = next(chunks, b"")
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


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
