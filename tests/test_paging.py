"""The pagination driver every adapter pages with (providers/paging.py), against a fake list."""

from __future__ import annotations

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker.errors import ProviderHTTPError
from bookstracker.providers.paging import Paged, PageFacts, PageSlot, fetch_pages

pytestmark = pytest.mark.anyio


class FakeList:
    """A list of ``length`` entries served by offset; ``missing`` pages answer None, ``failing``
    pages raise, ``short`` pages hold one entry fewer than they should."""

    def __init__(
        self,
        length: int,
        *,
        tell_total: bool = True,
        missing: frozenset[int] = frozenset(),
        failing: frozenset[int] = frozenset(),
        short: frozenset[int] = frozenset(),
        delay: float = 0.0,
    ) -> None:
        self.entries = list(range(length))
        self.tell_total = tell_total
        self.missing = missing
        self.failing = failing
        self.short = short
        self.delay = delay
        self.asked: list[PageSlot] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.cancelled = 0

    async def fetch(self, slot: PageSlot) -> list[int] | None:
        self.asked.append(slot)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await anyio.sleep(self.delay)
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
        if slot.offset in self.failing:
            raise ProviderHTTPError("HTTP 500", provider="fake", status=500)
        if slot.offset in self.missing:
            return None
        end = slot.offset + slot.size - (1 if slot.offset in self.short else 0)
        return self.entries[slot.offset : end]

    def read(self, page: list[int], slot: PageSlot) -> PageFacts:
        end = slot.offset + len(page)
        last = end >= len(self.entries)
        total = len(self.entries) if self.tell_total else None
        return PageFacts(count=len(page), next=None if last else end, total=total)


def _entries(paged: Paged[list[int]]) -> list[int]:
    return [entry for page in paged.pages for entry in page]


async def test_it_stops_at_the_last_page() -> None:
    fake = FakeList(25)
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100)
    assert _entries(paged) == list(range(25))
    assert (paged.end, paged.complete, paged.requests, paged.total) == ("last", True, 3, 25)
    assert [(s.offset, s.size, s.number) for s in fake.asked] == [
        (0, 10, 0),
        (10, 10, 1),
        (20, 10, 2),
    ]


async def test_it_stops_at_the_cap_and_asks_only_what_the_cap_leaves() -> None:
    fake = FakeList(100)
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=25)
    assert _entries(paged) == list(range(25))
    assert (paged.end, paged.complete, paged.requests) == ("cap", False, 3)
    assert [s.size for s in fake.asked] == [10, 10, 5]


async def test_fixed_size_pages_keep_their_size_at_the_cap() -> None:
    fake = FakeList(100)
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=25, fixed_size=True)
    assert [s.size for s in fake.asked] == [10, 10, 10]
    assert (paged.end, paged.taken) == ("cap", 30)


async def test_a_missing_list_ends_paging_without_pages() -> None:
    fake = FakeList(30, missing=frozenset({0}))
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100)
    assert (paged.pages, paged.end, paged.requests, paged.complete) == ((), "missing", 1, False)


async def test_a_page_that_goes_missing_keeps_the_pages_before_it() -> None:
    fake = FakeList(30, missing=frozenset({10}))
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100)
    assert _entries(paged) == list(range(10))
    assert (paged.end, paged.requests) == ("missing", 2)


async def test_a_page_pointing_back_stalls() -> None:
    def read(page: list[int], slot: PageSlot) -> PageFacts:
        return PageFacts(count=len(page), next=slot.offset)

    fake = FakeList(30)
    paged = await fetch_pages(fake.fetch, read, page_size=10, cap=100)
    assert (paged.end, paged.requests, paged.complete) == ("stalled", 1, False)


async def test_an_empty_page_that_claims_more_stalls() -> None:
    def read(page: list[int], slot: PageSlot) -> PageFacts:
        return PageFacts(count=0, next=slot.offset + 10)

    fake = FakeList(30)
    paged = await fetch_pages(fake.fetch, read, page_size=10, cap=100)
    assert paged.end == "stalled"


@pytest.mark.parametrize("concurrency", [1, 3, None])
async def test_a_failing_page_raises_as_itself(concurrency: int | None) -> None:
    fake = FakeList(100, failing=frozenset({30}))
    with pytest.raises(ProviderHTTPError, match="HTTP 500"):
        await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100, concurrency=concurrency)


