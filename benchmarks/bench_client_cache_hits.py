"""Time a cache hit through the client: ``await client.isbn(...)`` answered by each tier.

    python benchmarks/bench_client_cache_hits.py [--n 20000] [--redis redis://127.0.0.1:6379/15]

Each row is a client whose cache is one backend (memory, disk, Redis) or the default memory in
front of disk, warmed with one lookup; the timed calls then never reach a provider (the fakes'
request logs are checked). Redis is measured when ``--redis`` or BOOKSTRACKER_TEST_REDIS_URL
names a server. Goals: memory < 20 µs, disk < 300 µs, Redis on loopback < 1 ms. Prints a table;
asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import anyio

if importlib.util.find_spec("bookstracker") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import isolate_from_environment

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.cache import CacheBackend, DiskCache, MemoryCache, RedisCache, TieredCache
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary

ISBN = "9780553418026"
GOALS_US = {"memory": 20.0, "disk": 300.0, "memory+disk": 20.0, "redis": 1000.0}


async def time_hits(cache: CacheBackend, n: int) -> list[float]:
    """Seconds per ``client.isbn`` hit, ``n`` of them, after one warming miss."""
    fakes = (FakeOpenLibrary(), FakeGoogleBooks(), FakeISBNdb(api_key="bench"))
    client = AsyncBooksClient(
        openlibrary=OpenLibrary(transport=fakes[0].transport(), rate=1000),
        googlebooks=GoogleBooks(transport=fakes[1].transport(), rate=1000),
        isbndb=ISBNdb(api_key="bench", transport=fakes[2].transport(), rate=1000),
        cache=cache,
        redis_url=None,
    )
    async with client:
        if await client.isbn(ISBN) is None:
            raise RuntimeError("the sample catalog lacks the benchmark's ISBN")
        asked = sum(len(fake.log) for fake in fakes)
        for _ in range(min(n, 200)):
            await client.isbn(ISBN)
        timings: list[float] = []
        clock = time.perf_counter
        gc.collect()
        for _ in range(n):
            started = clock()
            await client.isbn(ISBN)
            timings.append(clock() - started)
        if sum(len(fake.log) for fake in fakes) != asked:
            raise RuntimeError("a timed call reached a provider: not a cache hit")
    return timings


def row(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    mean = statistics.fmean(ordered) * 1e6
    p50 = ordered[len(ordered) // 2] * 1e6
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e6
    goal = GOALS_US[label]
    verdict = "yes" if p50 < goal else "no"
    figures = f"{mean:>9.1f} {p50:>9.1f} {p99:>9.1f} {goal:>8.0f} {verdict:>5}"
    return f"{label:<12} {len(ordered):>7} {figures}"


def main() -> None:
    isolate_from_environment()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="hits timed for the memory tier")
    parser.add_argument("--redis", default=os.environ.get("BOOKSTRACKER_TEST_REDIS_URL"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        cases: list[tuple[str, Callable[[], CacheBackend], int]] = [
            ("memory", MemoryCache, args.n),
            ("disk", lambda: DiskCache(Path(folder) / "disk"), max(1, args.n // 4)),
            (
                "memory+disk",
                lambda: TieredCache(MemoryCache(), DiskCache(Path(folder) / "tiered")),
                args.n,
            ),
        ]
        prefix = f"bookstracker-bench-{uuid.uuid4().hex}:"
        if args.redis:
            cases.append(
                ("redis", lambda: RedisCache(args.redis, prefix=prefix), max(1, args.n // 10))
            )
        print("latency of one client.isbn() answered from the cache, in µs")
        print(f"{'tier':<12} {'calls':>7} {'mean':>9} {'p50':>9} {'p99':>9} {'goal':>8} {'met':>5}")
        for label, make, n in cases:
            cache = make()
            print(row(label, anyio.run(time_hits, cache, n)), flush=True)
        if args.redis:
            anyio.run(_clear_redis, args.redis, prefix)


async def _clear_redis(url: str, prefix: str) -> None:
    cache = RedisCache(url, prefix=prefix)
    await cache.clear()
    await cache.aclose()


if __name__ == "__main__":
    main()
