"""Pacing by the moment requests leave: a provider that allows no burst sees no 429."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
import redis.asyncio as redis_asyncio
from redis.asyncio import Redis

from bookstracker import OpenLibrary
from bookstracker._http import HttpRequest, HttpSession
from bookstracker.resilience import LocalRateLimiter, RateLimiter, RedisRateLimiter, RetryPolicy
from bookstracker.resilience.ratelimit import SAFETY, DeparturePacer
from bookstracker.testing import FakeOpenLibrary
from bookstracker.testing._server import FakeServer
from hostile import HostileServer, Reply, Request

pytestmark = pytest.mark.anyio

ISBNS = [
    "9780000000002",
    "9780000000019",
    "9780000000026",
    "9780000000033",
    "9780000000040",
    "9780000000057",
    "9780000000064",
    "9780000000071",
    "9780000000088",
    "9780000000095",
    "9780000000101",
    "9780000000118",
]


async def departures(limiter: DeparturePacer, n: int) -> list[float]:
    """The moments ``n`` concurrent requests were let go by ``departing``."""
    times: list[float] = []

    async def one() -> None:
        await limiter.departing()
        times.append(time.monotonic())

    async with anyio.create_task_group() as group:
        for _ in range(n):
            group.start_soon(one)
    return times


def spans(times: list[float], apart: int) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[apart:], strict=False)]


async def test_departures_leave_one_interval_apart() -> None:
    rate = 200.0
    times = await departures(LocalRateLimiter(rate), 8)

    assert len(times) == 8
    assert min(spans(times, 1)) >= (1 + SAFETY) / rate - 1e-4


async def test_departures_with_a_burst_keep_burst_per_interval() -> None:
    rate, burst = 200.0, 3
    times = await departures(LocalRateLimiter(rate, burst=burst), 9)

    assert min(spans(times, burst)) >= (1 + SAFETY) / rate - 1e-4


async def test_departures_without_a_limit_are_not_held() -> None:
    limiter = LocalRateLimiter(math.inf)
    with anyio.fail_after(5):
        assert len(await departures(limiter, 1000)) == 1000


async def test_a_late_write_delays_the_next_departure() -> None:
    rate = 200.0
    limiter = LocalRateLimiter(rate)
    await limiter.departing()
    await anyio.sleep(0.02)
    written = time.monotonic()
    limiter.departed()
    await limiter.departing()

    assert time.monotonic() - written >= (1 + SAFETY) / rate - 1e-4


async def test_a_cancelled_departure_frees_the_turn() -> None:
    limiter = LocalRateLimiter(1.0)
    await limiter.departing()
    with anyio.move_on_after(0.01) as scope:
        await limiter.departing()
    assert scope.cancelled_caught
    with anyio.fail_after(5):
        await limiter.departing()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = redis_asyncio.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_redis_limiter_spaces_this_loops_departures(redis_client: Redis) -> None:
    key = f"test-{uuid.uuid4().hex}"
    limiter = RedisRateLimiter(redis_client, key, 200.0)
    try:
        times = await departures(limiter, 6)
    finally:
        await redis_client.delete(limiter.redis_key)

    assert min(spans(times, 1)) >= (1 + SAFETY) / 200.0 - 1e-4


# -- the session calls the hook as the request leaves ----------------------------------------


async def test_session_holds_the_request_in_on_send_until_it_returns() -> None:
    fake = FakeOpenLibrary()
    released: list[float] = []
    with FakeServer(fake) as server:
        url = server.urls["openlibrary"] + "/api/books"
        session = HttpSession(provider="openlibrary", timeout=10.0)

        async def on_send() -> None:
            assert fake.count() == len(released)
            await anyio.sleep(0.02)
            released.append(time.monotonic())

        try:
            for _ in range(2):
                await session.send(HttpRequest(url=url), on_send=on_send)
        finally:
            await session.aclose()

    assert len(released) == fake.count() == 2
    assert all(r.at >= left for r, left in zip(fake.log, released, strict=True))


async def test_session_calls_on_send_before_each_redirect_hop() -> None:
    def handler(request: Request) -> Reply:
        if request.path == "/old":
            return Reply(302, headers={"Location": "/new"})
        return Reply(200, b"{}", {"Content-Type": "application/json"})

    calls: list[int] = []
    with HostileServer(handler) as server:

        async def on_send() -> None:
            calls.append(len(server.requests))

        session = HttpSession(provider="p", timeout=10.0)
        try:
            await session.send(HttpRequest(url=server.base + "/old"), on_send=on_send)
        finally:
            await session.aclose()

    assert calls == [0, 1]
    assert [r.path for r in server.requests] == ["/old", "/new"]


async def test_in_process_transport_calls_on_send_before_each_request() -> None:
    calls: list[int] = []
    fake = FakeOpenLibrary()

    async def on_send() -> None:
        calls.append(fake.count())

    session = HttpSession(provider="p", timeout=5.0, transport=fake.in_process_transport())
    for _ in range(2):
        await session.send(HttpRequest(url="http://openlibrary.test/api/books"), on_send=on_send)

    assert calls == [0, 1]


async def test_a_transport_without_the_trace_hook_is_not_held() -> None:
    calls: list[str] = []

    async def on_send() -> None:
        calls.append("send")

    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    async with httpx.AsyncClient(transport=transport) as client:
        session = HttpSession(provider="p", timeout=5.0, http_client=client)
        response = await session.send(HttpRequest(url="http://example.test/"), on_send=on_send)

    assert response.status == 200
    assert calls == []


# -- the adapter paces by departures --------------------------------------------------------


class RecordingLimiter:
    """A limiter recording when tokens are taken and requests leave."""

    def __init__(self, rate: float = 1000.0) -> None:
        self.rate = rate
        self.events: list[str] = []

    async def acquire(self) -> None:
        self.events.append("acquire")

    async def departing(self) -> None:
        self.events.append("departing")

    def departed(self) -> None:
        self.events.append("departed")


async def test_adapter_holds_each_request_at_its_departure() -> None:
    limiter = RecordingLimiter()
    assert isinstance(limiter, RateLimiter)
    fake = FakeOpenLibrary()
    adapter = OpenLibrary(
        base_url="http://openlibrary.test",
        transport=fake.in_process_transport(),
        limiter=limiter,
    )
    async with adapter:
        await adapter.isbn(ISBNS[0])
        await adapter.isbn(ISBNS[1])

    assert limiter.events == ["acquire", "departing", "departed"] * 2
    assert fake.count() == 2


async def test_adapter_without_a_limit_does_not_hold_requests() -> None:
    limiter = RecordingLimiter(math.inf)
    fake = FakeOpenLibrary()
    adapter = OpenLibrary(
        base_url="http://openlibrary.test",
        transport=fake.in_process_transport(),
        limiter=limiter,
    )
    async with adapter:
        await adapter.isbn(ISBNS[0])

    assert limiter.events == ["acquire"]
    assert fake.count() == 1


@pytest.mark.parametrize("rate", [10.0])
async def test_no_429_from_a_provider_without_burst(rate: float) -> None:
    fake = FakeOpenLibrary(rate_limit=rate, burst=1)
    with FakeServer(fake) as server:
        adapter = OpenLibrary(
            base_url=server.urls["openlibrary"], rate=rate, retry=RetryPolicy(attempts=5)
        )
        async with adapter:
            async with anyio.create_task_group() as group:
                for isbn in ISBNS:
                    group.start_soon(adapter.isbn, isbn)
            stats = adapter.stats()

    assert [r.fault for r in fake.log] == [None] * len(ISBNS)
    assert stats["rate_limited"] == 0
