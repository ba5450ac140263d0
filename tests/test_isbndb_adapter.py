"""The ISBNdb adapter against FakeISBNdb, in-process (MockTransport) and over loopback HTTP."""

from __future__ import annotations

import gc
import json
import logging
import math
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from bookstracker._http import MockTransport, RawRequest, RawResponse
from bookstracker.errors import (
    ConfigurationError,
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
from bookstracker.providers import isbndb
from bookstracker.providers.isbndb import ISBNdb
from bookstracker.resilience import LocalQuota, RetryPolicy
from bookstracker.testing._fake import FAULT_KINDS, FakeRequest, FaultKind, Faults
from bookstracker.testing._server import FakeServer
from bookstracker.testing.catalog import Catalog, CatalogAuthor, CatalogEdition, CatalogWork
from bookstracker.testing.fake_isbndb import FakeISBNdb

KEY = "test-key"
HP13 = "9781338878929"
HP_FR13 = "9782070584628"
HP_AUDIO13 = "9780807281956"
HP_OL_ONLY13 = "9780590353427"
EARTHSEA13 = "9780553383041"
EARTHSEA_979 = "9798886451740"

SPEC_BOOK_FIELDS = {
    "title", "title_long", "isbn", "isbn13", "isbn10", "dewey_decimal", "binding", "publisher",
    "language", "date_published", "edition", "pages", "dimensions", "dimensions_structured",
    "overview", "synopsis", "excerpt", "image", "image_original", "msrp", "authors", "subjects",
    "reviews", "prices", "related", "other_isbns",
}  # fmt: skip

Make = Callable[..., ISBNdb]


def _catalog() -> Catalog:
    rowling = CatalogAuthor(id="OL1A", name="J.K. Rowling")
    le_guin = CatalogAuthor(id="OL2A", name="Ursula K. Le Guin")
    harry = CatalogWork(
        id="OL1W",
        title="Harry Potter and the Sorcerer's Stone",
        author_ids=("OL1A",),
        first_publish_year=1997,
        subjects=("Fantasy", "Wizards"),
        description="A boy learns he is a wizard.\n\nHe goes to Hogwarts.",
        truth="core",
        note="hidden note",
        editions=(
            CatalogEdition(
                id="OL1M",
                title="Harry Potter and the Sorcerer's Stone",
                isbn13=HP13,
                isbn10="1338878921",
                publisher="Scholastic",
                publish_date="September 1998",
                pages=309,
                language="en",
                format="Paperback",
                cover_id=19044733482664,
            ),
            CatalogEdition(
                id="OL2M",
                title="Harry Potter à l'école des sorciers",
                isbn13=HP_FR13,
                isbn10="2070584623",
                publisher="Gallimard Jeunesse",
                publish_date="2017",
                pages=320,
                language="fr",
                format="Paperback",
            ),
            CatalogEdition(
                id="OL3M",
                title="Harry Potter and the Sorcerer's Stone",
                isbn13=HP_AUDIO13,
                publisher="Listening Library",
                publish_date="1999-11-02",
                language="en",
                format="Audio CD",
                providers=frozenset({"openlibrary", "isbndb"}),
            ),
            CatalogEdition(
                id="OL4M",
                title="Harry Potter and the Sorcerer's Stone",
                isbn13=HP_OL_ONLY13,
                publisher="Scholastic",
                language="en",
                format="Hardcover",
                providers=frozenset({"openlibrary"}),
            ),
        ),
    )
    earthsea = CatalogWork(
        id="OL2W",
        title="A Wizard of Earthsea",
        author_ids=("OL2A",),
        first_publish_year=1968,
        subjects=("Fantasy",),
        editions=(
            CatalogEdition(
                id="OL5M",
                title="A Wizard of Earthsea",
                isbn10="0553383043",
                publisher="Bantam",
                publish_date="2004",
                language="en",
                format="Mass Market Paperback",
            ),
            CatalogEdition(
                id="OL6M",
                title="A Wizard of Earthsea",
                subtitle="Illustrated Edition",
                isbn13=EARTHSEA_979,
                publisher="Saga Press",
                publish_date="March 2022",
                language="en",
                format="Hardcover",
            ),
        ),
    )
    return Catalog([rowling, le_guin], [harry, earthsea])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return _catalog()


@pytest.fixture(scope="module")
def big_catalog() -> Catalog:
    """About 11,400 ISBNdb editions by one author: more than ISBNdb's 10,000-result ceiling."""
    return Catalog.synthetic(works=2000, editions_per_work=10)


@pytest.fixture(scope="module")
def big_fake(big_catalog: Catalog) -> FakeISBNdb:
    return FakeISBNdb(big_catalog)


@pytest.fixture(scope="module")
def mid_catalog() -> Catalog:
    """About 4,500 ISBNdb editions by one author."""
    return Catalog.synthetic(works=2000, editions_per_work=4)


@pytest.fixture(scope="module")
def mid_fake(mid_catalog: Catalog) -> FakeISBNdb:
    return FakeISBNdb(mid_catalog)


def _connect(mode: str, stack: ExitStack, fake: FakeISBNdb, **kwargs: Any) -> ISBNdb:
    kwargs.setdefault("api_key", KEY)
    kwargs.setdefault("rate", 1000.0)
    kwargs.setdefault("retry", RetryPolicy(attempts=1))
    if mode == "mock":
        kwargs.setdefault("base_url", "https://api2.isbndb.com")
        return ISBNdb(transport=fake.transport(), **kwargs)
    server = stack.enter_context(FakeServer(fake))
    return ISBNdb(base_url=server.urls["isbndb"], **kwargs)


@pytest.fixture(params=["mock", "loopback"])
def make(request: pytest.FixtureRequest) -> Iterator[Make]:
    """Builds an adapter talking to a fake, in-process or through the loopback server."""
    with ExitStack() as stack:
        yield lambda fake, **kwargs: _connect(request.param, stack, fake, **kwargs)


def _isbndb_editions(catalog: Catalog, author: str) -> set[str]:
    found: set[str] = set()
    for work, edition in catalog.editions():
        if "isbndb" in edition.providers and author in catalog.author_names(work):
            assert edition.isbn13 is not None
            found.add(edition.isbn13)
    return found


def _handler_transport(*answers: tuple[int, Any]) -> tuple[MockTransport, list[RawRequest]]:
    """A transport answering ``(status, json-or-text)`` in turn (the last one repeats)."""
    seen: list[RawRequest] = []

    def handler(request: RawRequest) -> RawResponse:
        status, body = answers[min(len(seen), len(answers) - 1)]
        seen.append(request)
        if isinstance(body, str):
            return RawResponse(status, text=body, headers={"Content-Type": "text/html"})
        return RawResponse(status, json=body)

    return MockTransport(handler), seen


def _adapter(transport: MockTransport, **kwargs: Any) -> ISBNdb:
    kwargs.setdefault("api_key", KEY)
    kwargs.setdefault("rate", 1000.0)
    kwargs.setdefault("retry", RetryPolicy(attempts=1))
    return ISBNdb(transport=transport, **kwargs)


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "url", "rate", "bulk", "quota"),
    [
        ("basic", "https://api2.isbndb.com", 1.0, 100, 7_500),
        ("premium", "https://api.premium.isbndb.com", 3.0, 1000, 15_000),
        ("pro", "https://api.pro.isbndb.com", 5.0, 1000, 30_000),
        ("enterprise", "https://api.enterprise.isbndb.com", 10.0, 1000, None),
        ("academic", "https://api2.isbndb.com", 1.0, 10, None),
    ],
)
def test_plan_defaults(plan: Any, url: str, rate: float, bulk: int, quota: int | None) -> None:
    adapter = ISBNdb(plan=plan, api_key=KEY)
    assert (adapter.plan, adapter.base_url, adapter.rate) == (plan, url, rate)
    assert (adapter.bulk_size, adapter.daily_quota) == (bulk, quota)


