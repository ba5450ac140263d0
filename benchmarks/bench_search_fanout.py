"""Wall time of a merged search when the providers answer in 100, 200 and 300 ms.

    .venv/bin/python benchmarks/bench_search_fanout.py [--n 20] [--warmup 2]
                                                       [--in-process] [--keep-nagle]

The three fakes run behind a loopback HTTP server (``FakeServer``) with latencies of 0.1 s
(OpenLibrary), 0.2 s (Google Books) and 0.3 s (ISBNdb). ``AsyncBooksClient(cache=None)`` with the
real adapters, pointed at the server with a rate limit that never paces, runs ``--n`` searches one
after the other. The goal is the slowest provider's time plus a few ms (the providers are asked
at once), not the sum of the three (600 ms).

For a floor, the same three requests are also sent concurrently with bare httpx (no adapters,
no parsing, no merging): what the fake server itself takes.

By default the server runs in a child process, as a real provider would be elsewhere; with
``--in-process`` it is a thread of this interpreter, and the fakes' own CPU work (Google's fake
search takes tens of ms) competes with the client for the GIL. The fake server writes a
response's headers and body in two sends: with Nagle's algorithm on, the body waits for the
client's delayed ACK (about 40 ms on Linux once the connection has idled for the latency). That
is the fake's doing, so the benchmark sets TCP_NODELAY on the server's sockets unless
``--keep-nagle`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import socketserver
import time
from collections.abc import Iterator

import anyio
import httpx
from _common import BENCH_KEY, adapters, fake_server_process, median, percentile, table

from bookstracker import AsyncBooksClient
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary, FakeServer

LATENCIES = {"openlibrary": 0.1, "googlebooks": 0.2, "isbndb": 0.3}
QUERIES = (
    "the martian",
    "project hail mary",
    "the left hand of darkness",
    "dune frank herbert",
    "the handmaid's tale",
    "good omens",
    "the hobbit",
    "one hundred years of solitude",
)
GOAL_SLACK_MS = 25.0


async def searches(
    urls: dict[str, str], n: int, warmup: int
) -> tuple[list[float], list[dict[str, float]], dict[str, int]]:
    found = adapters(urls=urls)
    timings: list[float] = []
    per_provider: list[dict[str, float]] = []
    requests = dict.fromkeys(LATENCIES, 0)
    async with AsyncBooksClient(
        openlibrary=found["openlibrary"],
        googlebooks=found["googlebooks"],
        isbndb=found["isbndb"],
        cache=None,
    ) as client:
        for index in range(warmup + n):
            query = QUERIES[index % len(QUERIES)]
            started = time.perf_counter()
            result = await client.search(query, limit=20)
            elapsed = (time.perf_counter() - started) * 1000
            failed = [p for p, r in result.providers.items() if not r.answered]
            if failed:
                raise SystemExit(f"{failed} did not answer {query!r}: {result.providers}")
            if index >= warmup:
                timings.append(elapsed)
                per_provider.append({p: r.elapsed_ms for p, r in result.providers.items()})
                for name, report in result.providers.items():
                    requests[name] += report.requests
    return timings, per_provider, requests


async def bare_requests(urls: dict[str, str], n: int, warmup: int) -> list[float]:
    """The three searches' HTTP requests, concurrently, with nothing but httpx."""
    timings: list[float] = []
    async with httpx.AsyncClient() as http:

        async def get(url: str, params: dict[str, str], headers: dict[str, str]) -> None:
            response = await http.get(url, params=params, headers=headers)
            response.raise_for_status()

        for index in range(warmup + n):
            query = QUERIES[index % len(QUERIES)]
            calls: tuple[tuple[str, dict[str, str], dict[str, str]], ...] = (
                (f"{urls['openlibrary']}/search.json", {"q": query, "limit": "20"}, {}),
                (f"{urls['googlebooks']}/volumes", {"q": query, "maxResults": "20"}, {}),
                (
                    f"{urls['isbndb']}/books/{query}",
                    {"page": "1", "pageSize": "20"},
                    {"Authorization": BENCH_KEY},
                ),
            )
            started = time.perf_counter()
            async with anyio.create_task_group() as group:
                for url, params, headers in calls:
                    group.start_soon(get, url, params, headers)
            if index >= warmup:
                timings.append((time.perf_counter() - started) * 1000)
    return timings


@contextlib.contextmanager
def in_process_server() -> Iterator[dict[str, str]]:
    fakes = (
        FakeOpenLibrary(latency=LATENCIES["openlibrary"]),
        FakeGoogleBooks(latency=LATENCIES["googlebooks"]),
        FakeISBNdb(api_key=BENCH_KEY, latency=LATENCIES["isbndb"]),
    )
    with FakeServer(*fakes) as server:
        yield server.urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="timed searches")
    parser.add_argument("--warmup", type=int, default=2, help="untimed searches first")
    parser.add_argument(
        "--in-process", action="store_true", help="run the fake server in this interpreter"
    )
    parser.add_argument(
        "--keep-nagle", action="store_true", help="leave Nagle's algorithm on in the fake server"
    )
    arguments = parser.parse_args()
    nodelay = not arguments.keep_nagle
    if arguments.in_process:
        socketserver.StreamRequestHandler.disable_nagle_algorithm = nodelay
        server = in_process_server()
    else:
        server = fake_server_process(LATENCIES, nodelay=nodelay)
    with server as urls:
        floor = anyio.run(bare_requests, urls, arguments.n, arguments.warmup)
        timings, per_provider, requests = anyio.run(searches, urls, arguments.n, arguments.warmup)

    slowest = max(LATENCIES.values()) * 1000
    total = sum(LATENCIES.values()) * 1000
    where = "this process" if arguments.in_process else "a child process"
    nagle = "on" if arguments.keep_nagle else "off (TCP_NODELAY)"
    print(
        f"merged search over loopback, {arguments.n} sequential searches after "
        f"{arguments.warmup} untimed, no cache; fake server in {where}, Nagle {nagle}"
    )
    print(
        "provider latency: "
        + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in LATENCIES.items())
    )
    print(
        "upstream requests per search: "
        + ", ".join(f"{name} {count / arguments.n:g}" for name, count in requests.items())
    )
    print()
    rows = []
    for label, values in (("bare httpx, 3 GETs at once", floor), ("client.search()", timings)):
        p50, p95 = median(values), percentile(values, 0.95)
        rows.append(
            [
                label,
                p50,
                p95,
                max(values),
                p50 - slowest,
                "yes" if p50 <= slowest + GOAL_SLACK_MS else "NO",
            ]
        )
    print(
        table(
            [
                "wall ms",
                "p50",
                "p95",
                "max",
                "p50 - 300",
                f"p50 <= 300 + {GOAL_SLACK_MS:.0f}",
            ],
            rows,
        )
    )
    print(
        f"sum of the latencies (serial): {total:.0f} ms; the client adds "
        f"{median(timings) - median(floor):.1f} ms (p50) to the bare requests"
    )
    print()
    print(
        table(
            ["provider", "latency ms", "p50 elapsed ms (its report)"],
            [
                [name, seconds * 1000, median([r[name] for r in per_provider])]
                for name, seconds in LATENCIES.items()
            ],
        )
    )


if __name__ == "__main__":
    main()
