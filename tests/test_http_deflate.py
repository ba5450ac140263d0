"""A deflate body is read with or without its zlib header (servers send both)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from bookstracker import OpenLibrary
from bookstracker.errors import MalformedResponse
from bookstracker.resilience import RetryPolicy

pytestmark = pytest.mark.anyio

AUTHORS = b'{"numFound": 1, "docs": [{"key": "OL7234434A", "name": "Andy Weir", "work_count": 9}]}'


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


class _Streamed(httpx.AsyncByteStream):
    """A body that arrives over the wire (in two chunks), as the session reads it raw."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body[:5]
        yield self._body[5:]


def _openlibrary(body: bytes) -> OpenLibrary:
    def reply(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json", "content-encoding": "deflate"}
        return httpx.Response(200, stream=_Streamed(body), headers=headers)

    return OpenLibrary(
        transport=httpx.MockTransport(reply), rate=1000, retry=RetryPolicy(attempts=1)
    )


@pytest.mark.parametrize(
    "body", [zlib.compress(AUTHORS), _raw_deflate(AUTHORS)], ids=["zlib", "raw"]
)
async def test_a_deflate_body_is_read(body: bytes) -> None:
    async with _openlibrary(body) as openlibrary:
        found = await openlibrary.search_authors("andy weir")
    assert [a.name for a in found] == ["Andy Weir"]


async def test_a_body_that_is_not_deflate_is_malformed() -> None:
    async with _openlibrary(b"\xff" * 64) as openlibrary:
        with pytest.raises(MalformedResponse, match="encoding"):
            await openlibrary.search_authors("andy weir")
