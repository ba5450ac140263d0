"""Upstream requests for a batch of ISBNs, against the fewest the batch endpoints allow.

    .venv/bin/python benchmarks/bench_isbn_batches.py [--n 1000] [--misses 50] [--latency 0]

``--n`` ISBN-13s of the bundled sample catalog (in catalog order) and ``--misses`` valid ISBNs
that no provider knows go through ``AsyncBooksClient.isbns()`` (no cache) against the three fakes
behind a loopback ``FakeServer``, once with an ISBNdb basic plan and once with a premium one.
Requests are counted from the fakes' own logs. The minimum the endpoints allow:

- OpenLibrary ``/api/books``: ceil(ISBNs / 50), 50 being the adapter's batch size;
- ISBNdb ``POST /books``: ceil(ISBNs / 100) on the basic plan, ceil(ISBNs / 1000) on premium;
- Google Books (no batch endpoint, asked only for the ISBNs neither of the others found): one
  request per such ISBN.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import anyio
from _common import BENCH_KEY, adapters, table
from stdnum import ean

from bookstracker import AsyncBooksClient
from bookstracker.providers.openlibrary import BOOKS_BATCH_SIZE
from bookstracker.testing import (
    FakeGoogleBooks,
    FakeISBNdb,
    FakeOpenLibrary,
    FakeServer,
    sample_catalog,
)

BULK_SIZE = {"basic": 100, "premium": 1000}
PATHS = {"openlibrary": "/api/books", "isbndb": "/books", "googlebooks": "/books/v1/volumes"}


def wanted_isbns(n: int, misses: int) -> tuple[list[str], set[str]]:
    """``n`` catalog ISBN-13s and ``misses`` unknown ones; and those only Google knows."""
    catalog = sample_catalog()
    providers: dict[str, set[str]] = {}
    for _, edition in catalog.editions():
        if edition.isbn13:
            providers.setdefault(edition.isbn13, set()).update(edition.providers)
    known = list(providers)
    if n > len(known):
        raise SystemExit(f"the sample catalog has {len(known)} ISBNs; ask for fewer")
    chosen = known[:n]
    unknown: list[str] = []
    serial = 0
    while len(unknown) < misses:
        body = f"9798{serial:08d}"
        isbn = body + ean.calc_check_digit(body)
        if isbn not in providers:
            unknown.append(isbn)
        serial += 1
    google_only = {i for i in chosen if not providers[i] & {"openlibrary", "isbndb"}} | set(unknown)
    return chosen + unknown, google_only


async def look_up(
    urls: dict[str, str], plan: str, isbns: list[str]
) -> tuple[float, int, dict[str, float]]:
    found = adapters(urls=urls, isbndb_plan=plan)
    async with AsyncBooksClient(
        openlibrary=found["openlibrary"],
        googlebooks=found["googlebooks"],
        isbndb=found["isbndb"],
        cache=None,
    ) as client:
        started = time.perf_counter()
        result = await client.isbns(isbns)
        elapsed = time.perf_counter() - started
    found_count = sum(1 for edition in result.results.values() if edition is not None)
    return elapsed, found_count, {n: r.elapsed_ms for n, r in result.providers.items()}


def run(plan: str, isbns: list[str], google_only: set[str], latency: float) -> dict[str, Any]:
    fakes = {
        "openlibrary": FakeOpenLibrary(latency=latency),
        "isbndb": FakeISBNdb(api_key=BENCH_KEY, plan=plan, latency=latency),  # type: ignore[arg-type]
        "googlebooks": FakeGoogleBooks(latency=latency),
    }
    with FakeServer(*fakes.values()) as server:
        elapsed, found, spent = anyio.run(look_up, server.urls, plan, isbns)
    n = len(isbns)
    minimum = {
        "openlibrary": math.ceil(n / BOOKS_BATCH_SIZE),
        "isbndb": math.ceil(n / BULK_SIZE[plan]),
        "googlebooks": len(google_only),
    }
    rows = []
    for name, fake in fakes.items():
        made = fake.count()
        batch = fake.count(PATHS[name])
        rows.append(
            [
                f"{name} ({plan})" if name == "isbndb" else name,
                made,
                batch,
                minimum[name],
                "yes" if made == minimum[name] else "NO",
                spent.get(name, 0.0),
            ]
        )
    return {"rows": rows, "elapsed": elapsed, "found": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="ISBNs from the sample catalog")
    parser.add_argument("--misses", type=int, default=50, help="valid ISBNs nobody knows")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per fake request")
    arguments = parser.parse_args()

    isbns, google_only = wanted_isbns(arguments.n, arguments.misses)
    print(
        f"client.isbns() with {len(isbns):,} ISBNs ({arguments.n:,} from the sample catalog, "
        f"{arguments.misses} unknown to every provider), no cache, loopback fakes, "
        f"latency {arguments.latency * 1000:.0f} ms"
    )
    print(
        f"{len(google_only):,} of them are unknown to OpenLibrary and ISBNdb, so go to Google "
        "one by one"
    )
    print()
    rows: list[list[Any]] = []
    summary: list[list[Any]] = []
    for plan in ("basic", "premium"):
        outcome = run(plan, isbns, google_only, arguments.latency)
        rows.extend(outcome["rows"])
        summary.append([f"ISBNdb {plan}", outcome["elapsed"] * 1000, outcome["found"], len(isbns)])
    print(
        table(
            [
                "provider",
                "requests",
                "on the look-up endpoint",
                "minimum",
                "at the minimum",
                "elapsed ms",
            ],
            rows,
        )
    )
    print()
    print(table(["run", "wall ms", "editions found", "ISBNs asked"], summary))


if __name__ == "__main__":
    main()
