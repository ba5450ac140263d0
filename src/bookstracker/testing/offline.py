"""Offline mode: the three adapters over the fakes serving the bundled sample catalog.

The client's builder asks for this when ``offline=True``; nothing here is used otherwise. A fake
(and the sample catalog behind it) is made when its adapter sends its first request, or when
the fake itself is asked for: an answer read from the cache needs none.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from bookstracker._http import InProcessTransport
from bookstracker.config import ProviderConfig, Settings
from bookstracker.providers.contract import Provider
from bookstracker.providers.registry import AdapterParts, create

if TYPE_CHECKING:
    from bookstracker.testing._fake import FakeProvider

__all__ = ["OFFLINE_ISBNDB_KEY", "OFFLINE_RATE", "offline_providers"]

OFFLINE_RATE = math.inf
"""The fakes answer in-process: no pacing (and no limiter is made)."""
OFFLINE_ISBNDB_KEY = "offline-sample-catalog"

_FAKES: Mapping[str, tuple[str, str, str | None]] = {
    "openlibrary": (
        "bookstracker.testing.fake_openlibrary:FakeOpenLibrary",
        "https://openlibrary.org",
        None,
    ),
    "googlebooks": (
        "bookstracker.testing.fake_googlebooks:FakeGoogleBooks",
        "https://www.googleapis.com/books/v1",
        None,
    ),
    "isbndb": (
        "bookstracker.testing.fake_isbndb:FakeISBNdb",
        "https://api2.isbndb.com",
        OFFLINE_ISBNDB_KEY,
    ),
}


class _OnFirstUse(InProcessTransport):
    """The in-process transport of one fake, made (its module imported) when first needed."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._fake: FakeProvider | None = None
        self._transport: InProcessTransport | None = None

    @property
    def fake(self) -> FakeProvider:
        if self._fake is None:
            path, _, key = _FAKES[self._name]
            module, _, attribute = path.partition(":")
            kind = getattr(importlib.import_module(module), attribute)
            self._fake = kind(api_key=key) if key is not None else kind()
        return self._fake

    async def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        if self._transport is None:
            self._transport = self.fake.in_process_transport()
        return await self._transport.handle(method, url, headers, body)


class _Fakes(Mapping[str, "FakeProvider"]):
    """The fakes by provider name, each made when first looked up."""

    def __init__(self, transports: Mapping[str, _OnFirstUse]) -> None:
        self._transports = dict(transports)

    def __getitem__(self, name: str) -> FakeProvider:
        return self._transports[name].fake

    def __iter__(self) -> Iterator[str]:
        return iter(self._transports)

    def __len__(self) -> int:
        return len(self._transports)


def offline_providers(
    settings: Settings, names: tuple[str, ...]
) -> tuple[dict[str, Provider], Mapping[str, FakeProvider]]:
    """Adapters for ``names`` over in-process fakes, and the fakes (with their request logs)."""
    providers: dict[str, Provider] = {}
    transports: dict[str, _OnFirstUse] = {}
    for name in names:
        _, url, key = _FAKES[name]
        transport = transports[name] = _OnFirstUse(name)
        config: ProviderConfig = attrs.evolve(
            settings.provider(name), base_url=url, api_key=key, rate=OFFLINE_RATE
        )
        providers[name] = create(name, config, AdapterParts(transport=transport))
    return providers, _Fakes(transports)
