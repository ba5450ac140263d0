"""Rate limiters: local (per event loop) and shared through Redis."""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_asyncio
from redis.asyncio import Redis

from bookstracker.errors import ConfigurationError, DeadlineExceeded
from bookstracker.resilience import (
    CircuitBreaker,
    Deadline,
    LocalRateLimiter,
    Policy,
    RateLimiter,
    RedisRateLimiter,
    RetryPolicy,
)
from bookstracker.resilience.ratelimit import RATE_KEY_PREFIX

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


async def timed(limiter: RateLimiter, n: int) -> float:
    started = time.monotonic()
    for _ in range(n):
        await limiter.acquire()
    return time.monotonic() - started


@pytest.mark.anyio
async def test_local_paces_acquires_at_the_rate() -> None:
    elapsed = await timed(LocalRateLimiter(100.0), 10)

    assert 0.08 <= elapsed < 0.5


@pytest.mark.anyio
async def test_local_burst_goes_at_once_then_paces() -> None:
    limiter = LocalRateLimiter(10.0, burst=5)

    assert await timed(limiter, 5) < 0.05
    assert 0.07 <= await timed(limiter, 1) < 0.3


@pytest.mark.anyio
async def test_local_infinite_rate_does_not_limit() -> None:
    assert await timed(LocalRateLimiter(math.inf), 1000) < 0.1


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (math.nan, 1), (1.0, 0)])
def test_local_invalid_settings_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ConfigurationError):
        LocalRateLimiter(rate, burst)


def test_local_limiter_works_from_several_event_loops() -> None:
    limiter = LocalRateLimiter(1000.0)
    asyncio.run(limiter.acquire())
    asyncio.run(limiter.acquire())
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(limiter.acquire())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=in_thread)
    thread.start()
    asyncio.run(limiter.acquire())
    thread.join()
    assert errors == []


@pytest.mark.anyio
async def test_policy_gives_up_waiting_for_a_token_at_the_deadline() -> None:
    policy = Policy(
        provider="slow",
        limiter=LocalRateLimiter(0.5),
        retry=RetryPolicy(),
        breaker=CircuitBreaker("slow"),
    )
    sent: list[int] = []

    async def send_once() -> str:
        sent.append(1)
        return "ok"

    await policy.call(send_once)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        await policy.call(send_once, deadline=Deadline.after(0.05))

    assert time.monotonic() - started < 0.5
    assert len(sent) == 1
    assert policy.breaker.consecutive_failures == 0


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = redis_asyncio.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def rate_key(redis_client: Redis) -> AsyncIterator[str]:
    key = f"test-{uuid.uuid4().hex}"
    yield key
    await redis_client.delete(RATE_KEY_PREFIX + key)


@pytest.mark.anyio
@pytest.mark.redis
async def test_redis_paces_acquires_at_the_rate(redis_client: Redis, rate_key: str) -> None:
    limiter = RedisRateLimiter(redis_client, rate_key, 100.0)

    elapsed = await timed(limiter, 10)

    assert 0.08 <= elapsed < 0.5
    assert not limiter.degraded
    assert await redis_client.exists(RATE_KEY_PREFIX + rate_key) == 1


@pytest.mark.anyio
@pytest.mark.redis
async def test_redis_limit_is_shared_by_limiters_on_one_key(
    redis_client: Redis, rate_key: str
) -> None:
    first = RedisRateLimiter(redis_client, rate_key, 50.0)
    second = RedisRateLimiter(redis_client, rate_key, 50.0)

    started = time.monotonic()
    await asyncio.gather(timed(first, 5), timed(second, 5))

    assert 0.16 <= time.monotonic() - started < 0.8


@pytest.mark.anyio
@pytest.mark.redis
async def test_redis_burst_goes_at_once(redis_client: Redis, rate_key: str) -> None:
    limiter = RedisRateLimiter(redis_client, rate_key, 10.0, burst=5)

    assert await timed(limiter, 5) < 0.08
    assert 0.05 <= await timed(limiter, 1) < 0.3


@pytest.mark.anyio
async def test_redis_outage_falls_back_to_local_pacing(caplog: pytest.LogCaptureFixture) -> None:
    client = redis_asyncio.from_url(UNREACHABLE_REDIS)
    limiter = RedisRateLimiter(client, "outage", 100.0)
    try:
        with caplog.at_level(logging.WARNING, logger="bookstracker.resilience.ratelimit"):
            elapsed = await timed(limiter, 10)
    finally:
        await client.aclose()

    assert 0.08 <= elapsed < 0.5
    assert limiter.degraded
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "outage" in warnings[0].getMessage()
