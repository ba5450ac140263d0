"""Daily request quotas, counted in this process or shared by every process through Redis.

A quota day rolls over at ``reset_hour_utc``:00 UTC, or, with ``reset_tz``, at local midnight
in that time zone. ISBNdb counts "a 24 hour period": bookstracker uses UTC midnight for it.
Google's daily quotas reset at midnight US Pacific time: ``reset_tz=GOOGLE_RESET_TZ``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from bookstracker.errors import ConfigurationError, InvalidInput, QuotaExceeded

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = [
    "GOOGLE_RESET_TZ",
    "QUOTA_KEY_PREFIX",
    "LocalQuota",
    "QuotaTracker",
    "RedisQuota",
]

QUOTA_KEY_PREFIX = "bookstracker:v1:quota:"
GOOGLE_RESET_TZ = "America/Los_Angeles"

_log = logging.getLogger(__name__)
_UTC = dt.timezone.utc


@runtime_checkable
class QuotaTracker(Protocol):
    """Counts requests against a provider's daily allowance."""

    async def spend(self, n: int = 1) -> None:
        """Count ``n`` requests, or raise `QuotaExceeded` (spending nothing) if they don't fit."""
        ...

    async def remaining(self) -> int | None:
        """Requests left today; ``None`` when the quota is unlimited."""
        ...

    async def mark_exhausted(self, resets_at: float | None = None) -> None:
        """The provider said the quota is spent: refuse every spend until ``resets_at``.

        ``resets_at`` is a Unix time; ``None`` means the end of the current quota day.
        """
        ...


@attrs.frozen
class _Schedule:
    """When quota days start: ``hour``:00 local time in ``tz``."""

    tz: dt.tzinfo
    hour: int

    @classmethod
    def of(cls, reset_hour_utc: int, reset_tz: str | None) -> _Schedule:
        if not 0 <= reset_hour_utc <= 23:
            raise ConfigurationError(f"quota reset hour must be 0 to 23: {reset_hour_utc!r}")
        if reset_tz is None:
            return cls(_UTC, reset_hour_utc)
        if reset_hour_utc:
            raise ConfigurationError("give a quota reset_tz or a reset_hour_utc, not both")
        try:
            return cls(ZoneInfo(reset_tz), 0)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(f"unknown quota time zone {reset_tz!r}") from exc

    def day(self, now: float) -> tuple[str, float]:
        """The quota day holding ``now`` (``YYYY-MM-DD``) and the Unix time it ends."""
        local = dt.datetime.fromtimestamp(now, self.tz)
        start = dt.datetime.combine(local.date(), dt.time(self.hour), tzinfo=self.tz)
        day = local.date() if local >= start else local.date() - dt.timedelta(days=1)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(self.hour), tzinfo=self.tz)
        return day.isoformat(), end.timestamp()


def _check_spend(n: int) -> None:
    if n < 1:
        raise InvalidInput(f"a quota spend must be at least 1 request: {n!r}")


def _check_limit(daily_limit: int | None) -> None:
    if daily_limit is not None and daily_limit < 0:
        raise ConfigurationError(f"a daily quota must be zero or more: {daily_limit!r}")


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, _UTC).strftime("%Y-%m-%d %H:%M UTC")


def _spent_error(provider: str, limit: int, resets_at: float, now: float) -> QuotaExceeded:
    return QuotaExceeded(
        f"daily quota of {limit} requests is spent; it resets at {_when(resets_at)}",
        provider=provider,
        status=None,
        retry_after=max(0.0, resets_at - now),
        resets_at=resets_at,
    )


def _exhausted_error(provider: str, resets_at: float, now: float) -> QuotaExceeded:
    return QuotaExceeded(
        f"the provider reported its quota spent; it resets at {_when(resets_at)}",
        provider=provider,
        status=None,
        retry_after=max(0.0, resets_at - now),
        resets_at=resets_at,
    )


