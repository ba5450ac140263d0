"""Paged listings (ISBNdb's author books, OpenLibrary's per-work signals): once the first reply
tells the total, the remaining pages are asked at once, and the answer is the one-by-one one."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bookstracker import ISBNdb, OpenLibrary
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import Catalog, FakeISBNdb, FakeOpenLibrary
from support import KEY

pytestmark = pytest.mark.anyio


class _Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.in_flight = 0
        self.most_in_flight = 0
        self.pages: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.pages.append(request.url.params.get("page") or request.url.params.get("offset", ""))
        try:
            await asyncio.sleep(0.2)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


async def test_the_pages_after_the_first_are_asked_at_once() -> None:
    catalog = Catalog.synthetic(works=100, editions_per_work=10)
    fake = FakeISBNdb(catalog, api_key=KEY)
    counting = _Counting(fake.transport())
    isbndb = ISBNdb(
        api_key=KEY, plan="basic", transport=counting, rate=1000, retry=RetryPolicy(attempts=1)
    )
    async with isbndb:
        found = await isbndb.author_editions("Prolific Author", page_size=100)
    assert found.complete
    assert len(counting.pages) >= 3
    assert counting.most_in_flight == len(counting.pages) - 1
    assert sorted(counting.pages, key=int) == [str(n) for n in range(1, len(counting.pages) + 1)]
    sequential = ISBNdb(
        api_key=KEY,
        plan="basic",
        transport=FakeISBNdb(catalog, api_key=KEY).transport(),
        rate=1000,
        retry=RetryPolicy(attempts=1),
    )
    async with sequential:
        again = await sequential.author_editions("Prolific Author", page_size=100)
    assert [e.isbn13 for e in found.editions] == [e.isbn13 for e in again.editions]


async def test_the_signal_pages_after_the_first_are_asked_at_once() -> None:
    catalog = Catalog.synthetic(works=250, editions_per_work=1)
    counting = _Counting(FakeOpenLibrary(catalog).transport())
    once = RetryPolicy(attempts=1)
    async with OpenLibrary(transport=counting, rate=1000, retry=once) as openlibrary:
        signals = await openlibrary.author_work_signals("OL9999999A", page_size=60)
    assert counting.pages[0] == "0"
    assert sorted(counting.pages, key=int) == ["0", "60", "120", "180", "240"]
    assert counting.most_in_flight == 4
    plain = OpenLibrary(transport=FakeOpenLibrary(catalog).transport(), rate=1000, retry=once)
    async with plain:
        again = await plain.author_work_signals("OL9999999A", page_size=60)
    assert signals == again
    assert len(signals) == 250
