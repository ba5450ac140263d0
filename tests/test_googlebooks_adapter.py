"""The Google Books adapter against the fake, over MockTransport and over the loopback server."""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina

from bookstracker._http import MockTransport, RawRequest, RawResponse
from bookstracker.errors import (
    InvalidISBN,
    InvalidQuery,
    MalformedResponse,
    ProviderError,
    ProviderHTTPError,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
)
from bookstracker.providers.googlebooks import GoogleBooks, next_quota_reset
from bookstracker.resilience import RetryPolicy
from bookstracker.testing._fake import FakeRequest, Faults
from bookstracker.testing._server import FakeServer
from bookstracker.testing.catalog import Catalog, CatalogAuthor, CatalogEdition, CatalogWork
from bookstracker.testing.fake_googlebooks import FakeGoogleBooks

SECRET = "AIzaSyTESTSECRET0123456789"


def _catalog() -> Catalog:
    """Small, explicit data: every test below states what it relies on from here."""
    authors = [
        CatalogAuthor(id="OL1A", name="Andy Weir"),
        CatalogAuthor(id="OL2A", name="J.K. Rowling"),
        CatalogAuthor(id="OL3A", name="Terry Pratchett"),
        CatalogAuthor(id="OL4A", name="Neil Gaiman"),
        CatalogAuthor(id="OL5A", name="Eric Lomax"),
    ]
    works = [
        CatalogWork(
            id="OL1W",
            title="The Martian",
            author_ids=("OL1A",),
            subjects=("Science fiction",),
            description="Six days ago, astronaut Mark Watney became one of the first people.",
            cover_id=11,
            editions=[
                CatalogEdition(
                    id="OL1M",
                    title="The Martian",
                    isbn13="9780553418026",
                    isbn10="0553418025",
                    publisher="Broadway Books",
                    publish_date="October 28, 2014",
                    pages=387,
                    language="en",
                    format="Paperback",
                    google_id="MARTIANpbk01",
                ),
                CatalogEdition(
                    id="OL2M",
                    title="The Martian",
                    subtitle="A Novel",
                    isbn13="9780804139021",
                    isbn10="0804139024",
                    publisher="Crown",
                    publish_date="2014-02",
                    pages=369,
                    language="en",
                    format="eBook",
                    google_id="MARTIANebk02",
                ),
                CatalogEdition(
                    id="OL3M",
                    title="Der Marsianer",
                    isbn13="9783453316911",
                    isbn10="3453316916",
                    publisher="Heyne",
                    publish_date="2015",
                    pages=512,
                    language="de",
                    format="Paperback",
                    google_id="MARSIANERde3",
                ),
                CatalogEdition(
                    id="OL4M",
                    title="The Martian",
                    isbn13="9781785031137",
                    isbn10="1785031139",
                    publish_date="2015",
                    language="en",
                    providers={"openlibrary", "isbndb"},
                ),
            ],
        ),
        CatalogWork(
            id="OL2W",
            title="Project Hail Mary",
            author_ids=("OL1A",),
            subjects=("Science fiction",),
            editions=[
                CatalogEdition(
                    id="OL5M",
                    title="Project Hail Mary",
                    isbn13="9780593135204",
                    isbn10="0593135202",
                    publisher="Ballantine Books",
                    publish_date="May 4, 2021",
                    pages=476,
                    language="en",
                    format="Hardcover",
                    google_id="HAILMARYhc05",
                )
            ],
        ),
        CatalogWork(
            id="OL3W",
            title="Good Omens",
            author_ids=("OL3A", "OL4A"),
            subjects=("Fantasy fiction",),
            editions=[
                CatalogEdition(
                    id="OL6M",
                    title="Good Omens",
                    subtitle="The Nice and Accurate Prophecies of Agnes Nutter, Witch",
                    isbn13="9780060853983",
                    isbn10="0060853980",
                    publisher="William Morrow",
                    publish_date="2006",
                    pages=432,
                    language="en",
                    format="Paperback",
                    google_id="GOODOMENSpb6",
                )
            ],
        ),
        CatalogWork(
            id="OL4W",
            title="Harry Potter and the Philosopher's Stone",
            author_ids=("OL2A",),
            subjects=("Juvenile Fiction",),
            editions=[
                CatalogEdition(
                    id="OL7M",
                    title="Harry Potter à l'école des sorciers",
                    authors=("J. K. Rowling",),
                    isbn13="9782070541270",
                    isbn10="2070541274",
                    publisher="Gallimard-Jeunesse",
                    publish_date="1999-11-24",
                    pages=232,
                    language="fr",
                    format="Paperback",
                    google_id="HPECOLEfr007",
                ),
            ],
        ),
        CatalogWork(
            id="OL5W",
            title="Invalid Isbn",
            author_ids=("OL5A",),
            editions=[
                CatalogEdition(
                    id="OL8M",
                    title="Invalid Isbn",
                    publisher="Arrow",
                    publish_date="1996-06",
                    language="en",
                    google_id="INVALIDisbn8",
                ),
            ],
        ),
    ]
    return Catalog(authors, works)


