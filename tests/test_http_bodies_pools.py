"""Response bodies decoded with msgspec (a BOM tolerated, deep nesting refused) and pool sizes."""

from __future__ import annotations

import httpx
import pytest

from bookstracker import OpenLibrary
from bookstracker.config import DEFAULT_MAX_CONNECTIONS, ProviderConfig
from bookstracker.errors import ConfigurationError, MalformedResponse
from bookstracker.resilience import RetryPolicy

pytestmark = pytest.mark.anyio

AUTHORS = b'{"numFound": 1, "docs": [{"key": "OL7234434A", "name": "Andy Weir", "work_count": 9}]}'


def _openlibrary(body: bytes) -> OpenLibrary:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return OpenLibrary(
        transport=httpx.MockTransport(reply), rate=1000, retry=RetryPolicy(attempts=1)
    )


async def test_a_body_with_a_utf8_bom_is_read() -> None:
    async with _openlibrary(b"\xef\xbb\xbf" + AUTHORS) as openlibrary:
        found = await openlibrary.search_authors("andy weir")
    assert [a.name for a in found] == ["Andy Weir"]


async def test_a_deeply_nested_body_is_malformed_not_a_recursion_error() -> None:
    body = b'{"docs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    async with _openlibrary(body) as openlibrary:
        with pytest.raises(MalformedResponse, match="not valid JSON"):
            await openlibrary.search_authors("andy weir")


def test_connection_pools_default_to_100_and_are_bounded() -> None:
    assert ProviderConfig().max_connections == DEFAULT_MAX_CONNECTIONS == 100
    assert ProviderConfig(max_connections=7).max_connections == 7
    for bad in (0, -1, 10_001, True):
        with pytest.raises(ConfigurationError, match="max_connections"):
            ProviderConfig(max_connections=bad)
