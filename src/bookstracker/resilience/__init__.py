"""The layers around each provider's requests: circuit breaker, quota, rate limit, retries.

`Policy` composes them for one provider and publishes what happens (retries, breaker changes)
on its :class:`~bookstracker.instrumentation.EventBus`; the cache and single-flight sit above
it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import attrs

from bookstracker.errors import CircuitOpen, DeadlineExceeded, QuotaExceeded, RateLimited
from bookstracker.instrumentation import (
    BreakerChanged,
    Event,
    EventBus,
    RetryScheduled,
    error_kind,
)
from bookstracker.resilience.breaker import BreakerState, CircuitBreaker, counts_as_failure
from bookstracker.resilience.deadline import Deadline, min_timeout
from bookstracker.resilience.quota import (
    GOOGLE_RESET_TZ,
    LocalQuota,
    QuotaTracker,
    RedisQuota,
)
from bookstracker.resilience.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter
from bookstracker.resilience.retry import OnRetry, RetryPolicy, call_with_retries, is_retryable

__all__ = [
    "GOOGLE_RESET_TZ",
    "BreakerState",
    "CircuitBreaker",
    "Deadline",
    "LocalQuota",
    "LocalRateLimiter",
    "OnRetry",
    "Policy",
    "PolicyStats",
    "QuotaTracker",
    "RateLimiter",
    "RedisQuota",
    "RedisRateLimiter",
    "RetryPolicy",
    "call_with_retries",
    "counts_as_failure",
    "is_retryable",
    "min_timeout",
]

T = TypeVar("T")


@attrs.define
class PolicyStats:
    """Running counts kept by a `Policy`, for metrics."""

    calls: int = 0
    attempts: int = 0
    retries: int = 0
    rate_limited: int = 0
    quota_exceeded: int = 0
    breaker_rejections: int = 0
    breaker_trips: int = 0

    def snapshot(self) -> dict[str, int]:
        """The counts as a plain dict."""
        return attrs.asdict(self)

    def observe(self, event: Event) -> None:
        """The counters' subscriber: retries and breaker trips, counted from the events."""
        if isinstance(event, RetryScheduled):
            self.retries += 1
        elif isinstance(event, BreakerChanged) and event.state == "open":
            self.breaker_trips += 1


@attrs.define
class Policy:
    """How one provider is called: breaker → (quota → rate limit → send) with retries.

    Each attempt, retries included, spends quota and takes a rate-limit token, since each is
    a real request. The breaker sees the final outcome of the whole call.
    """

    provider: str
    limiter: RateLimiter
    retry: RetryPolicy
    breaker: CircuitBreaker
    quota: QuotaTracker | None = None
    events: EventBus = attrs.field(factory=EventBus, kw_only=True)
    counters: PolicyStats = attrs.field(init=False, factory=PolicyStats)
    _seen: str = attrs.field(init=False, default="closed", repr=False)

    def __attrs_post_init__(self) -> None:
        self.events.subscribe(self.counters.observe)

    def _watch_breaker(self) -> None:
        """Publish the breaker's change of state since the policy last looked, once."""
        state = self.breaker.state
        if state != self._seen:
            previous, self._seen = self._seen, state
            self.events.publish(
                BreakerChanged(
                    provider=self.provider,
                    previous=previous,
                    state=state,
                    trips=self.breaker.trips,
                )
            )

    async def call(
        self,
        send_once: Callable[[], Awaitable[T]],
        *,
        deadline: Deadline | None = None,
        cost: int = 1,
        on_retry: OnRetry | None = None,
    ) -> T:
        """Send a request through every layer; ``send_once()`` makes one HTTP attempt.

        ``cost`` is the quota the request spends (an ISBNdb batch costs one per ISBN).
        Raises `CircuitOpen`, `QuotaExceeded`, `DeadlineExceeded` or the last attempt's error.
        """
        self.counters.calls += 1
        try:
            self.breaker.before_call()
        except CircuitOpen:
            self.counters.breaker_rejections += 1
            raise
        finally:
            self._watch_breaker()

        async def attempt() -> T:
            self.counters.attempts += 1
            if self.quota is not None:
                await self.quota.spend(cost)
            await self._acquire(deadline)
            try:
                return await send_once()
            except RateLimited as exc:
                self.counters.rate_limited += 1
                if isinstance(exc, QuotaExceeded) and self.quota is not None:
                    await self.quota.mark_exhausted(exc.resets_at)
                raise

        def retried(number: int, exc: BaseException, wait: float) -> None:
            self.events.publish(
                RetryScheduled(
                    provider=self.provider, attempt=number, wait_s=wait, error=error_kind(exc)
                )
            )
            if on_retry is not None:
                on_retry(number, exc, wait)

        try:
            result = await call_with_retries(
                attempt, self.retry, on_retry=retried, deadline=deadline
            )
        except BaseException as exc:
            if isinstance(exc, QuotaExceeded):
                self.counters.quota_exceeded += 1
            self._record(exc)
            raise
        self._record(None)
        return result

    def _record(self, exc: BaseException | None) -> None:
        self.breaker.record(exc)
        self._watch_breaker()

    async def _acquire(self, deadline: Deadline | None) -> None:
        if deadline is None:
            await self.limiter.acquire()
            return
        with anyio.move_on_after(max(0.0, deadline.remaining())) as scope:
            await self.limiter.acquire()
        if scope.cancelled_caught:
            raise DeadlineExceeded("the deadline passed while waiting for the rate limit")
