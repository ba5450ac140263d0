"""The shared tier: Redis through redis-py's asyncio client (the ``redis`` extra).

One Redis serves every process and machine. Entries are the ``BT1`` envelopes of
:mod:`bookstracker.cache.base`, stored with ``SET key value PX=<until stale_until>`` so Redis drops
them itself; every key starts with ``prefix``, and :meth:`RedisCache.clear` removes only keys with
that prefix (``SCAN`` + ``UNLINK``, never ``FLUSHDB``).

``stats`` walks the prefix with ``SCAN`` and sums ``STRLEN`` in pipelined batches: it is exact
but costs time in proportion to the number of keys, so it is meant for ``cache stats``, not for
hot paths (``SCAN`` may return a key twice while keys are being written, so the count is then
approximate). ``bytes`` counts the stored envelopes, not Redis's own overhead.

Expiry instants are written with the writer's clock and read with the reader's: machines sharing
a Redis should keep their clocks in sync (NTP).

A connection failure, a timeout or a refused command is logged as a warning and counted in
``errors``; the call answers a miss (or drops the write). It never raises into the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from bookstracker.cache.base import (
    BaseCache,
    CacheEntry,
    CorruptEntryError,
    decode_entry,
    encode_entry,
)
from bookstracker.errors import ConfigurationError

if TYPE_CHECKING:
    import redis.asyncio

__all__ = ["DEFAULT_PREFIX", "RedisCache"]

_BATCH = 500
DEFAULT_PREFIX = "bookstracker:cache:"
"""Apart from the rate-limit, quota and lock keys (``bookstracker:v1:rate:``, ...), so that
``clear`` and ``stats`` never touch them."""


def import_redis() -> ModuleType:
    """``redis.asyncio``, or :class:`ConfigurationError` with an install hint when it is absent."""
    try:
        import redis.asyncio as redis_asyncio
    except ImportError as error:
        raise ConfigurationError(
            "the Redis cache needs redis-py: pip install 'bookstracker[redis]'"
        ) from error
    return redis_asyncio


def scan_pattern(prefix: str) -> str:
    """A ``SCAN MATCH`` pattern for every key starting with ``prefix`` (glob characters escaped)."""
    escaped = "".join("\\" + char if char in "*?[]\\" else char for char in prefix)
    return escaped + "*"


class RedisCache(BaseCache):
    """A cache in Redis, shared by every process that uses the same server and ``prefix``.

    Give either ``url`` (``redis://host:port/db``, ``rediss://`` for TLS) or a ready ``client``
    (one made with the default ``decode_responses=False``). A client made from ``url`` is owned
    and closed by :meth:`aclose`, and uses ``timeout`` seconds for connecting and for each reply.
    """

    name = "redis"

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.asyncio.Redis | None = None,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        redis_asyncio = import_redis()
        super().__init__(clock=clock)
        if not prefix:
            raise ConfigurationError("the Redis cache prefix must not be empty")
        if client is None:
            if url is None:
                raise ConfigurationError("RedisCache needs a url or a client")
            client = redis_asyncio.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
            self._owns_client = True
        else:
            self._owns_client = False
        self._client: redis.asyncio.Redis = client
        self._prefix = prefix
        self._failures: tuple[type[BaseException], ...] = (
            redis_asyncio.RedisError,
            OSError,
        )

    def __repr__(self) -> str:
        return f"RedisCache(prefix={self._prefix!r})"

    @property
    def prefix(self) -> str:
        """The prefix of every key this cache writes."""
        return self._prefix

    def _decode(self, key: str, data: bytes | str) -> CacheEntry | None:
        try:
            if not isinstance(data, bytes):
                raise CorruptEntryError(
                    "the Redis client decodes replies; use decode_responses=False"
                )
            return decode_entry(data)
        except CorruptEntryError as error:
            self.record_error(f"reading entry {key!r}", error)
            return None

    async def load(self, key: str) -> CacheEntry | None:
        """The stored entry (one ``GET``)."""
        try:
            data = await self._client.get(self._prefix + key)
        except self._failures as error:
            self.record_error("reading", error)
            return None
        if data is None:
            return None
        entry = self._decode(key, data)
        if entry is None:
            await self.delete(key)
        return entry

    async def load_many(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """The stored entries among ``keys`` (one ``MGET``)."""
        if not keys:
            return {}
        try:
            values = await self._client.mget([self._prefix + key for key in keys])
        except self._failures as error:
            self.record_error("reading", error)
            return {}
        found: dict[str, CacheEntry] = {}
        for key, data in zip(keys, values, strict=True):
            if data is not None:
                entry = self._decode(key, data)
                if entry is not None:
                    found[key] = entry
        return found

    async def store(self, key: str, entry: CacheEntry) -> None:
        """``SET`` the envelope with ``PX`` until ``stale_until``."""
        milliseconds = int((entry.stale_until - self._clock()) * 1000)
        if milliseconds < 1:
            await self.delete(key)
            return
        try:
            await self._client.set(self._prefix + key, encode_entry(entry), px=milliseconds)
        except self._failures as error:
            self.record_error("writing", error)

    async def delete(self, key: str) -> None:
        """``UNLINK`` the key."""
        try:
            await self._client.unlink(self._prefix + key)
        except self._failures as error:
            self.record_error("deleting", error)

    async def clear(self) -> None:
        """``UNLINK`` every key with this cache's prefix, in batches; other keys stay."""
        try:
            batch: list[bytes] = []
            async for name in self._client.scan_iter(
                match=scan_pattern(self._prefix), count=_BATCH
            ):
                batch.append(name)
                if len(batch) >= _BATCH:
                    await self._client.unlink(*batch)
                    batch = []
            if batch:
                await self._client.unlink(*batch)
        except self._failures as error:
            self.record_error("clearing", error)

    async def usage(self) -> tuple[int, int]:
        """The keys with this prefix and the sum of their lengths (``SCAN`` + ``STRLEN``)."""
        entries = 0
        size = 0
        try:
            batch: list[bytes] = []
            async for name in self._client.scan_iter(
                match=scan_pattern(self._prefix), count=_BATCH
            ):
                batch.append(name)
                if len(batch) >= _BATCH:
                    size += await self._lengths(batch)
                    entries += len(batch)
                    batch = []
            if batch:
                size += await self._lengths(batch)
                entries += len(batch)
        except self._failures as error:
            self.record_error("measuring", error)
        return entries, size

    async def _lengths(self, names: list[bytes]) -> int:
        async with self._client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.strlen(name)
            lengths = await pipe.execute()
        return sum(int(length) for length in lengths)

    async def aclose(self) -> None:
        """Close the client when this cache made it."""
        if self._owns_client:
            await self._client.aclose()
