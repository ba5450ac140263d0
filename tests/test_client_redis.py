"""The client with Redis: one cache, one computation, one rate limit and one quota for all.

Runs against the server named by BOOKSTRACKER_TEST_REDIS_URL (skipped when unset), under a key
prefix of its own that is removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import redis.asyncio as redis_asyncio

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.cache import CacheBackend, MemoryCache, RedisCache, TieredCache
from bookstracker.errors import AllProvidersFailed
from bookstracker.resilience import (
    LocalRateLimiter,
    RedisQuota,
    RedisRateLimiter,
    RetryPolicy,
)
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary, FakeServer

AUTHOR = "Andy Weir"
QUERY = "the martian"
ISBNDB_KEY = "sekrit-123"
GOOGLE_KEY = "sekrit-456"
SRC = Path(__file__).resolve().parents[1] / "src"
ALL_CACHED = {name: ("cached", 0) for name in ("openlibrary", "googlebooks", "isbndb")}

pytestmark = pytest.mark.anyio


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    """A Redis key prefix of this test's own; its keys are deleted afterwards."""
    name = f"bookstracker-test-{uuid.uuid4().hex}:"
    yield name
    client = redis_asyncio.Redis.from_url(redis_url)
    keys = [key async for key in client.scan_iter(match=name + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


class Fakes:
    """The three fakes, in-process."""

    def __init__(self, latency: float = 0.0) -> None:
        self.openlibrary = FakeOpenLibrary(latency=latency)
        self.googlebooks = FakeGoogleBooks(latency=latency)
        self.isbndb = FakeISBNdb(api_key=ISBNDB_KEY, latency=latency)

    def counts(self) -> tuple[int, int, int]:
        return (len(self.openlibrary.log), len(self.googlebooks.log), len(self.isbndb.log))

    def client(self, cache: CacheBackend | None, **options: Any) -> AsyncBooksClient:
        once = RetryPolicy(attempts=1)
        return AsyncBooksClient(
            openlibrary=OpenLibrary(transport=self.openlibrary.transport(), rate=1000, retry=once),
            googlebooks=GoogleBooks(transport=self.googlebooks.transport(), rate=1000, retry=once),
            isbndb=ISBNdb(
                api_key=ISBNDB_KEY, transport=self.isbndb.transport(), rate=1000, retry=once
            ),
            cache=cache,
            **options,
        )


def shared_tier(redis_url: str, prefix: str) -> TieredCache:
    """A memory tier of this client's own in front of the shared Redis tier."""
    return TieredCache(MemoryCache(), RedisCache(redis_url, prefix=prefix + "cache:"))


def statuses(reports: Any) -> dict[str, tuple[str, int]]:
    return {name: (report.status, report.requests) for name, report in reports.items()}


def point_at(server: FakeServer, monkeypatch: pytest.MonkeyPatch, **extra: str) -> dict[str, str]:
    """Point the environment (this process's and a child's) at the fake server."""
    env = {
        **server.env(),
        "BOOKSTRACKER_ISBNDB_API_KEY": ISBNDB_KEY,
        "BOOKSTRACKER_OPENLIBRARY_RATE": "1000",
        "BOOKSTRACKER_GOOGLEBOOKS_RATE": "1000",
        "BOOKSTRACKER_ISBNDB_RATE": "1000",
        **extra,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


# -- one cache ----------------------------------------------------------------------------


async def test_a_second_client_with_its_own_memory_asks_nobody(redis_url: str, prefix: str) -> None:
    first = Fakes()
    async with first.client(shared_tier(redis_url, prefix)) as client:
        await client.author(AUTHOR)
        await client.search(QUERY)
    second = Fakes()
    async with second.client(shared_tier(redis_url, prefix)) as client:
        bibliography = await client.author(AUTHOR)
        result = await client.search(QUERY)
    assert sum(first.counts()) > 0
    assert second.counts() == (0, 0, 0)
    assert statuses(bibliography.providers) == ALL_CACHED
    assert statuses(result.providers) == ALL_CACHED
    assert bibliography.works
    assert result.hits


async def test_two_clients_at_once_make_one_upstream_computation(
    redis_url: str, prefix: str
) -> None:
    alone = Fakes()
    async with alone.client(None) as client:
        await client.author(AUTHOR)
    fakes = Fakes(latency=0.05)
    clients = [
        fakes.client(shared_tier(redis_url, prefix), redis_url=redis_url, redis_prefix=prefix)
        for _ in range(2)
    ]
    answers: list[Any] = []

    async def ask(client: AsyncBooksClient) -> None:
        answers.append(await client.author(AUTHOR))

    async with anyio.create_task_group() as group:
        for client in clients:
            for _ in range(5):
                group.start_soon(ask, client)
    for client in clients:
        await client.aclose()
    assert fakes.counts() == alone.counts()
    assert len(answers) == 10
    assert sum(statuses(a.providers) == ALL_CACHED for a in answers) >= 5


async def test_a_child_process_fills_the_cache_for_this_one(
    redis_url: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fakes = Fakes()
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        env = point_at(server, monkeypatch, BOOKSTRACKER_REDIS_URL=redis_url)
        code = textwrap.dedent(
            f"""
            from bookstracker import BooksClient
            with BooksClient(redis_prefix={prefix!r}, cache_dir={str(tmp_path / "child")!r}) as c:
                print(len(c.author({AUTHOR!r}).works))
            """
        )
        child_env = {**os.environ, **env, "PYTHONPATH": str(SRC)}
        with anyio.fail_after(60):
            done = await anyio.run_process([sys.executable, "-c", code], env=child_env, check=False)
        assert done.returncode == 0, done.stderr.decode()
        spent = fakes.counts()
        async with AsyncBooksClient(redis_prefix=prefix, cache_dir=tmp_path / "parent") as client:
            bibliography = await client.author(AUTHOR)
    assert sum(spent) > 0
    assert fakes.counts() == spent
    assert statuses(bibliography.providers) == ALL_CACHED
    assert len(bibliography.works) == int(done.stdout.decode().strip())


# -- one rate limit, one quota ------------------------------------------------------------


async def test_the_adapters_it_builds_share_their_limits_through_redis(
    redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOKSTRACKER_ISBNDB_API_KEY", ISBNDB_KEY)
    monkeypatch.setenv("BOOKSTRACKER_GOOGLEBOOKS_API_KEY", GOOGLE_KEY)
    async with AsyncBooksClient(redis_url=redis_url, redis_prefix=prefix, cache=None) as client:
        for name, adapter in client.adapters.items():
            limiter = adapter.policy.limiter
            assert isinstance(limiter, RedisRateLimiter), name
            assert limiter.rate == adapter.rate
            assert limiter.redis_key.startswith(prefix)
        openlibrary, googlebooks, isbndb = (
            client.adapters[n].policy.quota for n in ("openlibrary", "googlebooks", "isbndb")
        )
    assert openlibrary is None
    assert isinstance(googlebooks, RedisQuota)
    assert googlebooks.daily_limit == 1000
    assert isinstance(isbndb, RedisQuota)
    assert isbndb.daily_limit is None
    assert isbndb.exhausted_key.startswith(prefix)


async def test_without_redis_the_limits_stay_in_this_process() -> None:
    async with AsyncBooksClient(redis_url=None, cache=None) as client:
        for adapter in client.adapters.values():
            assert isinstance(adapter.policy.limiter, LocalRateLimiter)


async def test_a_quota_spent_in_one_client_is_refused_by_another(
    redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    googlebooks = FakeGoogleBooks(daily_quota=1)
    with FakeServer(FakeOpenLibrary(), googlebooks) as server:
        point_at(server, monkeypatch)
        options = {
            "providers": "openlibrary,googlebooks",
            "redis_url": redis_url,
            "redis_prefix": prefix,
            "cache": None,
        }
        async with AsyncBooksClient(**options) as one:
            answered = await one.search(f"{QUERY} 1")
            spent = await one.search(f"{QUERY} 2")
        async with AsyncBooksClient(**options) as other:
            refused = await other.search(f"{QUERY} 3")
    assert answered.providers["googlebooks"].answered
    assert spent.providers["googlebooks"].status == "error"
    report = refused.providers["googlebooks"]
    assert report.status == "error"
    assert report.requests == 0
    assert "quota" in (report.error or "")
    assert "resets" in (report.error or "")
    assert refused.providers["openlibrary"].answered
    assert googlebooks.count() == 2


@pytest.mark.parametrize("shared", [True, False])
async def test_two_clients_together_keep_to_one_rate_limit(
    shared: bool, redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rate = 20.0
    openlibrary = FakeOpenLibrary(rate_limit=rate, burst=2)
    with FakeServer(openlibrary) as server:
        point_at(server, monkeypatch, BOOKSTRACKER_OPENLIBRARY_RATE=str(rate))
        options: dict[str, Any] = {"providers": "openlibrary", "cache": None}
        options["redis_url"] = redis_url if shared else None
        clients = [AsyncBooksClient(redis_prefix=prefix, **options) for _ in range(2)]
        for client in clients:
            client.adapters["openlibrary"].policy.retry = RetryPolicy(attempts=1)

        async def lookups(client: AsyncBooksClient, first: int) -> None:
            for number in range(first, first + 10):
                with contextlib.suppress(AllProvidersFailed):
                    await client.isbns([_isbn13(number)])

        async with anyio.create_task_group() as group:
            group.start_soon(lookups, clients[0], 0)
            group.start_soon(lookups, clients[1], 100)
        for client in clients:
            await client.aclose()
    limited = sum(1 for entry in openlibrary.log if entry.status == 429)
    assert openlibrary.count() == 20
    assert (limited == 0) if shared else (limited > 0)


def _isbn13(number: int) -> str:
    body = f"978{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


# -- what Redis holds ---------------------------------------------------------------------


async def test_no_redis_key_or_value_holds_an_api_key(
    redis_url: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fakes = Fakes()
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        point_at(server, monkeypatch, BOOKSTRACKER_GOOGLEBOOKS_API_KEY=GOOGLE_KEY)
        async with AsyncBooksClient(
            redis_url=redis_url, redis_prefix=prefix, cache_dir=tmp_path / "cache"
        ) as client:
            await client.author(AUTHOR)
            await client.search(QUERY)
            await client.isbns(["9780553418026", "9780000000002"])
    assert fakes.googlebooks.log
    assert fakes.isbndb.log
    store = redis_asyncio.Redis.from_url(redis_url)
    try:
        keys = [key async for key in store.scan_iter(match=prefix + "*")]
        values = [await store.get(key) for key in keys]
    finally:
        await store.aclose()
    assert any(b":cache:" in key for key in keys)
    assert any(b":quota:" in key for key in keys)
    for secret in (ISBNDB_KEY.encode(), GOOGLE_KEY.encode()):
        assert not any(secret in key for key in keys)
        assert not any(secret in (value or b"") for value in values)
    blobs = [p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert not any(ISBNDB_KEY.encode() in blob or GOOGLE_KEY.encode() in blob for blob in blobs)


async def test_clearing_the_cache_keeps_the_quota_counts(
    redis_url: str, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeServer(FakeOpenLibrary(), FakeGoogleBooks()) as server:
        point_at(server, monkeypatch, BOOKSTRACKER_GOOGLEBOOKS_API_KEY=GOOGLE_KEY)
        async with AsyncBooksClient(
            providers="openlibrary,googlebooks",
            redis_url=redis_url,
            redis_prefix=prefix,
            cache_dir=tmp_path / "cache",
        ) as client:
            await client.search(QUERY)
            await client.clear_cache()
            quota = client.adapters["googlebooks"].policy.quota
            left = await quota.remaining()
    store = redis_asyncio.Redis.from_url(redis_url)
    try:
        keys = [key async for key in store.scan_iter(match=prefix + "*")]
    finally:
        await store.aclose()
    assert not any(b":cache:" in key for key in keys)
    assert any(b":quota:" in key for key in keys)
    assert left == 999


async def test_an_unreachable_redis_costs_nothing_but_sharing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fakes = Fakes()
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        point_at(server, monkeypatch)
        async with AsyncBooksClient(
            redis_url="redis://127.0.0.1:1/0", cache_dir=tmp_path / "cache"
        ) as client:
            first = await client.author(AUTHOR)
            second = await client.author(AUTHOR)
    assert first.works
    assert statuses(second.providers) == ALL_CACHED
    assert "redis" in caplog.text.lower()
