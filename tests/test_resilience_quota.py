"""Daily quotas: local and Redis-shared, on a fake clock, and how Policy uses them."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bookstracker.errors import ConfigurationError, InvalidInput, QuotaExceeded
from bookstracker.resilience import (
    GOOGLE_RESET_TZ,
    CircuitBreaker,
    LocalQuota,
    Policy,
    RedisQuota,
    RetryPolicy,
)
from bookstracker.resilience.quota import QUOTA_KEY_PREFIX

P = "testprovider"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def ts(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


class FakeClock:
    def __init__(self, start: str = "2025-03-10T12:00:00+00:00") -> None:
        self.now = ts(start)

    def __call__(self) -> float:
        return self.now


@pytest.mark.anyio
async def test_spends_up_to_the_limit_then_refuses() -> None:
    clock = FakeClock()
    quota = LocalQuota(P, 3, clock=clock)
    for _ in range(3):
        await quota.spend()

    with pytest.raises(QuotaExceeded) as caught:
        await quota.spend()

    assert caught.value.provider == P
    assert caught.value.resets_at == ts("2025-03-11T00:00:00+00:00")
    assert caught.value.retry_after == pytest.approx(12 * 3600)
    assert await quota.remaining() == 0


@pytest.mark.anyio
async def test_a_refused_spend_spends_nothing() -> None:
    quota = LocalQuota(P, 5, clock=FakeClock())
    await quota.spend(3)

    with pytest.raises(QuotaExceeded):
        await quota.spend(3)

    assert await quota.remaining() == 2
    await quota.spend(2)


@pytest.mark.anyio
async def test_the_count_resets_at_utc_midnight() -> None:
    clock = FakeClock("2025-03-10T23:59:59+00:00")
    quota = LocalQuota(P, 2, clock=clock)
    await quota.spend(2)

    clock.now = ts("2025-03-11T00:00:00+00:00")

    assert await quota.remaining() == 2
    await quota.spend()


@pytest.mark.anyio
async def test_reset_hour_utc_moves_the_day_boundary() -> None:
    clock = FakeClock("2025-03-10T06:59:00+00:00")
    quota = LocalQuota(P, 0, reset_hour_utc=7, clock=clock)

    with pytest.raises(QuotaExceeded) as before:
        await quota.spend()
    clock.now = ts("2025-03-10T07:00:00+00:00")
    with pytest.raises(QuotaExceeded) as after:
        await quota.spend()

    assert before.value.resets_at == ts("2025-03-10T07:00:00+00:00")
    assert after.value.resets_at == ts("2025-03-11T07:00:00+00:00")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("now", "resets_at"),
    [
        ("2025-01-15T12:00:00+00:00", "2025-01-16T08:00:00+00:00"),
        ("2025-07-15T12:00:00+00:00", "2025-07-16T07:00:00+00:00"),
        ("2025-07-15T06:30:00+00:00", "2025-07-15T07:00:00+00:00"),
        ("2025-03-09T12:00:00+00:00", "2025-03-10T07:00:00+00:00"),
    ],
)
async def test_pacific_midnight_reset(now: str, resets_at: str) -> None:
    quota = LocalQuota(P, 0, reset_tz=GOOGLE_RESET_TZ, clock=FakeClock(now))

    with pytest.raises(QuotaExceeded) as caught:
        await quota.spend()

    assert caught.value.resets_at == ts(resets_at)


@pytest.mark.anyio
@settings(max_examples=200, deadline=None)
@given(
    now=st.floats(
        min_value=ts("2000-01-01T00:00:00+00:00"), max_value=ts("2060-01-01T00:00:00+00:00")
    ),
    tz=st.sampled_from([None, GOOGLE_RESET_TZ, "Europe/Paris", "Australia/Lord_Howe"]),
)
async def test_every_quota_day_ends_within_a_day_and_starts_the_next(
    now: float, tz: str | None
) -> None:
    clock = FakeClock()
    clock.now = now
    quota = LocalQuota(P, 0, reset_tz=tz, clock=clock)

    with pytest.raises(QuotaExceeded) as first:
        await quota.spend()
    end = first.value.resets_at
    assert end is not None
    assert now < end <= now + 25 * 3600

    clock.now = end
    with pytest.raises(QuotaExceeded) as second:
        await quota.spend()
    assert second.value.resets_at is not None
    assert 23 * 3600 - 1 <= second.value.resets_at - end <= 25 * 3600 + 1


@pytest.mark.anyio
async def test_unlimited_quota_has_no_remaining_count() -> None:
    quota = LocalQuota(P, None, clock=FakeClock())
    for _ in range(1000):
        await quota.spend()

    assert await quota.remaining() is None


@pytest.mark.anyio
async def test_mark_exhausted_refuses_until_the_end_of_the_day() -> None:
    clock = FakeClock()
    quota = LocalQuota(P, None, clock=clock)

    await quota.mark_exhausted()

    assert await quota.remaining() == 0
    with pytest.raises(QuotaExceeded) as caught:
        await quota.spend()
    assert caught.value.resets_at == ts("2025-03-11T00:00:00+00:00")
    clock.now = ts("2025-03-11T00:00:00+00:00")
    await quota.spend()
    assert await quota.remaining() is None


@pytest.mark.anyio
async def test_mark_exhausted_until_a_given_time() -> None:
    clock = FakeClock()
    quota = LocalQuota(P, 100, clock=clock)
    lifts = clock.now + 60.0

    await quota.mark_exhausted(lifts)

    with pytest.raises(QuotaExceeded) as caught:
        await quota.spend()
    assert caught.value.resets_at == lifts
    clock.now = lifts
    await quota.spend()
    assert await quota.remaining() == 99


@pytest.mark.parametrize(
    "kwargs",
    [
        {"daily_limit": -1},
        {"daily_limit": 10, "reset_hour_utc": 24},
        {"daily_limit": 10, "reset_hour_utc": 7, "reset_tz": GOOGLE_RESET_TZ},
        {"daily_limit": 10, "reset_tz": "Mars/Olympus_Mons"},
    ],
)
def test_invalid_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        LocalQuota(P, **kwargs)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_spending_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput):
        await LocalQuota(P, 10).spend(0)


class CountingLimiter:
    rate = 10.0

    def __init__(self) -> None:
        self.tokens = 0

    async def acquire(self) -> None:
        self.tokens += 1


def make_policy(quota: LocalQuota, limiter: CountingLimiter) -> Policy:
    return Policy(
        provider=P,
        limiter=limiter,
        retry=RetryPolicy(attempts=3),
        breaker=CircuitBreaker(P, failure_threshold=1),
        quota=quota,
    )


@pytest.mark.anyio
async def test_policy_marks_the_quota_exhausted_when_the_server_says_so() -> None:
    clock = FakeClock()
    quota = LocalQuota(P, 1000, clock=clock)
    limiter = CountingLimiter()
    policy = make_policy(quota, limiter)
    sent: list[int] = []

    async def send_once() -> str:
        sent.append(1)
        raise QuotaExceeded("Queries per day", provider=P)

    with pytest.raises(QuotaExceeded):
        await policy.call(send_once)
    with pytest.raises(QuotaExceeded):
        await policy.call(send_once)

    assert len(sent) == 1
    assert limiter.tokens == 1
    assert await quota.remaining() == 0
    assert policy.breaker.state == "closed"
    assert policy.counters.quota_exceeded == 2


@pytest.mark.anyio
async def test_policy_spends_cost_per_attempt() -> None:
    quota = LocalQuota(P, 100, clock=FakeClock())
    policy = make_policy(quota, CountingLimiter())

    async def send_once() -> str:
        return "ok"

    await policy.call(send_once, cost=40)

    assert await quota.remaining() == 60
    with pytest.raises(QuotaExceeded):
        await policy.call(send_once, cost=70)
    assert await quota.remaining() == 60


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = redis_asyncio.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def provider(redis_client: Redis) -> AsyncIterator[str]:
    name = f"test-{uuid.uuid4().hex}"
    yield name
    keys = [key async for key in redis_client.scan_iter(match=f"{QUOTA_KEY_PREFIX}{name}:*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.mark.anyio
@pytest.mark.redis
async def test_redis_quota_is_shared_and_refuses_without_spending(
    redis_client: Redis, provider: str
) -> None:
    clock = FakeClock()
    one = RedisQuota(redis_client, provider, 5, clock=clock)
    two = RedisQuota(redis_client, provider, 5, clock=clock)
    await one.spend(3)

    with pytest.raises(QuotaExceeded) as caught:
        await two.spend(3)

    assert caught.value.resets_at == ts("2025-03-11T00:00:00+00:00")
    assert await one.remaining() == 2
    await two.spend(2)
    assert await one.remaining() == 0
    key = f"{QUOTA_KEY_PREFIX}{provider}:2025-03-10"
    assert int(await redis_client.get(key) or 0) == 5
    assert await redis_client.ttl(key) > 0


@pytest.mark.anyio
@pytest.mark.redis
async def test_redis_quota_counts_each_day_apart(redis_client: Redis, provider: str) -> None:
    clock = FakeClock("2025-03-10T23:00:00+00:00")
    quota = RedisQuota(redis_client, provider, 2, clock=clock)
    await quota.spend(2)

    clock.now = ts("2025-03-11T01:00:00+00:00")

    assert await quota.remaining() == 2
    await quota.spend()


@pytest.mark.anyio
@pytest.mark.redis
async def test_redis_mark_exhausted_reaches_every_process(
    redis_client: Redis, provider: str
) -> None:
    clock = FakeClock()
    one = RedisQuota(redis_client, provider, None, clock=clock)
    two = RedisQuota(redis_client, provider, None, clock=clock)
    assert await two.remaining() is None

    await one.mark_exhausted(clock.now + 600.0)

    with pytest.raises(QuotaExceeded) as caught:
        await two.spend()
    assert caught.value.resets_at == clock.now + 600.0
    assert await two.remaining() == 0
    clock.now += 600.0
    await two.spend()
    assert await two.remaining() is None


@pytest.mark.anyio
async def test_redis_outage_falls_back_to_local_counting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = redis_asyncio.from_url(UNREACHABLE_REDIS)
    quota = RedisQuota(client, "outage", 2, clock=FakeClock())
    try:
        with caplog.at_level(logging.WARNING, logger="bookstracker.resilience.quota"):
            await quota.spend()
            await quota.spend()
            with pytest.raises(QuotaExceeded):
                await quota.spend()
    finally:
        await client.aclose()

    assert quota.degraded
    assert await quota.remaining() == 0
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
