"""Fake OpenLibrary, Google Books and ISBNdb providers for your tests (and ``--offline``).

Each fake answers in its provider's real wire format from a :class:`Catalog` (the bundled
:func:`sample_catalog` by default), in-process over ``httpx.MockTransport``::

    fake = FakeOpenLibrary()
    async with OpenLibrary(transport=fake.transport()) as ol:
        works = await ol.author_works("OL7234434A")
    assert fake.count("/authors/") == 1

or over real HTTP on loopback, with :class:`FakeServer` (``python -m bookstracker.testing serve``)::

    with FakeServer(FakeOpenLibrary(), FakeGoogleBooks(), FakeISBNdb()) as server:
        client = AsyncBooksClient(openlibrary=OpenLibrary(base_url=server.urls["openlibrary"]), ...)

Latency (``latency=``, ``jitter=``), a requests-per-second limit answered with the provider's real
429 (``rate_limit=``), faults (``faults=Faults(rate=0.2, kinds=("503", "hang"))``) and the request
log (``fake.log``, ``fake.count(prefix)``) are set per fake. See docs/testing.md.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from bookstracker._lazy import lazy_exports as _lazy_exports

if _TYPE_CHECKING:
    from bookstracker.testing._fake import (
        FAULT_KINDS,
        FakeProvider,
        FakeRequest,
        FakeResponse,
        FaultKind,
        Faults,
        LoggedRequest,
    )
    from bookstracker.testing._server import FakeServer
    from bookstracker.testing.catalog import (
        Catalog,
        CatalogAuthor,
        CatalogEdition,
        CatalogWork,
        sample_catalog,
    )
    from bookstracker.testing.fake_googlebooks import FakeGoogleBooks
    from bookstracker.testing.fake_isbndb import FakeISBNdb
    from bookstracker.testing.fake_openlibrary import FakeOpenLibrary

# Loaded on first use, so that offline mode (``bookstracker.testing.offline``) imports only the
# fakes and the catalog, not the loopback server.
_EXPORTS = {
    "Catalog": "bookstracker.testing.catalog",
    "CatalogAuthor": "bookstracker.testing.catalog",
    "CatalogEdition": "bookstracker.testing.catalog",
    "CatalogWork": "bookstracker.testing.catalog",
    "FAULT_KINDS": "bookstracker.testing._fake",
    "FakeGoogleBooks": "bookstracker.testing.fake_googlebooks",
    "FakeISBNdb": "bookstracker.testing.fake_isbndb",
    "FakeOpenLibrary": "bookstracker.testing.fake_openlibrary",
    "FakeProvider": "bookstracker.testing._fake",
    "FakeRequest": "bookstracker.testing._fake",
    "FakeResponse": "bookstracker.testing._fake",
    "FakeServer": "bookstracker.testing._server",
    "FaultKind": "bookstracker.testing._fake",
    "Faults": "bookstracker.testing._fake",
    "LoggedRequest": "bookstracker.testing._fake",
    "sample_catalog": "bookstracker.testing.catalog",
}


def __getattr__(name: str) -> _Any:
    return _load(name)


def __dir__() -> list[str]:
    return _listing()


__all__ = [
    "FAULT_KINDS",
    "Catalog",
    "CatalogAuthor",
    "CatalogEdition",
    "CatalogWork",
    "FakeGoogleBooks",
    "FakeISBNdb",
    "FakeOpenLibrary",
    "FakeProvider",
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "FaultKind",
    "Faults",
    "LoggedRequest",
    "sample_catalog",
]

_load, _listing = _lazy_exports("bookstracker.testing", _EXPORTS, globals(), __all__)
