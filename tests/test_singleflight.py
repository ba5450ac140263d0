"""Single-flight within a process and, through Redis locks, across processes."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator

import anyio
import anyio.lowlevel
import pytest
import redis.asyncio

from bookstracker.cache import RedisSingleFlight, SingleFlight

pytestmark = pytest.mark.anyio


class Upstream:
    """A call that blocks until released and counts its executions."""

    def __init__(self, result: str = "answer", error: Exception | None = None) -> None:
        self.calls = 0
        self.cancelled = False
        self.release = anyio.Event()
        self.result = result
        self.error = error

    async def __call__(self) -> str:
        self.calls += 1
        try:
            await self.release.wait()
        except BaseException:
            self.cancelled = True
            raise
        if self.error is not None:
            raise self.error
        return self.result


async def test_concurrent_identical_calls_share_one_execution() -> None:
    flight = SingleFlight()
    upstream = Upstream()
    results: list[str] = []

    async def caller() -> None:
        results.append(await flight.do("k", upstream))

    async with anyio.create_task_group() as group:
        for _ in range(200):
            group.start_soon(caller)
        await anyio.wait_all_tasks_blocked()
        upstream.release.set()
    assert upstream.calls == 1
    assert results == ["answer"] * 200
    assert len(flight) == 0


async def test_different_keys_run_separately() -> None:
    flight = SingleFlight()
    calls: list[str] = []

    async def work(key: str) -> str:
        calls.append(key)
        await anyio.lowlevel.checkpoint()
        return key

    async with anyio.create_task_group() as group:
        for key in ("a", "b", "a"):
            group.start_soon(flight.do, key, lambda key=key: work(key))
    assert sorted(calls) == ["a", "b"]


async def test_an_exception_reaches_every_waiter_and_the_key_is_forgotten() -> None:
    flight = SingleFlight()
    upstream = Upstream(error=RuntimeError("upstream broke"))
    errors: list[BaseException] = []

    async def caller() -> None:
        try:
            await flight.do("k", upstream)
        except RuntimeError as error:
            errors.append(error)

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(caller)
        await anyio.wait_all_tasks_blocked()
        upstream.release.set()
    assert len(errors) == 5
    assert all(str(error) == "upstream broke" for error in errors)
    again = Upstream()
    again.release.set()
    assert await flight.do("k", again) == "answer"
    assert again.calls == 1


@pytest.mark.parametrize("cancelled", [0, 3], ids=["the-leader", "a-follower"])
async def test_a_cancelled_waiter_does_not_cancel_the_others(cancelled: int) -> None:
    flight = SingleFlight()
    upstream = Upstream()
    results: list[str] = []
    scopes = [anyio.CancelScope() for _ in range(5)]

    async def caller(scope: anyio.CancelScope) -> None:
        with scope:
            results.append(await flight.do("k", upstream))

    async with anyio.create_task_group() as group:
        for scope in scopes:
            group.start_soon(caller, scope)
            await anyio.wait_all_tasks_blocked()
        scopes[cancelled].cancel()
        await anyio.wait_all_tasks_blocked()
        upstream.release.set()
    assert results == ["answer"] * 4
    assert upstream.calls == 1
    assert not upstream.cancelled


async def test_the_call_is_cancelled_when_every_waiter_is() -> None:
    flight = SingleFlight()
    upstream = Upstream()
    with anyio.move_on_after(0.01):
        await flight.do("k", upstream)
    await anyio.wait_all_tasks_blocked()
    assert upstream.cancelled
    assert len(flight) == 0
    fresh = Upstream()
    fresh.release.set()
    assert await flight.do("k", fresh) == "answer"


async def test_a_finished_key_runs_again() -> None:
    flight = SingleFlight()
    first, second = Upstream("one"), Upstream("two")
    first.release.set()
    second.release.set()
    assert await flight.do("k", first) == "one"
    assert await flight.do("k", second) == "two"


# Across processes, through Redis


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[tuple[redis.asyncio.Redis, redis.asyncio.Redis]]:
    first = redis.asyncio.Redis.from_url(redis_url)
    second = redis.asyncio.Redis.from_url(redis_url)
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


def _prefix() -> str:
    return f"bt-test-lock:{uuid.uuid4().hex}:"


async def test_one_leader_across_two_connections(
    clients: tuple[redis.asyncio.Redis, redis.asyncio.Redis],
) -> None:
    prefix = _prefix()
    one = RedisSingleFlight(clients[0], prefix=prefix, poll=0.01)
    two = RedisSingleFlight(clients[1], prefix=prefix, poll=0.01)
    events: list[str] = []

    async def follower() -> None:
        async with two.acquire("k") as leader:
            events.append(f"follower leader={leader}")

    async with anyio.create_task_group() as group, one.acquire("k") as leader:
        assert leader
        group.start_soon(follower)
        await anyio.sleep(0.05)
        events.append("leader done")
    assert events == ["leader done", "follower leader=False"]
    assert await clients[0].exists(prefix + "k") == 0


async def test_the_lock_is_released_after_the_leader_finishes(
    clients: tuple[redis.asyncio.Redis, redis.asyncio.Redis],
) -> None:
    prefix = _prefix()
    flight = RedisSingleFlight(clients[0], prefix=prefix)
    async with flight.acquire("k") as leader:
        assert leader
        assert await clients[1].exists(prefix + "k") == 1
    assert await clients[1].exists(prefix + "k") == 0
    async with flight.acquire("k") as leader:
        assert leader


async def test_a_crashed_holder_does_not_block_the_others(
    clients: tuple[redis.asyncio.Redis, redis.asyncio.Redis],
) -> None:
    prefix = _prefix()
    await clients[0].set(prefix + "k", b"token-of-a-crashed-process", nx=True, px=150)
    flight = RedisSingleFlight(clients[1], prefix=prefix, lock_timeout=5.0, poll=0.01)
    started = time.monotonic()
    async with flight.acquire("k") as leader:
        assert not leader
    assert time.monotonic() - started < 1.0
    async with flight.acquire("k") as leader:
        assert leader


async def test_a_holder_never_releases_someone_elses_lock(
    clients: tuple[redis.asyncio.Redis, redis.asyncio.Redis],
) -> None:
    prefix = _prefix()
    slow = RedisSingleFlight(clients[0], prefix=prefix, lock_timeout=0.05).acquire("k")
    other = RedisSingleFlight(clients[1], prefix=prefix, lock_timeout=5.0).acquire("k")
    assert await slow.__aenter__()
    await anyio.sleep(0.1)
    assert await other.__aenter__()
    await slow.__aexit__(None, None, None)
    assert await clients[1].exists(prefix + "k") == 1
    await other.__aexit__(None, None, None)
    assert await clients[1].exists(prefix + "k") == 0


async def test_unreachable_redis_lets_every_caller_lead(
    free_tcp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    client = redis.asyncio.Redis.from_url(
        f"redis://127.0.0.1:{free_tcp_port}/0", socket_connect_timeout=0.5
    )
    flight = RedisSingleFlight(client)
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        async with flight.acquire("k") as leader:
            assert leader
    assert "cannot take a lock" in caplog.text
    await client.aclose()
