"""The layers around each provider's requests: circuit breaker, quota, rate limit, retries.

`Policy` composes them for one provider and publishes what happens (retries, breaker changes)
on its :class:`~bookstracker.instrumentation.EventBus`; the cache and single-flight sit above
it.
"""

from __future__ import annotations

import math
import time
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
    "Throttle",
    "call_with_retries",
    "counts_as_failure",
    "is_retryable",
    "min_timeout",
]

T = TypeVar("T")


@attrs.define(eq=False)
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


@attrs.define(eq=False)
class Policy:
    """How one provider is called: breaker → (quota → rate limit → send) with retries.

    Each attempt, retries included, spends quota, takes a rate-limit token and is counted by the
    breaker, since each is a real request: a dead provider sees ``failure_threshold`` requests
    before the breaker opens, and a call stops retrying once it has. A provider that keeps
    answering 429 is paced more slowly (`Throttle`) until it stops.
    """

    provider: str
    limiter: RateLimiter
    retry: RetryPolicy
    breaker: CircuitBreaker
    quota: QuotaTracker | None = None
    events: EventBus = attrs.field(factory=EventBus, kw_only=True)
    counters: PolicyStats = attrs.field(init=False, factory=PolicyStats)
    throttle: Throttle = attrs.field(init=False, factory=lambda: Throttle())
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

        first = True

        async def attempt() -> T:
            nonlocal first
            if not first:
                self.breaker.before_call()
            first = False
            self.counters.attempts += 1
            try:
                if self.quota is not None:
                    await self.quota.spend(cost)
                await self._acquire(deadline)
            except BaseException as exc:
                self._record(exc)
                raise
            try:
                result = await send_once()
            except BaseException as exc:
                if isinstance(exc, RateLimited):
                    self.counters.rate_limited += 1
                    self.throttle.slow_down()
                    if isinstance(exc, QuotaExceeded) and self.quota is not None:
                        await self.quota.mark_exhausted(exc.resets_at)
                self._record(exc)
                raise
            self.throttle.speed_up()
            self._record(None)
            return result

        def retried(number: int, exc: BaseException, wait: float) -> None:
            self.events.publish(
                RetryScheduled(
                    provider=self.provider, attempt=number, wait_s=wait, error=error_kind(exc)
                )
            )
            if on_retry is not None:
                on_retry(number, exc, wait)

        try:
            return await call_with_retries(
                attempt,
                self.retry,
                on_retry=retried,
                deadline=deadline,
                keep_going=lambda: self.breaker.state == "closed",
            )
        except QuotaExceeded:
            self.counters.quota_exceeded += 1
            raise

    def _record(self, exc: BaseException | None) -> None:
        self.breaker.record(exc)
        self._watch_breaker()

    async def _acquire(self, deadline: Deadline | None) -> None:
        with anyio.move_on_after(
            math.inf if deadline is None else max(0.0, deadline.remaining())
        ) as scope:
            await self.limiter.acquire()
            await self.throttle.wait(self.limiter.rate)
        if scope.cancelled_caught:
            raise DeadlineExceeded("the deadline passed while waiting for the rate limit")


class Throttle:
    """Adaptive slow-down after 429s: each one doubles the spacing between requests (up to
    ``max_factor`` times the rate limit's, and never more than ``max_spacing`` seconds), each
    success takes a tenth of the extra off.

    The limiter keeps its configured rate; the throttle adds its own, slower pacing on top
    while the provider keeps refusing, so a rate set above what the server allows settles
    where it is accepted.
    """

    def __init__(self, *, max_factor: float = 32.0, max_spacing: float = 0.5) -> None:
        self.max_factor = max_factor
        self.max_spacing = max_spacing
        self.factor = 1.0
        self._next_at = 0.0

    def slow_down(self) -> None:
        """The provider answered 429."""
        self.factor = min(self.max_factor, self.factor * 2.0)

    def speed_up(self) -> None:
        """The provider answered."""
        if self.factor > 1.0:
            self.factor = max(1.0, 1.0 + (self.factor - 1.0) * 0.9)

    async def wait(self, rate: float) -> None:
        """Wait for this request's slot, ``factor / rate`` seconds after the previous one."""
        if self.factor <= 1.0 or not math.isfinite(rate) or rate <= 0:
            return
        now = time.monotonic()
        slot = max(now, self._next_at)
        self._next_at = slot + min(self.factor / rate, self.max_spacing)
        if slot > now:
            await anyio.sleep(slot - now)

    def __repr__(self) -> str:
        return f"Throttle(factor={self.factor:g})"
