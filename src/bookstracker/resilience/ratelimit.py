"""Rate limiters: a ceiling on requests per second, in one process or shared through Redis.

In one process, aiolimiter's leaky bucket configured for strict pacing (``AsyncLimiter(burst,
burst × interval)``: with the default burst of 1, one request per interval and never two
together); through Redis, GCRA in a Lua script on the server's clock. Both keep a ``SAFETY``
margin (5% of the interval) for the jitter between a request leaving and its arrival upstream.

A token is taken before the request is handed to the HTTP client, and the time from there to
its first byte on the wire varies: a new connection takes a TCP (and TLS) handshake, the next
request on an open one goes at once. A provider that allows no burst at all sees those two
arrive closer than one interval apart and answers 429. So each limiter also paces the moment
requests leave (`departing`, awaited by the session once the connection is open, before the
first byte): a request goes at least one interval after this event loop's previous one left
(``burst`` requests per ``burst`` intervals). Requests from other processes sharing a Redis
limit are paced by the shared token alone.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, runtime_checkable

import anyio
import attrs

from bookstracker.errors import ConfigurationError

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = [
    "RATE_KEY_PREFIX",
    "SAFETY",
    "DeparturePacer",
    "LocalRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
]

RATE_KEY_PREFIX = "bookstracker:v1:rate:"
SAFETY = 0.05
"""The share of the interval between requests added as a margin for network jitter."""

_log = logging.getLogger(__name__)
T = TypeVar("T")


@runtime_checkable
class RateLimiter(Protocol):
    """Paces requests: each call to `acquire` takes one token, waiting until one is free."""

    @property
    def rate(self) -> float:
        """The ceiling, in requests per second (``math.inf`` for none)."""
        ...

    async def acquire(self) -> None:
        """Wait until one more request may be sent."""
        ...


@runtime_checkable
class DeparturePacer(Protocol):
    """A limiter that also spaces the moments requests actually leave (see the module text)."""

    async def departing(self) -> None:
        """Wait, with the request about to leave, until it may go; mark that it went."""
        ...

    def departed(self) -> None:
        """The request let go last is written out now (later than `departing` returned)."""
        ...


def _check_rate(rate: float, burst: int) -> None:
    if math.isnan(rate) or rate <= 0:
        raise ConfigurationError(f"a rate limit must be a positive number of requests/s: {rate!r}")
    if burst < 1:
        raise ConfigurationError(f"a rate limit burst must be at least 1: {burst!r}")


def _interval(rate: float) -> float:
    return (1.0 + SAFETY) / rate


def _pacer(rate: float, burst: int) -> AsyncLimiter:
    """Strict pacing for one event loop: ``burst`` requests per ``burst`` intervals, so that
    after the first ``burst`` the requests leave one interval apart, in the order they came."""
    from aiolimiter import AsyncLimiter  # on first pacing: it reads package metadata on import

    return AsyncLimiter(burst, burst * _interval(rate))


class _Departures:
    """GCRA on the moments one event loop's requests leave: each one goes no sooner than
    ``interval`` after the previous, ``burst`` of them at once after a quiet spell."""

    def __init__(self, interval: float, burst: int) -> None:
        self._interval = interval
        self._tolerance = (burst - 1) * interval
        self._due = -math.inf
        self._turn = asyncio.Lock()

    async def wait_turn(self) -> None:
        async with self._turn:
            while True:
                now = time.monotonic()
                due = max(self._due, now)
                wait = due - self._tolerance - now
                if wait <= 0:
                    self._due = due + self._interval
                    return
                await anyio.sleep(wait)

    def went(self) -> None:
        """The request let go last is written out now: the next waits one interval from here."""
        self._due = max(self._due, time.monotonic() + self._interval)


class _PerLoop(Generic[T]):
    """One ``asyncio.Lock``-based object per running event loop (they are bound to one)."""

    def __init__(self) -> None:
        self._objects: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self, make: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        with self._lock:
            found = self._objects.get(loop)
            if found is None:
                found = self._objects[loop] = make()
            return found


@attrs.define(eq=False)
class LocalRateLimiter:
    """A rate limit held in this process.

    ``rate`` is requests per second (``0.5`` is one request every two seconds, ``math.inf``
    turns limiting off); ``burst`` is how many requests may go at once after a quiet spell.
    Waiting callers go in the order they came. Each running event loop gets its own pacing:
    the limit holds per loop, and a limiter used from two loops never fails.
    """

    rate: float
    burst: int = 1
    _pacers: _PerLoop[AsyncLimiter] = attrs.field(
        init=False, factory=_PerLoop, repr=False, eq=False
    )
    _departures: _PerLoop[_Departures] = attrs.field(
        init=False, factory=_PerLoop, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        _check_rate(self.rate, self.burst)

    async def acquire(self) -> None:
        """Wait until one more request may be sent from the running loop."""
        if math.isinf(self.rate):
            return
        await self._pacers.get(lambda: _pacer(self.rate, self.burst)).acquire()

    def _loop_departures(self) -> _Departures:
        return self._departures.get(lambda: _Departures(_interval(self.rate), self.burst))

    async def departing(self) -> None:
        """Hold a request about to leave until one interval has passed since this loop's
        previous request left (``burst`` requests per ``burst`` intervals), in the order
        they come; the request counts as gone when this returns."""
        if not math.isinf(self.rate):
            await self._loop_departures().wait_turn()

    def departed(self) -> None:
        """The request let go last is written out now: the next one leaves at least one
        interval later, whatever delayed the writing."""
        if not math.isinf(self.rate):
            self._loop_departures().went()

    async def try_acquire(self) -> float:
        """Take a token if one is free now (0.0); else the seconds until one is, taking none."""
        if math.isinf(self.rate):
            return 0.0
        pacer = self._pacers.get(lambda: _pacer(self.rate, self.burst))
        if pacer.has_capacity():
            await pacer.acquire()
            return 0.0
        # A full bucket drains one request's worth every interval: an upper bound on the wait.
        return _interval(self.rate)


# GCRA on the server's clock. KEYS[1]: the limiter key. ARGV[1]: microseconds between
# requests; ARGV[2]: burst; ARGV[3]: the furthest (in microseconds) a stored instant may lie
# ahead of now. Returns 0 when a request may go now (and books it), otherwise the microseconds
# to wait before asking again. A stored value that is not a number, or lies absurdly far ahead
# (a rate of 1e18 written by hand, a clock gone wrong), is dropped rather than obeyed.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = interval * tonumber(ARGV[2])
local raw = redis.call('GET', KEYS[1])
local tat = tonumber(raw)
if raw and (tat == nil or tat ~= tat or tat > now + tonumber(ARGV[3])) then
  redis.call('DEL', KEYS[1])
  tat = nil
end
if tat == nil or tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - tolerance - now
if wait > 0 then return math.ceil(wait) end
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return 0
"""
MAX_AHEAD = 60.0
"""Seconds beyond its own interval and burst that a shared limit may hold a caller back; a
stored instant further ahead is garbage and is deleted."""


