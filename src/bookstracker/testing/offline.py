"""Offline mode: the three adapters over the fakes serving the bundled sample catalog.

The client's builder asks for this when ``offline=True``; nothing here is used otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from bookstracker.config import ProviderConfig, Settings
from bookstracker.providers.contract import Provider
from bookstracker.providers.registry import AdapterParts, create
from bookstracker.testing._fake import FakeProvider
from bookstracker.testing.fake_googlebooks import FakeGoogleBooks
from bookstracker.testing.fake_isbndb import FakeISBNdb
from bookstracker.testing.fake_openlibrary import FakeOpenLibrary

__all__ = ["OFFLINE_ISBNDB_KEY", "OFFLINE_RATE", "offline_providers"]

OFFLINE_RATE = 1000.0
OFFLINE_ISBNDB_KEY = "offline-sample-catalog"

_FAKES: Mapping[str, tuple[Callable[[], FakeProvider], str, str | None]] = {
    "openlibrary": (FakeOpenLibrary, "https://openlibrary.org", None),
    "googlebooks": (FakeGoogleBooks, "https://www.googleapis.com/books/v1", None),
    "isbndb": (
        lambda: FakeISBNdb(api_key=OFFLINE_ISBNDB_KEY),
        "https://api2.isbndb.com",
        OFFLINE_ISBNDB_KEY,
    ),
}


def offline_providers(
    settings: Settings, names: tuple[str, ...]
) -> tuple[dict[str, Provider], dict[str, FakeProvider]]:
    """Adapters for ``names`` over in-process fakes, and the fakes (with their request logs)."""
    providers: dict[str, Provider] = {}
    fakes: dict[str, FakeProvider] = {}
    for name in names:
        make, url, key = _FAKES[name]
        fake = make()
        config: ProviderConfig = attrs.evolve(
            settings.provider(name), base_url=url, api_key=key, rate=OFFLINE_RATE
        )
        parts = AdapterParts(transport=fake.in_process_transport())
        providers[name] = create(name, config, parts)
        fakes[name] = fake
    return providers, fakes
