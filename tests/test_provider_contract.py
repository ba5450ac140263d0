"""The provider contract: typed operations, declared capabilities, a registry to add one."""

from __future__ import annotations

import inspect

import pytest

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.config import ProviderConfig
from bookstracker.models import Edition
from bookstracker.providers import registry
from bookstracker.providers.base import ProviderAdapter
from bookstracker.providers.contract import (
    Capability,
    Provider,
    SearchPage,
    UnsupportedOperation,
)

ADAPTERS = [OpenLibrary, GoogleBooks, ISBNdb]

# Which methods of the contract each capability promises.
PROMISES = {
    Capability.SEARCH: ("search",),
    Capability.EDITIONS: ("editions",),
    Capability.EDITIONS_ONE_BY_ONE: ("editions",),
    Capability.AUTHOR_EDITIONS: ("author_editions",),
    Capability.AUTHOR_LOOKUP: ("search_authors", "author"),
    Capability.AUTHOR_WORKS: ("author_works", "author_work_signals"),
    Capability.WORK_EDITIONS: ("work_editions",),
}
CALLS = {
    "search": lambda p: p.search("dune"),
    "editions": lambda p: p.editions(["9780553418026"]),
    "author_editions": lambda p: p.author_editions("Andy Weir"),
    "search_authors": lambda p: p.search_authors("Andy Weir"),
    "author": lambda p: p.author("OL1A"),
    "author_works": lambda p: p.author_works("OL1A"),
    "author_work_signals": lambda p: p.author_work_signals("OL1A"),
    "work_editions": lambda p: p.work_editions("OL1W"),
}


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_every_adapter_is_a_provider_with_declared_capabilities(
    adapter: type[ProviderAdapter],
) -> None:
    instance = adapter(api_key="k", rate=1000)
    assert isinstance(instance, Provider)
    assert instance.capabilities
    promised = {m for c in instance.capabilities for m in PROMISES[c]}
    for method in promised:
        assert getattr(adapter, method) is not getattr(ProviderAdapter, method), method


@pytest.mark.anyio
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_an_operation_not_declared_is_refused_before_any_request(
    adapter: type[ProviderAdapter],
) -> None:
    instance = adapter(api_key="k", rate=1000, base_url="http://127.0.0.1:9")
    promised = {m for c in instance.capabilities for m in PROMISES[c]}
    refused = [m for m in CALLS if m not in promised]
    assert refused
    for method in refused:
        with pytest.raises(UnsupportedOperation, match=instance.name):
            await CALLS[method](instance)
    await instance.aclose()


def test_one_operation_has_one_name_and_one_signature() -> None:
    """Each adapter takes the contract's parameters, of the same kind (it may add options)."""
    for method in ("search", "editions", "author_editions"):
        base = inspect.signature(getattr(ProviderAdapter, method)).parameters
        for adapter in ADAPTERS:
            own = inspect.signature(getattr(adapter, method)).parameters
            for name, parameter in base.items():
                assert name in own, (adapter, method, name)
                assert own[name].kind == parameter.kind, (adapter, method, name)
            added = [p for n, p in own.items() if n not in base]
            assert all(p.default is not p.empty for p in added), (adapter, method)


class _Shelf(ProviderAdapter):
    """A provider of this test: one edition, found by ISBN."""

    name = "shelf"
    DEFAULT_BASE_URL = "http://127.0.0.1:9"
    DEFAULT_RATE = 1000.0
    capabilities = frozenset({Capability.SEARCH, Capability.EDITIONS})

    async def search(self, query: str, *, limit: int = 20) -> SearchPage:
        return SearchPage()

    async def editions(self, isbns: object) -> dict[str, Edition]:
        return {"9780553418026": Edition(title="Shelved", isbn13="9780553418026")}


@pytest.mark.anyio
async def test_a_new_provider_is_a_class_and_a_registration() -> None:
    registry.register("shelf", lambda config, parts: _Shelf(config))
    try:
        assert "shelf" in registry.registered()
        async with AsyncBooksClient(providers=["shelf"], cache=None) as client:
            assert isinstance(client.adapters["shelf"], _Shelf)
            edition = await client.isbn("0553418025")
            assert edition is not None
            assert edition.title == "Shelved"
            with pytest.raises(UnsupportedOperation):
                await client.adapters["shelf"].author_editions("x")
    finally:
        registry._registered.pop(("shelf", registry.API), None)


def test_an_unregistered_provider_is_a_configuration_error() -> None:
    with pytest.raises(Exception, match="no provider is registered"):
        registry.create("nowhere", ProviderConfig())
