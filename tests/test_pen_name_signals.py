"""A person's and their pen names' search signals come in one search (``author_key:(A OR B)``),
split per author as a search for each would give them."""

from __future__ import annotations

from typing import Any

import pytest

from bookstracker import AsyncBooksClient, OpenLibrary
from bookstracker._http import AsyncClient
from bookstracker.providers.contract import WorkSignals
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import FakeOpenLibrary
from support import Fakes

pytestmark = pytest.mark.anyio

KING = "OL2162284A"
BACHMAN = "OL70000002A"


async def _docs(fake: FakeOpenLibrary, q: str) -> list[dict[str, Any]]:
    async with AsyncClient(transport=fake.transport(), base_url="https://openlibrary.org") as http:
        params = {"q": q, "sort": "key", "fields": "key,author_key", "limit": "1000"}
        docs: list[dict[str, Any]] = (await http.get("/search.json", params=params)).json()["docs"]
        return docs


async def test_the_fake_answers_author_keys_joined_by_or_with_each_ones_works() -> None:
    fake = FakeOpenLibrary()
    king = await _docs(fake, f"author_key:{KING}")
    bachman = await _docs(fake, f"author_key:{BACHMAN}")
    both = await _docs(fake, f"author_key:({KING} OR {BACHMAN})")
    assert king
    assert bachman
    assert [d["key"] for d in both] == sorted(
        {d["key"] for d in [*king, *bachman]}, key=lambda k: int(k.strip("/worksOLW"))
    )
    shared = {d["key"] for d in king} & {d["key"] for d in bachman}
    assert shared  # The Bachman Books names both: once in the joint answer
    assert len(both) == len(king) + len(bachman) - len(shared)


def _openlibrary(fake: FakeOpenLibrary) -> OpenLibrary:
    return OpenLibrary(transport=fake.transport(), rate=1000, retry=RetryPolicy(attempts=1))


async def test_several_authors_signals_in_one_request_are_each_ones_together() -> None:
    fake = FakeOpenLibrary()
    async with _openlibrary(fake) as openlibrary:
        together = await openlibrary.authors_work_signals([KING, f"/authors/{BACHMAN}"])
        asked = [r.param("q") for r in fake.requests("/search.json")]
        apart = {
            **await openlibrary.author_work_signals(BACHMAN),
            **await openlibrary.author_work_signals(KING),
        }
    assert asked == [f"author_key:({KING} OR {BACHMAN})"]
    assert together == apart


async def test_the_filter_form_asks_one_search_per_author() -> None:
    fake = FakeOpenLibrary()
    async with _openlibrary(fake) as openlibrary:
        together = await openlibrary.authors_work_signals([KING, BACHMAN], form="filter")
        apart = {
            **await openlibrary.author_work_signals(BACHMAN, form="filter"),
            **await openlibrary.author_work_signals(KING, form="filter"),
        }
    filters = sorted(r.param("author_key") or "" for r in fake.requests("/search.json"))
    assert filters == sorted([KING, BACHMAN, KING, BACHMAN])
    assert together == apart


def _signal_searches(fakes: Fakes) -> list[str]:
    asked = (r.param("q") or "" for r in fakes.openlibrary.requests("/search.json"))
    return [q for q in asked if q.startswith("author_key:")]


class _OneSearchPerAuthor(OpenLibrary):
    """OpenLibrary as it was asked before: the signals of each author in a search of its own."""

    authors_work_signals = None  # type: ignore[assignment]

    async def author_work_signals(self, key: str, **options: Any) -> dict[str, WorkSignals]:
        return await OpenLibrary.authors_work_signals(self, [key], **options)


async def test_a_pen_names_signals_come_in_the_authors_search(fakes: Fakes) -> None:
    async with fakes.client() as client:
        bibliography = await client.author("Stephen King")
    assert _signal_searches(fakes) == [f"author_key:({KING} OR {BACHMAN})"]
    fakes.reset_logs()
    apart = _OneSearchPerAuthor(
        transport=fakes.openlibrary.transport(), rate=1000, retry=RetryPolicy(attempts=1)
    )
    adapters = {**fakes.adapters(), "openlibrary": apart}
    async with AsyncBooksClient(**adapters, cache=None, deadline=30.0) as client:
        separately = await client.author("Stephen King")
    assert sorted(_signal_searches(fakes)) == [f"author_key:{KING}", f"author_key:{BACHMAN}"]
    assert separately.works == bibliography.works
    assert separately.excluded == bibliography.excluded
    assert separately.completeness == bibliography.completeness
