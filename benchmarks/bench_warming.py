"""Warming a reading-library export under OpenLibrary's rate limit, against requests ÷ rate.

    python benchmarks/bench_warming.py [--rows 2000] [--authors 0] [--concurrency 4]
        [--rate 3]

Writes a Goodreads-style export of ``--rows`` rows (into a temporary folder; never kept) whose
books are the works and ISBNs of the bundled sample catalog's authors (the first ``--authors``
of them; 0: every one), spread over its rows in turn, then warms it as ``bookstracker warm
--csv FILE`` does (``client.warm(csv=…)``, default concurrency 4, memory cache, no journal)
against the fakes on a loopback server in a child process (OpenLibrary 300 ms, Google Books
150 ms, ISBNdb 200 ms). OpenLibrary is paced by the client at its default rate (3 requests/s,
or ``--rate``); the other two providers are not paced, so OpenLibrary is the bottleneck.

Prints the elapsed time next to the floor N / R (N: OpenLibrary requests actually sent, counted
by a recording transport; R: the rate) and the ratio (goal ≤ 1.10×), and how many of the N were
pen-name look-ups (an author search whose name is not one of the authors being warmed).

Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
from _common import BENCH_KEY, fake_server_process, isolate_from_environment, table

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.cache import MemoryCache
from bookstracker.names import name_key
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import sample_catalog

LATENCIES = {"openlibrary": 0.3, "googlebooks": 0.15, "isbndb": 0.2}
OFF = 10_000.0
DEFAULT_OPENLIBRARY_RATE = 3.0
OLID = re.compile(r"OL[0-9]+[AWM]")
GOODREADS_HEADER = (
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Exclusive Shelf",
)


class Recording(httpx.AsyncBaseTransport):
    """A real transport that notes the URL of every request it sends."""

    def __init__(self, sent: list[str]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent = sent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(str(request.url))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def write_export(path: Path, rows: int, authors: int) -> int:
    """A Goodreads export of ``rows`` books by the sample catalog's first ``authors`` authors
    (0: all), each author's works taken in turn; returns the number of distinct authors."""
    catalog = sample_catalog()
    people = list(catalog.authors)[: authors or None]
    books: list[list[tuple[str, str | None, str | None]]] = []
    for person in people:
        own: list[tuple[str, str | None, str | None]] = []
        for work in catalog.works_of(person.id):
            edition = next((e for e in work.editions if e.isbn13), None)
            own.append(
                (
                    work.title,
                    edition.isbn10 if edition else None,
                    edition.isbn13 if edition else None,
                )
            )
        books.append(own or [(f"A book by {person.name}", None, None)])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(GOODREADS_HEADER)
        for number in range(rows):
            person = people[number % len(people)]
            own_books = books[number % len(people)]
            title, isbn10, isbn13 = own_books[(number // len(people)) % len(own_books)]
            parts = person.name.rsplit(" ", 1)
            last_first = f"{parts[1]}, {parts[0]}" if len(parts) == 2 else person.name
            writer.writerow(
                [
                    str(100_000 + number),
                    title,
                    person.name,
                    last_first,
                    "",
                    f'="{isbn10}"' if isbn10 else '=""',
                    f'="{isbn13}"' if isbn13 else '=""',
                    str(number % 6),
                    ("read", "to-read", "currently-reading")[number % 3],
                ]
            )
    return len(people)


def client_for(urls: dict[str, str], sent: list[str], rate: float) -> AsyncBooksClient:
    common: dict[str, Any] = {"transport": Recording(sent), "retry": RetryPolicy(attempts=1)}
    return AsyncBooksClient(
        openlibrary=OpenLibrary(base_url=urls["openlibrary"], rate=rate, **common),
        googlebooks=GoogleBooks(base_url=urls["googlebooks"], api_key=None, rate=OFF, **common),
        isbndb=ISBNdb(base_url=urls["isbndb"], api_key=BENCH_KEY, plan="basic", rate=OFF, **common),
        cache=MemoryCache(),
        redis_url=None,
        deadline=300.0,
    )


def is_pen_name_lookup(url: str, warmed: set[str]) -> bool:
    """An OpenLibrary author search for a name that is not one of the authors warmed."""
    parts = urlsplit(url)
    if not parts.path.endswith("/search/authors.json"):
        return False
    asked = parse_qs(parts.query).get("q", [""])[0]
    return name_key(asked) not in warmed


async def warm(
    urls: dict[str, str], export: Path, rate: float, concurrency: int
) -> tuple[float, Any, list[str]]:
    sent: list[str] = []
    async with client_for(urls, sent, rate) as client:
        started = time.perf_counter()
        report = await client.warm(csv=export, concurrency=concurrency, resume=False)
        return time.perf_counter() - started, report, sent


def main() -> None:
    isolate_from_environment()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--authors", type=int, default=0, help="0: every sample author")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rate", type=float, default=DEFAULT_OPENLIBRARY_RATE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "goodreads_library_export.csv"
        people = write_export(export, args.rows, args.authors)
        with fake_server_process(LATENCIES) as urls:
            elapsed, report, sent = anyio.run(warm, urls, export, args.rate, args.concurrency)
    base = urls["openlibrary"]
    ol = [u for u in sent if u.startswith(base)]
    warmed = {
        name_key(n) for n in [*report.warmed, *report.skipped, *(f.name for f in report.failed)]
    }
    pen = sum(is_pen_name_lookup(u, warmed) for u in ol)
    kinds = Counter(OLID.sub("…", urlsplit(u).path) for u in ol)
    floor = len(ol) / args.rate
    ratio = elapsed / floor if floor else float("nan")
    print(
        f"{args.rows:,} rows, {people} authors in the export: {len(report.warmed)} warmed, "
        f"{len(report.failed)} failed; concurrency {args.concurrency}"
    )
    print(
        table(
            [
                "OpenLibrary at R/s",
                "N requests",
                "pen-name look-ups",
                "s",
                "floor N/R s",
                "ratio",
                "≤1.10x",
            ],
            [
                [
                    f"{args.rate:g}",
                    len(ol),
                    pen,
                    f"{elapsed:.2f}",
                    f"{floor:.2f}",
                    f"{ratio:.3f}x",
                    "yes" if ratio <= 1.10 else "no",
                ]
            ],
        )
    )
    print(
        "OpenLibrary requests by endpoint: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common())
    )
    for failure in report.failed:
        print(f"failed: {failure.name}: {failure.error}")


if __name__ == "__main__":
    main()
