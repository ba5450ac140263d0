"""The registry is the one place an adapter is chosen: by provider name and by the source its
config names (OpenLibrary's API, its dump mirror, or the mirror in front of the API)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookstracker import AsyncBooksClient, OpenLibrary
from bookstracker.config import ProviderConfig, Settings
from bookstracker.errors import ConfigurationError
from bookstracker.providers import registry
from bookstracker.providers.contract import Provider
from bookstracker.providers.openlibrary_mirror import OpenLibraryMirror
from bookstracker.providers.registry import AdapterParts

pytestmark = pytest.mark.anyio


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mirror.sqlite3'}"


def test_the_settings_hand_openlibrary_its_source() -> None:
    settings = Settings.resolve(
        openlibrary_source="mirror-first", mirror_url="postgresql://me:s3cret@db/books"
    )
    config = settings.provider("openlibrary")
    assert (config.source, config.source_url) == ("mirror-first", "postgresql://me:s3cret@db/books")
    assert "s3cret" not in repr(config)
    assert settings.provider("isbndb").source == registry.API
    assert Settings.resolve().provider("openlibrary").source == registry.API


def test_offline_every_provider_answers_from_the_sample_catalog() -> None:
    settings = Settings.resolve(offline=True, openlibrary_source="mirror")
    assert settings.provider("openlibrary").source == registry.API


@pytest.mark.parametrize("source", ["api", "mirror", "mirror-first"])
async def test_each_openlibrary_source_builds_its_adapter(tmp_path: Path, source: str) -> None:
    adapter = registry.create(
        "openlibrary", ProviderConfig(source=source, source_url=_url(tmp_path))
    )
    try:
        if source == "api":
            assert isinstance(adapter, OpenLibrary)
        else:
            assert isinstance(adapter, OpenLibraryMirror)
            assert adapter.mode == source
            assert isinstance(adapter.fallback, OpenLibrary) == (source == "mirror-first")
    finally:
        await adapter.aclose()


def test_an_unknown_source_names_the_registered_ones() -> None:
    with pytest.raises(ConfigurationError, match="choose api, mirror, mirror-first"):
        registry.create("openlibrary", ProviderConfig(source="local"))


async def test_a_source_is_one_more_registration() -> None:
    built: list[ProviderConfig] = []

    def canned(config: ProviderConfig, parts: AdapterParts) -> Provider:
        built.append(config)
        return registry.create("googlebooks", ProviderConfig(), parts)

    registry.register("googlebooks", canned, source="canned")
    try:
        adapter = registry.create("googlebooks", ProviderConfig(source="canned"))
        await adapter.aclose()
        assert [c.source for c in built] == ["canned"]
        assert registry.registered().count("googlebooks") == 1
    finally:
        registry._registered.pop(("googlebooks", "canned"), None)


async def test_the_client_builds_mirror_first_through_the_registry(tmp_path: Path) -> None:
    async with AsyncBooksClient(
        providers="openlibrary",
        openlibrary_source="mirror-first",
        mirror_url=_url(tmp_path),
        cache=None,
    ) as client:
        adapter = client.adapters["openlibrary"]
        assert isinstance(adapter, OpenLibraryMirror)
        assert isinstance(adapter.fallback, OpenLibrary)
