"""Pen names come with the author search when its answer holds them; otherwise every alternate
name left is looked up at once, in one round."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bookstracker import OpenLibrary
from bookstracker.models import Author
from bookstracker.pipeline.resolve import AuthorResolver
from bookstracker.testing import FakeOpenLibrary

pytestmark = pytest.mark.anyio

KING = Author(
    name="Stephen King",
    keys={"openlibrary": "OL2162284A"},
    alternate_names=("Richard Bachman", "John Swithen", "Steve King"),
    work_count=600,
)
PEN_NAMES = {
    "Richard Bachman": Author(
        name="Richard Bachman",
        keys={"openlibrary": "OL2162288A"},
        alternate_names=("Stephen King",),
        work_count=30,
    ),
    "John Swithen": Author(
        name="John Swithen",
        keys={"openlibrary": "OL9999999A"},
        alternate_names=("Stephen King",),
        work_count=1,
    ),
}


class _AuthorsOnly:
    name = "openlibrary"

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0
        self.asked: list[str] = []

    async def author(self, key: str) -> Author | None:
        return KING if key == "OL2162284A" else None

    async def search_authors(self, name: str, *, limit: int = 20) -> Sequence[Author]:
        self.asked.append(name)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        found = PEN_NAMES.get(name)
        return [found] if found else []


async def test_pen_names_are_looked_up_at_once() -> None:
    provider = _AuthorsOnly()
    resolution = await AuthorResolver(provider).resolve("OL2162284A")  # type: ignore[arg-type]
    assert resolution is not None
    assert [a.name for a in resolution.pen_names] == ["Richard Bachman", "John Swithen"]
    assert provider.asked == ["Richard Bachman", "John Swithen"]  # "Steve King": same surname
    assert provider.most_in_flight == 2


class _SearchAnswers(_AuthorsOnly):
    """An author search matching ``name`` and ``alternate_names``, as OpenLibrary's does."""

    def __init__(self, records: Sequence[Author]) -> None:
        super().__init__()
        self.records = list(records)

    async def search_authors(self, name: str, *, limit: int = 20) -> Sequence[Author]:
        self.asked.append(name)
        wanted = name.casefold()
        return [
            r
            for r in self.records
            if wanted in (n.casefold() for n in (r.name, *r.alternate_names))
        ][:limit]


async def test_pen_names_in_the_answer_for_the_author_cost_no_request() -> None:
    provider = _SearchAnswers([KING, *PEN_NAMES.values()])
    resolution = await AuthorResolver(provider).resolve("Stephen King")  # type: ignore[arg-type]
    assert resolution is not None
    assert [a.name for a in resolution.pen_names] == ["Richard Bachman", "John Swithen"]
    assert provider.asked == ["Stephen King"]


async def test_no_other_request_when_the_whole_answer_names_no_pen_name() -> None:
    provider = _SearchAnswers([KING])
    resolution = await AuthorResolver(provider).resolve("stephen  KING")  # type: ignore[arg-type]
    assert resolution is not None
    assert resolution.pen_names == ()
    assert provider.asked == ["stephen KING"]


async def test_a_full_page_leaves_the_unresolved_alternate_names_to_look_up() -> None:
    namesakes = [
        Author(name="Stephen King", keys={"openlibrary": f"OL{n}A"}, work_count=1)
        for n in range(100, 118)
    ]
    records = [KING, PEN_NAMES["Richard Bachman"], *namesakes, PEN_NAMES["John Swithen"]]
    provider = _SearchAnswers(records)
    resolution = await AuthorResolver(provider).resolve("Stephen King")  # type: ignore[arg-type]
    assert resolution is not None
    assert [a.name for a in resolution.pen_names] == ["Richard Bachman", "John Swithen"]
    assert provider.asked == ["Stephen King", "John Swithen"]


async def test_a_name_typed_otherwise_looks_the_pen_names_up() -> None:
    provider = _SearchAnswers([KING, *PEN_NAMES.values()])
    resolution = await AuthorResolver(provider).resolve("Steve King")  # type: ignore[arg-type]
    assert resolution is not None
    assert resolution.author.name == "Stephen King"
    assert [a.name for a in resolution.pen_names] == ["Richard Bachman", "John Swithen"]
    assert sorted(provider.asked[1:]) == ["John Swithen", "Richard Bachman"]


async def test_pen_names_of_the_sample_catalog_come_with_the_author_search() -> None:
    fake = FakeOpenLibrary()
    async with OpenLibrary(transport=fake.transport(), rate=1000) as openlibrary:
        resolution = await AuthorResolver(openlibrary).resolve("Stephen King")
    assert resolution is not None
    assert [a.name for a in resolution.pen_names] == ["Richard Bachman"]
    assert fake.count("/search/authors.json") == 1
