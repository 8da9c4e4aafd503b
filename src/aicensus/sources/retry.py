"""The one retry policy of every HTTP upstream (the file fetcher in `sources.upstream` and the
OpenAlex API client): 429 honouring Retry-After, 5xx, timeouts, truncated or unreadable bodies
and unreachable hosts are tried again with a doubling delay; the caller says what else is worth
another try (`TryAgain`) and what the final error says.

Messages carry only what the caller passes (a URL without secrets) and the problem's kind: never
a header, a query string with a key, or the body of a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from aicensus.errors import SourceError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to try: `max_retries` after the first attempt, the first delay
    `backoff` doubling up to `max_delay`, a server's Retry-After honoured up to `max_wait`."""

    max_retries: int = 4
    backoff: float = 0.5
    max_delay: float = 60.0
    max_wait: float = 60.0


class TryAgain(Exception):
    """One attempt failed in a way worth another: `problem` names it for the final message;
    `wait` is the server's own delay (Retry-After), None for the policy's backoff."""

    def __init__(self, problem: str, wait: float | None = None):
        super().__init__(problem)
        self.problem = problem
        self.wait = wait


def retry_after(value: str | None) -> float | None:
    """Seconds of a Retry-After header in its delta-seconds form; None when absent or a date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def retryable_status(resp: httpx.Response) -> TryAgain | None:
    """The retryable problem of an HTTP answer: 429 (with its Retry-After) or 5xx; None for any
    other status (success, or an error the caller decides on)."""
    status = resp.status_code
    if status == 429:
        return TryAgain("rate limited (HTTP 429)", retry_after(resp.headers.get("retry-after")))
    if status >= 500:
        return TryAgain(f"HTTP {status}")
    return None


def with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    failed: Callable[[str], SourceError],
    on_retry: Callable[[float], None] = lambda wait: None,
) -> T:
    """`attempt()`'s result, trying again after a `TryAgain` or a transport failure (timeout,
    truncated response, unreachable host); after the last try, `failed("<problem> after N
    attempts")` is raised. Any other exception (a 404, a refused key) ends at once.
    `on_retry(wait)` runs before each wait (counting retries, pausing other threads)."""
    delay = policy.backoff
    problem = ""
    for n in range(policy.max_retries + 1):
        wait = min(delay, policy.max_delay)
        try:
            return attempt()
        except TryAgain as again:
            problem = again.problem
            if again.wait is not None:
                wait = min(again.wait, policy.max_wait)
        except httpx.TimeoutException:
            problem = "timed out"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
            problem = f"truncated response ({type(exc).__name__})"
        except httpx.TransportError as exc:
            problem = f"unreachable ({type(exc).__name__})"
        if n < policy.max_retries:
            on_retry(wait)
            time.sleep(wait)
            delay *= 2
    raise failed(f"{problem} after {policy.max_retries + 1} attempts")