def test_default_plan_is_basic() -> None:
    adapter = ISBNdb(api_key=KEY)
    assert adapter.plan == "basic"
    assert adapter.base_url == "https://api2.isbndb.com"
    assert adapter.rate == 1.0


def test_plan_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKSTRACKER_ISBNDB_PLAN", "Premium")
    adapter = ISBNdb(api_key=KEY)
    assert (adapter.plan, adapter.base_url, adapter.rate) == (
        "premium",
        "https://api.premium.isbndb.com",
        3.0,
    )
    assert ISBNdb(plan="pro", api_key=KEY).plan == "pro"


def test_explicit_url_and_rate_win_over_plan() -> None:
    adapter = ISBNdb(plan="pro", api_key=KEY, base_url="http://127.0.0.1:9/isbndb/", rate=0.5)
    assert (adapter.base_url, adapter.rate, adapter.bulk_size) == (
        "http://127.0.0.1:9/isbndb",
        0.5,
        1000,
    )


def test_environment_url_and_rate_win_over_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKSTRACKER_ISBNDB_URL", "http://127.0.0.1:9/x")
    monkeypatch.setenv("BOOKSTRACKER_ISBNDB_RATE", "2")
    adapter = ISBNdb(plan="premium", api_key=KEY)
    assert (adapter.base_url, adapter.rate) == ("http://127.0.0.1:9/x", 2.0)


@pytest.mark.parametrize("plan", ["gold", ""])
def test_unknown_plan_is_refused(plan: str) -> None:
    with pytest.raises(ConfigurationError, match="unknown ISBNdb plan"):
        ISBNdb(plan=plan, api_key=KEY)  # type: ignore[arg-type]


