"""Time ``client.author()`` answered from each cache tier, for 10-, 500- and 2,000-work authors.

    python benchmarks/bench_bibliography_hits.py [--sizes 10,500,2000] [--n 30]
        [--redis redis://127.0.0.1:6379/15]

Each author comes from ``Catalog.synthetic`` (10 editions per work) and is computed once, over
MockTransport, by a client whose cache writes every tier. Then a client per tier (the same
adapters, so the same keys) answers ``author()`` from that tier alone; the fakes' request logs
prove every timed call was a hit. Next to each figure, measured in the same run on the same
bytes, its floor:

- memory: a ``dict.get`` of the answer object (nothing can be cheaper); goal ≤ 0.1 ms;
- disk and Redis: the bare decode of the stored value with the chosen codec
  (``msgspec.json.decode``, untyped, no validation, no model); goal ≤ 1.5× that floor. The
  Redis row also shows a bare ``GET`` of the value, which the floor leaves out.
- disk and Redis, a second floor: the read of the stored bytes (diskcache's ``get``, Redis's
  ``GET``) followed by that bare decode, i.e. the I/O a hit cannot avoid plus the decode; its
  ratio is printed beside the first (for Redis at 10 works the ``GET`` alone exceeds half the
  decode floor, so only this ratio can be held to 1.5×).

Redis is measured when ``--redis`` or BOOKSTRACKER_TEST_REDIS_URL names a server. Prints a table;
asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from _common import BENCH_KEY, adapters, isolate_from_environment, table

from bookstracker import AsyncBooksClient
from bookstracker.cache import (
    CacheBackend,
    DiskCache,
    MemoryCache,
    RedisCache,
    TieredCache,
    cache_key,
)
from bookstracker.cache.base import ENVELOPE_SIZE
from bookstracker.cache.codec import HEADER_SIZE
from bookstracker.testing import Catalog, FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary

AUTHOR = "Prolific Author"
MEMORY_GOAL_MS = 0.1
DECODE_GOAL = 1.5


def _median_ms(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


async def _paired(
    call: Callable[[], Awaitable[Any]],
    floor: Callable[[], Any],
    n: int,
    io_floor: Callable[[], Awaitable[Any]] | None = None,
) -> tuple[float, float, float]:
    """Median ms of ``call``, of ``floor`` and of ``io_floor`` (0 without one), timed
    alternately so load on the machine hits them alike."""
    await call()
    floor()
    if io_floor is not None:
        await io_floor()
    gc.collect()
    ours: list[float] = []
    theirs: list[float] = []
    with_io: list[float] = []
    clock = time.perf_counter
    for _ in range(n):
        started = clock()
        await call()
        ours.append(clock() - started)
        started = clock()
        floor()
        theirs.append(clock() - started)
        if io_floor is not None:
            started = clock()
            await io_floor()
            with_io.append(clock() - started)
    return _median_ms(ours), _median_ms(theirs), _median_ms(with_io) if with_io else 0.0


async def _get_ms(call: Callable[[], Awaitable[Any]], n: int) -> float:
    timings: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return _median_ms(timings)


def _reader(
    tier: str, disk: DiskCache, redis: RedisCache | None, name: str
) -> Callable[[], Awaitable[bytes | None]]:
    """A bare read of the stored envelope: diskcache's ``get``, or Redis's ``GET``."""
    if tier == "redis" and redis is not None:
        return lambda: redis._client.get(name)  # type: ignore[no-any-return]
    store = disk._cache
    if store is None:
        raise RuntimeError("the disk store is not open")

    async def read() -> bytes | None:
        value: bytes | None = store.get(name, default=None, retry=False)
        return value

    return read


async def _read_and_decode(read: Callable[[], Awaitable[bytes | None]], bare: Any) -> Any:
    data = await read()
    if data is None:
        raise RuntimeError("the stored value is gone")
    return bare.decode(memoryview(data)[ENVELOPE_SIZE + HEADER_SIZE :])


async def measure(works: int, n: int, folder: Path, redis_url: str | None) -> list[list[Any]]:
    import msgspec

    catalog = Catalog.synthetic(works=works, editions_per_work=10)
    fakes = (
        FakeOpenLibrary(catalog),
        FakeGoogleBooks(catalog),
        FakeISBNdb(catalog, api_key=BENCH_KEY),
    )
    transports = {
        "openlibrary": fakes[0].transport(),
        "googlebooks": fakes[1].transport(),
        "isbndb": fakes[2].transport(),
    }
    found = adapters(transports=transports)
    memory = MemoryCache()
    disk = DiskCache(folder / f"disk-{works}")
    tiers: dict[str, CacheBackend] = {"memory": memory, "disk": disk}
    prefix = f"bookstracker-bench-{uuid.uuid4().hex}:"
    redis: RedisCache | None = None
    if redis_url:
        redis = RedisCache(redis_url, prefix=prefix)
        tiers["redis"] = redis
    cold: CacheBackend = disk if redis is None else TieredCache(disk, redis)

    def client(cache: CacheBackend) -> AsyncBooksClient:
        return AsyncBooksClient(
            openlibrary=found["openlibrary"],
            googlebooks=found["googlebooks"],
            isbndb=found["isbndb"],
            cache=cache,
            redis_url=None,
        )

    writer = client(TieredCache(memory, cold))
    bibliography = await writer.author(AUTHOR)
    asked = sum(len(fake.log) for fake in fakes)
    key = cache_key("author", writer.namespace, *writer.author_cache_parts(AUTHOR))
    entry = await disk.get(key)
    if entry is None:
        raise RuntimeError("the bibliography was not stored on disk")
    body = entry.value[HEADER_SIZE:]
    bare = msgspec.json.Decoder()
    held = {key: bibliography}

    rows: list[list[Any]] = []
    for tier, cache in tiers.items():
        reader = client(cache)
        call = reader.author
        if tier == "memory":
            figure, floor_dict, _ = await _paired(
                lambda call=call: call(AUTHOR),  # type: ignore[misc]
                lambda: held.get(key),
                n * 10,
            )
            rows.append(
                [
                    f"{works:,} works",
                    tier,
                    f"{figure:.4f}",
                    f"{floor_dict:.4f}",
                    "dict.get",
                    f"{MEMORY_GOAL_MS} ms",
                    "",
                    "yes" if figure <= MEMORY_GOAL_MS else "no",
                    "",
                    "",
                ]
            )
            continue
        read = _reader(tier, disk, redis, prefix + key if tier == "redis" else key)
        figure, floor_decode, floor_io = await _paired(
            lambda call=call: call(AUTHOR),  # type: ignore[misc]
            lambda: bare.decode(body),
            n,
            io_floor=lambda read=read: _read_and_decode(read, bare),  # type: ignore[misc]
        )
        ratio = figure / floor_decode
        label = "msgspec decode"
        if tier == "redis" and redis is not None:
            get = redis._client.get  # a bare GET of the stored value, for context
            get_ms = await _get_ms(lambda: get(prefix + key), n)  # noqa: B023
            label = f"msgspec decode (GET {get_ms:.2f} ms)"
        rows.append(
            [
                f"{works:,} works",
                tier,
                f"{figure:.3f}",
                f"{floor_decode:.3f}",
                label,
                f"{DECODE_GOAL}x",
                f"{ratio:.2f}x",
                "yes" if ratio <= DECODE_GOAL else "no",
                f"{floor_io:.3f}",
                f"{figure / floor_io:.2f}x",
            ]
        )
    if sum(len(fake.log) for fake in fakes) != asked:
        raise RuntimeError("a timed call reached a provider: not a cache hit")
    size = f"{len(entry.value) / 1e6:.2f}"
    rows.insert(0, [f"{works:,} works", "(stored)", size, "", "MB", "", "", "", "", ""])
    await writer.aclose()
    if redis is not None:
        await redis.clear()
        await redis.aclose()
    await disk.aclose()
    return rows


def main() -> None:
    isolate_from_environment()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="10,500,2000", help="works per author, comma-separated")
    parser.add_argument("--n", type=int, default=30, help="timed hits per tier")
    parser.add_argument("--redis", default=os.environ.get("BOOKSTRACKER_TEST_REDIS_URL"))
    args = parser.parse_args()
    rows: list[list[Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for works in (int(size) for size in args.sizes.split(",")):
            rows.extend(anyio.run(measure, works, args.n, Path(folder), args.redis))
    print("client.author() answered from one cache tier: median ms (floor measured in this run)")
    headers = ["author", "tier", "ms", "floor ms", "floor", "goal", "ratio", "met"]
    print(table([*headers, "read+decode ms", "ratio to it"], rows))


if __name__ == "__main__":
    main()