async def test_a_failing_page_cancels_the_pages_asked_with_it() -> None:
    fake = FakeList(100, failing=frozenset({10}), delay=0.01)
    fail_fast = fake.fetch

    async def fetch(slot: PageSlot) -> list[int] | None:
        if slot.offset == 10:
            fake.asked.append(slot)
            raise ProviderHTTPError("HTTP 500", provider="fake", status=500)
        return await fail_fast(slot)

    with pytest.raises(ProviderHTTPError):
        await fetch_pages(fetch, fake.read, page_size=10, cap=100, concurrency=None)
    assert fake.cancelled == 8  # the other pages of the batch


@pytest.mark.parametrize(("concurrency", "most"), [(1, 1), (3, 3), (None, 9)])
async def test_concurrency_is_respected(concurrency: int | None, most: int) -> None:
    fake = FakeList(100, delay=0.01)
    paged = await fetch_pages(
        fake.fetch, fake.read, page_size=10, cap=1000, concurrency=concurrency
    )
    assert _entries(paged) == list(range(100))
    assert fake.most_in_flight == most
    assert paged.requests == 10


async def test_nothing_is_asked_at_once_before_the_total_is_told() -> None:
    fake = FakeList(50, tell_total=False, delay=0.01)
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100, concurrency=None)
    assert _entries(paged) == list(range(50))
    assert fake.most_in_flight == 1


async def test_a_short_page_among_pages_asked_at_once_is_asked_again_from_where_it_ended() -> None:
    fake = FakeList(40, short=frozenset({10}))
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100, concurrency=None)
    assert _entries(paged) == list(range(40))
    assert [s.offset for s in fake.asked] == [0, 10, 20, 30, 19, 29, 39]
    assert paged.requests == 7
    assert paged.complete


async def test_read_may_count_less_than_the_page_towards_the_cap() -> None:
    fake = FakeList(100)

    def read(page: list[int], slot: PageSlot) -> PageFacts:
        facts = fake.read(page, slot)
        return PageFacts(count=facts.count, next=facts.next, taken=(len(page) + 1) // 2)

    paged = await fetch_pages(fake.fetch, read, page_size=10, cap=20)
    assert (paged.requests, paged.taken, paged.end) == (6, 20, "cap")
    assert [s.size for s in fake.asked] == [10, 10, 10, 5, 2, 1]


@pytest.mark.parametrize(("name", "value"), [("page_size", 0), ("cap", 0), ("concurrency", 0)])
async def test_bad_arguments_are_refused(name: str, value: int) -> None:
    fake = FakeList(10)
    arguments = {"page_size": 10, "cap": 10, "concurrency": 1, name: value}
    with pytest.raises(ValueError, match=name):
        await fetch_pages(fake.fetch, fake.read, **arguments)  # type: ignore[arg-type]
    assert fake.asked == []


@given(
    length=st.integers(0, 120),
    page_size=st.integers(1, 30),
    cap=st.integers(1, 150),
    concurrency=st.one_of(st.none(), st.integers(1, 5)),
    tell_total=st.booleans(),
    fixed_size=st.booleans(),
)
def test_every_shape_gives_the_one_by_one_answer(
    length: int,
    page_size: int,
    cap: int,
    concurrency: int | None,
    tell_total: bool,
    fixed_size: bool,
) -> None:
    fake = FakeList(length, tell_total=tell_total)

    async def run() -> Paged[list[int]]:
        return await fetch_pages(
            fake.fetch,
            fake.read,
            page_size=page_size,
            cap=cap,
            concurrency=concurrency,
            fixed_size=fixed_size,
        )

    paged = anyio.run(run)
    wanted = min(length, cap)
    pages = max(1, -(-wanted // page_size))
    entries = _entries(paged)
    assert entries[:wanted] == list(range(wanted))
    assert len(entries) == (min(length, pages * page_size) if fixed_size else wanted)
    assert paged.complete == (length <= len(entries))
    assert paged.end == ("last" if paged.complete else "cap")
    assert paged.requests == len(fake.asked) == pages
    assert fake.most_in_flight <= (concurrency or pages)
    assert paged.total == (length if tell_total else None)


async def test_an_expected_total_asks_the_pages_it_fills_at_once() -> None:
    fake = FakeList(35, delay=0.01)
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100, expected=30)
    assert fake.most_in_flight == 3
    assert [slot.offset for slot in fake.asked] == [0, 10, 20, 30]
    assert [n for page in paged.pages for n in page] == list(range(35))
    assert paged.complete


async def test_an_expected_total_too_high_costs_only_the_pages_past_the_end() -> None:
    fake = FakeList(15, delay=0.01)
    paged = await fetch_pages(fake.fetch, fake.read, page_size=10, cap=100, expected=20)
    assert [slot.offset for slot in fake.asked] == [0, 10]
    assert [n for page in paged.pages for n in page] == list(range(15))
