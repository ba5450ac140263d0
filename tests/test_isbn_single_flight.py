"""isbn()/isbns() go through the one cache layer: one flight per ISBN, however many callers."""

from __future__ import annotations

import anyio
import pytest

from bookstracker import AsyncBooksClient, MemoryCache
from bookstracker.errors import AllProvidersFailed
from bookstracker.testing import Faults, LoggedRequest
from support import Fakes

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_retry_sleeps")]

MARTIAN = "9780553418026"  # known to OpenLibrary and ISBNdb in the sample catalog
NOBODY = "9780000000002"  # known to no provider


def _openlibrary_isbns(request: LoggedRequest) -> list[str]:
    keys = (request.param("bibkeys") or "").split(",")
    return [k.removeprefix("ISBN:") for k in keys if k]


async def _concurrently(count: int, call: object) -> list[object]:
    results: list[object] = [None] * count

    async def one(index: int) -> None:
        results[index] = await call()  # type: ignore[operator]

    async with anyio.create_task_group() as group:
        for index in range(count):
            group.start_soon(one, index)
    return results


@pytest.mark.parametrize("cache", [None, "memory"])
async def test_200_concurrent_identical_isbn_calls_make_one_request_per_provider(
    fakes: Fakes, cache: str | None
) -> None:
    backend = MemoryCache() if cache else None
    async with fakes.reset().client(cache=backend) as client:
        results = await _concurrently(200, lambda: client.isbn(MARTIAN))
    assert {r.isbn13 for r in results} == {MARTIAN}  # type: ignore[attr-defined]
    assert fakes.openlibrary.count() == 1
    assert fakes.isbndb.count() == 1
    assert fakes.googlebooks.count() == 0  # the others found it: Google is not asked


async def test_200_concurrent_calls_for_an_unknown_isbn_ask_google_once(fakes: Fakes) -> None:
    async with fakes.reset().client(cache=MemoryCache()) as client:
        results = await _concurrently(200, lambda: client.isbn(NOBODY))
    assert results == [None] * 200
    counts = {name: fakes[name].count() for name in ("openlibrary", "isbndb", "googlebooks")}
    assert counts == {"openlibrary": 1, "isbndb": 1, "googlebooks": 1}


async def test_overlapping_batches_ask_for_each_isbn_once(fakes: Fakes) -> None:
    wanted = ["9780553418026", "9780804139021", "9780593135204"]
    async with fakes.reset().client(cache=MemoryCache()) as client:
        async with anyio.create_task_group() as group:
            group.start_soon(client.isbns, wanted[:2])
            group.start_soon(client.isbns, wanted[1:])
            group.start_soon(client.isbn, wanted[1])
        again = await client.isbns(wanted)
    asked = [isbn for r in fakes.openlibrary.log for isbn in _openlibrary_isbns(r)]
    assert sorted(asked) == sorted(wanted)
    assert all(r.status == "cached" for r in again.providers.values())
    assert set(again.found) == {i for i in wanted if again.results[i] is not None}


async def test_a_later_call_is_answered_by_the_cache(fakes: Fakes) -> None:
    async with fakes.reset().client(cache=MemoryCache()) as client:
        first = await client.isbn(MARTIAN)
        requests = fakes.openlibrary.count() + fakes.isbndb.count()
        second = await client.isbn(MARTIAN)
    assert second == first
    assert fakes.openlibrary.count() + fakes.isbndb.count() == requests


async def test_a_failed_flight_reaches_every_waiting_caller(fakes: Fakes) -> None:
    for name in ("openlibrary", "isbndb", "googlebooks"):
        fakes[name].set_faults(Faults(rate=1.0, kinds=("503",)))
    outcomes: list[type[BaseException]] = []
    async with fakes.client(cache=MemoryCache()) as client:

        async def one() -> None:
            try:
                await client.isbn(MARTIAN)
            except Exception as exc:
                outcomes.append(type(exc))

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(one)
    assert outcomes == [AllProvidersFailed] * 20
    assert fakes.openlibrary.count() == 1


@pytest.mark.parametrize("cache", [None, "memory"])
async def test_concurrent_identical_searches_and_authors_share_one_flight(
    fakes: Fakes, cache: str | None
) -> None:
    async with fakes.reset().client(cache=MemoryCache() if cache else None) as client:
        await _concurrently(50, lambda: client.search("the martian"))
        searched = {name: fakes[name].count() for name in ("openlibrary", "isbndb", "googlebooks")}
        fakes.reset_logs()
        await _concurrently(50, lambda: client.author("Andy Weir"))
        alone = AsyncBooksClient(
            providers=("openlibrary", "googlebooks", "isbndb"),
            **fakes.adapters(),
            cache=None,
        )
    assert searched == {"openlibrary": 1, "isbndb": 1, "googlebooks": 1}
    together = fakes.openlibrary.count()
    fakes.reset_logs()
    async with alone:
        await alone.author("Andy Weir")
    assert together == fakes.openlibrary.count()  # 50 callers cost what one costs
