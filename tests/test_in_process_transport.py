"""Offline mode's transport: the fakes answered in this process without httpx, with the same
answers, redirects, bounds and errors as through ``httpx.MockTransport``."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bookstracker._http import HttpRequest, HttpSession, InProcessTransport, Transport
from bookstracker.errors import MalformedResponse, ProviderTimeout, ProviderUnavailable
from bookstracker.providers.googlebooks import GoogleBooks
from bookstracker.providers.isbndb import ISBNdb
from bookstracker.providers.openlibrary import OpenLibrary
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary, FaultKind, Faults

pytestmark = pytest.mark.anyio

ISBNS = ["9780553418026", "9780804139021", "9780593135204", "9799999999990"]
ONCE = RetryPolicy(attempts=1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _transports(fake: FakeOpenLibrary | FakeGoogleBooks | FakeISBNdb) -> list[Transport]:
    return [fake.transport(), fake.in_process_transport()]


async def test_openlibrary_answers_the_same_through_either_transport() -> None:
    answers = []
    for transport in _transports(FakeOpenLibrary()):
        async with OpenLibrary(transport=transport, rate=1000, retry=ONCE) as adapter:
            editions = await adapter.editions(ISBNS)
            works = await adapter.author_works("OL7234434A")
            found = await adapter.search("the martian", limit=5)
        answers.append((editions, works, found))
    assert answers[0] == answers[1]


async def test_isbndb_and_google_answer_the_same_through_either_transport() -> None:
    answers = []
    for isbndb_transport, google_transport in zip(
        _transports(FakeISBNdb(api_key="k")), _transports(FakeGoogleBooks()), strict=True
    ):
        async with (
            ISBNdb(transport=isbndb_transport, api_key="k", rate=1000, retry=ONCE) as isbndb,
            GoogleBooks(transport=google_transport, rate=1000, retry=ONCE) as google,
        ):
            answers.append(
                (
                    await isbndb.editions(ISBNS),
                    await isbndb.author_editions("Andy Weir"),
                    await google.editions(ISBNS[:2]),
                    await google.search("project hail mary", limit=3),
                )
            )
    assert answers[0] == answers[1]


async def test_the_isbn_redirect_is_followed_in_process() -> None:
    fake = FakeOpenLibrary()
    session = HttpSession(provider="openlibrary", timeout=5, transport=fake.in_process_transport())
    response = await session.send(HttpRequest(url="https://openlibrary.org/isbn/0553418025.json"))
    assert response.status == 200
    assert response.url.startswith("https://openlibrary.org/books/")
    assert [r.path.split("/")[1] for r in fake.log] == ["isbn", "books"]


@pytest.mark.parametrize(
    ("kind", "error", "text"),
    [
        ("hang", ProviderTimeout, "no answer within"),
        ("reset", ProviderUnavailable, "connection reset"),
        ("truncated", ProviderUnavailable, "truncated body"),
        ("malformed", None, ""),
    ],
)
async def test_faults_read_as_on_the_network(
    kind: FaultKind, error: type[Exception] | None, text: str
) -> None:
    fake = FakeISBNdb(api_key="k", faults=Faults.always(kind, hang_seconds=5))
    session = HttpSession(provider="isbndb", timeout=0.2, transport=fake.in_process_transport())
    request = HttpRequest(url="https://api2.isbndb.com/key", headers=(("Authorization", "k"),))
    if error is None:
        assert (await session.send(request)).status == 200
        return
    with pytest.raises(error, match=text):
        await session.send(request)


class _Endless(InProcessTransport):
    def __init__(self, answer: tuple[int, Mapping[str, str], bytes]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str, bytes]] = []

    async def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        self.calls.append((method, url, body))
        return self.answer


async def test_a_redirect_loop_ends_and_a_post_body_is_json() -> None:
    loop = _Endless((302, {"Location": "/again"}, b""))
    session = HttpSession(provider="x", timeout=5, transport=loop)
    with pytest.raises(ProviderUnavailable, match="redirects"):
        await session.send(HttpRequest(url="https://x.test/a", method="POST", json_body={"a": 1}))
    assert loop.calls[0] == ("POST", "https://x.test/a", b'{"a":1}')
    assert loop.calls[1] == ("GET", "https://x.test/again", b"")


async def test_a_body_over_the_bound_is_not_accepted() -> None:
    big = _Endless((200, {}, b"x" * 101))
    session = HttpSession(provider="x", timeout=5, transport=big, max_body=100)
    with pytest.raises(MalformedResponse, match="larger than 100 bytes"):
        await session.send(HttpRequest(url="https://x.test/"))
    assert (await session.send(HttpRequest(url="https://x.test/", max_body=200))).content
