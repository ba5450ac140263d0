"""Cold ``client.author()`` against the floor of fetching the same data, alone and many at once.

    python benchmarks/bench_cold_authors.py [--runs 3] [--skip-off] [--skip-limits]
        [--skip-many] [--works 2000] [--trace]

The fakes answer from a loopback server in a child process (OpenLibrary 300 ms, Google Books
150 ms, ISBNdb 200 ms): the sample catalog for a small author (Andy Weir) and a large one with a
pen name (Stephen King), ``Catalog.synthetic`` for a ``--works``-work author. No cache.

1. **Limits off** (every adapter at 10,000 requests/s): the median wall time of ``--runs`` cold
   calls, the client's CPU time (``time.process_time``; the fakes run in the other process), and
   the requests it sent, recorded by a transport around the client's own pool
   (``ShardedTransport``, 100 connections). The floor replays exactly those requests with
   plain httpx (one ``AsyncClient``, 100 connections) in the fewest rounds their dependencies
   allow: the author search; then pen names, works, signals and ISBNdb's and Google's listings
   at once; then the editions by ISBN at once; then the editions of the works left without any
   (they need the first assembly: a key search for their edition ids, then those editions).
   Goal: ≤ 1.3× the floor; the 2,000-work call's CPU ≤ 0.6 s.
2. **Default limits** (OpenLibrary 3/s, Google Books 1/s, ISBNdb 1/s basic): the wall time
   against requests ÷ rate of the busiest provider. Goal: ≤ 1.1×. Beside it, the chain floor:
   the editions of works left bare need every listing, so they are counted after the busiest
   provider's other requests (its requests ÷ rate, then those ÷ OpenLibrary's rate).
3. **Many authors at once** (limits off): every author of the sample catalog asked at once from
   one client, against the same requests replayed in the same rounds by plain httpx and, when it
   is installed, aiohttp (100 connections each). Goal: ≤ 1.5× the best plain client.

``--trace`` also prints, for each default-limits call, when each request left and was answered,
its provider and the round it belongs to, and how many OpenLibrary requests were sent after
ISBNdb's last answer (the editions of works left bare: they need every listing).

Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import anyio
import httpx
from _common import BENCH_KEY, fake_server_process, isolate_from_environment, table

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker._pool import ShardedTransport
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import sample_catalog

LATENCIES = {"openlibrary": 0.3, "googlebooks": 0.15, "isbndb": 0.2}
OFF = 10_000.0
DEFAULT_RATES = {"openlibrary": 3.0, "googlebooks": 1.0, "isbndb": 1.0}
POOL = 100

Sent = tuple[str, str, tuple[tuple[str, str], ...], bytes]


Timed = tuple[float, float, str]
"""When a request left and when its answer's headers came (perf_counter), and its URL."""

STAGES = (
    "author search",
    "listings, signals",
    "editions by ISBN",
    "bare works",
    "bare works, by id",
)


class Recording(httpx.AsyncBaseTransport):
    """The client's own transport (its connection pool, 100 connections) noting every request,
    and when it left and was answered in ``timed`` when given."""

    def __init__(self, sent: list[Sent], timed: list[Timed] | None = None) -> None:
        self.inner = ShardedTransport(POOL)
        self.sent = sent
        self.timed = timed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        headers = tuple(
            (k, v) for k, v in request.headers.items() if k.lower() in ("authorization", "key")
        )
        self.sent.append((request.method, str(request.url), headers, body))
        left = time.perf_counter()
        response = await self.inner.handle_async_request(request)
        if self.timed is not None:
            self.timed.append((left, time.perf_counter(), str(request.url)))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def client_for(
    urls: dict[str, str], sent: list[Sent], *, limits: bool, timed: list[Timed] | None = None
) -> AsyncBooksClient:
    rate: dict[str, Any] = {} if limits else {"rate": OFF}
    common: dict[str, Any] = {
        "transport": Recording(sent, timed),
        "retry": RetryPolicy(attempts=1),
    }
    return AsyncBooksClient(
        openlibrary=OpenLibrary(base_url=urls["openlibrary"], **rate, **common),
        googlebooks=GoogleBooks(base_url=urls["googlebooks"], api_key=None, **rate, **common),
        isbndb=ISBNdb(base_url=urls["isbndb"], api_key=BENCH_KEY, plan="basic", **rate, **common),
        cache=None,
        redis_url=None,
        deadline=300.0,
    )


def _stage(url: str) -> int:
    """Which round a request belongs to once the author search is done: 1 for the works,
    signals, pen names and listings; 2 for the editions by ISBN (they need the works' ISBNs);
    3 for the editions of works left without any (they need the first assembly): one
    ``editions.json`` each, or a ``key:`` search for their edition ids, then 4, the
    ``/api/books?bibkeys=OLID:…`` batches of those ids."""
    query = unquote_plus(urlsplit(url).query)
    if "/api/books" in url:
        return 4 if "OLID:" in query else 2
    if "/works/" in url and "/editions.json" in url:
        return 3
    if "/search.json" in url and "q=key:" in query:
        return 3
    return 1


