"""Which providers exist: a name and a source → how to build its adapter from a config.

A new provider is its module plus one :func:`register` call (or one line in ``_BUILT_IN``);
another source of a provider's answers (OpenLibrary's dump mirror) is one more registration
under the provider's name, chosen by the config's ``source``. The built-in adapters are
imported only when first built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

import attrs

from bookstracker.config import ProviderConfig
from bookstracker.errors import ConfigurationError
from bookstracker.providers.contract import Provider
from bookstracker.resilience.shared import SharedLimits

if TYPE_CHECKING:
    from bookstracker._http import AsyncBaseTransport

__all__ = ["API", "AdapterParts", "ProviderFactory", "create", "register", "registered"]


@attrs.frozen(kw_only=True)
class AdapterParts:
    """What the builder hands an adapter besides its config."""

    transport: AsyncBaseTransport | None = None
    shared_limits: SharedLimits | None = None


ProviderFactory = Callable[[ProviderConfig, AdapterParts], Provider]

API: Final = "api"
"""The source every provider has: its own API."""

_BUILT_IN: Final[Mapping[tuple[str, str], str]] = {
    ("openlibrary", API): "bookstracker.providers.openlibrary:OpenLibrary",
    ("openlibrary", "mirror"): "bookstracker.providers.openlibrary_mirror:mirror_adapter",
    ("openlibrary", "mirror-first"): "bookstracker.providers.openlibrary_mirror:mirror_adapter",
    ("googlebooks", API): "bookstracker.providers.googlebooks:GoogleBooks",
    ("isbndb", API): "bookstracker.providers.isbndb:ISBNdb",
}
_registered: dict[tuple[str, str], ProviderFactory] = {}


def register(name: str, factory: ProviderFactory, *, source: str = API) -> None:
    """Make ``name`` buildable from ``source``: ``factory(config, parts)`` returns the adapter
    for a config whose ``source`` is that one."""
    _registered[name, source] = factory


def registered() -> tuple[str, ...]:
    """Every provider name that can be built."""
    return tuple(dict.fromkeys(name for name, _ in [*_BUILT_IN, *_registered]))


def _built_in(path: str) -> ProviderFactory:
    module, _, name = path.partition(":")
    adapter = getattr(importlib.import_module(module), name)

    def build(config: ProviderConfig, parts: AdapterParts) -> Provider:
        built: Provider = adapter(
            config, transport=parts.transport, shared_limits=parts.shared_limits
        )
        return built

    return build


def create(name: str, config: ProviderConfig, parts: AdapterParts | None = None) -> Provider:
    """The adapter for ``name`` and ``config.source``; ``ConfigurationError`` when nothing is
    registered by them."""
    key = (name, config.source)
    factory = _registered.get(key)
    if factory is None:
        path = _BUILT_IN.get(key)
        if path is None:
            sources = [s for n, s in [*_BUILT_IN, *_registered] if n == name]
            if not sources:
                raise ConfigurationError(f"no provider is registered as {name!r}")
            raise ConfigurationError(
                f"{name} has no source {config.source!r}: choose {', '.join(sources)}"
            )
        factory = _built_in(path)
    return factory(config, parts or AdapterParts())
