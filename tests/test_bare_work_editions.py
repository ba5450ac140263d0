"""Editions of core works that no ISBN brought any for: few OpenLibrary requests, same editions."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from bookstracker import AsyncBooksClient, Bibliography
from bookstracker.pipeline import enhance
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary
from bookstracker.testing._fake import FakeRequest, FakeResponse
from bookstracker.testing.catalog import Catalog, CatalogAuthor, CatalogEdition, CatalogWork
from support import KEY, Fakes

pytestmark = pytest.mark.anyio

WRITER = "OL900001A"
LONE = "OL900002A"


def _bare_work(number: int, author: str, editions: int = 2) -> CatalogWork:
    return CatalogWork(
        id=f"OL9{number:05d}W",
        title=f"Lantern Tale Number {number}",
        author_ids=(author,),
        first_publish_year=1890 + number,
        editions=tuple(
            CatalogEdition(
                id=f"OL9{number:05d}{e}M",
                title=f"Lantern Tale Number {number}",
                publisher=f"Press {e}",
                publish_date=str(1890 + number + e),
                language="en",
                providers={"openlibrary"},
            )
            for e in range(editions)
        ),
    )


def _catalog() -> Catalog:
    authors = [
        CatalogAuthor(id=WRITER, name="Quill Older", birth_date="1860"),
        CatalogAuthor(id=LONE, name="Solo Inkwell", birth_date="1900"),
    ]
    works = [
        CatalogWork(
            id="OL800001W",
            title="The Printed One",
            author_ids=(WRITER,),
            first_publish_year=1990,
            editions=(
                CatalogEdition(
                    id="OL8000011M",
                    title="The Printed One",
                    isbn13="9780306406157",
                    isbn10="0306406152",
                    language="en",
                ),
            ),
        ),
        *(_bare_work(n, WRITER) for n in range(1, 6)),
        CatalogWork(
            id="OL800002W",
            title="Another Printed Book",
            author_ids=(LONE,),
            first_publish_year=2001,
            editions=(
                CatalogEdition(
                    id="OL8000021M",
                    title="Another Printed Book",
                    isbn13="9781861972712",
                    isbn10="1861972717",
                    language="en",
                ),
            ),
        ),
        _bare_work(50, LONE),
    ]
    return Catalog(authors, works)


@pytest.fixture(scope="module")
def bare_fakes() -> Fakes:
    catalog = _catalog()
    fakes = Fakes(FakeOpenLibrary(catalog))
    fakes.googlebooks = FakeGoogleBooks(catalog)
    fakes.isbndb = FakeISBNdb(catalog, api_key=KEY)
    return fakes


def _bare_editions(bib: Bibliography) -> dict[str, set[str]]:
    return {
        w.keys["openlibrary"]: {e.keys["openlibrary"] for e in w.editions}
        for w in bib.works
        if w.title.startswith("Lantern Tale")
    }


async def _author(fakes: Fakes, name: str) -> Bibliography:
    fakes.reset()
    client: AsyncBooksClient = fakes.client()
    async with client:
        return await client.author(name)


async def test_many_bare_works_take_one_key_search_and_one_books_batch(bare_fakes: Fakes) -> None:
    bib = await _author(bare_fakes, "Quill Older")
    assert _bare_editions(bib) == {
        f"OL9{n:05d}W": {f"OL9{n:05d}0M", f"OL9{n:05d}1M"} for n in range(1, 6)
    }
    ol = bare_fakes.openlibrary
    assert ol.count("/works/") == 0
    key_searches = [
        r for r in ol.requests("/search.json") if (r.param("q") or "").startswith("key:")
    ]
    assert len(key_searches) == 1
    olid_batches = [r for r in ol.requests("/api/books") if "OLID:" in (r.param("bibkeys") or "")]
    assert len(olid_batches) == 1
    assert bib.providers["openlibrary"].requests == ol.count()


async def test_the_same_editions_as_one_request_per_work(
    bare_fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    batched = await _author(bare_fakes, "Quill Older")
    monkeypatch.setattr(enhance, "_batch_requests", lambda works: len(works))
    one_each = await _author(bare_fakes, "Quill Older")
    assert bare_fakes.openlibrary.count("/works/") == 5
    assert _bare_editions(one_each) == _bare_editions(batched)
    assert [w.to_dict() for w in one_each.works] == [w.to_dict() for w in batched.works]


async def test_a_single_bare_work_keeps_its_one_editions_request(bare_fakes: Fakes) -> None:
    bib = await _author(bare_fakes, "Solo Inkwell")
    assert _bare_editions(bib) == {"OL900050W": {"OL9000500M", "OL9000501M"}}
    ol = bare_fakes.openlibrary
    assert ol.count("/works/OL900050W/editions.json") == 1
    assert not [r for r in ol.requests("/search.json") if (r.param("q") or "").startswith("key:")]


class _SearchMissesOneWork(FakeOpenLibrary):
    """A server whose key search leaves out one work (an index lagging behind the records)."""

    def route(self, request: FakeRequest) -> FakeResponse:
        q = request.param("q") or ""
        if request.path.endswith("/search.json") and q.startswith("key:"):
            q = q.replace('"/works/OL900003W" OR ', "")
            request = attrs.evolve(
                request, query=tuple((k, q if k == "q" else v) for k, v in request.query)
            )
        return super().route(request)


async def test_a_work_the_key_search_misses_is_asked_on_its_own() -> None:
    catalog = _catalog()
    fakes = Fakes(_SearchMissesOneWork(catalog))
    fakes.googlebooks = FakeGoogleBooks(catalog)
    fakes.isbndb = FakeISBNdb(catalog, api_key=KEY)
    bib = await _author(fakes, "Quill Older")
    assert _bare_editions(bib)["OL900003W"] == {"OL9000030M", "OL9000031M"}
    assert fakes.openlibrary.count("/works/") == 1
    assert fakes.openlibrary.count("/works/OL900003W/editions.json") == 1


async def test_giving_the_bare_works_their_editions_equals_assembling_again(
    bare_fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    assemble = enhance.EnhancementPipeline._assemble
    bare_editions = enhance.EnhancementPipeline._editions_of_bare_works

    def first_assembly(self: enhance.EnhancementPipeline, *args: Any, **kwargs: Any) -> Any:
        seen.setdefault("call", (self, args, kwargs))
        return assemble(self, *args, **kwargs)

    async def editions(self: enhance.EnhancementPipeline, *args: Any, **kwargs: Any) -> Any:
        seen["extra"], report = await bare_editions(self, *args, **kwargs)
        return seen["extra"], report

    monkeypatch.setattr(enhance.EnhancementPipeline, "_assemble", first_assembly)
    monkeypatch.setattr(enhance.EnhancementPipeline, "_editions_of_bare_works", editions)
    bib = await _author(bare_fakes, "Quill Older")
    pipeline, args, kwargs = seen["call"]
    assert seen["extra"]
    again = assemble(pipeline, *args, **kwargs, extra_editions=seen["extra"])
    assert again == bib
