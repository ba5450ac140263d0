"""The public surface: ``bookstracker.__all__`` pinned, and API keys kept out of every repr,
error message and error URL."""

from __future__ import annotations

import json
import logging
import types
from collections.abc import Iterator

import pytest
import stamina

import bookstracker
from bookstracker import (
    AsyncBooksClient,
    BooksClient,
    GoogleBooks,
    ISBNdb,
    OpenLibrary,
    ProviderError,
)
from bookstracker.errors import error_summary
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import (
    FakeGoogleBooks,
    FakeISBNdb,
    FakeOpenLibrary,
    FakeServer,
    FaultKind,
    Faults,
)

SECRET = "sekrit"

EXPORTED = [
    "UNSET",
    "AllProvidersFailed",
    "AsyncBooksClient",
    "Author",
    "AuthorCandidate",
    "Bibliography",
    "BooksClient",
    "BooksTrackerError",
    "CacheError",
    "CircuitOpen",
    "Completeness",
    "CompletenessScorer",
    "ConfigurationError",
    "DeadlineExceeded",
    "DiskCache",
    "Edition",
    "EnhancementPipeline",
    "Exclusion",
    "GoogleBooks",
    "ISBNdb",
    "InvalidISBN",
    "InvalidInput",
    "InvalidQuery",
    "IsbnResults",
    "MalformedResponse",
    "MemoryCache",
    "NotFound",
    "OpenLibrary",
    "ParallelSearcher",
    "ProviderError",
    "ProviderHTTPError",
    "ProviderReport",
    "ProviderTimeout",
    "ProviderUnavailable",
    "QuotaExceeded",
    "RateLimited",
    "RedisCache",
    "SearchHit",
    "SearchResult",
    "Stats",
    "TieredCache",
    "UnsafeCacheDirectory",
    "WarmProgress",
    "WarmReport",
    "Work",
    "__version__",
    "opentelemetry_hook",
    "set_event_hook",
    "structlog_hook",
]

CONTRACT_NAMES = {
    "AsyncBooksClient",
    "BooksClient",
    "OpenLibrary",
    "GoogleBooks",
    "ISBNdb",
    "ParallelSearcher",
    "EnhancementPipeline",
    "CompletenessScorer",
    "MemoryCache",
    "DiskCache",
    "RedisCache",
    "TieredCache",
    "Author",
    "Work",
    "Edition",
    "Bibliography",
    "SearchResult",
    "ProviderReport",
    "Completeness",
    "BooksTrackerError",
    "InvalidISBN",
    "InvalidQuery",
    "ProviderError",
    "RateLimited",
    "NotFound",
}

# Names in the package namespace that are not part of the API (none: helpers are private).
NOT_EXPORTED: set[str] = set()


