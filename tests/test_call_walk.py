"""The walk of one author() call from the facade to httpx, as docs/architecture.md draws it."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary, client
from bookstracker.pipeline import fanout
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary

pytestmark = pytest.mark.anyio

WALK = [
    "client.py:author",
    "answers.py:one",
    "client.py:_build_bibliography",
    "fanout.py:fan_out",
    # a task of the fan-out's task group
    "fanout.py:run",
    "resolve.py:resolve",
    "openlibrary.py:search_authors",
    "base.py:_call",
    "__init__.py:call",
    "retry.py:call_with_retries",
    "__init__.py:attempt",
    "base.py:send_once",
    "_http.py:send",
]


def _ours(frames: list[inspect.FrameInfo]) -> list[str]:
    """The bookstracker frames, outermost first, as ``file:function``."""
    names = [
        f"{f.filename.rsplit('/', 1)[-1]}:{f.function}"
        for f in frames
        if "/bookstracker/" in f.filename and "/tests/" not in f.filename
    ]
    return names[::-1]


async def test_an_author_call_reaches_httpx_in_at_most_13_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    segments: list[list[str]] = []
    original_fan_out = fanout.fan_out
    original_send = httpx.AsyncClient.send

    async def watched_fan_out(
        calls: Mapping[str, Callable[[], Awaitable[Any]]], **options: Any
    ) -> Any:
        if not segments:
            segments.append([*_ours(inspect.stack()[1:]), "fanout.py:fan_out"])
        return await original_fan_out(calls, **options)

    async def watched_send(self: httpx.AsyncClient, request: httpx.Request, **options: Any) -> Any:
        if len(segments) == 1:
            segments.append(_ours(inspect.stack()[1:]))
        return await original_send(self, request, **options)

    monkeypatch.setattr(client, "fan_out", watched_fan_out)
    monkeypatch.setattr(httpx.AsyncClient, "send", watched_send)
    # The adapters over the fakes through httpx.MockTransport (offline mode skips httpx).
    async with AsyncBooksClient(
        openlibrary=OpenLibrary(transport=FakeOpenLibrary().transport(), rate=1000),
        googlebooks=GoogleBooks(transport=FakeGoogleBooks().transport(), rate=1000),
        isbndb=ISBNdb(api_key="k", transport=FakeISBNdb(api_key="k").transport(), rate=1000),
        cache=None,
    ) as books:
        await books.author("Andy Weir")
    walk = segments[0] + segments[1]
    assert walk == WALK
    assert len(walk) <= 13
