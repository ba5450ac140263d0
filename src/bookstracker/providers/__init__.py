"""Provider adapters: one module per provider; ``contract`` says what each must do,
``base`` holds what they share and ``registry`` which exist.

The names below are imported on first use, so that the contract can be imported without
loading every adapter (and httpx).
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from bookstracker._lazy import lazy_exports as _lazy_exports

if _TYPE_CHECKING:
    from bookstracker.providers.base import ProviderAdapter
    from bookstracker.providers.contract import (
        Capability,
        EditionPage,
        Provider,
        SearchPage,
        UnsupportedOperation,
    )
    from bookstracker.providers.googlebooks import GoogleBooks
    from bookstracker.providers.isbndb import ISBNdb
    from bookstracker.providers.openlibrary import OpenLibrary

_EXPORTS = {
    "Capability": "bookstracker.providers.contract",
    "EditionPage": "bookstracker.providers.contract",
    "GoogleBooks": "bookstracker.providers.googlebooks",
    "ISBNdb": "bookstracker.providers.isbndb",
    "OpenLibrary": "bookstracker.providers.openlibrary",
    "Provider": "bookstracker.providers.contract",
    "ProviderAdapter": "bookstracker.providers.base",
    "SearchPage": "bookstracker.providers.contract",
    "UnsupportedOperation": "bookstracker.providers.contract",
}


def __getattr__(name: str) -> _Any:
    return _load(name)


def __dir__() -> list[str]:
    return _listing()


__all__ = [
    "Capability",
    "EditionPage",
    "GoogleBooks",
    "ISBNdb",
    "OpenLibrary",
    "Provider",
    "ProviderAdapter",
    "SearchPage",
    "UnsupportedOperation",
]

_load, _listing = _lazy_exports("bookstracker.providers", _EXPORTS, globals(), __all__)
