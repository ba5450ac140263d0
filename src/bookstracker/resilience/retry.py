"""Retries of one provider request, on stamina, honouring Retry-After and the caller's deadline."""

from __future__ import annotations

import functools
import logging
import math
import random
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TypeVar

import attrs

from bookstracker.errors import (
    ConfigurationError,
    MalformedResponse,
    ProviderHTTPError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
)
from bookstracker.resilience.deadline import Deadline

__all__ = [
    "RETRYABLE_STATUSES",
    "OnRetry",
    "RetryPolicy",
    "call_with_retries",
    "is_retryable",
]

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})

OnRetry = Callable[[int, BaseException, float], None]
"""``on_retry(attempt, exc, wait)``: attempt number ``attempt`` (1-based) failed with ``exc``
and the next attempt follows after ``wait`` seconds."""


def is_retryable(exc: BaseException) -> bool:
    """Whether another attempt may succeed where this one failed with ``exc``.

    Retried: timeouts and connection failures, HTTP 500/502/503/504, 429 (`RateLimited`) and
    malformed bodies (a truncated body can be transient). Not retried: `QuotaExceeded`, other
    HTTP statuses, `CircuitOpen`, and anything that is not a provider error.
    """
    if isinstance(exc, QuotaExceeded):
        return False
    if isinstance(exc, (RateLimited, ProviderUnavailable, MalformedResponse)):
        return True
    return isinstance(exc, ProviderHTTPError) and exc.status in RETRYABLE_STATUSES


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently one request is retried.

    ``attempts`` counts every try, the first included. The wait before retry ``n`` is
    ``min(max_wait, initial_wait * 2 ** (n - 1) + random(0, jitter))``, except after a 429 that
    carries Retry-After: then exactly that many seconds, or no retry at all when it exceeds
    ``max_retry_after``. A 429 that says when to come back is a throttle, not a failure: its
    retries go on up to ``rate_limited_attempts`` tries, as long as the caller's deadline leaves
    room for the wait
    (``attempts=1`` still means a single try).
    """

    attempts: int = 3
    rate_limited_attempts: int = 8
    initial_wait: float = 0.5
    max_wait: float = 30.0
    jitter: float = 1.0
    max_retry_after: float = 60.0

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1:
            raise ConfigurationError(f"retry attempts must be at least 1: {self.attempts!r}")
        if self.rate_limited_attempts < 1:
            raise ConfigurationError(
                f"retry rate_limited_attempts must be at least 1: {self.rate_limited_attempts!r}"
            )
        for name in ("initial_wait", "max_wait", "jitter", "max_retry_after"):
            value = getattr(self, name)
            if math.isnan(value) or value < 0:
                raise ConfigurationError(f"retry {name} must be zero or more: {value!r}")

    def backoff(self, retry: int) -> float:
        """The jittered exponential wait before retry number ``retry`` (1-based)."""
        jitter = random.uniform(0, self.jitter) if self.jitter else 0.0
        try:
            base = self.initial_wait * 2.0 ** (retry - 1)
        except OverflowError:
            return self.max_wait
        return min(self.max_wait, base + jitter)

    def wait_after(self, exc: BaseException, attempt: int) -> float | None:
        """Seconds to wait after attempt ``attempt`` failed with ``exc``; ``None``: don't retry."""
        if not is_retryable(exc):
            return None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            if attempt >= self.most_attempts or exc.retry_after > self.max_retry_after:
                return None
            return max(0.0, exc.retry_after)
        if attempt >= self.attempts:
            return None
        return self.backoff(attempt)

    @property
    def most_attempts(self) -> int:
        """The most tries one call may make (after 429s); ``attempts=1`` turns every retry off."""
        return 1 if self.attempts == 1 else max(self.attempts, self.rate_limited_attempts)


async def call_with_retries(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: OnRetry | None = None,
    deadline: Deadline | None = None,
    keep_going: Callable[[], bool] | None = None,
) -> T:
    """Await ``fn()`` until it returns, retrying as ``policy`` says; re-raise the last error.

    ``on_retry(attempt, exc, wait)`` is called before each wait. A retry whose wait would end
    past ``deadline`` is not made. The waits are computed here and handed to stamina, so they
    reach ``on_retry`` even under ``stamina.set_testing(True)``, which skips the sleeping; in
    testing mode give stamina at least ``policy.attempts`` attempts. ``keep_going()`` is asked
    before each retry; False ends the call with the last error (the breaker has opened).
    """
    if deadline is not None:
        deadline.check()
    failed = 0

    def decide(exc: Exception) -> bool | float:
        nonlocal failed
        failed += 1
        wait = policy.wait_after(exc, failed)
        if wait is None:
            return False
        if deadline is not None and wait >= deadline.remaining():
            return False
        if keep_going is not None and not keep_going():
            return False
        if on_retry is not None:
            on_retry(failed, exc, wait)
        return wait

    first_failure: Exception | None = None
    try:
        return await fn()
    except Exception as exc:
        first_failure = exc
    async for attempt in _stamina().retry_context(
        on=decide,
        attempts=policy.most_attempts,
        timeout=None,
    ):
        with attempt:
            if first_failure is not None:
                failure, first_failure = first_failure, None
                raise failure
            return await fn()
    raise AssertionError("stamina ended the retries without an outcome")


@functools.cache
def _stamina() -> ModuleType:
    """stamina, loaded on the first failed try (most calls never need it).

    Each retry is reported once, as bookstracker's own ``retry`` event (an INFO line on
    ``bookstracker.events``). stamina also logs it, at WARNING on the ``stamina`` logger, as a
    bare "stamina.retry_scheduled"; where no logging is configured Python would print that on
    stderr. A NullHandler keeps it there only for applications that configure logging themselves.
    """
    import stamina

    log = logging.getLogger("stamina")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())
    return stamina
