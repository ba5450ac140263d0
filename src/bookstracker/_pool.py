"""The connection pool behind every real provider session: small httpcore pools sharing the
connections (imported, with httpx, when a session makes its first network client)."""

from __future__ import annotations

import functools
import math
import ssl
from collections.abc import AsyncIterator, Callable

import httpx

__all__ = ["SHARD_CONNECTIONS", "ShardedTransport", "shared_ssl_context"]

SHARD_CONNECTIONS = 4
"""Connections per httpcore pool in a :class:`ShardedTransport`."""


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context (certifi's roots, as httpx makes by default) for every pool
    of the process: making one costs about 20 ms of CPU, and a context is safe to share."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class _Released(httpx.AsyncByteStream):
    """A response body that gives its pool slot back once closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()
        await self._stream.aclose()


class ShardedTransport(httpx.AsyncBaseTransport):
    """``max_connections`` connections kept alive, held by small httpcore pools.

    httpcore's pool looks at each of its connections for each queued request, and at every
    connection again for each idle one, whenever a request starts or ends: with 100 connections
    and a few hundred requests at once that is seconds of CPU (300 concurrent requests on
    loopback: 5 s of CPU against aiohttp's 0.1 s). Here each pool holds at most
    `SHARD_CONNECTIONS` connections and a request goes to the pool with the fewest requests in
    flight (the first of them when they tie, so a lone caller keeps reusing one connection).
    """

    def __init__(self, max_connections: int, *, verify: ssl.SSLContext | bool = True) -> None:
        shards = max(1, math.ceil(max_connections / SHARD_CONNECTIONS))
        context = shared_ssl_context() if verify is True else verify
        self._pools: list[httpx.AsyncHTTPTransport] = []
        left = max_connections
        for index in range(shards):
            size = math.ceil(left / (shards - index))
            left -= size
            self._pools.append(
                httpx.AsyncHTTPTransport(
                    verify=context,
                    limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                    trust_env=False,
                )
            )
        self._in_flight = [0] * shards

    @property
    def pools(self) -> int:
        """How many httpcore pools share the connections."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        counts = self._in_flight
        index = counts.index(min(counts))
        counts[index] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                counts[index] -= 1

        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Released(response.stream, release),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
