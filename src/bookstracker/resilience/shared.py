"""Limits kept in Redis for every process: each adapter's rate limit and daily quota."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from bookstracker.resilience.quota import LocalQuota, QuotaTracker, RedisQuota
from bookstracker.resilience.ratelimit import RateLimiter, RedisRateLimiter

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["SharedLimits"]


@attrs.frozen
class SharedLimits:
    """Makes an adapter's limiter and quota live in Redis under ``prefix`` (``…v1:``)."""

    redis: Redis = attrs.field(repr=False)
    prefix: str

    def limiter(self, provider: str, rate: float) -> RateLimiter:
        return RedisRateLimiter(self.redis, provider, rate, prefix=self.prefix + "rate:")

    def quota(self, local: QuotaTracker | None) -> QuotaTracker | None:
        """The shared version of an adapter's own quota, keeping its allowance and reset."""
        if not isinstance(local, LocalQuota):
            return local
        return RedisQuota(
            self.redis,
            local.provider,
            local.daily_limit,
            reset_hour_utc=local.reset_hour_utc,
            reset_tz=local.reset_tz,
            prefix=self.prefix + "quota:",
        )