def _isort_order(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then everything else."""
    if name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@pytest.fixture(autouse=True)
def _no_retry_sleeps() -> Iterator[None]:
    with stamina.set_testing(True, attempts=1):
        yield


# -- __all__ ------------------------------------------------------------------------------------


def test_all_is_pinned() -> None:
    assert bookstracker.__all__ == EXPORTED


def test_all_is_sorted() -> None:
    assert bookstracker.__all__ == sorted(bookstracker.__all__, key=_isort_order)
    assert len(set(bookstracker.__all__)) == len(bookstracker.__all__)


def test_every_exported_name_is_importable() -> None:
    namespace: dict[str, object] = {}
    exec("from bookstracker import *", namespace)
    for name in bookstracker.__all__:
        assert getattr(bookstracker, name) is not None, name
        assert name in namespace, name


def test_every_public_name_is_exported() -> None:
    for name in bookstracker.__all__:  # the names are loaded on first use
        getattr(bookstracker, name)
    public = {
        name
        for name, value in vars(bookstracker).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - NOT_EXPORTED == set(bookstracker.__all__) - {"__version__"}


def test_the_contract_names_are_exported() -> None:
    assert set(bookstracker.__all__) >= CONTRACT_NAMES


def test_every_error_is_a_books_tracker_error() -> None:
    for name in bookstracker.__all__:
        value = getattr(bookstracker, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, bookstracker.BooksTrackerError), name
    assert issubclass(bookstracker.InvalidISBN, ValueError)
    assert issubclass(bookstracker.NotFound, LookupError)


def test_version_is_a_string() -> None:
    assert isinstance(bookstracker.__version__, str)
    assert bookstracker.__version__


# -- secrets in reprs ---------------------------------------------------------------------------


def test_adapter_reprs_never_show_the_key() -> None:
    for adapter in (ISBNdb(api_key=SECRET), GoogleBooks(api_key=SECRET)):
        for text in (repr(adapter), str(adapter), repr(adapter.policy)):
            assert SECRET not in text
        assert adapter.has_api_key
        assert "[secure]" in repr(adapter)


@pytest.mark.anyio
async def test_async_client_repr_never_shows_the_keys() -> None:
    async with AsyncBooksClient(
        googlebooks=GoogleBooks(api_key=SECRET), isbndb=ISBNdb(api_key=SECRET), cache=None
    ) as client:
        assert SECRET not in repr(client)
        assert SECRET not in str(client)
        assert all(SECRET not in repr(a) for a in client.adapters.values())


def test_client_reprs_never_show_keys_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOOKSTRACKER_ISBNDB_API_KEY", SECRET)
    monkeypatch.setenv("BOOKSTRACKER_GOOGLEBOOKS_API_KEY", SECRET)
    with BooksClient(cache=None) as books:
        assert SECRET not in repr(books)
        assert SECRET not in repr(books.async_client)
        assert all(SECRET not in repr(a) for a in books.async_client.adapters.values())
        assert books.async_client.adapters["isbndb"].has_api_key


def test_sync_client_repr_never_shows_the_keys() -> None:
    with BooksClient(
        googlebooks=GoogleBooks(api_key=SECRET), isbndb=ISBNdb(api_key=SECRET), cache=None
    ) as books:
        assert SECRET not in repr(books)
        assert SECRET not in str(books)


# -- secrets in errors --------------------------------------------------------------------------


def _assert_clean(exc: ProviderError) -> None:
    for text in (str(exc), repr(exc), exc.describe(), error_summary(exc), exc.url or ""):
        assert SECRET not in text, text


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["500", "503", "html", "malformed", "reset", "truncated"])
async def test_google_errors_never_show_the_key(kind: FaultKind) -> None:
    fake = FakeGoogleBooks(faults=Faults.always(kind))
    async with GoogleBooks(
        api_key=SECRET, transport=fake.transport(), retry=RetryPolicy(attempts=1)
    ) as google:
        with pytest.raises(ProviderError) as caught:
            await google.search("the martian")
    assert fake.log[0].param("key") == SECRET
    _assert_clean(caught.value)
    if caught.value.url is not None:
        assert "key=%5Bsecure%5D" in caught.value.url or "key=[secure]" in caught.value.url


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["500", "html", "malformed", "reset"])
async def test_isbndb_errors_never_show_the_key(kind: FaultKind) -> None:
    fake = FakeISBNdb(api_key=SECRET, faults=Faults.always(kind))
    async with ISBNdb(
        api_key=SECRET, transport=fake.transport(), retry=RetryPolicy(attempts=1)
    ) as isbndb:
        with pytest.raises(ProviderError) as caught:
            await isbndb.editions(["9780553418026"])
    _assert_clean(caught.value)


@pytest.mark.anyio
async def test_a_refused_isbndb_key_is_not_repeated_back() -> None:
    fake = FakeISBNdb(api_key="the-right-one")
    async with ISBNdb(
        api_key=SECRET, transport=fake.transport(), retry=RetryPolicy(attempts=1)
    ) as isbndb:
        with pytest.raises(ProviderError) as caught:
            await isbndb.search_books("the martian")
    assert caught.value.status == 401
    _assert_clean(caught.value)


@pytest.mark.anyio
async def test_errors_over_loopback_never_show_the_key() -> None:
    google, isbndb = (
        FakeGoogleBooks(faults=Faults.always("503")),
        FakeISBNdb(api_key=SECRET, faults=Faults.always("500")),
    )
    with FakeServer(FakeOpenLibrary(), google, isbndb) as server:
        async with (
            GoogleBooks(
                api_key=SECRET, base_url=server.urls["googlebooks"], retry=RetryPolicy(attempts=1)
            ) as google_adapter,
            ISBNdb(
                api_key=SECRET, base_url=server.urls["isbndb"], retry=RetryPolicy(attempts=1)
            ) as isbndb_adapter,
        ):
            with pytest.raises(ProviderError) as from_google:
                await google_adapter.editions(["9780553418026"])
            with pytest.raises(ProviderError) as from_isbndb:
                await isbndb_adapter.book("9780553418026")
    _assert_clean(from_google.value)
    _assert_clean(from_isbndb.value)
    assert from_google.value.url is not None
    assert from_google.value.url.startswith("http://127.0.0.1:")


@pytest.mark.anyio
async def test_reports_documents_and_logs_never_show_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    google = FakeGoogleBooks(faults=Faults.always("500"))
    isbndb = FakeISBNdb(api_key=SECRET)
    once = RetryPolicy(attempts=1)
    caplog.set_level(logging.DEBUG)
    async with AsyncBooksClient(
        openlibrary=OpenLibrary(transport=FakeOpenLibrary().transport(), retry=once, rate=1000),
        googlebooks=GoogleBooks(
            api_key=SECRET, transport=google.transport(), retry=once, rate=1000
        ),
        isbndb=ISBNdb(api_key=SECRET, transport=isbndb.transport(), retry=once, rate=1000),
        cache=None,
    ) as client:
        result = await client.search("the martian")
        bib = await client.author("Andy Weir")
    assert result.providers["googlebooks"].status == "error"
    assert result.providers["isbndb"].status == "ok"
    for document in (result.to_dict(), bib.to_dict(), bib.to_cache_dict()):
        assert SECRET not in json.dumps(document)
    for record in caplog.records:
        assert SECRET not in record.getMessage()


def test_the_version_is_the_installed_distributions_version() -> None:
    from importlib.metadata import version

    assert bookstracker.__version__ == version("bookstracker")
