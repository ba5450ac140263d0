"""Provider adapters: one module per provider; ``contract`` says what each must do,
``base`` holds what they share and ``registry`` which exist."""

from bookstracker.providers.base import EditionPage, Provider, ProviderAdapter, SearchPage
from bookstracker.providers.contract import Capability, UnsupportedOperation
from bookstracker.providers.googlebooks import GoogleBooks
from bookstracker.providers.isbndb import ISBNdb
from bookstracker.providers.openlibrary import OpenLibrary

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