@attrs.define(eq=False)
class LocalQuota:
    """A daily quota counted in this process; ``daily_limit=None`` is unlimited."""

    provider: str
    daily_limit: int | None
    reset_hour_utc: int = attrs.field(default=0, kw_only=True)
    reset_tz: str | None = attrs.field(default=None, kw_only=True)
    clock: Callable[[], float] = attrs.field(default=time.time, kw_only=True, repr=False)
    _schedule: _Schedule = attrs.field(init=False, repr=False, eq=False)
    _day: str | None = attrs.field(init=False, default=None, repr=False)
    _spent: int = attrs.field(init=False, default=0)
    _exhausted_until: float | None = attrs.field(init=False, default=None)
    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check_limit(self.daily_limit)
        self._schedule = _Schedule.of(self.reset_hour_utc, self.reset_tz)

    async def spend(self, n: int = 1) -> None:
        """Count ``n`` requests, or raise `QuotaExceeded` (spending nothing) if they don't fit."""
        _check_spend(n)
        with self._lock:
            now = self.clock()
            resets_at = self._roll(now)
            if self._exhausted_until is not None:
                raise _exhausted_error(self.provider, self._exhausted_until, now)
            if self.daily_limit is not None and self._spent + n > self.daily_limit:
                raise _spent_error(self.provider, self.daily_limit, resets_at, now)
            self._spent += n

    async def remaining(self) -> int | None:
        """Requests left today; ``None`` when unlimited and not marked exhausted."""
        with self._lock:
            self._roll(self.clock())
            if self._exhausted_until is not None:
                return 0
            if self.daily_limit is None:
                return None
            return max(0, self.daily_limit - self._spent)

    async def mark_exhausted(self, resets_at: float | None = None) -> None:
        """Refuse every spend until ``resets_at`` (default: the end of the quota day)."""
        with self._lock:
            end_of_day = self._roll(self.clock())
            self._exhausted_until = end_of_day if resets_at is None else resets_at

    def _roll(self, now: float) -> float:
        day, resets_at = self._schedule.day(now)
        if day != self._day:
            self._day = day
            self._spent = 0
        if self._exhausted_until is not None and now >= self._exhausted_until:
            self._exhausted_until = None
        return resets_at


# KEYS[1]: today's counter; KEYS[2]: the exhausted flag (its value: the Unix time it lifts).
# ARGV: n, limit (-1: none), counter TTL in seconds, now. Returns {code, value}:
# {0, spent} spent; {-1, resets_at} marked exhausted; {-2, spent} the limit would be passed.
# A counter or flag that is not a sane number is deleted (and counted afresh) rather than
# failing every call.
_SPEND = """
local now = tonumber(ARGV[4])
local raw_lifts = redis.call('GET', KEYS[2])
local lifts = tonumber(raw_lifts)
if raw_lifts and (lifts == nil or lifts ~= lifts or lifts > now + 366 * 86400) then
  redis.call('DEL', KEYS[2])
  lifts = nil
end
if lifts and lifts > now then
  return {-1, tostring(lifts)}
end
local n = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local raw_spent = redis.call('GET', KEYS[1])
local spent = tonumber(raw_spent or '0')
if spent == nil or spent ~= spent or spent < 0 or spent ~= math.floor(spent)
    or spent > 1e15 then
  redis.call('DEL', KEYS[1])
  spent = 0
end
if limit >= 0 and spent + n > limit then
  return {-2, tostring(spent)}
end
spent = redis.call('INCRBY', KEYS[1], n)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {0, tostring(spent)}
"""


def _redis_outage_errors() -> tuple[type[BaseException], ...]:
    """Every Redis failure: unreachable, out of memory, read-only, a script or value error."""
    from redis.exceptions import RedisError

    return (RedisError, OSError, ValueError, TypeError)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _number(value: object, *, low: float, high: float) -> float | None:
    """A finite number within [low, high] read from a Redis reply; None for anything else."""
    if value is None:
        return None
    try:
        number = float(_text(value)[:64])
    except ValueError:
        return None
    return number if low <= number <= high else None


