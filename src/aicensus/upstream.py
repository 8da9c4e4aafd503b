"""Where each source's data come from and when the upstream copy was made (`upstream.yaml`, one
place), so a load can store its copy date and publisher and every result can state them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import PurePath
from typing import Any

import yaml


@dataclass(frozen=True)
class Upstream:
    """A source's publisher and what its data describe; the copy date of one location."""

    source: str
    publisher: str
    upstream: str
    describes: str
    copied: date | None  # the upstream copy's date (None: not stated / unknown location)


@functools.cache
def _facts() -> dict[str, Any]:
    text = (resources.files("aicensus") / "upstream.yaml").read_text()
    return yaml.safe_load(text) or {}


def sources() -> list[str]:
    """Every source upstream.yaml describes."""
    return sorted(_facts())


def upstream(source: str, location: str = "", fetched: datetime | None = None) -> Upstream:
    """The facts of `source` for a load from `location`: an http(s) location was copied when
    fetched (`fetched`); a local path takes the copy date of the bundled folder it lies in; any
    other location (or a source not described) has no copy date."""
    entry = _facts().get(source) or {}
    copied: date | None = None
    if location.startswith(("http://", "https://")):
        copied = fetched.date() if fetched else None
    else:
        parts = set(PurePath(location).parts)
        for copy in entry.get("copies") or []:
            if copy.get("folder") in parts:
                copied = copy.get("copied")
                break
    return Upstream(
        source=source,
        publisher=str(entry.get("publisher") or source),
        upstream=str(entry.get("upstream") or ""),
        describes=str(entry.get("describes") or ""),
        copied=copied,
    )
