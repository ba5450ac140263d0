"""TieredCache: hot then cold, promotion with the remaining lifetime, write-through, any pairing."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from bookstracker.cache import (
    CacheBackend,
    CacheEntry,
    CacheStats,
    DiskCache,
    MemoryCache,
    RedisCache,
    TieredCache,
)

pytestmark = pytest.mark.anyio


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class DictBackend:
    """A minimal third-party backend implementing only the protocol (no BaseCache)."""

    name = "dict"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.data: dict[str, CacheEntry] = {}

    async def get(self, key: str) -> CacheEntry | None:
        entry = self.data.get(key)
        return entry if entry is not None and entry.is_live(self.clock()) else None

    async def get_many(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        return {key: entry for key in keys if (entry := await self.get(key)) is not None}

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: float,
        grace: float = 0.0,
        cold_ttl: float | None = None,
    ) -> None:
        now = self.clock()
        self.data[key] = CacheEntry(
            value=value, fresh_until=now + ttl, stale_until=now + ttl + grace
        )

    async def delete(self, key: str) -> None:
        self.data.pop(key, None)

    async def clear(self) -> None:
        self.data.clear()

    async def stats(self) -> CacheStats:
        return CacheStats(name=self.name, entries=len(self.data))

    async def aclose(self) -> None:
        self.data.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hot(clock: FakeClock) -> MemoryCache:
    return MemoryCache(clock=clock)


@pytest.fixture
def cold(clock: FakeClock) -> MemoryCache:
    return MemoryCache(clock=clock)


@pytest.fixture
def tiered(hot: MemoryCache, cold: MemoryCache) -> TieredCache:
    return TieredCache(hot, cold)


async def test_a_cold_hit_is_promoted_with_its_remaining_lifetime(
    tiered: TieredCache, hot: MemoryCache, cold: MemoryCache, clock: FakeClock
) -> None:
    await cold.set("k", b"v", ttl=100, grace=50)
    clock.advance(30)
    entry = await tiered.get("k")
    promoted = await hot.get("k")
    assert entry is not None
    assert promoted == entry
    assert promoted.fresh_until == pytest.approx(clock() + 70)
    assert promoted.stale_until == pytest.approx(clock() + 120)


async def test_a_promoted_entry_goes_from_hot_when_it_would_from_cold(
    tiered: TieredCache, hot: MemoryCache, cold: MemoryCache, clock: FakeClock
) -> None:
    await cold.set("k", b"v", ttl=100)
    await tiered.get("k")
    clock.advance(101)
    assert await hot.get("k") is None


async def test_a_hot_hit_does_not_ask_the_cold_tier(
    tiered: TieredCache, hot: MemoryCache, cold: MemoryCache
) -> None:
    await hot.set("k", b"hot", ttl=60)
    entry = await tiered.get("k")
    assert entry is not None
    assert entry.value == b"hot"
    assert (await cold.stats()).misses == 0


async def test_set_writes_through_with_a_ttl_per_tier(
    tiered: TieredCache, hot: MemoryCache, cold: MemoryCache, clock: FakeClock
) -> None:
    await tiered.set("k", b"v", ttl=60, grace=10, cold_ttl=3600)
    hot_entry, cold_entry = await hot.get("k"), await cold.get("k")
    assert hot_entry is not None
    assert cold_entry is not None
    assert hot_entry.fresh_until == pytest.approx(clock() + 60)
    assert cold_entry.fresh_until == pytest.approx(clock() + 3600)
    assert cold_entry.stale_until == pytest.approx(clock() + 3610)


async def test_without_a_cold_ttl_both_tiers_get_ttl(
    tiered: TieredCache, cold: MemoryCache, clock: FakeClock
) -> None:
    await tiered.set("k", b"v", ttl=60)
    cold_entry = await cold.get("k")
    assert cold_entry is not None
    assert cold_entry.fresh_until == pytest.approx(clock() + 60)


async def test_once_hot_expires_the_cold_copy_answers_and_is_promoted(
    tiered: TieredCache, hot: MemoryCache, clock: FakeClock
) -> None:
    await tiered.set("k", b"v", ttl=60, cold_ttl=3600)
    clock.advance(120)
    entry = await tiered.get("k")
    assert entry is not None
    assert entry.is_fresh(clock())
    assert await hot.get("k") == entry


async def test_a_fresh_cold_entry_beats_a_stale_hot_one(
    tiered: TieredCache, hot: MemoryCache, cold: MemoryCache, clock: FakeClock
) -> None:
    await hot.set("k", b"old", ttl=10, grace=1000)
    clock.advance(20)
    await cold.set("k", b"new", ttl=100)
    entry = await tiered.get("k")
    assert entry is not None
    assert entry.value == b"new"
    hot_entry = await hot.get("k")
    assert hot_entry is not None
    assert hot_entry.value == b"new"


async def test_a_stale_hot_entry_is_served_when_cold_has_nothing_better(
    tiered: TieredCache, hot: MemoryCache, clock: FakeClock
) -> None:
    await hot.set("k", b"old", ttl=10, grace=1000)
    clock.advance(20)
    entry = await tiered.get("k")
    assert entry is not None
    assert entry.value == b"old"
    assert not entry.is_fresh(clock())


async def test_get_many_completes_hot_from_cold_and_promotes(
    tiered: TieredCache, hot: MemoryCache, cold: MemoryCache
) -> None:
    await hot.set("a", b"hot-a", ttl=60)
    await cold.set("b", b"cold-b", ttl=60)
    found = await tiered.get_many(["a", "b", "c"])
    assert {key: entry.value for key, entry in found.items()} == {"a": b"hot-a", "b": b"cold-b"}
    assert await hot.get("b") is not None
    stats = await tiered.stats()
    assert (stats.hits, stats.misses) == (2, 1)


async def test_delete_and_clear_reach_both_tiers(
    tiered: TieredCache, hot: MemoryCache, cold: MemoryCache
) -> None:
    await tiered.set("a", b"1", ttl=60)
    await tiered.set("b", b"2", ttl=60)
    await tiered.delete("a")
    assert await hot.get("a") is None
    assert await cold.get("a") is None
    await tiered.clear()
    assert (await hot.stats()).entries == 0
    assert (await cold.stats()).entries == 0


async def test_stats_aggregate_and_list_each_tier(tiered: TieredCache) -> None:
    await tiered.set("k", b"x" * 100, ttl=60)
    await tiered.get("k")
    await tiered.get("missing")
    stats = await tiered.stats()
    assert stats.name == "tiered"
    assert (stats.hits, stats.misses) == (1, 1)
    assert [tier.name for tier in stats.tiers] == ["memory", "memory"]
    assert stats.entries == sum(tier.entries for tier in stats.tiers) == 2
    assert stats.bytes == sum(tier.bytes for tier in stats.tiers)
    hot_stats, cold_stats = stats.tiers
    assert (hot_stats.hits, hot_stats.misses, cold_stats.misses) == (1, 1, 1)


async def test_nested_tiers_pass_the_cold_ttl_down_and_promote_to_the_top(
    clock: FakeClock, tmp_path: Path
) -> None:
    top, middle, bottom = (
        MemoryCache(clock=clock),
        DiskCache(tmp_path / "disk", clock=clock),
        MemoryCache(clock=clock),
    )
    cache = TieredCache(top, TieredCache(middle, bottom))
    await cache.set("k", b"v", ttl=60, cold_ttl=600)
    middle_entry, bottom_entry = await middle.get("k"), await bottom.get("k")
    assert middle_entry is not None
    assert bottom_entry is not None
    assert middle_entry.fresh_until == bottom_entry.fresh_until == pytest.approx(clock() + 600)
    await top.clear()
    await middle.clear()
    entry = await cache.get("k")
    assert entry is not None
    assert await top.get("k") == entry
    assert await middle.get("k") == entry
    stats = await cache.stats()
    assert [tier.name for tier in stats.tiers] == ["memory", "tiered"]
    assert [tier.name for tier in stats.tiers[1].tiers] == ["disk", "memory"]
    await cache.aclose()


async def test_a_protocol_only_backend_works_as_either_tier(clock: FakeClock) -> None:
    plain = DictBackend(clock)
    memory = MemoryCache(clock=clock)
    cache = TieredCache(plain, memory)
    assert isinstance(plain, CacheBackend)
    await memory.set("k", b"v", ttl=100, grace=10)
    clock.advance(40)
    entry = await cache.get("k")
    assert entry is not None
    promoted = plain.data["k"]
    assert promoted.fresh_until == pytest.approx(entry.fresh_until)
    assert promoted.stale_until == pytest.approx(entry.stale_until)
    reverse = TieredCache(MemoryCache(clock=clock), DictBackend(clock))
    await reverse.set("k", b"v", ttl=5, cold_ttl=50)
    clock.advance(10)
    assert await reverse.get("k") is not None


async def test_a_failing_cold_tier_leaves_the_hot_tier_working(
    clock: FakeClock, free_tcp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    cold = RedisCache(f"redis://127.0.0.1:{free_tcp_port}/0", timeout=0.5, clock=clock)
    cache = TieredCache(MemoryCache(clock=clock), cold)
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        await cache.set("k", b"v", ttl=60)
        entry = await cache.get("k")
        assert await cache.get("other") is None
        stats = await cache.stats()
    assert entry is not None
    assert entry.value == b"v"
    assert stats.errors >= 2
    await cache.aclose()


async def test_memory_in_front_of_redis_shares_entries_between_processes(
    redis_url: str, clock: FakeClock
) -> None:
    prefix = f"bt-test:{time.time_ns()}:"
    first = TieredCache(MemoryCache(clock=clock), RedisCache(redis_url, prefix=prefix, clock=clock))
    second = TieredCache(
        MemoryCache(clock=clock), RedisCache(redis_url, prefix=prefix, clock=clock)
    )
    try:
        await first.set("k", b"shared", ttl=60, cold_ttl=600)
        entry = await second.get("k")
        assert entry is not None
        assert entry.value == b"shared"
        assert (await second.stats()).tiers[0].entries == 1
    finally:
        await first.clear()
        await first.aclose()
        await second.aclose()