def _paging_catalog(volumes: int) -> Catalog:
    """One author with ``volumes`` single-edition works, every one known to Google."""
    works = [
        CatalogWork(
            id=f"OL{n + 1}W",
            title=f"Chronicle Volume {n}",
            author_ids=("OL1A",),
            editions=[
                CatalogEdition(
                    id=f"OL{n + 1}M",
                    title=f"Chronicle Volume {n}",
                    publish_date=str(1950 + n % 70),
                    language="en",
                    google_id=f"PAGE{n:08d}",
                )
            ],
        )
        for n in range(volumes)
    ]
    return Catalog([CatalogAuthor(id="OL1A", name="Paging Author")], works)


@pytest.fixture(autouse=True)
def _no_sleep() -> Iterator[None]:
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


Connect = Callable[..., GoogleBooks]


@pytest.fixture(params=["mock", "server"])
async def connect(request: pytest.FixtureRequest) -> AsyncIterator[Connect]:
    """Builds adapters talking to a fake, in-process or through the loopback server."""
    servers: list[FakeServer] = []
    adapters: list[GoogleBooks] = []

    def make(fake: FakeGoogleBooks, **kwargs: Any) -> GoogleBooks:
        kwargs.setdefault("rate", 1000)
        kwargs.setdefault("retry", RetryPolicy(attempts=1))
        if request.param == "mock":
            adapter = GoogleBooks(transport=fake.transport(), **kwargs)
        else:
            server = FakeServer(fake).start()
            servers.append(server)
            adapter = GoogleBooks(base_url=server.urls["googlebooks"], **kwargs)
        adapters.append(adapter)
        return adapter

    yield make
    for adapter in adapters:
        await adapter.aclose()
    for server in servers:
        server.stop()


def _canned(status: int, body: Any, headers: dict[str, str] | None = None) -> GoogleBooks:
    """An adapter whose every request gets this one response."""

    def handler(request: RawRequest) -> RawResponse:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        merged = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
        return RawResponse(status, headers=merged, content=content, request=request)

    return GoogleBooks(transport=MockTransport(handler), rate=1000, retry=RetryPolicy(attempts=1))


def _ask(fake: FakeGoogleBooks, url: str) -> tuple[int, Any]:
    """One request straight to the fake (no adapter): status and decoded body."""
    _, response = fake.handle(FakeRequest.from_url("GET", url))
    assert response is not None
    body = json.loads(response.body) if response.body.lstrip()[:1] in (b"{", b"[") else None
    return response.status, body


def _ids(editions: Any) -> list[str]:
    return [e.keys["googlebooks"] for e in editions]


# -- search ----------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_search_free_text(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    page = await connect(fake).search("martian")
    assert _ids(page.hits) == ["MARTIANpbk01", "MARTIANebk02"]
    hit = page.hits[0]
    assert hit.authors == ("Andy Weir",)
    assert hit.first_publish_year == 2014
    assert hit.isbn13 == ("9780553418026",)
    assert hit.cover_url is not None
    assert hit.cover_url.startswith("https://")
    assert page.total == 2


