"""The synchronous client: in a script, inside a running event loop (a Jupyter cell, an async
test), from other threads, and closed properly.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bookstracker import (
    AllProvidersFailed,
    AsyncBooksClient,
    BooksClient,
    ConfigurationError,
    Edition,
    GoogleBooks,
    InvalidISBN,
    InvalidQuery,
    ISBNdb,
    OpenLibrary,
)
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary, Faults

KEY = "test-key"


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "bookstracker-loop"]


@pytest.fixture
def books() -> Iterator[BooksClient]:
    with BooksClient(offline=True, cache=None) as client:
        yield client


def test_in_a_plain_script(books: BooksClient) -> None:
    bib = books.author("Andy Weir")
    assert len(bib.works) == 7
    assert books.search("the martian").hits[0].title == "The Martian"
    edition = books.isbn("0553418025")
    assert isinstance(edition, Edition)
    assert edition.title == "The Martian"
    assert books.isbns(["0553418025", "123"]).invalid == ("123",)
    assert books.completeness("Andy Weir").complete


@pytest.mark.anyio
async def test_inside_a_running_event_loop() -> None:
    asyncio.get_running_loop()
    with BooksClient(offline=True, cache=None) as books:
        bib = books.author("Andy Weir")
        result = books.search("project hail mary")
        edition = books.isbn("9780553418026")
    assert len(bib.works) == 7
    assert result.hits[0].title == "Project Hail Mary"
    assert edition is not None
    assert edition.work_key == "OL17091839W"


def test_inside_asyncio_run() -> None:
    async def cell() -> int:
        with BooksClient(offline=True, cache=None) as books:
            return len(books.author("Andy Weir").works)

    assert asyncio.run(cell()) == 7


def test_from_another_thread() -> None:
    found: list[object] = []

    def work() -> None:
        with BooksClient(offline=True, cache=None) as books:
            found.append(len(books.author("Andy Weir").works))
            found.append(books.search("artemis").hits[0].title)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    assert found == [7, "Artemis"]


def test_one_client_shared_by_many_threads(books: BooksClient) -> None:
    queries = ["the martian", "artemis", "project hail mary", "cloud atlas"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        titles = list(pool.map(lambda q: books.search(q).hits[0].title, queries))
    assert titles == ["The Martian", "Artemis", "Project Hail Mary", "Cloud Atlas"] * 3


def test_errors_cross_the_thread_as_themselves(books: BooksClient) -> None:
    with pytest.raises(InvalidQuery):
        books.search("ab")
    with pytest.raises(InvalidISBN):
        books.isbn("9780553418027")
    with pytest.raises(InvalidQuery):
        books.author("")
    assert all(len(fake.log) == 0 for fake in books.async_client.fakes.values())


def test_every_provider_failing_raises_all_providers_failed() -> None:
    once = RetryPolicy(attempts=1)
    with (
        BooksClient(
            openlibrary=OpenLibrary(
                transport=FakeOpenLibrary(faults=Faults.always("503")).transport(), retry=once
            ),
            googlebooks=GoogleBooks(
                transport=FakeGoogleBooks(faults=Faults.always("503")).transport(), retry=once
            ),
            isbndb=ISBNdb(
                api_key=KEY,
                transport=FakeISBNdb(api_key=KEY, faults=Faults.always("503")).transport(),
                retry=once,
            ),
            cache=None,
        ) as books,
        pytest.raises(AllProvidersFailed),
    ):
        books.search("the martian")


def test_close_stops_the_loop_thread_and_refuses_further_calls() -> None:
    before = len(_loop_threads())
    books = BooksClient(offline=True, cache=None)
    assert len(_loop_threads()) == before + 1
    books.close()
    books.close()
    assert len(_loop_threads()) == before
    with pytest.raises(RuntimeError, match="closed"):
        books.search("the martian")


def test_a_bad_setting_raises_and_leaves_no_thread_behind() -> None:
    before = len(_loop_threads())
    with pytest.raises(ConfigurationError):
        BooksClient(providers="openlibrary,nosuch", cache=None)
    assert len(_loop_threads()) == before


def test_repr_names_the_mode_and_providers(books: BooksClient) -> None:
    assert repr(books) == (
        "BooksClient(offline, providers=['openlibrary', 'googlebooks', 'isbndb'])"
    )


@pytest.mark.parametrize(
    "method",
    [
        "__init__",
        "search",
        "isbn",
        "isbns",
        "author",
        "completeness",
        "stats",
        "clear_cache",
        "warm",
    ],
)
def test_the_sync_client_spells_out_the_async_signatures(method: str) -> None:
    """Same parameters, kinds, defaults and annotations: help() and IDEs show them."""
    sync = inspect.signature(getattr(BooksClient, method))
    async_ = inspect.signature(getattr(AsyncBooksClient, method))
    assert list(sync.parameters.values()) == list(async_.parameters.values())
    if method != "__init__":
        assert sync.return_annotation == async_.return_annotation
    assert all(p.kind is not p.VAR_KEYWORD for p in sync.parameters.values())
