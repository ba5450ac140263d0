"""One contract for every cache backend, then what is particular to memory and Redis."""

from __future__ import annotations

import logging
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import attrs
import pytest

from bookstracker.cache import (
    BaseCache,
    CacheBackend,
    DiskCache,
    MemoryCache,
    RedisCache,
    TieredCache,
    cache_from_url,
    cache_key,
)
from bookstracker.errors import ConfigurationError

pytestmark = pytest.mark.anyio


class FakeClock:
    """Epoch time that moves only when told to."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@attrs.define
class Harness:
    cache: CacheBackend
    clock: FakeClock


def _redis(redis_url: str, clock: FakeClock) -> RedisCache:
    return RedisCache(redis_url, prefix=f"bt-test:{uuid.uuid4().hex}:", clock=clock)


def _build(
    kind: str, tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest
) -> BaseCache:
    if kind == "memory":
        return MemoryCache(clock=clock)
    if kind == "disk":
        return DiskCache(tmp_path / "disk", clock=clock)
    if kind == "redis":
        return _redis(request.getfixturevalue("redis_url"), clock)
    if kind == "memory+disk":
        return TieredCache(MemoryCache(clock=clock), DiskCache(tmp_path / "disk", clock=clock))
    if kind == "memory+redis":
        redis = _redis(request.getfixturevalue("redis_url"), clock)
        return TieredCache(MemoryCache(clock=clock), redis)
    raise AssertionError(kind)


@pytest.fixture(params=["memory", "disk", "redis", "memory+disk", "memory+redis"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    clock = FakeClock()
    cache = _build(request.param, tmp_path, clock, request)
    try:
        yield Harness(cache, clock)
    finally:
        await cache.clear()
        await cache.aclose()


async def test_backend_implements_the_protocol(harness: Harness) -> None:
    assert isinstance(harness.cache, CacheBackend)
    assert harness.cache.name in {"memory", "disk", "redis", "tiered"}


async def test_get_of_an_absent_key_is_a_miss(harness: Harness) -> None:
    assert await harness.cache.get("absent") is None


async def test_set_then_get_returns_the_value_fresh(harness: Harness) -> None:
    await harness.cache.set("k", b"payload", ttl=60, grace=30)
    entry = await harness.cache.get("k")
    assert entry is not None
    assert entry.value == b"payload"
    assert entry.is_fresh(harness.clock())
    assert entry.fresh_until == pytest.approx(harness.clock() + 60)
    assert entry.stale_until == pytest.approx(harness.clock() + 90)


async def test_set_replaces_an_older_value(harness: Harness) -> None:
    await harness.cache.set("k", b"old", ttl=60)
    await harness.cache.set("k", b"new", ttl=60)
    entry = await harness.cache.get("k")
    assert entry is not None
    assert entry.value == b"new"


async def test_entry_turns_stale_after_ttl_then_goes_after_grace(harness: Harness) -> None:
    await harness.cache.set("k", b"v", ttl=10, grace=20)
    harness.clock.advance(15)
    stale = await harness.cache.get("k")
    assert stale is not None
    assert stale.value == b"v"
    assert not stale.is_fresh(harness.clock())
    harness.clock.advance(16)
    assert await harness.cache.get("k") is None


async def test_entry_without_grace_goes_at_its_ttl(harness: Harness) -> None:
    await harness.cache.set("k", b"v", ttl=10)
    harness.clock.advance(10)
    assert await harness.cache.get("k") is None


async def test_zero_lifetime_stores_nothing_and_forgets_the_older_value(harness: Harness) -> None:
    await harness.cache.set("k", b"old", ttl=60)
    await harness.cache.set("k", b"new", ttl=0)
    assert await harness.cache.get("k") is None


async def test_get_many_returns_only_the_present_keys(harness: Harness) -> None:
    await harness.cache.set("a", b"1", ttl=60)
    await harness.cache.set("b", b"2", ttl=60)
    found = await harness.cache.get_many(["a", "missing", "b", "a"])
    assert {key: entry.value for key, entry in found.items()} == {"a": b"1", "b": b"2"}
    assert await harness.cache.get_many([]) == {}


async def test_get_many_leaves_out_expired_entries(harness: Harness) -> None:
    await harness.cache.set("short", b"1", ttl=5)
    await harness.cache.set("long", b"2", ttl=60)
    harness.clock.advance(10)
    assert set(await harness.cache.get_many(["short", "long"])) == {"long"}


async def test_delete_forgets_one_key(harness: Harness) -> None:
    await harness.cache.set("a", b"1", ttl=60)
    await harness.cache.set("b", b"2", ttl=60)
    await harness.cache.delete("a")
    await harness.cache.delete("never-set")
    assert await harness.cache.get("a") is None
    assert await harness.cache.get("b") is not None


async def test_clear_forgets_every_key(harness: Harness) -> None:
    for index in range(5):
        await harness.cache.set(f"k{index}", b"v", ttl=60)
    await harness.cache.clear()
    assert await harness.cache.get_many([f"k{index}" for index in range(5)]) == {}
    assert (await harness.cache.stats()).entries == 0


async def test_stats_count_hits_misses_entries_and_bytes(harness: Harness) -> None:
    await harness.cache.set("a", b"x" * 1000, ttl=60)
    await harness.cache.set("b", b"y" * 1000, ttl=60)
    await harness.cache.get("a")
    await harness.cache.get("missing")
    await harness.cache.get_many(["b", "other"])
    stats = await harness.cache.stats()
    assert (stats.name, stats.hits, stats.misses, stats.errors) == (
        harness.cache.name,
        2,
        2,
        0,
    )
    assert stats.entries >= 2
    assert stats.bytes >= 2000


async def test_binary_payloads_round_trip(harness: Harness) -> None:
    payloads = {
        "empty": b"",
        "every-byte": bytes(range(256)) * 4,
        "large": bytes(range(256)) * 400,
        "magic-lookalike": b"BT1" + b"\x00" * 40,
    }
    for key, value in payloads.items():
        await harness.cache.set(key, value, ttl=60)
    for key, value in payloads.items():
        entry = await harness.cache.get(key)
        assert entry is not None
        assert entry.value == value


async def test_keys_made_by_cache_key_round_trip(harness: Harness) -> None:
    keys = [cache_key("search", "Ünïcode  Title: part"), cache_key("author", "x" * 500)]
    for index, key in enumerate(keys):
        await harness.cache.set(key, str(index).encode(), ttl=60)
    for index, key in enumerate(keys):
        entry = await harness.cache.get(key)
        assert entry is not None
        assert entry.value == str(index).encode()


async def test_values_must_be_bytes(harness: Harness) -> None:
    with pytest.raises(TypeError):
        await harness.cache.set("k", "text", ttl=60)  # type: ignore[arg-type]


async def test_negative_lifetimes_are_refused(harness: Harness) -> None:
    with pytest.raises(ValueError, match="negative"):
        await harness.cache.set("k", b"v", ttl=-1)


# Memory specifics


async def test_memory_cache_is_bounded_by_entries() -> None:
    cache = MemoryCache(max_entries=3)
    for index in range(5):
        await cache.set(f"k{index}", b"v", ttl=60)
    assert (await cache.stats()).entries == 3
    assert await cache.get("k0") is None
    assert await cache.get("k4") is not None


async def test_memory_cache_evicts_the_least_recently_used() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", b"1", ttl=60)
    await cache.set("b", b"2", ttl=60)
    await cache.get("a")
    await cache.set("c", b"3", ttl=60)
    assert await cache.get("a") is not None
    assert await cache.get("b") is None


async def test_memory_cache_is_bounded_by_bytes() -> None:
    cache = MemoryCache(max_bytes=10_000)
    for index in range(10):
        await cache.set(f"k{index}", b"x" * 3000, ttl=60)
    stats = await cache.stats()
    assert stats.bytes <= 10_000
    assert stats.entries == 3
    assert await cache.get("k9") is not None


async def test_memory_cache_skips_a_value_larger_than_its_bound() -> None:
    cache = MemoryCache(max_bytes=1000)
    await cache.set("k", b"small", ttl=60)
    await cache.set("k", b"x" * 2000, ttl=60)
    assert await cache.get("k") is None


async def test_memory_cache_hit_takes_well_under_20_microseconds() -> None:
    cache = MemoryCache()
    await cache.set("k", b"x" * 5000, ttl=60)
    timings = []
    for _ in range(2000):
        start = time.perf_counter()
        await cache.get("k")
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 20e-6


# Redis specifics


async def test_redis_drops_entries_itself_after_grace(redis_url: str) -> None:
    cache = RedisCache(redis_url, prefix=f"bt-test:{uuid.uuid4().hex}:")
    try:
        await cache.set("k", b"v", ttl=0.05, grace=0.05)
        await anyio.sleep(0.2)
        assert await cache.load("k") is None
    finally:
        await cache.aclose()


async def test_redis_clear_leaves_other_keys_alone(redis_url: str) -> None:
    import redis.asyncio

    other = redis.asyncio.Redis.from_url(redis_url)
    base = f"bt-test:{uuid.uuid4().hex}:"
    outsider = f"not-bookstracker:{uuid.uuid4().hex}"
    sibling = base + "sibling"
    cache = RedisCache(client=other, prefix=base + "*")
    try:
        await other.set(outsider, b"keep", px=10_000)
        await other.set(sibling, b"keep", px=10_000)
        await cache.set("k", b"v", ttl=60)
        await cache.clear()
        assert await cache.get("k") is None
        assert await other.get(outsider) == b"keep"
        assert await other.get(sibling) == b"keep"
    finally:
        await other.delete(outsider, sibling)
        await other.aclose()


async def test_redis_garbage_value_is_a_miss_with_a_warning(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RedisCache(redis_url, prefix=f"bt-test:{uuid.uuid4().hex}:")
    try:
        import redis.asyncio

        raw = redis.asyncio.Redis.from_url(redis_url)
        await raw.set(cache.prefix + "k", b"\x80\x04garbage", px=10_000)
        await raw.aclose()
        with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
            assert await cache.get("k") is None
        assert "reading entry" in caplog.text
        assert (await cache.stats()).errors == 1
    finally:
        await cache.clear()
        await cache.aclose()


async def test_unreachable_redis_degrades_to_misses(
    free_tcp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_tcp_port}/0", timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        await cache.set("k", b"v", ttl=60)
        assert await cache.get("k") is None
        assert await cache.get_many(["k"]) == {}
        await cache.delete("k")
        await cache.clear()
        stats = await cache.stats()
    await cache.aclose()
    assert stats.errors >= 5
    assert stats.misses == 2
    assert "redis cache: writing failed" in caplog.text


async def test_redis_needs_a_url_or_a_client() -> None:
    with pytest.raises(ConfigurationError, match="url or a client"):
        RedisCache()


# Choosing a backend by URL


async def test_cache_from_url_builds_each_backend(tmp_path: Path) -> None:
    memory = cache_from_url("memory://?max_entries=5")
    disk = cache_from_url(f"disk://{tmp_path / 'd'}?size_limit=1000000")
    redis = cache_from_url("redis://127.0.0.1:6379/0")
    assert (memory.name, disk.name, redis.name) == ("memory", "disk", "redis")
    assert isinstance(disk, DiskCache)
    assert disk.directory == tmp_path / "d"
    for cache in (memory, disk, redis):
        await cache.aclose()


@pytest.mark.parametrize(
    "url", ["ftp://x", "memory://?max_entries=lots", "memory://?colour=red", "memory://host"]
)
def test_cache_from_url_refuses_what_it_cannot_build(url: str) -> None:
    with pytest.raises(ConfigurationError):
        cache_from_url(url)
