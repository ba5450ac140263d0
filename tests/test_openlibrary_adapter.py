"""The OpenLibrary adapter against the fake, over MockTransport and over the loopback server."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from stdnum import ean

from bookstracker._http import AsyncClient, MockTransport, RawRequest, RawResponse
from bookstracker.errors import (
    InvalidISBN,
    InvalidQuery,
    MalformedResponse,
    ProviderError,
    ProviderHTTPError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from bookstracker.providers import openlibrary as ol_module
from bookstracker.providers.openlibrary import (
    SEARCH_FIELDS,
    OpenLibrary,
    WorkSignals,
)
from bookstracker.resilience import RetryPolicy
from bookstracker.testing._fake import FAULT_KINDS, FaultKind, Faults
from bookstracker.testing._server import FakeServer
from bookstracker.testing.catalog import Catalog, CatalogAuthor, CatalogEdition, CatalogWork
from bookstracker.testing.fake_openlibrary import RATE_LIMIT_BODY, FakeOpenLibrary

OL = "openlibrary"
BASE = "https://openlibrary.org"
NO_RETRY = RetryPolicy(attempts=1)


def _catalog() -> Catalog:
    """Small, explicit data: every test below states what it relies on from here."""
    authors = [
        CatalogAuthor(
            id="OL1A",
            name="Garth Nix",
            alternate_names=("Nix, Garth",),
            birth_date="1963",
            bio="Australian writer.",
        ),
        CatalogAuthor(id="OL2A", name="Jane Foreword"),
        CatalogAuthor(id="OL3A", name="Other Writer"),
    ]
    works = [
        CatalogWork(
            id="OL10W",
            title="Sabriel",
            author_ids=("OL1A", "OL2A"),
            roles={"OL2A": "Foreword"},
            first_publish_year=1995,
            subjects=("Fantasy",),
            description="First in the Old Kingdom series.",
            cover_id=123,
            editions=(
                CatalogEdition(
                    id="OL100M",
                    title="Sabriel",
                    isbn13="9780060273224",
                    isbn10="0060273224",
                    publisher="HarperCollins",
                    publish_date="November 1995",
                    pages=292,
                    language="en",
                    format="Hardcover",
                    cover_id=55,
                ),
                CatalogEdition(
                    id="OL101M",
                    title="Sabriel",
                    isbn13="9788478710539",
                    isbn10="8478710531",
                    publisher="Rba Libros",
                    publish_date="2006",
                    language="es",
                    authors=("Garth Nix",),
                    providers={"openlibrary"},
                ),
                CatalogEdition(
                    id="OL102M",
                    title="Sabriel",
                    isbn13="9780007137305",
                    isbn10="0007137303",
                    publisher="Collins",
                    providers={"isbndb"},
                ),
            ),
        ),
        CatalogWork(
            id="OL11W",
            title="Lirael",
            author_ids=("OL1A",),
            first_publish_year=2001,
            editions=(
                CatalogEdition(
                    id="OL110M",
                    title="Lirael",
                    isbn13="9780061474354",
                    isbn10="0061474355",
                    publish_date="April 22, 2008",
                    language="en",
                    format="Paperback",
                ),
            ),
        ),
        CatalogWork(id="OL12W", title="Abhorsen", author_ids=("OL1A",), first_publish_year=2003),
        CatalogWork(
            id="OL13W",
            title="Unrelated Book",
            author_ids=("OL3A",),
            editions=(
                CatalogEdition(
                    id="OL130M",
                    title="Unrelated Book",
                    isbn13="9780807216057",
                    isbn10="0807216054",
                    format="Audio CD",
                ),
            ),
        ),
    ]
    return Catalog(authors, works)


@attrs.define
class Served:
    """A fake and a factory of adapters pointed at it (in-process or over loopback HTTP)."""

    fake: FakeOpenLibrary
    make: Callable[..., OpenLibrary]
    mode: str


def _serve(fake: FakeOpenLibrary, mode: str) -> Iterator[Served]:
    def factory(base: str, transport: Any) -> Callable[..., OpenLibrary]:
        def make(**kwargs: Any) -> OpenLibrary:
            options: dict[str, Any] = {"rate": 1000, "retry": NO_RETRY, "base_url": base}
            options.update(kwargs)
            return OpenLibrary(transport=transport, **options)

        return make

    if mode == "mock":
        yield Served(fake=fake, make=factory(BASE, fake.transport()), mode=mode)
        return
    with FakeServer(fake) as server:
        yield Served(fake=fake, make=factory(server.urls[OL], None), mode=mode)


@pytest.fixture(params=["mock", "loopback"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    yield from _serve(FakeOpenLibrary(_catalog()), request.param)


# -- operations ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_search(served: Served) -> None:
    async with served.make() as ol:
        page = await ol.search("sabriel")
    assert page.total == 1
    (hit,) = page.hits
    assert hit.keys == {OL: "OL10W"}
    assert hit.authors == ("Garth Nix", "Jane Foreword")
    assert hit.first_publish_year == 1995
    assert hit.edition_count == 2  # OL102M is not an OpenLibrary edition
    assert set(hit.isbn13) == {"9780060273224", "9788478710539"}
    assert hit.cover_url == "https://covers.openlibrary.org/b/id/123-M.jpg"
    assert hit.language is None  # English and Spanish editions
    (logged,) = served.fake.requests("/search.json")
    assert logged.param("fields") == SEARCH_FIELDS
    assert logged.param("limit") == "20"
    assert logged.param("page") == "1"


@pytest.mark.anyio
async def test_search_filters_are_sent_as_openlibrary_expects(served: Served) -> None:
    async with served.make() as ol:
        spanish = await ol.search(author="nix", language="es")
        by_isbn = await ol.search(isbn="0-06-147435-5")
        by_key = await ol.search(title="unrelated", author_key="/authors/OL3A", limit=5, page=1)
    assert [h.keys[OL] for h in spanish.hits] == ["OL10W"]
    assert [h.keys[OL] for h in by_isbn.hits] == ["OL11W"]
    assert by_isbn.hits[0].language == "en"
    assert [h.keys[OL] for h in by_key.hits] == ["OL13W"]
    logged = served.fake.requests("/search.json")
    assert logged[0].param("language") == "spa"
    assert logged[1].param("isbn") == "9780061474354"
    assert logged[2].param("author_key") == "OL3A"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"query": "ab"}, InvalidQuery),
        ({"query": "the"}, InvalidQuery),
        ({"query": "THE"}, InvalidQuery),
        ({"query": "   "}, InvalidQuery),
        ({}, InvalidQuery),
        ({"query": "sabriel", "language": "klingon"}, InvalidQuery),
        ({"query": "sabriel", "limit": 0}, InvalidQuery),
        ({"query": "sabriel", "limit": 1001}, InvalidQuery),
        ({"query": "sabriel", "page": 0}, InvalidQuery),
        ({"isbn": "12345"}, InvalidISBN),
        ({"author_key": "OL1W"}, InvalidQuery),
    ],
)
async def test_search_validates_before_sending(
    served: Served, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    async with served.make() as ol:
        with pytest.raises(error):
            await ol.search(**kwargs)
    assert served.fake.count() == 0


@pytest.mark.anyio
async def test_search_authors(served: Served) -> None:
    async with served.make() as ol:
        authors = await ol.search_authors("garth nix", limit=5)
        none = await ol.search_authors("Nobody Atall")
        with pytest.raises(InvalidQuery):
            await ol.search_authors("  ")
    (nix,) = authors
    assert nix.keys == {OL: "OL1A"}
    assert nix.work_count == 3
    assert nix.top_work == "Sabriel"
    assert nix.alternate_names == ("Nix, Garth",)
    assert none == []
    assert served.fake.requests("/search/authors.json")[0].param("limit") == "5"


@pytest.mark.anyio
async def test_author_and_not_found(served: Served) -> None:
    async with served.make() as ol:
        nix = await ol.author("https://openlibrary.org/authors/OL1A/Garth_Nix")
        missing = await ol.author("OL404A")
    assert nix is not None
    assert nix.name == "Garth Nix"
    assert nix.birth_date == "1963"
    assert missing is None
    assert [r.path for r in served.fake.log] == ["/authors/OL1A.json", "/authors/OL404A.json"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["mock", "loopback"])
async def test_redirects_are_followed_once(mode: str) -> None:
    fake = FakeOpenLibrary(
        _catalog(),
        redirects={"OL7A": "OL1A", "OL8A": "OL7A", "OL70W": "OL11W", "OL700M": "OL110M"},
        deleted={"OL12W"},
    )
    for served in _serve(fake, mode):
        async with served.make() as ol:
            merged = await ol.author("OL7A")
            twice = await ol.author("OL8A")
            work = await ol.work("OL70W")
            deleted = await ol.work("OL12W")
            edition = await ol.edition("OL700M")
        assert merged is not None
        assert merged.keys == {OL: "OL1A"}
        assert twice is None
        assert work is not None
        assert work.key == "OL11W"
        assert deleted is None
        assert edition is not None
        assert edition.keys == {OL: "OL110M"}


@pytest.mark.anyio
async def test_work(served: Served) -> None:
    async with served.make() as ol:
        work = await ol.work("/works/OL10W")
        missing = await ol.work("OL999W")
    assert work is not None
    assert work.title == "Sabriel"
    assert work.author_keys == ("OL1A", "OL2A")
    assert dict(work.roles) == {"OL2A": "Foreword"}
    assert work.first_publish_year == 1995
    assert work.description == "First in the Old Kingdom series."
    assert work.covers == (123,)
    assert missing is None


@pytest.mark.anyio
async def test_author_works_pages_until_next_is_missing(served: Served) -> None:
    async with served.make() as ol:
        listing = await ol.author_works("OL1A", page_size=2)
    assert [w.key for w in listing.works] == ["OL10W", "OL11W", "OL12W"]
    assert listing.total == 3
    assert listing.complete
    assert listing.pages == 2
    logged = served.fake.requests("/authors/OL1A/works.json")
    assert [(r.param("limit"), r.param("offset")) for r in logged] == [("2", "0"), ("2", "2")]


@pytest.mark.anyio
async def test_author_works_bound_and_missing_author(served: Served) -> None:
    async with served.make() as ol:
        cut = await ol.author_works("OL1A", page_size=1, max_works=2)
        missing = await ol.author_works("OL404A")
        with pytest.raises(InvalidQuery):
            await ol.author_works("OL1A", page_size=1001)
    assert [w.key for w in cut.works] == ["OL10W", "OL11W"]
    assert not cut.complete
    assert cut.pages == 2
    assert (missing.total, missing.works, missing.complete) == (0, (), True)


@pytest.mark.anyio
async def test_work_editions(served: Served) -> None:
    async with served.make() as ol:
        page = await ol.work_editions("OL10W", page_size=1)
        missing = await ol.work_editions("OL999W")
    assert [e.keys[OL] for e in page.editions] == ["OL100M", "OL101M"]
    assert (page.total, page.complete, page.pages) == (2, True, 2)
    english, spanish = page.editions
    assert english.language == "en"
    assert english.format == "Hardcover"
    assert english.published == "1995-11"
    assert english.pages == 292
    assert english.publisher == "HarperCollins"
    assert english.work_key == "OL10W"
    assert english.authors == ()  # edition records hold author keys only
    assert english.cover_url == "https://covers.openlibrary.org/b/id/55-M.jpg"
    assert spanish.authors == ("Garth Nix",)  # from by_statement
    assert spanish.language == "es"
    assert missing.editions == ()


@pytest.mark.anyio
async def test_edition(served: Served) -> None:
    async with served.make() as ol:
        edition = await ol.edition("OL110M")
        unknown_to_ol = await ol.edition("OL102M")
    assert edition is not None
    assert (edition.isbn13, edition.isbn10) == ("9780061474354", "0061474355")
    assert edition.published == "2008-04-22"
    assert unknown_to_ol is None


@pytest.mark.anyio
async def test_isbn_uses_api_books_details(served: Served) -> None:
    async with served.make() as ol:
        edition = await ol.isbn("0-06-027322-4")
        missing = await ol.isbn("9780007137305")
    assert edition is not None
    assert edition.isbn13 == "9780060273224"
    assert edition.authors == ("Garth Nix", "Jane Foreword")  # names from jscmd=details
    assert edition.language == "en"
    assert edition.work_key == "OL10W"
    assert edition.format == "Hardcover"
    assert edition.sources == (OL,)
    assert missing is None
    logged = served.fake.requests("/api/books")
    assert logged[0].param("bibkeys") == "ISBN:9780060273224"
    assert (logged[0].param("format"), logged[0].param("jscmd")) == ("json", "details")


@pytest.mark.anyio
async def test_isbn_validates_before_sending(served: Served) -> None:
    async with served.make() as ol:
        with pytest.raises(InvalidISBN):
            await ol.isbn("9780060273225")
        with pytest.raises(InvalidISBN):
            await ol.isbn_redirect("nonsense")
    assert served.fake.count() == 0


@pytest.mark.anyio
async def test_isbn_redirect_follows_302(served: Served) -> None:
    async with served.make() as ol:
        edition = await ol.isbn_redirect("8478710531")
        missing = await ol.isbn_redirect("9780007137305")
    assert edition is not None
    assert edition.keys == {OL: "OL101M"}
    assert edition.authors == ("Garth Nix",)
    assert missing is None
    assert [(r.path, r.status) for r in served.fake.log] == [
        ("/isbn/9788478710539.json", 302),
        ("/books/OL101M.json", 200),
        ("/isbn/9780007137305.json", 404),
    ]


@pytest.mark.anyio
async def test_books_batches_concurrently_keyed_by_isbn13(served: Served) -> None:
    known = ["0060273224", "9788478710539", "0-06-147435-5", "9780807216057"]
    filler = [f"978000000{n:03d}" + ean.calc_check_digit(f"978000000{n:03d}") for n in range(96)]
    async with served.make() as ol:
        found = await ol.editions([*known, "9780007137305", *filler, "0060273224"], batch_size=50)
    assert set(found) == {"9780060273224", "9788478710539", "9780061474354", "9780807216057"}
    assert found["9780061474354"].isbn10 == "0061474355"
    assert found["9780807216057"].format == "Audio CD"
    logged = served.fake.requests("/api/books")
    assert len(logged) == math.ceil(101 / 50)
    assert sum(len((r.param("bibkeys") or "").split(",")) for r in logged) == 101


@pytest.mark.anyio
async def test_books_all_miss_and_invalid_input(served: Served) -> None:
    async with served.make() as ol:
        assert await ol.editions(["9780007137305"]) == {}
        assert await ol.editions([]) == {}
        with pytest.raises(InvalidISBN):
            await ol.editions(["0060273224", "not-an-isbn"])
        with pytest.raises(InvalidQuery):
            await ol.editions(["0060273224"], batch_size=0)
    assert served.fake.count() == 1


@pytest.mark.anyio
async def test_author_work_signals(served: Served) -> None:
    async with served.make() as ol:
        signals = await ol.author_work_signals("OL1A")
        lean = await ol.author_work_signals("OL1A", max_isbns=0)
        with pytest.raises(InvalidQuery):
            await ol.author_work_signals("Garth Nix")
    assert signals["OL10W"] == WorkSignals(
        key="OL10W",
        title="Sabriel",
        languages=("en", "es"),
        edition_count=2,
        first_publish_year=1995,
        isbns=("9780060273224", "9788478710539"),
        author_keys=("OL1A", "OL2A"),
        authors=("Garth Nix", "Jane Foreword"),
    )
    assert set(signals) == {"OL10W", "OL11W", "OL12W"}
    assert signals["OL12W"].edition_count == 0
    assert lean["OL10W"].isbns == ()
    first, second = served.fake.requests("/search.json")
    assert first.param("q") == "author_key:OL1A"
    assert "isbn" in (first.param("fields") or "").split(",")
    assert "isbn" not in (second.param("fields") or "").split(",")


@pytest.mark.anyio
async def test_cover_url_method_is_pure(served: Served) -> None:
    async with served.make() as ol:
        url = ol.cover_url(isbn="0060273224", size="L")
    assert url == "https://covers.openlibrary.org/b/isbn/9780060273224-L.jpg?default=false"
    assert served.fake.count() == 0


@pytest.mark.anyio
async def test_path_segments_cannot_change_the_route(served: Served) -> None:
    evil = "a/../b?x#y"
    async with served.make() as ol:
        assert await ol.author(evil) is None
        assert await ol.work(evil) is None
        assert (await ol.author_works(evil)).works == ()
        assert (await ol.work_editions(evil)).editions == ()
    paths = [(r.path, r.status) for r in served.fake.log]
    assert paths == [
        ("/authors/a/../b?x#y.json", 404),
        ("/works/a/../b?x#y.json", 404),
        ("/authors/a/../b?x#y/works.json", 404),
        ("/works/a/../b?x#y/editions.json", 404),
    ]
    assert all(r.param("x") is None for r in served.fake.log)


# -- synthetic paging ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> Catalog:
    return Catalog.synthetic(works=2000, editions_per_work=10)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["mock", "loopback"])
async def test_synthetic_catalog_every_page_is_fetched(synthetic: Catalog, mode: str) -> None:
    author = "OL9999999A"
    expected = {w.id for w in synthetic.works_of(author)}
    fake = FakeOpenLibrary(synthetic)
    for served in _serve(fake, mode):
        async with served.make() as ol:
            listing = await ol.author_works(author)
            signals = await ol.author_work_signals(author)
            work = synthetic.works_of(author)[0]
            editions = await ol.work_editions(work.id, page_size=4)
        assert {w.key for w in listing.works} == expected
        assert listing.total == len(expected)
        assert listing.complete
        pages = math.ceil(len(expected) / 1000)
        assert listing.pages == pages
        assert fake.count(f"/authors/{author}/works.json") == pages
        assert set(signals) == expected
        assert fake.count("/search.json") == pages
        ol_editions = [e for e in work.editions if OL in e.providers]
        assert {e.keys[OL] for e in editions.editions} == {e.id for e in ol_editions}
        assert fake.count(f"/works/{work.id}/editions.json") == math.ceil(len(ol_editions) / 4)


# -- errors ----------------------------------------------------------------------------------

FAULT_ERRORS: dict[FaultKind, tuple[type[ProviderError], int | None]] = {
    "500": (ProviderHTTPError, 500),
    "503": (ProviderHTTPError, 503),
    "hang": (ProviderTimeout, None),
    "reset": (ProviderUnavailable, None),
    "malformed": (MalformedResponse, 200),
    "html": (MalformedResponse, 200),
    "truncated": (ProviderUnavailable, None),
}


def test_every_fault_kind_is_mapped() -> None:
    assert set(FAULT_ERRORS) == set(FAULT_KINDS)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_fault_kinds_map_onto_the_error_tree(served: Served, kind: FaultKind) -> None:
    served.fake.set_faults(Faults.always(kind, hang_seconds=1.0))
    error, status = FAULT_ERRORS[kind]
    async with served.make(timeout=0.2) as ol:
        with pytest.raises(error) as caught:
            await ol.search("sabriel")
    assert caught.value.provider == OL
    if status is not None:
        assert caught.value.status == status
    if kind in ("500", "503"):
        assert "closed" in str(caught.value)


@pytest.mark.anyio
async def test_server_error_is_retried(served: Served) -> None:
    served.fake.set_faults(Faults(fail_first=1, kinds=("503",)))
    retry = RetryPolicy(attempts=2, initial_wait=0, jitter=0, max_wait=0)
    async with served.make(retry=retry) as ol:
        page = await ol.search("sabriel")
    assert page.total == 1
    assert [r.status for r in served.fake.log] == [503, 200]


@pytest.mark.anyio
async def test_rate_limit_answers_429_without_retry_after(served: Served) -> None:
    served.fake.set_rate_limit(0.001, burst=1)
    async with served.make() as ol:
        await ol.search("sabriel")
        with pytest.raises(RateLimited) as caught:
            await ol.search("sabriel")
    assert caught.value.retry_after is None
    assert caught.value.status == 429
    assert str(caught.value).startswith("openlibrary: Too Many Requests.")
    assert ol.stats()["rate_limited"] == 1


def _answering(status: int, body: bytes, content_type: str = "application/json") -> OpenLibrary:
    def handler(request: RawRequest) -> RawResponse:
        return RawResponse(status, headers={"Content-Type": content_type}, content=body)

    return OpenLibrary(transport=MockTransport(handler), rate=1000, retry=NO_RETRY)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "name", ["error_429_openlibrary_org.json", "error_429_covers_openlibrary_org.json"]
)
async def test_recorded_429_bodies(shared_fixtures: Path, name: str) -> None:
    body = (shared_fixtures / OL / name).read_bytes()
    async with _answering(429, body) as ol:
        with pytest.raises(RateLimited) as caught:
            await ol.author("OL1A")
    assert caught.value.retry_after is None
    assert "Too Many Requests" in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "content_type", "error", "text"),
    [
        (
            422,
            b'{"detail":[{"type":"less_than_equal","loc":["query","limit"],'
            b'"msg":"Input should be less than or equal to 1000","input":"1001",'
            b'"ctx":{"le":1000}}]}',
            "application/json",
            ProviderHTTPError,
            "limit: Input should be less than or equal to 1000",
        ),
        (
            422,
            b'{"error": "Query too short, must be at least 3 characters"}',
            "application/json",
            ProviderHTTPError,
            "Query too short",
        ),
        (
            422,
            b'{"error": ["Invalid query; the following queries are not allowed: the"]}',
            "application/json",
            ProviderHTTPError,
            "not allowed: the",
        ),
        (
            502,
            b"<html><body><h1>The library is closed</h1></body></html>",
            "text/html",
            ProviderHTTPError,
            "closed",
        ),
        (403, b"<html>Forbidden</html>", "text/html", ProviderHTTPError, "HTML"),
        (
            200,
            b'var _OLBookInfo = {"ISBN:0060273224": {}};',
            "application/javascript",
            MalformedResponse,
            "format=json",
        ),
        (200, b"[1, 2, 3]", "application/json", MalformedResponse, "expected a JSON object"),
        (200, b'{"docs": [', "application/json", MalformedResponse, "not valid JSON"),
    ],
)
async def test_real_error_bodies(
    status: int, body: bytes, content_type: str, error: type[ProviderError], text: str
) -> None:
    async with _answering(status, body, content_type) as ol:
        with pytest.raises(error) as caught:
            await ol.search("sabriel")
    assert text in str(caught.value)
    assert caught.value.status == status


@pytest.mark.anyio
async def test_record_404_body_is_not_found() -> None:
    body = b'{"error": "notfound", "key": "/books/OL1M"}'
    async with _answering(404, body) as ol:
        assert await ol.edition("OL1M") is None
        assert await ol.isbn_redirect("0060273224") is None
        assert (await ol.search("sabriel")).hits == ()


@pytest.mark.anyio
async def test_a_failing_batch_raises() -> None:
    calls: list[str] = []

    def handler(request: RawRequest) -> RawResponse:
        calls.append(str(request.url))
        if len(calls) == 2:
            return RawResponse(500, headers={"Content-Type": "text/html"}, content=b"<html/>")
        return RawResponse(200, headers={"Content-Type": "application/json"}, content=b"{}")

    async with OpenLibrary(transport=MockTransport(handler), rate=1000, retry=NO_RETRY) as ol:
        with pytest.raises(ProviderHTTPError):
            await ol.editions(["0060273224", "9788478710539", "9780061474354"], batch_size=1)


# -- identification and secrets --------------------------------------------------------------


def test_default_user_agent_identifies_and_keeps_three_per_second() -> None:
    ol = OpenLibrary()
    assert ol.identifies
    assert ol.rate == 3.0
    assert ol.user_agent.startswith("bookstracker/")
    assert ol.base_url == BASE


def test_non_identifying_user_agent_lowers_the_rate_and_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ol_module, "_warned_user_agents", set())
    with caplog.at_level(logging.WARNING, logger=ol_module.__name__):
        first = OpenLibrary(user_agent="MyApp/1.0")
        second = OpenLibrary(user_agent="MyApp/1.0")
    assert (first.rate, second.rate) == (1.0, 1.0)
    assert len([r for r in caplog.records if "MyApp/1.0" in r.getMessage()]) == 1
    assert OpenLibrary(user_agent="MyApp/1.0", rate=2.5).rate == 2.5
    assert OpenLibrary(user_agent="MyApp/1.0 (+https://example.org)").rate == 3.0


def test_user_agent_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ol_module, "_warned_user_agents", set())
    monkeypatch.setenv("BOOKSTRACKER_USER_AGENT", "curl/8.0")
    assert OpenLibrary().rate == 1.0
    monkeypatch.setenv("BOOKSTRACKER_OPENLIBRARY_RATE", "2")
    assert OpenLibrary().rate == 2.0
    monkeypatch.setenv("BOOKSTRACKER_USER_AGENT", "me@example.org")
    monkeypatch.delenv("BOOKSTRACKER_OPENLIBRARY_RATE")
    assert OpenLibrary().rate == 3.0


@pytest.mark.anyio
async def test_the_user_agent_is_sent() -> None:
    seen: list[str] = []

    def handler(request: RawRequest) -> RawResponse:
        seen.append(request.headers["user-agent"])
        return RawResponse(200, headers={"Content-Type": "application/json"}, content=b"{}")

    async with OpenLibrary(
        transport=MockTransport(handler), user_agent="Me/1 (me@example.org)", rate=1000
    ) as ol:
        await ol.editions(["0060273224"])
    assert seen == ["Me/1 (me@example.org)"]


@pytest.mark.anyio
async def test_no_credentials_in_reprs_errors_or_logged_urls(served: Served) -> None:
    served.fake.set_faults(Faults.always("500"))
    async with served.make() as ol:
        with pytest.raises(ProviderHTTPError) as caught:
            await ol.search("sabriel")
        assert repr(ol) == f"OpenLibrary(base_url={ol.base_url!r}, rate=1000)"
    assert "api_key" not in repr(caught.value.url)
    assert caught.value.url is not None
    assert "q=sabriel" in caught.value.url


# -- the fake's wire format ------------------------------------------------------------------


async def _get(fake: FakeOpenLibrary, path: str, **params: Any) -> RawResponse:
    async with AsyncClient(transport=fake.transport(), base_url=BASE) as client:
        return await client.get(path, params=params or None)


def _keys(items: Any) -> set[str]:
    out: set[str] = set()
    for item in items:
        out |= set(item)
    return out


@pytest.mark.anyio
async def test_shape_of_search(shared_fixtures: Path) -> None:
    fake = FakeOpenLibrary(_catalog())
    recorded = json.loads(
        (shared_fixtures / OL / "search_q_candide_author_voltaire.json").read_bytes()
    )
    full = (await _get(fake, "/search.json", q="sabriel", fields="*")).json()
    assert set(full) - set(recorded) == {"documentation_url"}
    assert set(recorded) <= set(full)
    assert _keys(full["docs"]) <= _keys(recorded["docs"])
    core = {"key", "title", "author_name", "author_key", "edition_count", "language", "isbn"}
    assert core <= _keys(full["docs"])
    lean = (await _get(fake, "/search.json", q="sabriel", fields=SEARCH_FIELDS)).json()
    assert _keys(lean["docs"]) <= set(SEARCH_FIELDS.split(","))
    default = (await _get(fake, "/search.json", q="sabriel")).json()
    assert "isbn" not in _keys(default["docs"])  # today's default field set has no isbn
    legacy = FakeOpenLibrary(_catalog(), legacy_search_defaults=True)
    assert "isbn" in _keys((await _get(legacy, "/search.json", q="sabriel")).json()["docs"])


@pytest.mark.anyio
async def test_shape_of_author_search(shared_fixtures: Path) -> None:
    fake = FakeOpenLibrary(_catalog())
    recorded = json.loads((shared_fixtures / OL / "search_authors_q_voltaire.json").read_bytes())
    empty = json.loads((shared_fixtures / OL / "search_authors_q_no_match.json").read_bytes())
    body = (await _get(fake, "/search/authors.json", q="garth nix")).json()
    assert set(body) == set(recorded) == set(empty)
    assert _keys(body["docs"]) <= _keys(recorded["docs"])
    assert body["docs"][0]["key"] == "OL1A"


@pytest.mark.anyio
async def test_shape_of_records(shared_fixtures: Path) -> None:
    fake = FakeOpenLibrary(_catalog())

    def recorded(name: str) -> Any:
        return json.loads((shared_fixtures / OL / name).read_bytes())

    author = (await _get(fake, "/authors/OL1A.json")).json()
    dahl = recorded("authors_OL34184A_roald_dahl.json")
    assert set(author) - set(dahl) == {"alternate_names"}
    work = (await _get(fake, "/works/OL10W.json")).json()
    work_keys = set(recorded("works_OL15832982W_sabriel.json")) | set(
        recorded("works_OL45804W_fantastic_mr_fox.json")
    )
    assert set(work) <= work_keys
    assert work["authors"][1] == {
        "type": {"key": "/type/author_role"},
        "author": {"key": "/authors/OL2A"},
        "role": "Foreword",
    }
    edition_keys = (
        set(recorded("books_OL22951843M_sabriel.json"))
        | set(recorded("books_OL36884359M_markdown_description.json"))
        | _keys(recorded("works_OL15832982W_editions_sabriel.json")["entries"])
    )
    edition = (await _get(fake, "/books/OL100M.json")).json()
    assert set(edition) <= edition_keys
    assert edition["languages"] == [{"key": "/languages/eng"}]
    assert edition["authors"] == [{"key": "/authors/OL1A"}, {"key": "/authors/OL2A"}]
    no_language = (await _get(fake, "/books/OL130M.json")).json()
    assert "languages" not in no_language
    missing = await _get(fake, "/books/OL102M.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "notfound", "key": "/books/OL102M"}


@pytest.mark.anyio
async def test_shape_of_lists(shared_fixtures: Path) -> None:
    fake = FakeOpenLibrary(_catalog())

    def recorded(name: str) -> Any:
        return json.loads((shared_fixtures / OL / name).read_bytes())

    rothfuss = recorded("authors_OL2830895A_works_limit1000_rothfuss.json")
    works = (await _get(fake, "/authors/OL1A/works.json", limit=2)).json()
    assert set(works) == set(rothfuss)
    assert works["size"] == 3
    assert works["links"] == {
        "self": "/authors/OL1A/works.json?limit=2",
        "author": "/authors/OL1A",
        "next": "/authors/OL1A/works.json?limit=2&offset=2",
    }
    sabriel_work = recorded("works_OL15832982W_sabriel.json")
    assert _keys(works["entries"]) <= _keys(rothfuss["entries"]) | set(sabriel_work)
    last = (await _get(fake, "/authors/OL1A/works.json", limit=2, offset=2)).json()
    assert set(last["links"]) == {"self", "author", "prev"}
    assert len(last["entries"]) == 1
    neuromancer = recorded("works_OL27258W_editions_limit10_neuromancer_2013.json")
    sabriel = recorded("works_OL15832982W_editions_sabriel.json")
    editions = (await _get(fake, "/works/OL10W/editions.json", limit=1, offset=0)).json()
    assert set(editions) == set(neuromancer) == set(sabriel)
    assert set(editions["links"]) == set(neuromancer["links"])
    assert editions["links"]["next"] == "/works/OL10W/editions.json?limit=1&offset=1"
    assert editions["size"] == 2
    assert _keys(editions["entries"]) <= _keys(sabriel["entries"]) | _keys(neuromancer["entries"])
    defaulted = (await _get(fake, "/works/OL10W/editions.json", limit=0)).json()
    assert len(defaulted["entries"]) == 2  # limit=0 means the default 50 here


@pytest.mark.anyio
async def test_shape_of_api_books(shared_fixtures: Path) -> None:
    fake = FakeOpenLibrary(_catalog())

    def recorded(name: str) -> Any:
        return json.loads((shared_fixtures / OL / name).read_bytes())

    details = recorded("api_books_ISBN0804720991_jscmd_details.json")["ISBN:0804720991"]
    body = (
        await _get(fake, "/api/books", bibkeys="ISBN:0060273224", format="json", jscmd="details")
    ).json()
    entry = body["ISBN:0060273224"]
    with_cover = recorded("api_books_ISBN0140446044_jscmd_details.json")["ISBN:0140446044"]
    assert set(entry) == set(with_cover)
    no_cover = (
        await _get(fake, "/api/books", bibkeys="ISBN:0807216054", format="json", jscmd="details")
    ).json()
    assert set(no_cover["ISBN:0807216054"]) == set(details)
    assert entry["details"]["authors"][0] == {"key": "/authors/OL1A", "name": "Garth Nix"}
    edition_keys = set(details["details"]) | set(with_cover["details"])
    edition_keys |= set(recorded("books_OL22951843M_sabriel.json"))
    edition_keys |= set(recorded("books_OL36884359M_markdown_description.json"))
    assert set(entry["details"]) <= edition_keys
    data_keys = set()
    for name in (
        "api_books_ISBN9782070427796_jscmd_data.json",
        "api_books_ISBN0385472579_jscmd_data.json",
        "api_books_ISBN2070464237_jscmd_data_compact_wire.json",
    ):
        data_keys |= _keys(recorded(name).values())
    data = (
        await _get(fake, "/api/books", bibkeys="ISBN:9780060273224", format="json", jscmd="data")
    ).json()
    assert set(data["ISBN:9780060273224"]) <= data_keys
    viewapi = (await _get(fake, "/api/books", bibkeys="ISBN:0060273224", format="json")).json()
    assert set(viewapi["ISBN:0060273224"]) == set(with_cover) - {"details"}


@pytest.mark.anyio
async def test_fake_api_books_quirks(shared_fixtures: Path) -> None:
    fake = FakeOpenLibrary(_catalog())
    empty = await _get(fake, "/api/books", bibkeys="ISBN:INVALID_ISBN", format="json")
    recorded = (
        shared_fixtures / OL / "api_books_invalid_isbn_jscmd_details_empty.json"
    ).read_bytes()
    assert (empty.status_code, empty.json()) == (200, json.loads(recorded))
    mixed = await _get(fake, "/api/books", bibkeys="ISBN:0060273224,ISBN:0007137303", format="json")
    assert set(mixed.json()) == {"ISBN:0060273224"}
    javascript = await _get(fake, "/api/books", bibkeys="ISBN:0060273224")
    assert javascript.text.startswith("var _OLBookInfo = {")
    assert javascript.text.endswith("};")
    jsonp = await _get(fake, "/api/books", bibkeys="ISBN:0060273224", callback="cb")
    assert jsonp.text.startswith("cb({")
    implied = await _get(fake, "/api/books.json", bibkeys="OLID:OL100M")
    assert set(implied.json()) == {"OLID:OL100M"}


@pytest.mark.anyio
async def test_fake_search_quirks() -> None:
    fake = FakeOpenLibrary(_catalog())
    short = await _get(fake, "/search.json", q="ab")
    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"] == ["query", "q"]
    assert (await _get(fake, "/search.json", q="The")).status_code == 422
    body = (await _get(fake, "/search.json", q="title:sabriel author:nix")).json()
    assert list(body) == [
        "numFound",
        "start",
        "numFoundExact",
        "num_found",
        "documentation_url",
        "q",
        "offset",
        "docs",
    ]
    assert (body["numFound"], body["offset"], body["docs"][0]["key"]) == (1, None, "/works/OL10W")
    by_key = (await _get(fake, "/search.json", q="author_key:OL1A", offset="1", limit="1")).json()
    assert (by_key["numFound"], by_key["start"], by_key["offset"], len(by_key["docs"])) == (
        3,
        1,
        1,
        1,
    )
    french = (await _get(fake, "/search.json", q="sabriel", language="fre")).json()
    assert french["numFound"] == 0
    spanish = (await _get(fake, "/search.json", q="sabriel", language="spa", fields="*")).json()
    assert spanish["docs"][0]["language"] == ["eng", "spa"]
    assert spanish["docs"][0]["author_key"] == ["OL1A", "OL2A"]


@pytest.mark.anyio
async def test_fake_list_limits_and_isbn_redirect() -> None:
    fake = FakeOpenLibrary(_catalog())
    over = await _get(fake, "/authors/OL1A/works.json", limit="1001")
    assert over.status_code == 422
    assert over.json()["detail"][0]["type"] == "less_than_equal"
    default = (await _get(fake, "/authors/OL1A/works.json")).json()
    assert len(default["entries"]) == 3
    async with AsyncClient(transport=fake.transport(), base_url=BASE) as client:
        redirect = await client.get(
            "/isbn/0-06-027322-4.json", params={"high_priority": "true", "x": "1"}
        )
    assert redirect.status_code == 302
    assert redirect.headers["location"] == "/books/OL100M.json?x=1"
    assert redirect.content == b""


@pytest.mark.anyio
async def test_fake_rate_limit_body_is_the_real_one(shared_fixtures: Path) -> None:
    fake = FakeOpenLibrary(_catalog(), rate_limit=0.001)
    await _get(fake, "/authors/OL1A.json")
    limited = await _get(fake, "/authors/OL1A.json")
    recorded = (shared_fixtures / OL / "error_429_openlibrary_org.json").read_bytes()
    assert limited.status_code == 429
    assert limited.content == recorded.strip()
    assert "retry-after" not in limited.headers
    assert limited.json() == RATE_LIMIT_BODY


def test_fake_never_serves_the_truth() -> None:
    catalog = _catalog()
    marked = Catalog(
        catalog.authors,
        [attrs.evolve(w, truth="translation", note="TRUTH-MARKER") for w in catalog.works],
    )
    fake = FakeOpenLibrary(marked)
    record = json.dumps(fake.work_record(marked.works[0]))
    assert "translation" not in record
    assert "TRUTH-MARKER" not in record
