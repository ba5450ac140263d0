"""The query a request carries is sent exactly as `HttpRequest.full_url` spells it."""

from __future__ import annotations

import pytest

from bookstracker._http import HttpRequest, HttpSession, MockTransport, RawRequest, RawResponse

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _sent(request: HttpRequest) -> str:
    seen: list[str] = []

    def handler(raw: RawRequest) -> RawResponse:
        seen.append(str(raw.url))
        return RawResponse(200, json={})

    session = HttpSession(provider="x", timeout=5, transport=MockTransport(handler))
    try:
        await session.send(request)
    finally:
        await session.aclose()
    (url,) = seen
    return url


async def test_a_url_with_a_query_keeps_it_when_parameters_are_added() -> None:
    request = HttpRequest(url="https://x.test/p?a=1", params=(("b", "two words"),))
    assert await _sent(request) == "https://x.test/p?a=1&b=two+words" == request.full_url()


async def test_safe_characters_stay_unencoded_and_the_rest_is_encoded() -> None:
    params = (("bibkeys", "ISBN:1,OLID:OL1M"), ("q", "a:b,c&d"))
    plain = HttpRequest(url="https://x.test/api", params=params)
    kept = HttpRequest(url="https://x.test/api", params=params, safe=":,")
    assert await _sent(plain) == "https://x.test/api?bibkeys=ISBN%3A1%2COLID%3AOL1M&q=a%3Ab%2Cc%26d"
    assert await _sent(kept) == "https://x.test/api?bibkeys=ISBN:1,OLID:OL1M&q=a:b,c%26d"
