"""Fault injection, cached values (issue 10, case 7): a tampered entry in the shared cache
(wrong type, deep nesting, escape sequences, an older format, truncated) is never served: it is
dropped and the answer fetched again, with no traceback and no wrong answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bookstracker import AsyncBooksClient
from bookstracker.cache import RedisCache
from bookstracker.providers import OpenLibrary
from hostile import ISBN, HostileServer, assert_clean_output, benign, run_measured

pytestmark = pytest.mark.anyio

_TITLE = b'"title":"Safe Title"'
_ENVELOPE = 19
"""The ``BT1`` envelope (marker and two instants) before the codec's payload."""
TAMPERINGS: dict[str, Callable[[bytes], bytes]] = {
    "title-is-a-number": lambda body: body.replace(_TITLE, b'"title":7'),
    "title-is-null": lambda body: body.replace(_TITLE, b'"title":null'),
    "escape-in-title": lambda body: body.replace(_TITLE, b'"title":"\\u001b]0;pwned\\u0007x"'),
    "c1-in-title": lambda body: body.replace(_TITLE, b'"title":"\\u009b31mx"'),
    "deeply-nested": lambda body: body.replace(
        _TITLE, _TITLE + b',"extra":' + b"[" * 200_000 + b"]" * 200_000
    ),
    "nested-in-keys": lambda body: body.replace(
        b'"keys":{', b'"keys":{"x":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b","
    ),
    "older-format": lambda payload: b'{"title": "Safe Title", "authors": []}',
    "unknown-version": lambda payload: payload[:3] + b"\x09" + payload[4:],
    "truncated": lambda body: body[: len(body) // 2],
    "huge-title": lambda body: body.replace(_TITLE, b'"title":"' + b"x" * 300_000 + b'"'),
}


@pytest.fixture
def upstream() -> Iterator[HostileServer]:
    with HostileServer(benign) as server:
        yield server


def _client(server: HostileServer, redis_url: str, prefix: str) -> AsyncBooksClient:
    adapter = OpenLibrary(base_url=server.env()["BOOKSTRACKER_OPENLIBRARY_URL"], rate=1000)
    return AsyncBooksClient(
        providers="openlibrary",
        openlibrary=adapter,
        cache=RedisCache(redis_url, prefix=prefix),
    )


def _tamper(redis_url: str, prefix: str, change: Callable[[bytes], bytes]) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    changed = 0
    try:
        for name in client.scan_iter(match=prefix + "*"):
            value = client.get(name)
            assert value is not None
            envelope, payload = value[:_ENVELOPE], value[_ENVELOPE:]
            spoiled = change(payload)
            if spoiled != payload:
                client.set(name, envelope + spoiled, px=client.pttl(name))
                changed += 1
    finally:
        client.close()
    return changed


@pytest.mark.parametrize("kind", list(TAMPERINGS))
@pytest.mark.parametrize("question", ["search", "isbn"])
async def test_a_tampered_shared_entry_is_dropped_and_refetched(
    upstream: HostileServer, redis_url: str, kind: str, question: str
) -> None:
    prefix = f"bookstracker-test:faults:{uuid.uuid4().hex}:"

    async def ask(client: AsyncBooksClient) -> str | None:
        if question == "search":
            hits = (await client.search("safe title")).hits
            return hits[0].title if hits else None
        edition = await client.isbn(ISBN)
        return edition.title if edition else None

    async with _client(upstream, redis_url, prefix) as client:
        assert await ask(client) == "Safe Title"
    asked_before = upstream.count("/openlibrary")
    assert _tamper(redis_url, prefix, TAMPERINGS[kind]) >= 1
    async with _client(upstream, redis_url, prefix) as client:
        assert await ask(client) == "Safe Title"  # never the tampered value
        refetched = upstream.count("/openlibrary") - asked_before
        assert refetched >= 1
        assert await ask(client) == "Safe Title"
    async with _client(upstream, redis_url, prefix) as client:
        assert await ask(client) == "Safe Title"
        assert upstream.count("/openlibrary") - asked_before == refetched  # the good one stored
        await client.cache.clear()  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["title-is-a-number", "escape-in-title", "deeply-nested"])
def test_the_cli_survives_a_tampered_shared_entry(
    upstream: HostileServer, redis_url: str, tmp_path: Path, kind: str
) -> None:
    env = {
        **upstream.env(),
        "BOOKSTRACKER_REDIS_URL": redis_url,
        "BOOKSTRACKER_CACHE_DIR": str(tmp_path / "disk"),
    }
    first = run_measured(
        ["--providers", "openlibrary", "search", "safe title"], env=env, tmp=str(tmp_path)
    )
    assert first.code == 0, first.output
    # the CLI's Redis keys start with "bookstracker:cache:"; tamper them, and clear the disk tier
    import shutil

    assert _tamper(redis_url, "bookstracker:cache:", TAMPERINGS[kind]) >= 1
    shutil.rmtree(tmp_path / "disk")
    run = run_measured(
        ["--providers", "openlibrary", "search", "safe title"], env=env, tmp=str(tmp_path)
    )
    run_measured(["--providers", "openlibrary", "cache", "clear"], env=env, tmp=str(tmp_path))
    assert run.code == 0, run.output
    assert "Safe Title" in run.stdout
    assert_clean_output(run)
