"""What the web server builds on: limiters that answer at once, and the event broker."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest
import redis.asyncio as redis_asyncio

from bookstracker.resilience import LocalRateLimiter, RedisRateLimiter
from bookstracker.web.events import EventBroker, format_event

pytestmark = pytest.mark.anyio


async def test_local_try_acquire_takes_the_burst_then_says_how_long() -> None:
    limiter = LocalRateLimiter(2.0, burst=2)
    assert await limiter.try_acquire() == 0.0
    assert await limiter.try_acquire() == 0.0
    wait = await limiter.try_acquire()
    assert 0.3 < wait <= 0.6
    assert await limiter.try_acquire() == pytest.approx(wait, abs=0.05)  # nothing was taken
    assert await LocalRateLimiter(float("inf")).try_acquire() == 0.0


@pytest.mark.redis
async def test_redis_try_acquire_is_shared_by_every_limiter_on_a_key(redis_url: str) -> None:
    redis = redis_asyncio.from_url(redis_url)
    key = f"test-web-{uuid.uuid4().hex}"
    try:
        one = RedisRateLimiter(redis, key, 1.0, burst=1, prefix="test:web-rate:")
        two = RedisRateLimiter(redis, key, 1.0, burst=1, prefix="test:web-rate:")
        granted = [await one.try_acquire(), await two.try_acquire(), await two.try_acquire()]
        assert granted[0] == 0.0
        assert max(granted) > 0.5  # the third within a second waits, whichever limiter asks
    finally:
        await redis.delete("test:web-rate:" + key)
        await redis.aclose()


async def test_redis_try_acquire_falls_back_to_this_process_when_unreachable() -> None:
    redis = redis_asyncio.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        limiter = RedisRateLimiter(redis, "down", 1.0, burst=1)
        assert await limiter.try_acquire() == 0.0
        assert limiter.degraded
        assert await limiter.try_acquire() > 0.5
    finally:
        await redis.aclose()


async def test_the_broker_fans_out_and_drops_for_a_slow_listener() -> None:
    broker = EventBroker()
    broker.publish("nobody", {"listens": True})
    async with broker.subscribe() as first, broker.subscribe() as second:
        assert broker.listeners == 2
        broker.publish("warm", {"id": "x", "state": "running"})
        assert await first.receive() == format_event("warm", {"id": "x", "state": "running"})
        assert await second.receive() == format_event("warm", {"id": "x", "state": "running"})
        for n in range(300):
            broker.publish("stats", {"n": n})
    assert broker.listeners == 0
    assert broker.dropped > 0


async def test_ticks_publish_stats_and_breaker_changes() -> None:
    broker = EventBroker()
    states = iter(["closed", "closed", "open", "open", "half-open"])

    async def snapshot() -> dict[str, Any]:
        return {"providers": {"openlibrary": {"breaker": next(states, "closed")}}}

    seen: list[bytes] = []
    async with broker.subscribe() as events, anyio.create_task_group() as group:
        group.start_soon(broker.tick, snapshot, 0.01)
        with anyio.fail_after(5):
            while sum(b"event: breaker" in m for m in seen) < 2:
                seen.append(await events.receive())
        group.cancel_scope.cancel()
    breakers = [m for m in seen if m.startswith(b"event: breaker")]
    assert b'"previous":"closed","state":"open"' in breakers[0]
    assert b'"previous":"open","state":"half-open"' in breakers[1]
    assert any(m.startswith(b"event: stats") for m in seen)
