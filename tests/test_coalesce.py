"""Coalescing: concurrent isbn() calls share batch requests; the Coalescer's own behaviour."""

from __future__ import annotations

import asyncio
import math

import anyio
import pytest

from bookstracker.pipeline.coalesce import Coalescer
from bookstracker.providers.openlibrary import BOOKS_BATCH_SIZE
from bookstracker.testing import sample_catalog
from support import Fakes

pytestmark = pytest.mark.anyio


def _catalog_isbns(n: int) -> list[str]:
    seen: dict[str, None] = {}
    for _, edition in sample_catalog().editions():
        if edition.isbn13 and {"openlibrary", "isbndb"} & set(edition.providers):
            seen.setdefault(edition.isbn13, None)
    return list(seen)[:n]


async def test_100_concurrent_isbn_calls_use_the_batch_endpoints() -> None:
    isbns = _catalog_isbns(100)
    fakes = Fakes()
    async with fakes.client() as client:
        editions = await asyncio.gather(*(client.isbn(i) for i in isbns))
    assert all(e is not None and e.isbn13 == i for e, i in zip(editions, isbns, strict=True))
    assert len(fakes.openlibrary.log) == math.ceil(100 / BOOKS_BATCH_SIZE)
    assert len(fakes.isbndb.log) == 1


async def test_concurrent_isbn_calls_give_what_one_by_one_calls_give() -> None:
    isbns = _catalog_isbns(12)
    async with Fakes().client() as client:
        together = await asyncio.gather(*(client.isbn(i) for i in isbns))
    async with Fakes().client() as client:
        alone = [await client.isbn(i) for i in isbns]
    assert together == alone


async def test_calls_within_the_window_share_one_fetch() -> None:
    asked: list[list[str]] = []

    async def fetch(keys: list[str]) -> dict[str, int]:
        asked.append(keys)
        return {k: len(k) for k in keys}

    batches = Coalescer(fetch, window=0.01)
    results = await asyncio.gather(batches(["a"]), batches(["bb", "a"]), batches(["ccc"]))
    assert asked == [["a", "bb", "ccc"]]
    assert all(r == {"a": 1, "bb": 2, "ccc": 3} for r in results)
    later = await batches(["dddd"])
    assert later == {"dddd": 4}
    assert len(asked) == 2


async def test_a_full_batch_goes_at_once() -> None:
    asked: list[list[str]] = []

    async def fetch(keys: list[str]) -> int:
        asked.append(keys)
        return len(keys)

    batches = Coalescer(fetch, window=60.0, max_keys=2)
    with anyio.fail_after(5):
        assert await asyncio.gather(batches(["a"]), batches(["b"])) == [2, 2]


async def test_a_failed_fetch_reaches_every_caller() -> None:
    async def fetch(keys: list[str]) -> int:
        raise RuntimeError("down")

    batches = Coalescer(fetch, window=0.001)
    outcomes = await asyncio.gather(batches(["a"]), batches(["b"]), return_exceptions=True)
    assert [str(o) for o in outcomes] == ["down", "down"]


async def test_a_cancelled_caller_does_not_cancel_the_batch() -> None:
    release = asyncio.Event()

    async def fetch(keys: list[str]) -> list[str]:
        await release.wait()
        return keys

    batches = Coalescer(fetch, window=0.001)
    impatient = asyncio.ensure_future(batches(["a"]))
    patient = asyncio.ensure_future(batches(["b"]))
    await asyncio.sleep(0.01)
    impatient.cancel()
    release.set()
    assert await patient == ["a", "b"]


def test_the_window_and_size_are_checked() -> None:
    async def fetch(keys: list[str]) -> None:
        return None

    with pytest.raises(ValueError, match="window"):
        Coalescer(fetch, window=-1)
    with pytest.raises(ValueError, match="max_keys"):
        Coalescer(fetch, max_keys=0)
