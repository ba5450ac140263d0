"""Fewer steps in a row: what can be asked at once is, judged from the fakes' request logs."""

from __future__ import annotations

import anyio
import httpx
import pytest

from bookstracker import OpenLibrary
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import Catalog, FakeOpenLibrary, LoggedRequest
from support import Fakes

pytestmark = pytest.mark.anyio

AUTHOR = "OL9999999A"
NOVELIST = "OL70000056A"
COMEDIAN = "OL70000057A"
LATENCY = 0.2


class InFlight:
    """A transport over a fake that counts the requests in flight at once."""

    def __init__(self, fake: FakeOpenLibrary) -> None:
        self.fake = fake
        self.now = 0
        self.most = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await anyio.sleep(0.01)
            return await self.fake.handle_async(request)
        finally:
            self.now -= 1


@pytest.fixture(scope="module")
def synthetic() -> FakeOpenLibrary:
    return FakeOpenLibrary(Catalog.synthetic(works=250, editions_per_work=1))


def _openlibrary(counter: InFlight) -> OpenLibrary:
    return OpenLibrary(
        transport=httpx.MockTransport(counter), rate=1000, retry=RetryPolicy(attempts=1)
    )


def _offsets(fake: FakeOpenLibrary, path: str) -> list[str | None]:
    return sorted((r.param("offset") for r in fake.requests(path)), key=lambda o: int(o or 0))


async def test_the_pages_an_expected_total_fills_are_asked_at_once(
    synthetic: FakeOpenLibrary,
) -> None:
    synthetic.reset_log()
    counter = InFlight(synthetic)
    async with _openlibrary(counter) as openlibrary:
        listing = await openlibrary.author_works_expecting(AUTHOR, 250, page_size=100)
        one_by_one = await openlibrary.author_works(AUTHOR, page_size=100)
    assert counter.most == 3
    assert listing == one_by_one
    assert len(listing.works) == 250
    assert listing.complete
    assert listing.pages == 3
    assert synthetic.count(f"/authors/{AUTHOR}/works.json") == 6


async def test_a_listing_longer_than_expected_is_finished_page_by_page(
    synthetic: FakeOpenLibrary,
) -> None:
    synthetic.reset_log()
    async with _openlibrary(InFlight(synthetic)) as openlibrary:
        listing = await openlibrary.author_works_expecting(AUTHOR, 150, page_size=100)
    assert len(listing.works) == 250
    assert listing.complete
    assert listing.pages == 3
    assert _offsets(synthetic, f"/authors/{AUTHOR}/works.json") == ["0", "100", "200"]


async def test_a_small_expected_total_asks_as_before(synthetic: FakeOpenLibrary) -> None:
    synthetic.reset_log()
    counter = InFlight(synthetic)
    async with _openlibrary(counter) as openlibrary:
        listing = await openlibrary.author_works_expecting(AUTHOR, 100, page_size=100)
    assert counter.most == 1
    assert len(listing.works) == 250
    assert listing.pages == 3


async def test_signal_pages_of_an_expected_total_are_asked_at_once(
    synthetic: FakeOpenLibrary,
) -> None:
    synthetic.reset_log()
    counter = InFlight(synthetic)
    async with _openlibrary(counter) as openlibrary:
        signals = await openlibrary.author_work_signals(AUTHOR, page_size=100, expected=250)
        one_by_one = await openlibrary.author_work_signals(AUTHOR, page_size=100)
    assert counter.most == 3
    assert signals == one_by_one
    assert len(signals) == 250
    assert synthetic.count("/search.json") == 6


def _first(log: list[LoggedRequest], path: str) -> LoggedRequest:
    return next(r for r in log if r.path.startswith(path))


async def test_google_and_isbndb_start_before_openlibrary_lists_the_works(fakes: Fakes) -> None:
    fakes.openlibrary.set_latency(LATENCY)
    async with fakes.client() as client:
        await client.author("Stephen King")
    listing = _first(fakes.openlibrary.log, "/authors/")
    assert fakes.openlibrary.count("/search/authors.json") == 1  # pen names came with it
    for other in (fakes.googlebooks, fakes.isbndb):
        assert other.log[0].at < listing.at + LATENCY  # sent before the listing was answered
    assert {r.path for r in fakes.isbndb.log} == {"/author/Stephen King", "/author/Richard Bachman"}


async def test_a_namesakes_works_are_listed_with_the_authors_own(fakes: Fakes) -> None:
    # A longer answer time than the other tests': a full suite on two loaded cores once stalled
    # the in-process server 0.34 s between the two arrivals, past a 0.2 s latency.
    latency = 1.0
    fakes.openlibrary.set_latency(latency)
    async with fakes.client() as client:
        bib = await client.author("David Mitchell")
    assert bib.author.keys["openlibrary"] == NOVELIST
    own = _first(fakes.openlibrary.log, f"/authors/{NOVELIST}/works.json")
    namesake = _first(fakes.openlibrary.log, f"/authors/{COMEDIAN}/works.json")
    assert abs(namesake.at - own.at) < latency  # asked before either was answered