def test_key_from_environment_enables(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not ISBNdb().enabled
    monkeypatch.setenv("BOOKSTRACKER_ISBNDB_API_KEY", "env-key")
    adapter = ISBNdb()
    assert adapter.enabled
    assert "env-key" not in repr(adapter)


def test_repr_hides_the_key() -> None:
    adapter = ISBNdb(api_key="sk-very-secret", plan="pro")
    assert repr(adapter) == (
        "ISBNdb(plan='pro', base_url='https://api.pro.isbndb.com', rate=5, api_key=[secure])"
    )


NO_KEY_CALLS: dict[str, Callable[[ISBNdb], Awaitable[Any]]] = {
    "book": lambda a: a.book(HP13),
    "editions": lambda a: a.editions([HP13]),
    "author_editions": lambda a: a.author_editions("J.K. Rowling"),
    "search_books": lambda a: a.search_books("harry"),
    "search": lambda a: a.search("harry"),
    "search_by": lambda a: a.search_by(text="harry"),
    "authors": lambda a: a.authors("rowling"),
    "key_info": lambda a: a.key_info(),
}


@pytest.mark.anyio
@pytest.mark.parametrize("operation", sorted(NO_KEY_CALLS))
async def test_without_key_every_operation_refuses_unsent(catalog: Catalog, operation: str) -> None:
    fake = FakeISBNdb(catalog)
    async with ISBNdb(transport=fake.transport(), api_key=None) as adapter:
        assert not adapter.enabled
        with pytest.raises(ConfigurationError) as caught:
            await NO_KEY_CALLS[operation](adapter)
    assert str(caught.value) == "ISBNdb needs an API key: set BOOKSTRACKER_ISBNDB_API_KEY"
    assert fake.count() == 0


# -- book ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_book_found(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        edition = await adapter.book(HP13)
    assert edition is not None
    assert edition.to_dict() == {
        "isbn13": HP13,
        "isbn10": "1338878921",
        "title": "Harry Potter and the Sorcerer's Stone",
        "authors": ["J.K. Rowling"],
        "publisher": "Scholastic",
        "published": "1998-09",
        "pages": 309,
        "language": "en",
        "format": "Paperback",
        "cover_url": "https://images.isbndb.com/covers/19044733482664.jpg",
        "work_key": None,
        "sources": ["isbndb"],
    }
    assert [(r.method, r.path, r.query) for r in fake.log] == [("GET", f"/book/{HP13}", ())]


@pytest.mark.anyio
async def test_book_by_hyphenated_isbn10_asks_for_isbn13(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        edition = await adapter.book("0-553-38304-3")
    assert edition is not None
    assert (edition.isbn13, edition.isbn10, edition.format) == (
        EARTHSEA13,
        "0553383043",
        "Mass Market Paperback",
    )
    assert fake.log[0].path == f"/book/{EARTHSEA13}"


@pytest.mark.anyio
async def test_book_unknown_or_not_on_isbndb_is_none(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        assert await adapter.book(HP_OL_ONLY13) is None
        assert await adapter.book("9780441172719") is None
    assert [r.status for r in fake.log] == [404, 404]


@pytest.mark.anyio
async def test_book_invalid_isbn_sends_nothing(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        with pytest.raises(InvalidISBN):
            await adapter.book("978-0-00-000000-0")
    assert fake.count() == 0


@pytest.mark.anyio
async def test_979_edition_and_subtitle(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        edition = await adapter.book(EARTHSEA_979)
    assert edition is not None
    assert (edition.isbn10, edition.subtitle, edition.published) == (
        None,
        "Illustrated Edition",
        "2022-03",
    )


# -- books (bulk) ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_books_keyed_by_isbn13_misses_absent(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        found = await adapter.editions(
            [HP13, "2-07-058462-3", HP_OL_ONLY13, "9780441172719", HP13, "0553383043"]
        )
    assert list(found) == [HP13, HP_FR13, EARTHSEA13]
    assert found[HP_FR13].language == "fr"
    assert fake.count() == 1
    assert json.loads(fake.log[0].body) == {
        "isbns": [HP13, HP_FR13, HP_OL_ONLY13, "9780441172719", EARTHSEA13]
    }
    assert fake.spent == 5


@pytest.mark.anyio
async def test_books_empty_input_sends_nothing(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        assert await adapter.editions([]) == {}
        with pytest.raises(InvalidISBN):
            await adapter.editions([HP13, "not an isbn"])
    assert fake.count() == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("mode", "plan", "requests"),
    [
        ("mock", "basic", 10),
        ("loopback", "basic", 10),
        ("mock", "premium", 1),
        ("loopback", "premium", 1),
        ("mock", "academic", 100),
    ],
)
async def test_bulk_of_1000_batches_by_plan(
    big_catalog: Catalog, mode: str, plan: Any, requests: int
) -> None:
    fake = FakeISBNdb(
        Catalog(big_catalog.authors, big_catalog.works[:110]), plan=plan, daily_quota=5000
    )
    isbns = list(dict.fromkeys(e.isbn13 for _, e in fake.catalog.editions() if e.isbn13))[:1000]
    wanted = {e.isbn13 for _, e in fake.catalog.editions() if "isbndb" in e.providers}
    assert len(set(isbns)) == 1000
    quota = LocalQuota("isbndb", 5000)
    with ExitStack() as stack:
        async with _connect(mode, stack, fake, plan=plan, quota=quota) as adapter:
            found = await adapter.editions(isbns)
    assert fake.count("/books") == requests
    assert {len(json.loads(r.body)["isbns"]) for r in fake.log} == {1000 // requests}
    assert set(found) == wanted & set(isbns)
    assert all(found[isbn].isbn13 == isbn for isbn in found)
    assert fake.spent == 1000
    assert await quota.remaining() == 4000


@pytest.mark.anyio
async def test_bulk_over_the_fakes_plan_cap_is_400(make: Make, big_catalog: Catalog) -> None:
    fake = FakeISBNdb(Catalog(big_catalog.authors, big_catalog.works[:20]), plan="basic")
    isbns = list(dict.fromkeys(e.isbn13 for _, e in fake.catalog.editions() if e.isbn13))[:150]
    async with make(fake, plan="premium") as adapter:
        with pytest.raises(ProviderHTTPError) as caught:
            await adapter.editions(isbns)
    assert caught.value.status == 400
    assert "100" in str(caught.value)
    assert fake.spent == 0


@pytest.mark.anyio
async def test_bulk_stops_on_quota_without_sending(make: Make, big_catalog: Catalog) -> None:
    fake = FakeISBNdb(Catalog(big_catalog.authors, big_catalog.works[:30]))
    isbns = list(dict.fromkeys(e.isbn13 for _, e in fake.catalog.editions() if e.isbn13))[:250]
    async with make(fake, quota=LocalQuota("isbndb", 150)) as adapter:
        with pytest.raises(QuotaExceeded):
            await adapter.editions(isbns)
    assert fake.spent <= 150


# -- author_editions ----------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["J.K. Rowling", "j.k._rowling", "Rowling, J. K."])
async def test_author_editions(make: Make, catalog: Catalog, name: str) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        page = await adapter.author_editions(name)
    assert {e.isbn13 for e in page.editions} == {HP13, HP_FR13, HP_AUDIO13}
    assert (page.total, page.complete, page.pages) == (3, True, 1)
    assert fake.log[0].query == (("page", "1"), ("pageSize", "1000"))
    formats = {e.isbn13: e.format for e in page.editions}
    assert formats[HP_AUDIO13] == "Audio"


@pytest.mark.anyio
async def test_author_editions_decodes_and_reads_with_the_collector_paused(
    make: Make, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, set[bool]] = {"decode": set(), "read": set()}

    def spy(name: str, original: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def wrapper(value: Any) -> Any:
            seen[name].add(gc.isenabled())
            return original(value)

        return wrapper

    monkeypatch.setattr(isbndb, "decode_book_list", spy("decode", isbndb.decode_book_list))
    monkeypatch.setattr(isbndb, "parse_book", spy("read", isbndb.parse_book))
    async with make(FakeISBNdb(catalog)) as adapter:
        page = await adapter.author_editions("J.K. Rowling")
    assert page.editions
    assert seen == {"decode": {False}, "read": {False}}
    assert gc.isenabled()


@pytest.mark.anyio
async def test_author_editions_language_filter(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        page = await adapter.author_editions("J.K. Rowling", language="French")
    assert [e.isbn13 for e in page.editions] == [HP_FR13]
    assert fake.log[0].param("language") == "fr"


@pytest.mark.anyio
async def test_unknown_author_is_empty_and_complete(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        page = await adapter.author_editions("Nobody Atall")
    assert (page.editions, page.total, page.complete, page.pages) == ((), 0, True, 1)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "empty"),
        ({"name": "x" * 151}, "150"),
        ({"name": "a", "page_size": 0}, "page_size"),
        ({"name": "a", "page_size": 1001}, "page_size"),
        ({"name": "a", "max_results": 0}, "max_results"),
        ({"name": "a", "language": "Klingonese"}, "language"),
    ],
)
async def test_author_editions_bad_input_sends_nothing(
    catalog: Catalog, kwargs: dict[str, Any], message: str
) -> None:
    fake = FakeISBNdb(catalog)
    async with _adapter(fake.transport()) as adapter:
        with pytest.raises(InvalidQuery, match=message):
            await adapter.author_editions(**kwargs)
    assert fake.count() == 0


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "with_total"), [("mock", True), ("loopback", False)])
async def test_author_paging_fetches_every_page(
    mid_catalog: Catalog, mid_fake: FakeISBNdb, mode: str, with_total: bool
) -> None:
    mid_fake.reset_log()
    mid_fake.author_total = with_total
    expected = _isbndb_editions(mid_catalog, "Prolific Author")
    assert 4000 < len(expected) < 5000
    with ExitStack() as stack:
        async with _connect(mode, stack, mid_fake) as adapter:
            page = await adapter.author_editions("Prolific Author")
    assert {e.isbn13 for e in page.editions} == expected
    assert page.complete
    assert page.total == (len(expected) if with_total else None)
    assert page.pages == mid_fake.count() == math.ceil(len(expected) / 1000)
    assert [r.param("page") for r in mid_fake.log] == [str(n) for n in range(1, page.pages + 1)]


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "with_total"), [("mock", True), ("loopback", False)])
async def test_author_paging_stops_at_the_10000_ceiling(
    big_catalog: Catalog, big_fake: FakeISBNdb, mode: str, with_total: bool
) -> None:
    big_fake.reset_log()
    big_fake.author_total = with_total
    expected = _isbndb_editions(big_catalog, "Prolific Author")
    assert len(expected) > 10_000
    with ExitStack() as stack:
        async with _connect(mode, stack, big_fake) as adapter:
            page = await adapter.author_editions("prolific_author")
    assert len(page.editions) == 10_000
    assert not page.complete
    assert page.total == (len(expected) if with_total else None)
    assert page.pages == big_fake.count() == 10


@pytest.mark.anyio
async def test_author_paging_with_small_pages_and_max_results(
    make: Make, mid_fake: FakeISBNdb
) -> None:
    mid_fake.reset_log()
    mid_fake.author_total = True
    async with make(mid_fake) as adapter:
        page = await adapter.author_editions("Prolific Author", page_size=400, max_results=1000)
    assert len(page.editions) == 1000
    assert not page.complete
    assert [r.param("pageSize") for r in mid_fake.log] == ["400", "400", "400"]


@pytest.mark.anyio
async def test_author_name_cannot_change_the_route(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        page = await adapter.author_editions("a/../b?x#y")
        names = await adapter.authors("..")
        hits = await adapter.search_books("../key")
    assert page.editions == ()
    assert names == []
    assert hits.editions == ()
    assert [(r.path, dict(r.query)) for r in fake.log] == [
        ("/author/a/../b?x#y", {"page": "1", "pageSize": "1000"}),
        ("/authors/..", {"page": "1", "pageSize": "20"}),
        ("/books/../key", {"page": "1", "pageSize": "20"}),
    ]
    assert [r.status for r in fake.log] == [200, 200, 200]


# -- search ----------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("envelope", ["books", "data", "indexed"])
async def test_search_books_every_envelope(make: Make, catalog: Catalog, envelope: Any) -> None:
    fake = FakeISBNdb(catalog, envelope=envelope)
    async with make(fake) as adapter:
        page = await adapter.search_books("wizard earthsea", column="title", page_size=1)
        second = await adapter.search_books("wizard earthsea", column="title", page=2, page_size=1)
    assert [e.isbn13 for e in page.editions + second.editions] == [EARTHSEA13, EARTHSEA_979]
    assert (page.total, page.complete, second.complete) == (2, False, True)
    assert dict(fake.log[1].query) == {"page": "2", "pageSize": "1", "column": "title"}


@pytest.mark.anyio
async def test_search_books_filters(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        by_author = await adapter.search_books("rowling", column="author")
        french = await adapter.search_books("harry", language="fr")
        dated = await adapter.search_books("harry", year=1998)
    assert {e.isbn13 for e in by_author.editions} == {HP13, HP_FR13, HP_AUDIO13}
    assert [e.isbn13 for e in french.editions] == [HP_FR13]
    assert [e.isbn13 for e in dated.editions] == [HP13]
    assert fake.log[1].param("language") == "fr"
    assert fake.log[2].param("year") == "1998"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "kwargs",
    [
        {"query": "x", "column": "isbn"},
        {"query": ""},
        {"query": "x", "page": 0},
        {"query": "x", "page_size": 5000},
        {"query": "x", "page": 11, "page_size": 1000},
    ],
)
async def test_search_books_bad_input_sends_nothing(
    catalog: Catalog, kwargs: dict[str, Any]
) -> None:
    fake = FakeISBNdb(catalog)
    async with _adapter(fake.transport()) as adapter:
        with pytest.raises(InvalidQuery):
            await adapter.search_books(**kwargs)
    assert fake.count() == 0


@pytest.mark.anyio
async def test_search_by_criteria(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        by_author = await adapter.search_by(author="Ursula K. Le Guin")
        by_isbn = await adapter.search_by(isbn="2-07-058462-3")
        by_text = await adapter.search_by(text="sorcerer's stone", publisher="Scholastic")
        with pytest.raises(InvalidQuery):
            await adapter.search_by()
    assert {e.isbn13 for e in by_author.editions} == {EARTHSEA13, EARTHSEA_979}
    assert [e.isbn13 for e in by_isbn.editions] == [HP_FR13]
    assert [e.isbn13 for e in by_text.editions] == [HP13]
    assert fake.log[1].param("isbn13") == HP_FR13
    assert fake.count() == 3


@pytest.mark.anyio
async def test_authors_names(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake) as adapter:
        assert await adapter.authors("rowling") == ["J.K. Rowling"]
        assert await adapter.authors("guin", page_size=5) == ["Ursula K. Le Guin"]
    assert fake.log[1].param("pageSize") == "5"


@pytest.mark.anyio
async def test_key_info_reports_spent_calls(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog, plan="premium", daily_quota=100)
    async with make(fake) as adapter:
        await adapter.book(HP13)
        await adapter.editions([HP13, HP_FR13])
        info = await adapter.key_info()
    assert info == {
        "api_host": "api.premium.isbndb.com",
        "plan_name": "Premium",
        "total": 100,
        "spent": 3,
        "left": 97,
    }


# -- errors ----------------------------------------------------------------------------------

FAULT_ERRORS: dict[FaultKind, type[ProviderError]] = {
    "500": ProviderHTTPError,
    "503": ProviderHTTPError,
    "hang": ProviderTimeout,
    "reset": ProviderUnavailable,
    "malformed": MalformedResponse,
    "html": MalformedResponse,
    "truncated": ProviderUnavailable,
}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_each_fault_kind_maps_to_its_error(
    make: Make, catalog: Catalog, kind: FaultKind
) -> None:
    fake = FakeISBNdb(catalog, faults=Faults.always(kind, hang_seconds=1.0))
    async with make(fake, timeout=0.2) as adapter:
        with pytest.raises(ProviderError) as caught:
            await adapter.book(HP13)
    assert type(caught.value) is FAULT_ERRORS[kind]
    assert caught.value.provider == "isbndb"
    if kind in ("500", "503"):
        assert caught.value.status == int(kind)


@pytest.mark.anyio
async def test_wrong_key_is_401_with_a_hint(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog, api_key="the-right-key")
    async with make(fake, api_key="sk-wrong-key-123") as adapter:
        with pytest.raises(ProviderHTTPError) as caught:
            await adapter.book(HP13)
    error = caught.value
    assert error.status == 401
    assert "BOOKSTRACKER_ISBNDB_PLAN matches your key's plan" in str(error)
    assert "sk-wrong-key-123" not in str(error) + repr(error) + str(error.url)


@pytest.mark.anyio
async def test_per_second_limit_is_rate_limited_not_quota(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog, rate_limit=0.01)
    async with make(fake) as adapter:
        assert await adapter.book(HP13) is not None
        with pytest.raises(RateLimited) as caught:
            await adapter.book(HP13)
    assert not isinstance(caught.value, QuotaExceeded)
    assert caught.value.status == 429
    assert "Limit Exceeded" in str(caught.value)


@pytest.mark.anyio
async def test_daily_limit_429_with_spent_tracker_is_quota(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog, daily_quota=2)
    quota = LocalQuota("isbndb", 3)  # the tracker thinks one more call fits; ISBNdb says no
    async with make(fake, quota=quota) as adapter:
        await adapter.book(HP13)
        await adapter.book(HP_FR13)
        with pytest.raises(QuotaExceeded):
            await adapter.book(HP13)
    assert fake.log[-1].status == 429


@pytest.mark.anyio
async def test_daily_limit_429_without_tracker_is_rate_limited(
    make: Make, catalog: Catalog
) -> None:
    fake = FakeISBNdb(catalog, daily_quota=1)
    async with make(fake) as adapter:
        await adapter.book(HP13)
        with pytest.raises(RateLimited) as caught:
            await adapter.book(HP13)
    assert not isinstance(caught.value, QuotaExceeded)


@pytest.mark.anyio
async def test_quota_404_with_spent_tracker_is_not_a_miss(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog, daily_quota=1, quota_404=True)
    async with make(fake, quota=LocalQuota("isbndb", 2)) as adapter:
        assert await adapter.book(HP13) is not None
        with pytest.raises(QuotaExceeded) as caught:
            await adapter.book(HP13)
    assert caught.value.status == 404
    assert fake.log[-1].status == 404


@pytest.mark.anyio
async def test_quota_404_without_tracker_reads_as_not_found(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog, daily_quota=1, quota_404=True)
    async with make(fake) as adapter:
        assert await adapter.book(HP13) is not None
        assert await adapter.book(HP13) is None


@pytest.mark.anyio
async def test_tracker_refuses_before_sending(make: Make, catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    async with make(fake, quota=LocalQuota("isbndb", 1)) as adapter:
        await adapter.book(HP13)
        with pytest.raises(QuotaExceeded):
            await adapter.book(HP13)
    assert fake.count() == 1


ERROR_BODIES: list[tuple[int, Any, type[ProviderError] | None, str]] = [
    (404, {"errorMessage": "Not Found"}, None, ""),
    (404, {}, None, ""),
    (404, {"errorMessage": "Daily Limit Exceeded"}, QuotaExceeded, "Daily Limit Exceeded"),
    (429, {"message": "Limit Exceeded"}, RateLimited, "Limit Exceeded"),
    (429, {"message": "Daily quota exceeded"}, QuotaExceeded, "Daily quota exceeded"),
    (401, {"message": "Unauthorized"}, ProviderHTTPError, "Unauthorized (check the key"),
    (403, {"message": "Access Denied"}, ProviderHTTPError, "Access Denied (check the key"),
    (403, {}, ProviderHTTPError, "access denied (check the key"),
    (400, {"errorMessage": "Bad request"}, ProviderHTTPError, "Bad request"),
    (400, {"error_message": "A", "errorMessage": "B", "message": "C"}, ProviderHTTPError, "A"),
    (500, {"message": "Response size limit exceeded"}, ProviderHTTPError, "smaller page_size"),
    (503, "<html><body>down</body></html>", ProviderHTTPError, "HTML error page"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "body", "error", "text"), ERROR_BODIES)
async def test_error_bodies(
    status: int, body: Any, error: type[ProviderError] | None, text: str
) -> None:
    transport, seen = _handler_transport((status, body))
    async with _adapter(transport) as adapter:
        if error is None:
            assert await adapter.book(HP13) is None
            return
        with pytest.raises(error) as caught:
            await adapter.book(HP13)
    assert type(caught.value) is error
    assert caught.value.status == status
    assert text in str(caught.value)
    assert len(seen) == 1


@pytest.mark.anyio
async def test_per_second_429_is_retried(catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    ok = fake.route(FakeRequest.from_url("GET", f"/book/{HP13}", headers={"Authorization": KEY}))
    transport, seen = _handler_transport(
        (429, {"message": "Limit Exceeded"}), (200, json.loads(ok.body))
    )
    retry = RetryPolicy(attempts=3, initial_wait=0.0, jitter=0.0)
    async with _adapter(transport, retry=retry) as adapter:
        edition = await adapter.book(HP13)
    assert edition is not None
    assert edition.isbn13 == HP13
    assert len(seen) == 2
    assert adapter.stats()["retries"] == 1


@pytest.mark.anyio
async def test_daily_quota_429_is_not_retried() -> None:
    transport, seen = _handler_transport((429, {"message": "Daily limit reached"}))
    quota = LocalQuota("isbndb", 100)
    retry = RetryPolicy(attempts=3, initial_wait=0.0, jitter=0.0)
    async with _adapter(transport, retry=retry, quota=quota) as adapter:
        with pytest.raises(QuotaExceeded):
            await adapter.book(HP13)
        with pytest.raises(QuotaExceeded):
            await adapter.book(HP13)
    assert len(seen) == 1
    assert await quota.remaining() == 0


@pytest.mark.anyio
async def test_legacy_shaped_200_is_malformed() -> None:
    transport, _ = _handler_transport((200, {"error": "Unable to locate 9781338878929"}))
    async with _adapter(transport) as adapter:
        with pytest.raises(MalformedResponse):
            await adapter.book(HP13)


# -- secrets ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_key_only_in_the_authorization_header(
    make: Make, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-live-0123456789abcdef"
    fake = FakeISBNdb(catalog, api_key=secret, faults=Faults(fail_first=1, kinds=("503",)))
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    async with make(fake, api_key=secret) as adapter:
        with pytest.raises(ProviderHTTPError) as caught:
            await adapter.book(HP13)
        errors.append(caught.value)
        await adapter.book(HP13)
        await adapter.editions([HP13])
        await adapter.author_editions("J.K. Rowling")
        await adapter.search_books("harry")
        await adapter.search_by(text="harry")
        await adapter.authors("rowling")
        await adapter.key_info()
        shown = repr(adapter) + json.dumps(adapter.stats(), default=str)
    assert [r.status for r in fake.log] == [503] + [200] * 7
    logged = " ".join(f"{r.path} {r.query} {r.body!r}" for r in fake.log)
    reported = " ".join(f"{e} {e!r} {getattr(e, 'url', '')}" for e in errors)
    for text in (logged, reported, shown, caplog.text):
        assert secret not in text


def test_fake_ignores_a_key_in_the_query_string(catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    for url in (f"/book/{HP13}?key={KEY}", f"/book/{HP13}?Authorization={KEY}"):
        response = fake.route(FakeRequest.from_url("GET", url))
        assert response.status == 401
    bearer = fake.route(
        FakeRequest.from_url("GET", f"/book/{HP13}", headers={"Authorization": f"Bearer {KEY}"})
    )
    assert bearer.status == 401


# -- the fake's wire format ------------------------------------------------------------------


def _get(fake: FakeISBNdb, url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": KEY}
    raw = b""
    if body is not None:
        raw = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    response = fake.route(FakeRequest.from_url(method, url, headers=headers, body=raw))
    return response.status, json.loads(response.body)


@pytest.mark.shared
def test_book_shape_matches_recorded_body(shared_fixtures: Path, catalog: Catalog) -> None:
    recorded = json.loads(
        (shared_fixtures / "isbndb" / "book_9781338878929_harry_potter.json").read_bytes()
    )
    status, body = _get(FakeISBNdb(catalog), f"/book/{HP13}")
    assert status == 200
    assert set(body) == set(recorded) == {"book"}
    assert set(recorded["book"]) <= set(body["book"]) <= SPEC_BOOK_FIELDS
    assert set(body["book"]["dimensions_structured"]) == set(
        recorded["book"]["dimensions_structured"]
    )
    assert body["book"]["msrp"] == "0.00"
    assert body["book"]["isbn"] == body["book"]["isbn10"]
    assert "<br/><br/>" in body["book"]["synopsis"]


# No recorded body exists for these endpoints: top-level keys are ISBNdb's documented ones
# (OpenAPI 2.7.x; "books" for /books/{query} as live clients read it), items are compared with
# the recorded {"book": …} body.
_PAGED = {"page", "page_size"}
LIST_SHAPES: list[tuple[dict[str, Any], str, str, set[str]]] = [
    ({}, "/books/harry", "books", {"total", "books", *_PAGED}),
    ({"envelope": "data"}, "/books/harry", "data", {"total", "data"}),
    ({"envelope": "indexed"}, "/books/harry", "books", {"total", "books", *_PAGED}),
    ({}, "/author/J.K. Rowling", "books", {"author", "name", "books", "total", *_PAGED}),
    (
        {"author_total": False},
        "/author/J.K. Rowling",
        "books",
        {"author", "name", "books", *_PAGED},
    ),
    ({}, "/search/books?author=J.K.%20Rowling", "data", {"total", "data", *_PAGED}),
]


@pytest.mark.shared
@pytest.mark.parametrize(("knobs", "url", "key", "top"), LIST_SHAPES)
def test_list_shapes(
    shared_fixtures: Path,
    catalog: Catalog,
    knobs: dict[str, Any],
    url: str,
    key: str,
    top: set[str],
) -> None:
    recorded = json.loads(
        (shared_fixtures / "isbndb" / "book_9781338878929_harry_potter.json").read_bytes()
    )["book"]
    status, body = _get(FakeISBNdb(catalog, **knobs), url)
    assert status == 200
    assert set(body) == top
    items = body[key]
    if knobs.get("envelope") == "indexed":
        assert list(items) == [str(i) for i in range(len(items))]
        items = list(items.values())
    full = next(item for item in items if item["isbn13"] == HP13)
    assert set(recorded) <= set(full) <= SPEC_BOOK_FIELDS
    assert all(set(item) <= SPEC_BOOK_FIELDS for item in items)


def test_bulk_key_and_authors_shapes(catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    status, bulk = _get(fake, "/books", "POST", {"isbns": [HP13, "9780441172719"]})
    assert status == 200
    assert set(bulk) == {"total", "requested", "data"}
    assert (bulk["total"], bulk["requested"]) == (1, 2)
    _, authors = _get(fake, "/authors/rowling")
    assert set(authors) == {"name", "authors", "total", "page", "page_size"}
    assert authors["authors"] == ["J.K. Rowling"]
    _, key = _get(fake, "/key")
    assert set(key) == {"api_host", "plan_name", "plan_limit"}
    assert set(key["plan_limit"]) == {"total", "spent", "left"}


def test_fake_accepts_form_encoded_bulk(catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    request = FakeRequest.from_url(
        "POST",
        "/books",
        headers={"Authorization": KEY, "Content-Type": "application/x-www-form-urlencoded"},
        body=f"isbns={HP13},{HP_FR13}".encode(),
    )
    body = json.loads(fake.route(request).body)
    assert [b["isbn13"] for b in body["data"]] == [HP13, HP_FR13]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/books/harry?pageSize=1001", 400),
        ("/books/harry?pageSize=0", 400),
        ("/books/harry?page=0", 400),
        ("/author/" + "x" * 151, 400),
        ("/books/harry?column=isbn", 400),
        ("/nowhere", 404),
        ("/search/books", 400),
    ],
)
def test_fake_refuses_bad_requests(catalog: Catalog, url: str, status: int) -> None:
    got, body = _get(FakeISBNdb(catalog), url)
    assert got == status
    assert body.get("errorMessage")


def test_fake_result_ceiling(mid_fake: FakeISBNdb) -> None:
    _, page11 = _get(mid_fake, "/books/prolific?page=11&pageSize=1000")
    _, page5 = _get(mid_fake, "/books/prolific?page=5&pageSize=1000")
    assert page11["books"] == []
    assert page11["total"] == page5["total"] > 4000


def test_fake_quota_counts_per_isbn_and_answers_429(catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog, daily_quota=3)
    assert _get(fake, "/books", "POST", {"isbns": [HP13, HP_FR13]})[0] == 200
    assert _get(fake, "/key")[0] == 200
    assert fake.spent == 2
    assert _get(fake, "/books", "POST", {"isbns": [HP13, HP_FR13]}) == (
        429,
        {"message": "Limit Exceeded"},
    )
    assert _get(fake, f"/book/{HP13}")[0] == 200
    assert _get(fake, f"/book/{HP13}") == (429, {"message": "Limit Exceeded"})
    assert fake.quota_left == 0


def test_fake_never_serves_ground_truth(catalog: Catalog) -> None:
    fake = FakeISBNdb(catalog)
    bodies = [
        _get(fake, f"/book/{HP13}")[1],
        _get(fake, "/author/J.K. Rowling")[1],
        _get(fake, "/books/harry")[1],
    ]
    text = json.dumps(bodies)
    assert "hidden note" not in text
    assert '"truth' not in text
    assert '"note"' not in text
