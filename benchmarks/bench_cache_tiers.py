"""Time a cache hit on each backend (the backend layer only, not the client).

    python benchmarks/bench_cache_tiers.py [--n 5000] [--size 2048] [--redis redis://127.0.0.1:6379/0]

Redis is measured when ``--redis`` or BOOKSTRACKER_TEST_REDIS_URL gives a server. "cold hit" rows
read a tiered cache whose hot tier has just lost the key, so they include the promotion.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio

if importlib.util.find_spec("bookstracker") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bookstracker.cache import (
    BaseCache,
    DiskCache,
    MemoryCache,
    RedisCache,
    TieredCache,
)

KEY = "bt:1:search:the left hand of darkness"


async def _time_hits(
    cache: BaseCache, n: int, before: Callable[[], Awaitable[None]] | None = None
) -> list[float]:
    timings: list[float] = []
    for _ in range(n):
        if before is not None:
            await before()
        start = time.perf_counter()
        entry = await cache.get(KEY)
        timings.append(time.perf_counter() - start)
        if entry is None:
            raise RuntimeError(f"{cache!r} missed a key it holds")
    return timings


def _row(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    mean = statistics.fmean(ordered) * 1e6
    p50 = ordered[len(ordered) // 2] * 1e6
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e6
    return f"{label:<28} {mean:>9.1f} {p50:>9.1f} {p99:>9.1f}"


async def _measure(
    label: str,
    cache: BaseCache,
    payload: bytes,
    n: int,
    evict_from: BaseCache | None = None,
) -> None:
    await cache.set(KEY, payload, ttl=3600)
    before = None
    if evict_from is not None:
        hot = evict_from

        async def before() -> None:
            await hot.delete(KEY)

    await _time_hits(cache, min(n, 200), before)
    print(_row(label, await _time_hits(cache, n, before)), flush=True)


async def main(n: int, size: int, redis_url: str | None) -> None:
    payload = os.urandom(size)
    print(f"get-hit latency, {n} reads of a {size}-byte value, microseconds")
    print(f"{'backend':<28} {'mean':>9} {'p50':>9} {'p99':>9}")
    with tempfile.TemporaryDirectory() as folder:
        memory = MemoryCache()
        await _measure("memory", memory, payload, n)
        disk = DiskCache(Path(folder) / "disk")
        await _measure("disk", disk, payload, n)
        hot = MemoryCache()
        tiered = TieredCache(hot, disk)
        await _measure("memory+disk, hot hit", tiered, payload, n)
        await _measure("memory+disk, cold hit", tiered, payload, n, evict_from=hot)
        await disk.aclose()
        if redis_url:
            redis = RedisCache(redis_url, prefix=f"bt-bench:{uuid.uuid4().hex}:")
            await _measure("redis", redis, payload, n)
            hot = MemoryCache()
            tiered = TieredCache(hot, redis)
            await _measure("memory+redis, hot hit", tiered, payload, n)
            await _measure("memory+redis, cold hit", tiered, payload, n, evict_from=hot)
            await redis.clear()
            await redis.aclose()
        else:
            print("redis: skipped (give --redis URL or BOOKSTRACKER_TEST_REDIS_URL)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="reads per backend")
    parser.add_argument("--size", type=int, default=2048, help="value size in bytes")
    parser.add_argument("--redis", default=os.environ.get("BOOKSTRACKER_TEST_REDIS_URL"))
    arguments = parser.parse_args()
    anyio.run(main, arguments.n, arguments.size, arguments.redis)
