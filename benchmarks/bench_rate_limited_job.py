"""A job of N requests against a fake provider that allows R requests per second.

    python benchmarks/bench_rate_limited_job.py [--n 300] [--rate 100] [--bursts 1,2]
                                                [--redis redis://127.0.0.1:6379/15]

The fake OpenLibrary runs in its own process on loopback and answers beyond R per second with
its real 429: a token bucket holding ``burst`` requests (1 is the strictest possible limit). The
OpenLibrary adapter looks up N distinct ISBNs (``OpenLibrary.isbn``: one ``/api/books`` request
each), all at once, with its rate set to R. It is the adapter that paces; the client is left out
because it batches concurrent ``isbn()`` calls (N/50 requests), which would leave nothing to pace:
the goal is no 429 and a run within 10% of N/R. With ``--redis``
(or BOOKSTRACKER_TEST_REDIS_URL) each job runs a second time with the limit kept in Redis
(``RedisRateLimiter``), as every process of a deployment would share it. Prints a table;
asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import anyio

if importlib.util.find_spec("bookstracker") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bookstracker import OpenLibrary
from bookstracker.errors import ProviderError
from bookstracker.resilience import RedisRateLimiter, RetryPolicy


def isbn13(number: int) -> str:
    """A valid ISBN-13 for each number (978 prefix)."""
    body = f"978{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def start_server(rate: float, burst: float) -> tuple[subprocess.Popen[str], str]:
    """The fake providers in a child process; OpenLibrary's base URL."""
    code = (
        "import sys\n"
        "from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary\n"
        "from bookstracker.testing._server import FakeServer, serve_forever\n"
        f"server = FakeServer(FakeOpenLibrary(rate_limit={rate!r}, burst={burst!r}))\n"
        "server.start()\n"
        "print(server.urls['openlibrary'], flush=True)\n"
        "sys.stdin.read()\n"
        "server.stop()\n"
    )
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    url = child.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        child.kill()
        raise RuntimeError(f"the fake server did not start: {url!r}")
    return child, url


async def run_job(url: str, n: int, rate: float, redis_url: str | None) -> dict[str, Any]:
    redis_client: Any = None
    options: dict[str, Any] = {}
    if redis_url:
        import redis.asyncio as redis_asyncio

        redis_client = redis_asyncio.Redis.from_url(redis_url)
        options["limiter"] = RedisRateLimiter(
            redis_client, f"bench-{uuid.uuid4().hex}", rate, prefix="bookstracker-bench:rate:"
        )
    adapter = OpenLibrary(base_url=url, rate=rate, retry=RetryPolicy(attempts=5), **options)
    failed = 0

    async def one(number: int) -> None:
        nonlocal failed
        try:
            await adapter.isbn(isbn13(number))
        except ProviderError:
            failed += 1

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for number in range(n):
            group.start_soon(one, number)
    elapsed = time.perf_counter() - started
    figures = adapter.stats()
    await adapter.aclose()
    if redis_client is not None:
        await redis_client.delete(options["limiter"].redis_key)
        await redis_client.aclose()
    return {
        "elapsed": elapsed,
        "requests": figures["requests"],
        "429": figures["rate_limited"],
        "retries": figures["retries"],
        "failed": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="requests in the job")
    parser.add_argument("--rate", type=float, default=100.0, help="R: the fake's requests/s")
    parser.add_argument(
        "--bursts", default="1,2", help="the fake's bucket sizes to try, comma-separated"
    )
    parser.add_argument("--redis", default=os.environ.get("BOOKSTRACKER_TEST_REDIS_URL"))
    args = parser.parse_args()

    ideal = args.n / args.rate
    print(
        f"N={args.n} requests, the fake allows R={args.rate:g}/s, ideal N/R = {ideal:.2f} s; "
        "loopback, the fake in its own process"
    )
    print(
        f"{'burst':>5} {'limiter':<8} {'elapsed s':>10} {'vs N/R':>8} {'requests':>9} "
        f"{'429s':>6} {'retries':>8} {'failed':>7}"
    )
    limiters = [None, args.redis] if args.redis else [None]
    for burst in (float(b) for b in args.bursts.split(",")):
        for redis_url in limiters:
            child, url = start_server(args.rate, burst)
            try:
                row = run_job_sync(url, args.n, args.rate, redis_url)
            finally:
                child.communicate("", timeout=10)
            print(
                f"{burst:>5g} {'redis' if redis_url else 'local':<8} {row['elapsed']:>10.2f} "
                f"{row['elapsed'] / ideal - 1:>+8.1%} {row['requests']:>9} {row['429']:>6} "
                f"{row['retries']:>8} {row['failed']:>7}",
                flush=True,
            )


def run_job_sync(url: str, n: int, rate: float, redis_url: str | None) -> dict[str, Any]:
    return anyio.run(run_job, url, n, rate, redis_url)


if __name__ == "__main__":
    main()
