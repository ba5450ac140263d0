"""100 concurrent ``client.isbn()`` calls against one ``client.isbns()`` of the same ISBNs.

    python benchmarks/bench_isbn_coalescing.py [--n 100] [--runs 3]

The three fakes (sample catalog) answer from a loopback server in a child process with the
issue's latencies (OpenLibrary 300 ms, Google Books 150 ms, ISBNdb 200 ms). Every adapter keeps
its default rate limit (OpenLibrary 3/s, Google Books 1/s without a key is its default too,
ISBNdb 1/s on the basic plan) and no cache, so each run asks the providers. The ISBNs are the
first ``--n`` ISBN-13s of the sample catalog known to OpenLibrary or ISBNdb. Each row: median
wall time of ``--runs`` runs (a fresh client each) and the requests per provider from
``client.stats()``. The floor is ``isbns()`` in the same run; goal: ``isbn()`` x n ≤ 1.2× it.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from _common import BENCH_KEY, fake_server_process, isolate_from_environment, table

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.testing import sample_catalog

LATENCIES = {"openlibrary": 0.3, "googlebooks": 0.15, "isbndb": 0.2}
GOAL = 1.2


def catalog_isbns(n: int) -> list[str]:
    seen: dict[str, None] = {}
    for _, edition in sample_catalog().editions():
        if edition.isbn13 and {"openlibrary", "isbndb"} & set(edition.providers):
            seen.setdefault(edition.isbn13, None)
    if len(seen) < n:
        raise SystemExit(f"the sample catalog has {len(seen)} such ISBNs; ask for fewer")
    return list(seen)[:n]


def client_for(urls: dict[str, str]) -> AsyncBooksClient:
    return AsyncBooksClient(
        openlibrary=OpenLibrary(base_url=urls["openlibrary"]),
        googlebooks=GoogleBooks(base_url=urls["googlebooks"], api_key=None),
        isbndb=ISBNdb(base_url=urls["isbndb"], api_key=BENCH_KEY, plan="basic"),
        cache=None,
        redis_url=None,
    )


async def one_run(
    urls: dict[str, str], ask: Callable[[AsyncBooksClient], Awaitable[Any]]
) -> tuple[float, dict[str, int], int]:
    async with client_for(urls) as client:
        started = time.perf_counter()
        answer = await ask(client)
        elapsed = time.perf_counter() - started
        stats = await client.stats()
        requests = {name: figures.requests for name, figures in stats.providers.items()}
    found = len(answer.found) if hasattr(answer, "found") else sum(e is not None for e in answer)
    return elapsed, requests, found


async def measure(urls: dict[str, str], isbns: list[str], runs: int) -> list[list[Any]]:
    async def concurrent(client: AsyncBooksClient) -> Any:
        return await asyncio.gather(*(client.isbn(i) for i in isbns))

    async def batch(client: AsyncBooksClient) -> Any:
        return await client.isbns(isbns)

    rows: list[list[Any]] = []
    results: dict[str, float] = {}
    for label, ask in ((f"isbns() of {len(isbns)}", batch), (f"{len(isbns)} x isbn()", concurrent)):
        times: list[float] = []
        requests: dict[str, int] = {}
        found = 0
        for _ in range(runs):
            elapsed, requests, found = await one_run(urls, ask)
            times.append(elapsed)
        results[label] = statistics.median(times)
        rows.append(
            [
                label,
                f"{results[label]:.2f}",
                found,
                requests.get("openlibrary", 0),
                requests.get("isbndb", 0),
                requests.get("googlebooks", 0),
            ]
        )
    floor, ours = results[rows[0][0]], results[rows[1][0]]
    met = "yes" if ours / floor <= GOAL else "no"
    rows[1].append(f"{ours / floor:.2f}x (goal ≤ {GOAL}x: {met})")
    rows[0].append("floor")
    return rows


def main() -> None:
    isolate_from_environment()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    isbns = catalog_isbns(args.n)
    with fake_server_process(LATENCIES) as urls:
        rows = anyio.run(measure, urls, isbns, args.runs)
    print("default rate limits, no cache; loopback fakes (OL 300 ms, Google 150 ms, ISBNdb 200 ms)")
    headers = ["call", "median s", "found", "OL req", "ISBNdb req", "Google req", "vs isbns()"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
