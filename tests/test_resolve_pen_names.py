"""Pen names are looked up in one round: every alternate name at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bookstracker.models import Author
from bookstracker.pipeline.resolve import AuthorResolver

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
