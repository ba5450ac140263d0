"""Settings are resolved once: the arguments, then the environment, then the defaults."""

from __future__ import annotations

import attrs
import pytest

from bookstracker import AsyncBooksClient, ConfigurationError, ISBNdb, OpenLibrary
from bookstracker.config import (
    DEFAULT_TIMEOUT,
    ISBNdbConfig,
    ProviderConfig,
    Settings,
    provider_config,
)

ENVIRON = {
    "BOOKSTRACKER_OFFLINE": "1",
    "BOOKSTRACKER_CACHE_DIR": "/tmp/from-env",
    "BOOKSTRACKER_TIMEOUT": "7",
    "BOOKSTRACKER_OPENLIBRARY_URL": "http://127.0.0.1:1/ol/",
    "BOOKSTRACKER_OPENLIBRARY_RATE": "2.5",
    "BOOKSTRACKER_ISBNDB_API_KEY": "sk-secret",
    "BOOKSTRACKER_ISBNDB_PLAN": "pro",
    "BOOKSTRACKER_REDIS_URL": "redis://:password@127.0.0.1:6379/9",
}


def test_the_environment_fills_what_the_arguments_leave() -> None:
    settings = Settings.resolve(environ=ENVIRON)
    assert settings.offline is True
    assert settings.cache_dir == "/tmp/from-env"
    openlibrary = settings.provider("openlibrary")
    assert openlibrary.base_url == "http://127.0.0.1:1/ol"
    assert openlibrary.rate == 2.5
    assert openlibrary.timeout == 7.0
    isbndb = settings.provider("isbndb")
    assert isinstance(isbndb, ISBNdbConfig)
    assert (isbndb.api_key, isbndb.plan) == ("sk-secret", "pro")


def test_arguments_win_over_the_environment() -> None:
    settings = Settings.resolve(
        offline=False, cache_dir="/tmp/arg", timeout=3.0, redis_url=None, environ=ENVIRON
    )
    assert (settings.offline, settings.cache_dir, settings.redis_url) == (False, "/tmp/arg", None)
    assert settings.provider("googlebooks").timeout == 3.0


def test_defaults_when_nothing_is_given() -> None:
    settings = Settings.resolve(environ={})
    assert settings.providers == ("openlibrary", "googlebooks", "isbndb")
    assert (settings.offline, settings.cache_dir, settings.redis_url) == (False, None, None)
    config = settings.provider("openlibrary")
    assert (config.base_url, config.rate, config.timeout) == (None, None, DEFAULT_TIMEOUT)
    assert not config.user_agent_given


def test_settings_are_frozen_and_never_show_secrets() -> None:
    settings = Settings.resolve(environ=ENVIRON)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        settings.offline = False  # type: ignore[misc]
    assert "sk-secret" not in repr(settings)
    assert "password" not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"BOOKSTRACKER_TIMEOUT": "soon"}, "BOOKSTRACKER_TIMEOUT must be a number"),
        ({"BOOKSTRACKER_OPENLIBRARY_RATE": "0"}, "rate must be a positive"),
        ({"BOOKSTRACKER_GOOGLEBOOKS_URL": "ftp://x"}, "must be http"),
    ],
)
def test_a_bad_value_is_a_configuration_error(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.resolve(environ=environ)


def test_adapters_take_their_typed_config() -> None:
    config = provider_config("openlibrary", rate=5.0, environ={})
    adapter = OpenLibrary(config)
    assert (adapter.rate, adapter.config) == (5.0, config)
    isbndb = ISBNdb(ISBNdbConfig(plan="premium", api_key="k"))
    assert (isbndb.plan, isbndb.bulk_size) == ("premium", 1000)
    assert ISBNdb(ProviderConfig(api_key="k"), plan="pro").plan == "pro"


def test_keyword_arguments_override_a_given_config() -> None:
    adapter = OpenLibrary(ProviderConfig(rate=5.0), rate=2.0, base_url="http://127.0.0.1:1/")
    assert (adapter.rate, adapter.base_url) == (2.0, "http://127.0.0.1:1")


@pytest.mark.anyio
async def test_a_client_takes_settings_made_at_the_edge() -> None:
    settings = Settings.resolve(providers="openlibrary", offline=True, environ={})
    async with AsyncBooksClient(settings=settings, cache=None) as client:
        assert client.settings is settings
        assert list(client.adapters) == ["openlibrary"]
        edition = await client.isbn("0553418025")
    assert edition is not None
