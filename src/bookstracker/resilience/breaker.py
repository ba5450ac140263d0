"""A circuit breaker per provider: stop calling a provider that keeps failing, then probe it."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Literal, TypeVar

import attrs

from bookstracker._json import JSONDict
from bookstracker.errors import (
    CircuitOpen,
    ConfigurationError,
    MalformedResponse,
    ProviderError,
    ProviderHTTPError,
    ProviderUnavailable,
    RateLimited,
)

__all__ = ["BreakerState", "CircuitBreaker", "counts_as_failure"]

T = TypeVar("T")

BreakerState = Literal["closed", "open", "half-open"]


def counts_as_failure(exc: BaseException) -> bool:
    """Whether ``exc`` says the provider is down or broken.

    Counted: timeouts, connection failures, HTTP 5xx and malformed bodies. Not counted: 429s
    and spent quotas (a throttle is not an outage), other HTTP statuses, input errors.
    """
    if isinstance(exc, (CircuitOpen, RateLimited)):
        return False
    if isinstance(exc, (ProviderUnavailable, MalformedResponse)):
        return True
    return isinstance(exc, ProviderHTTPError) and exc.status is not None and exc.status >= 500


@attrs.define(eq=False)
class CircuitBreaker:
    """Refuses calls to a provider after ``failure_threshold`` consecutive failures.

    Open, it raises `CircuitOpen` for ``reset_timeout`` seconds; then it half-opens and lets
    exactly one probe through while other callers still get `CircuitOpen`. The probe's success
    closes it, its failure opens it for another ``reset_timeout``. A probe whose outcome is
    never recorded is replaced by a new one after ``reset_timeout``.

    Outcomes: a failure that `counts_as_failure`; an error answer from the server (404, 429)
    shows it is up and counts as a success; anything else (cancellation, a local error) leaves
    the count alone and frees the probe slot.
    """

    name: str
    failure_threshold: int = attrs.field(default=5, kw_only=True)
    reset_timeout: float = attrs.field(default=30.0, kw_only=True)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, kw_only=True, repr=False)
    _state: BreakerState = attrs.field(init=False, default="closed")
    _consecutive_failures: int = attrs.field(init=False, default=0)
    _opened_at: float | None = attrs.field(init=False, default=None)
    _probe_started_at: float | None = attrs.field(init=False, default=None, repr=False)
    _trips: int = attrs.field(init=False, default=0)
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ConfigurationError(
                f"breaker failure_threshold must be at least 1: {self.failure_threshold!r}"
            )
        if not self.reset_timeout >= 0:
            raise ConfigurationError(
                f"breaker reset_timeout must be zero or more: {self.reset_timeout!r}"
            )

    @property
    def state(self) -> BreakerState:
        """``"closed"``, ``"open"`` or ``"half-open"`` (ready to probe, or probing)."""
        with self._lock:
            self._advance(self.clock())
            return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures in a row since the last success."""
        return self._consecutive_failures

    @property
    def trips(self) -> int:
        """How many times the breaker has opened."""
        return self._trips

    def before_call(self) -> None:
        """Let a call through, or raise `CircuitOpen`; when half-open, this call is the probe."""
        with self._lock:
            now = self.clock()
            self._advance(now)
            if self._state == "closed":
                return
            if self._state == "open":
                assert self._opened_at is not None
                reopens_in = self._opened_at + self.reset_timeout - now
                raise CircuitOpen(
                    f"circuit open after {self._consecutive_failures} failures in a row; "
                    f"half-opens in {reopens_in:.1f}s",
                    provider=self.name,
                    reopens_in=reopens_in,
                )
            probe = self._probe_started_at
            if probe is not None and now < probe + self.reset_timeout:
                raise CircuitOpen(
                    "circuit half-open: a probe request is in flight",
                    provider=self.name,
                    reopens_in=None,
                )
            self._probe_started_at = now

    def record_success(self) -> None:
        """The call succeeded: close the breaker."""
        with self._lock:
            self._state = "closed"
            self._consecutive_failures = 0
            self._opened_at = None
            self._probe_started_at = None

    def record_failure(self) -> None:
        """The call failed in a way that counts: maybe open (or reopen) the breaker."""
        with self._lock:
            now = self.clock()
            self._advance(now)
            self._consecutive_failures += 1
            if self._state == "half-open" or (
                self._state == "closed" and self._consecutive_failures >= self.failure_threshold
            ):
                self._state = "open"
                self._opened_at = now
                self._probe_started_at = None
                self._trips += 1

    def release(self) -> None:
        """The call ended without telling whether the provider works: free the probe slot."""
        with self._lock:
            self._probe_started_at = None

    def record(self, exc: BaseException | None) -> None:
        """Record the outcome of a call let through by `before_call`; ``None`` is a success."""
        if exc is None:
            self.record_success()
        elif counts_as_failure(exc):
            self.record_failure()
        elif isinstance(exc, ProviderError) and exc.status is not None:
            self.record_success()
        else:
            self.release()

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Run the block as one call through the breaker (`before_call`, then `record`)."""
        self.before_call()
        try:
            yield
        except BaseException as exc:
            self.record(exc)
            raise
        self.record(None)

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Await ``fn()`` through the breaker."""
        with self.guard():
            return await fn()

    def snapshot(self) -> JSONDict:
        """The breaker's figures, for metrics: name, state, failures, opened_at, trips."""
        with self._lock:
            now = self.clock()
            self._advance(now)
            reopens_in = (
                max(0.0, self._opened_at + self.reset_timeout - now)
                if self._state == "open" and self._opened_at is not None
                else None
            )
            return {
                "name": self.name,
                "state": self._state,
                "consecutive_failures": self._consecutive_failures,
                "opened_at": self._opened_at,
                "reopens_in": reopens_in,
                "trips": self._trips,
            }

    def _advance(self, now: float) -> None:
        if (
            self._state == "open"
            and self._opened_at is not None
            and now >= self._opened_at + self.reset_timeout
        ):
            self._state = "half-open"
            self._probe_started_at = None
