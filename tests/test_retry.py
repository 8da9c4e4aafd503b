"""The one retry policy (sources.retry) as both HTTP fetchers use it: the file fetcher
(sources.upstream.Http) and the OpenAlex API client, against the same faults of a fake OpenAlex
server on 127.0.0.1 serving the real records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from aicensus.errors import SourceError
from aicensus.sources.openalex import api
from aicensus.sources.upstream import Http
from tests.fakes.openalex_server import FakeOpenAlex, load_records

KEY = "sekrit-KEY-4242"


@pytest.fixture(scope="module")
def server(data_root: Path):
    with FakeOpenAlex(load_records(data_root / "openalex_works" / "works.jsonl.gz")) as srv:
        yield srv


def _via_http(server: FakeOpenAlex, **kw) -> tuple[Callable[[], dict], Callable[[], int]]:
    """A GET of one works page through the file fetcher, and its retry count."""
    http = Http(timeout=0.5, backoff=0.01, headers={"x-api-key": KEY}, **kw)
    return (
        lambda: orjson.loads(http.get(f"{server.url}/works?per_page=1").content),
        lambda: http.retries,
    )


def _via_client(server: FakeOpenAlex, **kw) -> tuple[Callable[[], dict], Callable[[], int]]:
    """The same GET through the OpenAlex client (its key sent as a query parameter)."""
    cfg = api.ApiConfig(
        base_url=server.url, api_key=KEY, rate_limit=200.0, timeout=0.5, backoff=0.01, **kw
    )
    client = api.Client(cfg)
    return lambda: client.get("works", {"per_page": 1}).doc, lambda: client.retries


FETCHERS = {"file fetcher": _via_http, "openalex client": _via_client}


@pytest.mark.parametrize("fetcher", FETCHERS)
def test_both_fetchers_survive_the_same_faults(server: FakeOpenAlex, fetcher: str):
    server.faults = [("429", 0.05), ("500",), ("truncate",), ("slow", 1.5)]
    get, retries = FETCHERS[fetcher](server)
    doc = get()
    assert doc["meta"]["count"] == len(server.works)
    assert retries() == 4  # the 429, the 500, the truncated body and the timeout
    assert not server.faults


@pytest.mark.parametrize("fetcher", FETCHERS)
def test_persistent_5xx_counts_the_attempts_and_shows_no_key(server: FakeOpenAlex, fetcher: str):
    server.faults = [("500",)] * 3
    get, retries = FETCHERS[fetcher](server, max_retries=2)
    with pytest.raises(SourceError, match=r"HTTP 500 after 3 attempts") as err:
        get()
    assert retries() == 2 and KEY not in str(err.value) and "\n" not in str(err.value)


def test_a_long_retry_after_is_capped_by_the_file_fetcher(server: FakeOpenAlex):
    server.faults = [("429", 1000)]
    get, retries = _via_http(server, max_wait=0.05)
    assert get()["meta"]["count"] == len(server.works) and retries() == 1


def test_a_long_retry_after_stops_the_openalex_pull(server: FakeOpenAlex):
    server.faults = [("429", 1000)]
    get, retries = _via_client(server, max_wait=0.05)
    with pytest.raises(api.AllowanceExhausted, match="retry after 1000 s") as err:
        get()
    assert retries() == 0 and KEY not in str(err.value)
