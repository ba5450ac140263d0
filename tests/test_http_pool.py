"""The connection pool: many requests at once over few small httpcore pools, kept alive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import anyio
import pytest

from bookstracker import OpenLibrary
from bookstracker._http import HttpRequest, HttpSession
from bookstracker._pool import SHARD_CONNECTIONS, ShardedTransport
from bookstracker.config import ProviderConfig
from bookstracker.errors import ProviderUnavailable
from bookstracker.resilience import RetryPolicy

pytestmark = pytest.mark.anyio

BODY = b'{"numFound": 1, "docs": [{"key": "OL7234434A", "name": "Andy Weir", "work_count": 9}]}'


class Server:
    """A loopback HTTP/1.1 server that answers after ``delay`` and counts connections."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(self.delay)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server(delay=0.05)
    listening = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    state.url = f"http://127.0.0.1:{port}"
    async with listening:
        yield state


def _session(max_connections: int) -> HttpSession:
    return HttpSession(provider="test", timeout=10, max_connections=max_connections)


async def test_a_lone_caller_keeps_reusing_one_connection(server: Server) -> None:
    session = _session(100)
    for _ in range(5):
        response = await session.send(HttpRequest(url=server.url + "/x"))
        assert response.content == BODY
    await session.aclose()
    assert server.connections == 1


async def test_many_requests_at_once_use_at_most_max_connections(server: Server) -> None:
    session = _session(10)

    async def one() -> None:
        assert (await session.send(HttpRequest(url=server.url + "/x"))).content == BODY

    async with anyio.create_task_group() as group:
        for _ in range(60):
            group.start_soon(one)
    await session.aclose()
    assert server.most_open == 10
    assert server.connections == 10  # each kept alive and reused, none reopened


async def test_connections_are_split_into_small_pools() -> None:
    transport = ShardedTransport(100)
    assert transport.pools == -(-100 // SHARD_CONNECTIONS)
    assert ShardedTransport(1).pools == 1
    await transport.aclose()


async def test_a_slot_is_given_back_when_the_body_is_closed(server: Server) -> None:
    transport = ShardedTransport(SHARD_CONNECTIONS * 2)
    session = HttpSession(provider="test", timeout=10, transport=transport)
    for _ in range(3):
        await session.send(HttpRequest(url=server.url + "/x"))
    assert transport._in_flight == [0, 0]
    await session.aclose()
    assert server.connections == 1


async def test_the_adapters_pool_follows_the_config(server: Server) -> None:
    config = ProviderConfig(base_url=server.url, max_connections=3, rate=1000.0)
    openlibrary = OpenLibrary(config, retry=RetryPolicy(attempts=1))
    async with openlibrary, anyio.create_task_group() as group:
        for _ in range(12):
            group.start_soon(openlibrary.search_authors, "andy weir")
    assert server.most_open == 3


async def test_a_failed_request_gives_its_slot_back() -> None:
    closed = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = closed.sockets[0].getsockname()[1]
    closed.close()
    await closed.wait_closed()
    transport = ShardedTransport(SHARD_CONNECTIONS)
    session = HttpSession(provider="test", timeout=5, transport=transport)
    with pytest.raises(ProviderUnavailable):
        await session.send(HttpRequest(url=f"http://127.0.0.1:{port}/x"))
    assert transport._in_flight == [0]
    await session.aclose()
