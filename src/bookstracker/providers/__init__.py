"""Provider adapters: one module per provider; ``contract`` says what each must do,
``base`` holds what they share and ``registry`` which exist.

The names below are imported on first use, so that the contract can be imported without
loading every adapter (and httpx).
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

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
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bookstracker.providers' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