def rounds(sent: Sequence[Sent], authors: int = 1) -> list[list[Sent]]:
    """The requests in the fewest rounds their dependencies allow: the author searches (one per
    author asked), then the stages of :func:`_stage`."""
    groups: list[list[Sent]] = [[], [], [], [], []]
    searched: set[str] = set()
    for request in sent:
        url = request[1]
        if "/search/authors.json" in url and url not in searched and len(searched) < authors:
            searched.add(url)
            groups[0].append(request)
        else:
            groups[_stage(url)].append(request)
    return [g for g in groups if g]


def provider_of(url: str, urls: dict[str, str]) -> str:
    return max((n for n, base in urls.items() if url.startswith(base)), key=lambda n: len(urls[n]))


async def replay_httpx(groups: Sequence[Sequence[Sent]]) -> float:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=POOL), timeout=60) as http:

        async def one(request: Sent) -> None:
            method, url, headers, body = request
            response = await http.request(method, url, headers=dict(headers), content=body)
            await response.aread()

        started = time.perf_counter()
        for group in groups:
            await asyncio.gather(*(one(r) for r in group))
        return time.perf_counter() - started


async def replay_aiohttp(groups: Sequence[Sequence[Sent]]) -> float | None:
    try:
        import aiohttp
    except ImportError:
        return None
    connector = aiohttp.TCPConnector(limit=POOL)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(request: Sent) -> None:
            method, url, headers, body = request
            async with session.request(
                method, url, headers=dict(headers), data=body or None
            ) as response:
                await response.read()

        started = time.perf_counter()
        for group in groups:
            await asyncio.gather(*(one(r) for r in group))
        return time.perf_counter() - started


async def cold(
    urls: dict[str, str], name: str, *, limits: bool, timed: list[Timed] | None = None
) -> tuple[float, float, list[Sent]]:
    sent: list[Sent] = []
    async with client_for(urls, sent, limits=limits, timed=timed) as client:
        wall, cpu = time.perf_counter(), time.process_time()
        if timed is not None:
            timed.append((wall, wall, ""))  # the call's start
        await client.author(name)
        return time.perf_counter() - wall, time.process_time() - cpu, sent


def trace(label: str, timed: Sequence[Timed], urls: dict[str, str]) -> str:
    """The requests of one call in the order they left: seconds from the call's start to
    leaving and to the answer, provider, round, path and query; then what followed ISBNdb."""
    start = timed[0][0]
    rows: list[list[Any]] = []
    last_isbndb = max(
        (end for _, end, url in timed[1:] if provider_of(url, urls) == "isbndb"), default=None
    )
    after = 0
    searched = False
    for left, end, url in sorted(timed[1:]):
        provider = provider_of(url, urls)
        parts = urlsplit(url)
        first = "/search/authors.json" in url and not searched
        searched = searched or first
        stage = STAGES[0 if first else _stage(url)]
        if provider == "openlibrary" and last_isbndb is not None and left >= last_isbndb:
            after += 1
        path = parts.path.removeprefix(urlsplit(urls[provider]).path)
        rows.append(
            [
                f"{left - start:.2f}",
                f"{end - start:.2f}",
                provider,
                stage,
                f"{path} {unquote_plus(parts.query)}"[:70],
            ]
        )
    tail = (
        f"ISBNdb's last answer at {last_isbndb - start:.2f} s; {after} OpenLibrary requests "
        "left after it"
        if last_isbndb is not None
        else "no ISBNdb request"
    )
    return "\n".join(
        [
            f"trace: {label}, default limits (s from the call's start)",
            table(["left", "answered", "provider", "round", "request"], rows),
            tail,
        ]
    )


async def limits_off(urls: dict[str, str], name: str, label: str, runs: int) -> list[Any]:
    walls: list[float] = []
    cpus: list[float] = []
    floors: list[float] = []
    sent: list[Sent] = []
    await cold(urls, name, limits=False)  # warms the fakes' indexes, not timed
    for _ in range(runs):
        wall, cpu, sent = await cold(urls, name, limits=False)
        walls.append(wall)
        cpus.append(cpu)
        floors.append(await replay_httpx(rounds(sent)))
    ours, floor = statistics.median(walls), statistics.median(floors)
    ratio = ours / floor
    return [
        label,
        len(sent),
        f"{ours:.2f}",
        f"{floor:.2f}",
        f"{ratio:.2f}x",
        "yes" if ratio <= 1.3 else "no",
        f"{statistics.median(cpus):.2f}",
    ]