def _redis_outage_errors() -> tuple[type[BaseException], ...]:
    """Every Redis failure: unreachable, out of memory, read-only, a script or value error."""
    from redis.exceptions import RedisError

    return (RedisError, OSError, ValueError, TypeError)


@attrs.define(eq=False)
class RedisRateLimiter:
    """A rate limit shared by every process that uses the same Redis and ``key``.

    ``key`` names the limit (the provider); the Redis key is ``prefix`` (default
    ``bookstracker:v1:rate:``) + key.
    Requests are paced by GCRA in a Lua script on the server's clock. When Redis cannot be
    reached the limiter logs a warning and paces this process alone for ``fallback_for``
    seconds before trying Redis again: a Redis outage never fails the user's call. Any Redis
    error counts as an outage (out of memory, a read-only replica, a script error, a reply that
    is not a number), each one counted in ``fallbacks``; a stored value that is garbage or
    absurdly far ahead is deleted by the script itself.
    """

    redis: Redis = attrs.field(repr=False)
    key: str
    rate: float
    burst: int = 1
    fallback_for: float = attrs.field(default=30.0, kw_only=True)
    prefix: str = attrs.field(default=RATE_KEY_PREFIX, kw_only=True)
    _fallback: LocalRateLimiter = attrs.field(init=False, repr=False, eq=False)
    _turns: _PerLoop[asyncio.Lock] = attrs.field(init=False, factory=_PerLoop, repr=False, eq=False)
    _down_until: float | None = attrs.field(init=False, default=None, repr=False, eq=False)
    _script: AsyncScript = attrs.field(init=False, repr=False, eq=False)
    fallbacks: int = attrs.field(init=False, default=0, eq=False)
    """How many times a Redis failure sent this limiter back to pacing this process alone."""

    def __attrs_post_init__(self) -> None:
        _check_rate(self.rate, self.burst)
        self._fallback = LocalRateLimiter(self.rate, self.burst)
        self._script = self.redis.register_script(_GCRA)

    @property
    def redis_key(self) -> str:
        """The Redis key that holds this limit."""
        return self.prefix + self.key

    @property
    def degraded(self) -> bool:
        """Whether the limiter is pacing this process alone because Redis is unreachable."""
        return self._down_until is not None and time.monotonic() < self._down_until

    async def acquire(self) -> None:
        """Wait until the shared limit lets one more request go."""
        if math.isinf(self.rate):
            return
        if self.degraded:
            await self._fallback.acquire()
            return
        async with self._turns.get(asyncio.Lock):
            await self._acquire_shared()

    async def departing(self) -> None:
        """Space this loop's requests as they leave, as `LocalRateLimiter.departing` does
        (other processes sharing the limit are paced by the shared token alone)."""
        await self._fallback.departing()

    def departed(self) -> None:
        """The request let go last is written out now (see `LocalRateLimiter.departed`)."""
        self._fallback.departed()

    async def try_acquire(self) -> float:
        """Take a shared token if one is free now (0.0); else the seconds until one is.

        When Redis cannot be reached, this process's own limit answers instead.
        """
        if math.isinf(self.rate):
            return 0.0
        if not self.degraded:
            interval_us = max(1, math.ceil(1_000_000 * _interval(self.rate)))
            ahead_us = interval_us * (self.burst + 1) + math.ceil(MAX_AHEAD * 1_000_000)
            try:
                reply = await self._script(
                    keys=[self.redis_key], args=[interval_us, self.burst, ahead_us]
                )
                if isinstance(reply, bool) or not isinstance(reply, int):
                    raise TypeError(f"the rate script answered {type(reply).__name__}")
                wait_us = min(reply, ahead_us)
            except _redis_outage_errors() as exc:
                self.fallbacks += 1
                self._down_until = time.monotonic() + self.fallback_for
                _log.warning(
                    "Redis rate limit %r unreachable (%s); limiting this process alone for %gs",
                    self.key,
                    type(exc).__name__,
                    self.fallback_for,
                )
            else:
                return max(0.0, wait_us / 1_000_000)
        return await self._fallback.try_acquire()

    async def _acquire_shared(self) -> None:
        interval_us = max(1, math.ceil(1_000_000 * _interval(self.rate)))
        ahead_us = interval_us * (self.burst + 1) + math.ceil(MAX_AHEAD * 1_000_000)
        while True:
            try:
                reply = await self._script(
                    keys=[self.redis_key], args=[interval_us, self.burst, ahead_us]
                )
                if isinstance(reply, bool) or not isinstance(reply, int):
                    raise TypeError(f"the rate script answered {type(reply).__name__}")
                wait_us = min(reply, ahead_us)
            except _redis_outage_errors() as exc:
                self.fallbacks += 1
                self._down_until = time.monotonic() + self.fallback_for
                _log.warning(
                    "Redis rate limit %r failed (%s); pacing this process alone for %gs",
                    self.key,
                    type(exc).__name__,
                    self.fallback_for,
                )
                await self._fallback.acquire()
                return
            if self._down_until is not None:
                self._down_until = None
                _log.info("Redis rate limit %r reachable again", self.key)
            if wait_us <= 0:
                return
            await anyio.sleep(wait_us / 1_000_000)
