"""Provider adapters: one module per provider; ``base`` holds what they share."""

from bookstracker.providers.base import EditionPage, Provider, ProviderAdapter, SearchPage
from bookstracker.providers.googlebooks import GoogleBooks
from bookstracker.providers.isbndb import ISBNdb
from bookstracker.providers.openlibrary import OpenLibrary

__all__ = [
    "EditionPage",
    "GoogleBooks",
    "ISBNdb",
    "OpenLibrary",
    "Provider",
    "ProviderAdapter",
    "SearchPage",
]