async def with_limits(
    urls: dict[str, str], name: str, label: str, traces: list[str] | None = None
) -> list[Any]:
    timed: list[Timed] | None = [] if traces is not None else None
    wall, _, sent = await cold(urls, name, limits=True, timed=timed)
    if traces is not None and timed:
        traces.append(trace(label, timed, urls))
    counts: dict[str, int] = {}
    listings: dict[str, int] = {}
    bare = 0
    for request in sent:
        provider = provider_of(request[1], urls)
        counts[provider] = counts.get(provider, 0) + 1
        if _stage(request[1]) >= 3:
            bare += 1
        else:
            listings[provider] = listings.get(provider, 0) + 1
    floor = max(counts.get(p, 0) / rate for p, rate in DEFAULT_RATES.items())
    ratio = wall / floor if floor else float("nan")
    # The editions of works left bare need every listing: they follow the busiest one.
    chain = max(listings.get(p, 0) / rate for p, rate in DEFAULT_RATES.items())
    chain += bare / DEFAULT_RATES["openlibrary"]
    per = " ".join(f"{p[:2]}={counts.get(p, 0)}" for p in DEFAULT_RATES)
    return [
        label,
        per,
        f"{wall:.2f}",
        f"{floor:.2f}",
        f"{ratio:.2f}x",
        "yes" if ratio <= 1.1 else "no",
        f"{chain:.2f}",
        f"{wall / chain:.2f}x" if chain else "",
    ]


async def many(urls: dict[str, str], names: Sequence[str]) -> list[list[Any]]:
    sent: list[Sent] = []
    async with client_for(urls, [], limits=False) as client:  # warms the fakes, not timed
        await asyncio.gather(*(client.author(n) for n in names), return_exceptions=True)
    async with client_for(urls, sent, limits=False) as client:
        started = time.perf_counter()
        cpu = time.process_time()
        await asyncio.gather(*(client.author(n) for n in names), return_exceptions=True)
        ours = time.perf_counter() - started
        cpu = time.process_time() - cpu
    groups = rounds(sent, authors=len(names))
    plain = await replay_httpx(groups)
    aio = await replay_aiohttp(groups)
    best = min(t for t in (plain, aio) if t is not None)
    ratio = ours / best
    rows = [
        [f"bookstracker ({len(names)} authors)", len(sent), f"{ours:.2f}", f"{cpu:.2f}", ""],
        ["httpx, same rounds", len(sent), f"{plain:.2f}", "", ""],
    ]
    if aio is not None:
        rows.append(["aiohttp, same rounds", len(sent), f"{aio:.2f}", "", ""])
    rows[0][4] = f"{ratio:.2f}x of best ({'yes' if ratio <= 1.5 else 'no'})"
    return rows


def main() -> None:
    isolate_from_environment()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--works", type=int, default=2000)
    parser.add_argument("--skip-off", action="store_true", help="skip part 1 (limits off)")
    parser.add_argument("--skip-limits", action="store_true")
    parser.add_argument("--skip-many", action="store_true")
    parser.add_argument(
        "--trace", action="store_true", help="print each default-limits call's requests in time"
    )
    args = parser.parse_args()
    off: list[list[Any]] = []
    limited: list[list[Any]] = []
    crowd: list[list[Any]] = []
    traces: list[str] | None = [] if args.trace else None
    with fake_server_process(LATENCIES) as urls:
        for name in ("Andy Weir", "Stephen King"):
            if not args.skip_off:
                off.append(anyio.run(limits_off, urls, name, name, args.runs))
            if not args.skip_limits:
                limited.append(anyio.run(with_limits, urls, name, name, traces))
        if not args.skip_many:
            names = [a.name for a in sample_catalog().authors]
            crowd = anyio.run(many, urls, names)
    if not (args.skip_off and args.skip_limits):
        with fake_server_process(LATENCIES, synthetic_works=args.works) as urls:
            label = f"{args.works:,}-work author"
            if not args.skip_off:
                off.append(anyio.run(limits_off, urls, "Prolific Author", label, args.runs))
            if not args.skip_limits:
                limited.append(anyio.run(with_limits, urls, "Prolific Author", label, traces))
    if off:
        print("1. cold author(), limits off: median s of runs; floor = plain httpx, same requests")
        print(table(["author", "requests", "s", "floor s", "ratio", "≤1.3x", "CPU s"], off))
    if limited:
        print(
            "\n2. cold author(), default limits: floor = requests ÷ rate of the busiest provider;"
            "\n   chain = the same without the bare works' editions, plus those ÷ OpenLibrary's"
            " rate\n   (they need every listing, so they follow the busiest)"
        )
        print(
            table(
                ["author", "requests", "s", "floor s", "ratio", "≤1.1x", "chain s", "ratio"],
                limited,
            )
        )
    for text in traces or ():
        print(f"\n{text}")
    if crowd:
        print("\n3. every sample author at once, limits off, one client; plain clients replay")
        print(table(["client", "requests", "s", "CPU s", "vs best plain"], crowd))


if __name__ == "__main__":
    main()