@attrs.define(eq=False)
class RedisQuota:
    """A daily quota shared by every process that uses the same Redis.

    Counts live in ``{prefix}{provider}:{YYYY-MM-DD}`` and expire after the day;
    ``{prefix}{provider}:exhausted`` holds the time a reported exhaustion lifts (``prefix``
    defaults to ``bookstracker:v1:quota:``). Check-and-spend is one Lua script, so processes
    never overspend together. When Redis fails in any way (unreachable, out of memory,
    read-only, a script error, a reply of the wrong shape) the quota logs a warning, counts it
    in ``fallbacks`` and counts in this process alone for ``fallback_for`` seconds. A stored
    value that is not a sane number is deleted and counted afresh.
    """

    redis: Redis = attrs.field(repr=False)
    provider: str
    daily_limit: int | None
    reset_hour_utc: int = attrs.field(default=0, kw_only=True)
    reset_tz: str | None = attrs.field(default=None, kw_only=True)
    clock: Callable[[], float] = attrs.field(default=time.time, kw_only=True, repr=False)
    fallback_for: float = attrs.field(default=30.0, kw_only=True)
    prefix: str = attrs.field(default=QUOTA_KEY_PREFIX, kw_only=True)
    _schedule: _Schedule = attrs.field(init=False, repr=False, eq=False)
    _script: AsyncScript = attrs.field(init=False, repr=False, eq=False)
    _fallback: LocalQuota = attrs.field(init=False, repr=False, eq=False)
    _down_until: float | None = attrs.field(init=False, default=None, repr=False, eq=False)
    fallbacks: int = attrs.field(init=False, default=0, eq=False)
    """How many times a Redis failure sent this quota back to counting in this process."""

    def __attrs_post_init__(self) -> None:
        _check_limit(self.daily_limit)
        self._schedule = _Schedule.of(self.reset_hour_utc, self.reset_tz)
        self._script = self.redis.register_script(_SPEND)
        self._fallback = LocalQuota(
            self.provider,
            self.daily_limit,
            reset_hour_utc=self.reset_hour_utc,
            reset_tz=self.reset_tz,
            clock=self.clock,
        )

    def day_key(self, day: str) -> str:
        """The Redis key counting the requests of quota day ``day`` (``YYYY-MM-DD``)."""
        return f"{self.prefix}{self.provider}:{day}"

    @property
    def exhausted_key(self) -> str:
        """The Redis key of the "provider says the quota is spent" flag."""
        return f"{self.prefix}{self.provider}:exhausted"

    @property
    def degraded(self) -> bool:
        """Whether the quota is counted in this process alone because Redis is unreachable."""
        return self._down_until is not None and time.monotonic() < self._down_until

    async def spend(self, n: int = 1) -> None:
        """Count ``n`` requests, or raise `QuotaExceeded` (spending nothing) if they don't fit."""
        _check_spend(n)
        if self.degraded:
            await self._fallback.spend(n)
            return
        now = self.clock()
        day, resets_at = self._schedule.day(now)
        limit = -1 if self.daily_limit is None else self.daily_limit
        ttl = max(60, math.ceil(resets_at - now) + 3600)
        try:
            code, value = await self._script(
                keys=[self.day_key(day), self.exhausted_key], args=[n, limit, ttl, repr(now)]
            )
            lifts = _number(value, low=0.0, high=now + 366 * 86400.0)
            if code not in (0, -1, -2) or (code == -1 and lifts is None):
                raise ValueError(f"the quota script answered {code!r}")
        except _redis_outage_errors() as exc:
            self._fall_back(exc)
            await self._fallback.spend(n)
            return
        self._recovered()
        if code == -1:
            assert lifts is not None
            raise _exhausted_error(self.provider, lifts, now)
        if code == -2:
            raise _spent_error(self.provider, limit, resets_at, now)

    async def remaining(self) -> int | None:
        """Requests left today; ``None`` when unlimited and not marked exhausted."""
        if self.degraded:
            return await self._fallback.remaining()
        now = self.clock()
        day, _ = self._schedule.day(now)
        try:
            raw_lifts, raw_spent = await self.redis.mget([self.exhausted_key, self.day_key(day)])
        except _redis_outage_errors() as exc:
            self._fall_back(exc)
            return await self._fallback.remaining()
        self._recovered()
        lifts = _number(raw_lifts, low=0.0, high=now + 366 * 86400.0)
        spent = _number(raw_spent, low=0.0, high=1e15)
        garbage = [
            key
            for key, raw, value in (
                (self.exhausted_key, raw_lifts, lifts),
                (self.day_key(day), raw_spent, spent),
            )
            if raw is not None and value is None
        ]
        if garbage:
            await self._drop_garbage(garbage)
        if lifts is not None and lifts > now:
            return 0
        if self.daily_limit is None:
            return None
        return max(0, self.daily_limit - int(spent or 0))

    async def _drop_garbage(self, keys: list[str]) -> None:
        """Delete stored counters or flags that are not sane numbers (counted afresh)."""
        _log.warning("Redis quota for %r: dropping garbage values in %s", self.provider, keys)
        try:
            await self.redis.delete(*keys)
        except _redis_outage_errors() as exc:
            self._fall_back(exc)

    async def mark_exhausted(self, resets_at: float | None = None) -> None:
        """Refuse every spend, in every process, until ``resets_at`` (default: end of day)."""
        now = self.clock()
        if resets_at is None:
            _, resets_at = self._schedule.day(now)
        await self._fallback.mark_exhausted(resets_at)
        ttl = max(1, math.ceil(resets_at - now))
        try:
            await self.redis.set(self.exhausted_key, repr(float(resets_at)), ex=ttl)
        except _redis_outage_errors() as exc:
            self._fall_back(exc)
            return
        self._recovered()

    def _fall_back(self, exc: BaseException) -> None:
        self.fallbacks += 1
        self._down_until = time.monotonic() + self.fallback_for
        _log.warning(
            "Redis quota for %r failed (%s); counting in this process alone for %gs",
            self.provider,
            type(exc).__name__,
            self.fallback_for,
        )

    def _recovered(self) -> None:
        if self._down_until is not None:
            self._down_until = None
            _log.info("Redis quota for %r reachable again", self.provider)
