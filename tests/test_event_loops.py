"""One AsyncBooksClient used from several event loops, one after the other."""

from __future__ import annotations

import asyncio
import gc

import pytest

from bookstracker.testing import FakeServer
from support import Fakes


# The first loop ends without closing its pool: its sockets are left to the garbage collector,
# which warns of them (the documented cost of this pattern; `async with` per loop avoids it).
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_async_client_survives_a_second_asyncio_run() -> None:
    fakes = Fakes()
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        client = fakes.client(urls=server.urls)
        first = asyncio.run(client.search("the martian"))
        second = asyncio.run(client.search("good omens"))
        asyncio.run(client.aclose())
    for result in (first, second):
        assert {r.status for r in result.providers.values()} <= {"ok", "empty"}
        assert result.hits
    assert fakes.openlibrary.count("/search.json") == 2
    gc.collect()  # the first loop's sockets go now, inside this test's warning filters
