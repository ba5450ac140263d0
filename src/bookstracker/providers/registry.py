"""Which providers exist: a name → how to build its adapter from a config.

A new provider is its module plus one :func:`register` call (or one line in ``_BUILT_IN``).
The built-in adapters are imported only when first built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from bookstracker.config import ProviderConfig
from bookstracker.errors import ConfigurationError
from bookstracker.providers.contract import Provider
from bookstracker.resilience.shared import SharedLimits

if TYPE_CHECKING:
    from bookstracker._http import Transport

__all__ = ["AdapterParts", "ProviderFactory", "create", "register", "registered"]


@attrs.frozen(kw_only=True)
class AdapterParts:
    """What the builder hands an adapter besides its config."""

    transport: Transport | None = None
    shared_limits: SharedLimits | None = None


ProviderFactory = Callable[[ProviderConfig, AdapterParts], Provider]

_BUILT_IN = {
    "openlibrary": "bookstracker.providers.openlibrary:OpenLibrary",
    "googlebooks": "bookstracker.providers.googlebooks:GoogleBooks",
    "isbndb": "bookstracker.providers.isbndb:ISBNdb",
}
_registered: dict[str, ProviderFactory] = {}


def register(name: str, factory: ProviderFactory) -> None:
    """Make ``name`` buildable: ``factory(config, parts)`` returns the adapter."""
    _registered[name] = factory


def registered() -> tuple[str, ...]:
    """Every provider name that can be built."""
    return tuple(dict.fromkeys([*_BUILT_IN, *_registered]))


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
    """The adapter for ``name``; ``ConfigurationError`` when nothing is registered by it."""
    factory = _registered.get(name)
    if factory is None:
        path = _BUILT_IN.get(name)
        if path is None:
            raise ConfigurationError(f"no provider is registered as {name!r}")
        factory = _built_in(path)
    return factory(config, parts or AdapterParts())