@pytest.mark.anyio
async def test_search_builds_operators(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    page = await connect(fake).search(title="good omens", author="Gaiman", publisher="William")
    assert _ids(page.hits) == ["GOODOMENSpb6"]
    (logged,) = fake.log
    assert logged.param("q") == 'intitle:"good omens" inauthor:Gaiman inpublisher:William'


@pytest.mark.anyio
async def test_search_sends_fields_print_type_and_page_size(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    await connect(fake).search("martian", limit=5)
    (logged,) = fake.log
    assert logged.param("maxResults") == "5"
    assert logged.param("startIndex") == "0"
    assert logged.param("printType") == "books"
    fields = logged.param("fields")
    assert fields is not None
    assert fields.startswith("totalItems,items(id,volumeInfo(")
    assert logged.param("key") is None


@pytest.mark.anyio
async def test_search_pages_until_a_short_page(connect: Connect) -> None:
    fake = FakeGoogleBooks(_paging_catalog(95))
    page = await connect(fake).search(author="Paging Author", limit=500)
    assert len(page.hits) == 95
    assert len(set(_ids(page.hits))) == 95
    assert [(r.param("startIndex"), r.param("maxResults")) for r in fake.log] == [
        ("0", "40"),
        ("40", "40"),
        ("80", "40"),
    ]
    assert page.total is not None
    assert page.total > 95


@pytest.mark.anyio
async def test_search_stops_at_the_limit(connect: Connect) -> None:
    fake = FakeGoogleBooks(_paging_catalog(95))
    page = await connect(fake).search(author="Paging Author", limit=50)
    assert len(page.hits) == 50
    assert [r.param("maxResults") for r in fake.log] == ["40", "10"]


@pytest.mark.anyio
async def test_search_with_no_match_is_empty(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    page = await connect(fake).search("zzzunknownzzz")
    assert page.hits == ()
    assert page.total == 0


@pytest.mark.anyio
async def test_search_language_restriction(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    page = await connect(fake).search(author="Andy Weir", lang="German")
    assert _ids(page.hits) == ["MARSIANERde3"]
    assert fake.log[0].param("langRestrict") == "de"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, InvalidQuery),
        ({"query": "  "}, InvalidQuery),
        ({"query": "x", "limit": 0}, InvalidQuery),
        ({"query": "x", "lang": "klingonese"}, InvalidQuery),
        ({"query": "x", "print_type": "scrolls"}, InvalidQuery),
        ({"isbn": "12345"}, InvalidISBN),
    ],
)
async def test_invalid_search_sends_nothing(
    connect: Connect, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    fake = FakeGoogleBooks(_catalog())
    with pytest.raises(error):
        await connect(fake).search(**kwargs)
    assert fake.log == []


# -- isbn / isbns -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_isbn_found_from_an_isbn10(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    edition = await connect(fake).isbn("0-06-085398-0")
    assert edition is not None
    assert edition.keys == {"googlebooks": "GOODOMENSpb6"}
    assert edition.authors == ("Terry Pratchett", "Neil Gaiman")
    assert edition.published == "2006"
    assert fake.log[0].param("q") == "isbn:9780060853983"


@pytest.mark.anyio
async def test_isbn_unknown_to_google_is_none(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    assert await connect(fake).isbn("9781785031137") is None  # OL/ISBNdb only


@pytest.mark.anyio
async def test_isbn_checks_the_returned_identifiers() -> None:
    other = {
        "kind": "books#volume",
        "id": "OTHERvolume1",
        "volumeInfo": {
            "title": "Another book",
            "industryIdentifiers": [{"type": "ISBN_13", "identifier": "9781856870405"}],
        },
    }
    right = {
        "kind": "books#volume",
        "id": "RIGHTvolume2",
        "volumeInfo": {
            "title": "Discourse Networks",
            "industryIdentifiers": [{"type": "ISBN_10", "identifier": "0804720991"}],
        },
    }
    adapter = _canned(200, {"kind": "books#volumes", "totalItems": 16, "items": [other]})
    assert await adapter.isbn("9780804720991") is None
    adapter = _canned(200, {"kind": "books#volumes", "totalItems": 16, "items": [other, right]})
    edition = await adapter.isbn("9780804720991")
    assert edition is not None
    assert edition.keys == {"googlebooks": "RIGHTvolume2"}


@pytest.mark.anyio
async def test_isbns_one_request_each_keyed_by_isbn13(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    found = await connect(fake).editions(
        ["0553418025", "9780553418026", "978-0-593-13520-4", "9781785031137", "2070541274"]
    )
    assert {k: v.keys["googlebooks"] for k, v in found.items()} == {
        "9780553418026": "MARTIANpbk01",
        "9780593135204": "HAILMARYhc05",
        "9782070541270": "HPECOLEfr007",
    }
    assert sorted(r.param("q") or "" for r in fake.log) == [
        "isbn:9780553418026",
        "isbn:9780593135204",
        "isbn:9781785031137",
        "isbn:9782070541270",
    ]


@pytest.mark.anyio
async def test_isbns_invalid_sends_nothing(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    with pytest.raises(InvalidISBN):
        await connect(fake).editions(["9780553418026", "not an isbn"])
    assert fake.log == []


@pytest.mark.anyio
async def test_isbns_stop_on_a_spent_quota(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog(), daily_quota=1)
    with pytest.raises(QuotaExceeded):
        await connect(fake).editions(["9780553418026", "9780593135204", "9780060853983"])


# -- author editions -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_author_editions_matches_the_author(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    editions = (await connect(fake).author_editions("Andy Weir")).editions
    assert _ids(editions) == ["MARTIANpbk01", "MARTIANebk02", "MARSIANERde3", "HAILMARYhc05"]
    assert fake.log[0].param("q") == 'inauthor:"Andy Weir"'
    assert fake.log[0].param("printType") == "books"


@pytest.mark.anyio
async def test_author_editions_pages_a_synthetic_catalog(connect: Connect) -> None:
    catalog = Catalog.synthetic(works=2000, editions_per_work=1)
    expected = {
        e.google_id for w, e in catalog.editions() if e.google_id and "OL9999999A" in w.author_ids
    }
    fake = FakeGoogleBooks(catalog)
    editions = (await connect(fake).author_editions("Prolific Author", max_results=10_000)).editions
    assert set(_ids(editions)) == expected
    assert len(editions) == len(expected)
    pages = math.floor(len(expected) / 40) + 1
    assert fake.count() == pages
    assert [int(r.param("startIndex") or -1) for r in fake.log] == [40 * i for i in range(pages)]


@pytest.mark.anyio
async def test_author_editions_rejects_an_empty_name(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    with pytest.raises(InvalidQuery):
        await connect(fake).author_editions('  "" ')
    assert fake.log == []


# -- volume ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_volume_by_id(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    edition = await connect(fake).volume("MARTIANebk02")
    assert edition is not None
    assert (edition.title, edition.subtitle) == ("The Martian", "A Novel")
    assert (edition.isbn13, edition.isbn10) == ("9780804139021", "0804139024")
    assert edition.published == "2014-02"
    assert edition.pages == 369
    assert edition.cover_url is not None
    assert "edge=curl" not in edition.cover_url
    assert fake.log[0].path == "/books/v1/volumes/MARTIANebk02"


@pytest.mark.anyio
async def test_volume_unknown_id_503_is_retried_then_raised(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    adapter = connect(fake, retry=RetryPolicy(attempts=2))
    with pytest.raises(ProviderHTTPError) as caught:
        await adapter.volume("NOSUCHvolume")
    assert caught.value.status == 503
    assert fake.count() == 2


@pytest.mark.anyio
async def test_volume_404_is_none() -> None:
    assert await _canned(404, {"error": {"code": 404, "message": "Not Found"}}).volume("x") is None


@pytest.mark.anyio
async def test_volume_path_is_one_encoded_segment(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    with pytest.raises(ProviderHTTPError):
        await connect(fake).volume("a/../b?x#y")
    (logged,) = fake.log
    assert logged.path == "/books/v1/volumes/a/../b?x#y"
    assert [k for k, _ in logged.query] == ["fields"]


@pytest.mark.anyio
async def test_author_name_stays_inside_the_query(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog())
    assert (await connect(fake).author_editions("a/../b?x#y&key=z")).editions == ()
    (logged,) = fake.log
    assert logged.path == "/books/v1/volumes"
    assert logged.param("q") == "inauthor:a/../b?x#y&key=z"
    assert logged.param("key") is None


# -- faults and errors -----------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "error", "status"),
    [
        ("500", ProviderHTTPError, 500),
        ("503", ProviderHTTPError, 503),
        ("hang", ProviderTimeout, None),
        ("reset", ProviderUnavailable, None),
        ("malformed", MalformedResponse, 200),
        ("html", MalformedResponse, 200),
        ("truncated", ProviderUnavailable, None),
    ],
)
async def test_faults_map_onto_the_error_tree(
    connect: Connect, kind: Any, error: type[ProviderError], status: int | None
) -> None:
    fake = FakeGoogleBooks(_catalog(), faults=Faults.always(kind, hang_seconds=2.0))
    adapter = connect(fake, timeout=0.3)
    with pytest.raises(error) as caught:
        await adapter.search("martian")
    assert type(caught.value) is error
    assert caught.value.provider == "googlebooks"
    assert caught.value.status == status


@pytest.mark.anyio
async def test_daily_429_is_quota_exceeded_until_pacific_midnight(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog(), daily_quota=0)
    adapter = connect(fake, retry=RetryPolicy(attempts=3))
    with pytest.raises(QuotaExceeded) as caught:
        await adapter.search("martian")
    assert caught.value.status == 429
    assert caught.value.resets_at == next_quota_reset()
    assert "per day" in str(caught.value)
    assert fake.count() == 1  # a spent quota is not retried


@pytest.mark.anyio
async def test_per_minute_429_is_rate_limited_and_retried(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog(), rate_limit=0.001)
    adapter = connect(fake, retry=RetryPolicy(attempts=3))
    await adapter.search("martian")
    with pytest.raises(RateLimited) as caught:
        await adapter.search("martian")
    assert not isinstance(caught.value, QuotaExceeded)
    assert caught.value.retry_after is None
    assert fake.count() == 4


@pytest.mark.anyio
async def test_keyless_shared_pool_429(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog(), keyless_429_rate=1.0)
    with pytest.raises(QuotaExceeded):
        await connect(fake).search("martian")
    keyed = await connect(fake, api_key=SECRET).search("martian")
    assert len(keyed.hits) == 2


@pytest.mark.anyio
async def test_required_key_403_is_an_http_error(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog(), require_key=True)
    with pytest.raises(ProviderHTTPError) as caught:
        await connect(fake).search("martian")
    assert caught.value.status == 403
    assert "unregistered callers" in str(caught.value)
    assert (await connect(fake, api_key=SECRET).search("martian")).hits


def _envelope(code: int, message: str, reason: str, status: str) -> dict[str, Any]:
    inner = {"message": message, "domain": "global", "reason": reason}
    return {"error": {"code": code, "message": message, "errors": [inner], "status": status}}


_DAILY = (
    "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service "
    "'books.googleapis.com' for consumer 'project_number:624717413613'."
)
_MINUTE = _DAILY.replace("Queries per day", "Queries per minute per user")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (429, _envelope(429, _DAILY, "rateLimitExceeded", "RESOURCE_EXHAUSTED"), QuotaExceeded),
        (429, _envelope(429, _MINUTE, "rateLimitExceeded", "RESOURCE_EXHAUSTED"), RateLimited),
        (
            403,
            _envelope(
                403,
                "Daily Limit for Unauthenticated Use Exceeded. Continued use requires signup.",
                "dailyLimitExceededUnreg",
                "PERMISSION_DENIED",
            ),
            QuotaExceeded,
        ),
        (
            403,
            _envelope(
                403,
                "Books API has not been used in project 42 before or it is disabled.",
                "accessNotConfigured",
                "PERMISSION_DENIED",
            ),
            ProviderHTTPError,
        ),
        (
            403,
            _envelope(
                403,
                "Requests from referer <empty> are blocked.",
                "forbidden",
                "PERMISSION_DENIED",
            ),
            ProviderHTTPError,
        ),
        (
            400,
            _envelope(400, "Quota exceeded for this project.", "badRequest", "INVALID_ARGUMENT"),
            QuotaExceeded,
        ),
        (
            400,
            _envelope(
                400,
                "API key not valid. Please pass a valid API key.",
                "badRequest",
                "INVALID_ARGUMENT",
            ),
            ProviderHTTPError,
        ),
        (502, b"<html><body>502 Bad Gateway</body></html>", ProviderHTTPError),
    ],
)
async def test_google_error_bodies(status: int, body: Any, error: type[ProviderError]) -> None:
    adapter = _canned(status, body)
    with pytest.raises(error) as caught:
        await adapter.search("martian")
    assert type(caught.value) is error
    assert caught.value.status == status
    if isinstance(body, dict):
        assert body["error"]["message"] in str(caught.value)
    if isinstance(caught.value, QuotaExceeded):
        assert caught.value.resets_at is not None
        assert caught.value.resets_at > time.time()


@pytest.mark.anyio
async def test_retry_after_header_is_honoured_on_a_429() -> None:
    body = _envelope(429, _MINUTE, "rateLimitExceeded", "RESOURCE_EXHAUSTED")
    with pytest.raises(RateLimited) as caught:
        await _canned(429, body, {"Retry-After": "7"}).search("martian")
    assert caught.value.retry_after == 7.0


@pytest.mark.anyio
async def test_a_json_list_is_malformed() -> None:
    with pytest.raises(MalformedResponse):
        await _canned(200, [1, 2, 3]).search("martian")


# -- secrets and configuration -----------------------------------------------------------------


@pytest.mark.anyio
async def test_the_key_never_leaks(connect: Connect) -> None:
    fake = FakeGoogleBooks(_catalog(), faults=Faults(fail_first=1, kinds=("500",)))
    adapter = connect(fake, api_key=SECRET)
    assert SECRET not in repr(adapter)
    with pytest.raises(ProviderHTTPError) as caught:
        await adapter.search("martian")
    exc = caught.value
    for text in (str(exc), repr(exc), exc.describe(), exc.url or ""):
        assert SECRET not in text
    assert exc.url is not None
    assert "key=[secure]" in exc.url
    assert (await adapter.search("martian")).hits
    assert {r.param("key") for r in fake.log} == {SECRET}


@pytest.mark.anyio
async def test_key_echoed_in_an_error_message_is_scrubbed() -> None:
    body = _envelope(400, f"API key {SECRET} not valid.", "badRequest", "INVALID_ARGUMENT")

    def handler(request: RawRequest) -> RawResponse:
        return RawResponse(400, json=body, request=request)

    adapter = GoogleBooks(
        transport=MockTransport(handler), api_key=SECRET, rate=1000, retry=RetryPolicy(attempts=1)
    )
    with pytest.raises(ProviderHTTPError) as caught:
        await adapter.search("martian")
    assert SECRET not in str(caught.value)


@pytest.mark.anyio
async def test_key_and_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKSTRACKER_GOOGLEBOOKS_API_KEY", SECRET)
    monkeypatch.setenv("BOOKSTRACKER_GOOGLEBOOKS_URL", "https://books.example.test/gb/v1/")
    seen: list[str] = []

    def handler(request: RawRequest) -> RawResponse:
        seen.append(str(request.url))
        return RawResponse(200, json={"kind": "books#volumes", "totalItems": 0}, request=request)

    adapter = GoogleBooks(transport=MockTransport(handler), rate=1000)
    assert adapter.has_api_key
    assert adapter.rate == 1000
    assert (await adapter.search("x")).hits == ()
    assert seen[0].startswith("https://books.example.test/gb/v1/volumes?")
    assert f"key={SECRET}" in seen[0]


def test_defaults() -> None:
    adapter = GoogleBooks()
    assert adapter.name == "googlebooks"
    assert adapter.base_url == "https://www.googleapis.com/books/v1"
    assert adapter.rate == 1.0
    assert not adapter.has_api_key
    assert GoogleBooks.DAILY_QUOTA == 1000


# -- the fake's wire format ----------------------------------------------------------------------


def _recorded(folder: Path) -> list[Any]:
    return [json.loads(p.read_bytes()) for p in sorted((folder / "googlebooks").glob("*.json"))]


def _key_sets(items: list[Any], path: tuple[str, ...]) -> list[set[str]]:
    sets = []
    for item in items:
        value = item
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, dict):
            sets.append(set(value))
        elif isinstance(value, list):
            sets.extend(set(v) for v in value if isinstance(v, dict))
    return sets


def _assert_shape(fake_items: list[Any], real_items: list[Any], path: tuple[str, ...]) -> None:
    real = _key_sets(real_items, path)
    mine = _key_sets(fake_items, path)
    assert real, path
    assert mine, path
    always, ever = set.intersection(*real), set.union(*real)
    for keys in mine:
        assert always <= keys, (path, always - keys)
        assert keys <= ever, (path, keys - ever)


_ITEM_PATHS = [
    (),
    ("volumeInfo",),
    ("volumeInfo", "industryIdentifiers"),
    ("volumeInfo", "imageLinks"),
    ("volumeInfo", "readingModes"),
    ("saleInfo",),
    ("accessInfo",),
    ("accessInfo", "epub"),
    ("searchInfo",),
]


def test_list_shape_matches_the_recorded_bodies(shared_fixtures: Path) -> None:
    recorded = _recorded(shared_fixtures)
    fake = FakeGoogleBooks(_catalog())
    status, body = _ask(fake, "https://x/books/v1/volumes?q=inauthor:weir")
    assert status == 200
    with_items = [r for r in recorded if "items" in r]
    assert set(body) == set.union(*(set(r) for r in with_items))
    real_items = [i for r in with_items for i in r["items"]]
    for path in _ITEM_PATHS:
        _assert_shape(body["items"], real_items, path)
    sale = [i for r in with_items for i in r["items"] if i["saleInfo"].get("isEbook")]
    ebook = [i for i in body["items"] if i["saleInfo"]["isEbook"]]
    _assert_shape(ebook, sale, ("saleInfo",))
    _assert_shape(ebook, sale, ("saleInfo", "offers"))


def test_zero_results_shape_matches_the_recorded_body(shared_fixtures: Path) -> None:
    real = json.loads(
        (shared_fixtures / "googlebooks" / "volumes_q_isbn_xxxx_zero_results.json").read_bytes()
    )
    status, body = _ask(FakeGoogleBooks(_catalog()), "https://x/books/v1/volumes?q=isbn:xxxx")
    assert status == 200
    assert body == real


def test_get_shape_is_a_list_item_with_the_get_extras(shared_fixtures: Path) -> None:
    recorded = _recorded(shared_fixtures)
    real_items = [i for r in recorded for i in r.get("items", [])]
    real_gets = [r for r in recorded if r["kind"] == "books#volume"]
    assert real_gets
    fake = FakeGoogleBooks(_catalog())
    status, volume = _ask(fake, "https://x/books/v1/volumes/MARTIANpbk01")
    assert status == 200
    assert set(volume) - {"layerInfo"} <= set.union(*(set(i) for i in real_items)) - {"searchInfo"}
    extras = set(volume["volumeInfo"]) - set.union(*_key_sets(real_items, ("volumeInfo",)))
    assert extras <= {"printedPageCount", "dimensions"}
    assert volume["volumeInfo"]["description"].startswith("<p>")
    assert {"small", "medium", "large"} <= set(volume["volumeInfo"]["imageLinks"])
    for path in [(), ("volumeInfo",), ("volumeInfo", "imageLinks"), ("saleInfo",)]:
        (mine,) = _key_sets([volume], path)
        assert mine <= set.union(*_key_sets(real_gets, path)), (path, mine)
    assert all("searchInfo" not in r for r in real_gets)


@pytest.mark.anyio
async def test_recorded_bodies_are_read_as_sent(shared_fixtures: Path) -> None:
    """Every recorded body, its bytes as they are (a UTF-8 BOM included), through the adapter."""
    for path in sorted((shared_fixtures / "googlebooks").glob("*.json")):
        content = path.read_bytes()
        body = json.loads(content)
        adapter = _canned(200, content)
        if body["kind"] == "books#volume":
            edition = await adapter.volume(body["id"])
            assert edition is not None, path.name
            assert edition.keys == {"googlebooks": body["id"]}
        else:
            page = await adapter.search("anything", limit=40)
            assert len(page.hits) == len(body.get("items", [])), path.name
    assert any(
        p.read_bytes().startswith(b"\xef\xbb\xbf")
        for p in (shared_fixtures / "googlebooks").glob("*.json")
    )


# -- the fake's behaviour --------------------------------------------------------------------------


def test_fake_default_and_maximum_page_size() -> None:
    fake = FakeGoogleBooks(_paging_catalog(95))
    _, body = _ask(fake, "https://x/books/v1/volumes?q=chronicle")
    assert len(body["items"]) == 10
    status, body = _ask(fake, "https://x/books/v1/volumes?q=chronicle&maxResults=41")
    assert status == 400
    error = body["error"]
    assert error["code"] == 400
    assert error["message"] == "Values must be within the range: [0, 40]"
    assert error["errors"][0]["reason"] == "invalid"
    assert error["status"] == "INVALID_ARGUMENT"


def test_fake_total_is_a_stable_overestimate() -> None:
    fake = FakeGoogleBooks(_paging_catalog(95))
    totals = []
    for start in (0, 40, 80):
        _, body = _ask(
            fake, f"https://x/books/v1/volumes?q=chronicle&maxResults=40&startIndex={start}"
        )
        totals.append(body["totalItems"])
    assert len(set(totals)) == 1
    assert totals[0] > 95
    _, body = _ask(fake, "https://x/books/v1/volumes?q=chronicle&maxResults=40&startIndex=120")
    assert "items" not in body


def test_fake_isbn_operator_exact_and_malformed_fallback() -> None:
    fake = FakeGoogleBooks(_catalog())
    _, body = _ask(fake, "https://x/books/v1/volumes?q=ISBN:0553418025")
    assert [i["id"] for i in body["items"]] == ["MARTIANpbk01"]
    _, body = _ask(fake, "https://x/books/v1/volumes?q=ISBN:INVALID_ISBN&maxResults=1")
    assert [i["volumeInfo"]["title"] for i in body["items"]] == ["Invalid Isbn"]
    _, body = _ask(fake, "https://x/books/v1/volumes?q=isbn:9780000000002")
    assert body == {"kind": "books#volumes", "totalItems": 0}


def test_fake_operators_phrases_and_case() -> None:
    fake = FakeGoogleBooks(_catalog())

    def ids(q: str) -> list[str]:
        _, body = _ask(fake, f"https://x/books/v1/volumes?q={q}")
        return [i["id"] for i in body.get("items", [])]

    assert ids('INTITLE:"hail mary"') == ["HAILMARYhc05"]
    assert ids('"mary hail"') == []
    assert ids("inauthor:rowling") == ["HPECOLEfr007"]
    assert ids('inauthor:"Rowling, J.K."') == ["HPECOLEfr007"]
    assert ids("subject:fantasy+inpublisher:morrow") == ["GOODOMENSpb6"]
    assert ids("lccn:123") == []
    assert ids("martian&printType=magazines") == []
    assert ids("weir&langRestrict=de") == ["MARSIANERde3"]
    assert ids("weir&orderBy=newest")[0] == "HAILMARYhc05"


def test_fake_partial_response_fields() -> None:
    fake = FakeGoogleBooks(_catalog())
    _, body = _ask(fake, "https://x/books/v1/volumes?q=martian&fields=items(id,volumeInfo/title)")
    assert body == {
        "items": [
            {"id": "MARTIANpbk01", "volumeInfo": {"title": "The Martian"}},
            {"id": "MARTIANebk02", "volumeInfo": {"title": "The Martian"}},
        ]
    }
    status, body = _ask(fake, "https://x/books/v1/volumes?q=martian&fields=items(id")
    assert status == 400


def test_fake_missing_query_and_unknown_volume() -> None:
    fake = FakeGoogleBooks(_catalog())
    status, body = _ask(fake, "https://x/books/v1/volumes")
    assert (status, body["error"]["errors"][0]["reason"]) == (400, "queryRequired")
    status, body = _ask(fake, "https://x/books/v1/volumes/NOSUCHvolume")
    assert (status, body["error"]["code"], body["error"]["status"]) == (503, 503, "UNAVAILABLE")


def test_fake_serves_with_or_without_the_prefix() -> None:
    fake = FakeGoogleBooks(_catalog())
    assert _ask(fake, "https://x/volumes/HAILMARYhc05")[1]["id"] == "HAILMARYhc05"
    assert _ask(fake, "https://x/books/v1/volumes/HAILMARYhc05")[1]["id"] == "HAILMARYhc05"
    assert _ask(fake, "https://x/books/v1/elsewhere")[0] == 404


def test_fake_volume_wire_details() -> None:
    fake = FakeGoogleBooks(_catalog())
    _, body = _ask(fake, "https://x/books/v1/volumes?q=isbn:9780553418026")
    (item,) = body["items"]
    info = item["volumeInfo"]
    assert info["publishedDate"] == "2014-10-28"
    assert info["imageLinks"]["thumbnail"].startswith("http://")
    assert "&edge=curl" in info["imageLinks"]["thumbnail"]
    assert {i["type"] for i in info["industryIdentifiers"]} == {"ISBN_10", "ISBN_13"}
    assert item["selfLink"].endswith("/volumes/MARTIANpbk01")
    assert "truth" not in json.dumps(body)
    _, body = _ask(fake, "https://x/books/v1/volumes?q=intitle:invalid")
    assert body["items"][0]["volumeInfo"]["industryIdentifiers"][0]["type"] == "OTHER"


def test_fake_only_serves_google_editions() -> None:
    fake = FakeGoogleBooks(_catalog())
    _, body = _ask(fake, "https://x/books/v1/volumes?q=isbn:9781785031137")
    assert "items" not in body


def test_built_requests_redact_the_key() -> None:
    adapter = GoogleBooks(api_key=SECRET)
    request = adapter.list_request("isbn:9780553418026", size=10)
    assert f"key={SECRET}" in request.full_url()
    assert SECRET not in request.redacted_url()
    assert "key=[secure]" in request.redacted_url()
    assert SECRET not in adapter.volume_request("MARTIANpbk01").redacted_url()


@pytest.mark.anyio
async def test_fake_defaults_to_the_sample_catalog(connect: Connect) -> None:
    page = await connect(FakeGoogleBooks()).search(title="harry potter", limit=5)
    assert len(page.hits) == 5
    assert all("harry" in h.title.lower() for h in page.hits)
