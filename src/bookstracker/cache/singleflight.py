"""Single-flight: concurrent identical requests share one upstream call.

:class:`SingleFlight` works within one process (one asyncio event loop): the first caller of a key
starts the work as its own task and every caller of that key awaits it. A caller that is cancelled
(or whose deadline passes) stops waiting without cancelling the work for the others; the work is
cancelled only when nobody waits for it any more.

:class:`RedisSingleFlight` works across processes and machines with a Redis lock. The client uses
the two together, the in-process one outside::

    async def lookup(key):
        return await local.do(key, lambda: fetch_once(key))

    async def fetch_once(key):
        async with shared.acquire(key) as leader:
            if not leader:  # another process did (or gave up on) the call: re-read the cache
                entry = await cache.get(key)
                if entry is not None and entry.is_fresh():
                    return entry.value
            value = await call_upstream()
            await cache.set(key, value, ttl=...)  # before leaving the block, so waiters see it
            return value
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from bookstracker.cache.redis import import_redis

if TYPE_CHECKING:
    import redis.asyncio

__all__ = ["RedisSingleFlight", "SingleFlight"]

logger = logging.getLogger("bookstracker.cache")

T = TypeVar("T")

_RELEASE = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
end
return 0
"""


class _Flight:
    __slots__ = ("task", "waiters")

    def __init__(self, task: asyncio.Future[Any]) -> None:
        self.task = task
        self.waiters = 0


class SingleFlight:
    """Shares one execution of ``fn`` among concurrent callers of the same key (asyncio only)."""

    def __init__(self) -> None:
        self._flights: dict[str, _Flight] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def _forget(self, key: str, flight: _Flight) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]

    async def do(self, key: str, fn: Callable[[], Awaitable[T]]) -> T:
        """The result of ``fn()``, run once for all concurrent callers of ``key``.

        An exception raised by ``fn`` reaches every caller. The key is forgotten as soon as the
        call ends, so a later call runs ``fn`` again.
        """
        flight = self._flights.get(key)
        if flight is None:
            task = asyncio.ensure_future(fn())
            flight = _Flight(task)
            self._flights[key] = flight
            task.add_done_callback(lambda _: self._forget(key, flight))
        flight.waiters += 1
        try:
            result: T = await asyncio.shield(flight.task)
            return result
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                self._forget(key, flight)
                flight.task.cancel()


class RedisSingleFlight:
    """A lock per key in Redis, so that one process at a time makes a given upstream call.

    The lock is ``SET <prefix><key> <token> NX PX=<lock_timeout>``: a holder that crashes blocks
    the others for at most ``lock_timeout`` seconds, and a call that outlasts it may run twice.
    The holder releases only its own lock (compare-and-delete in Lua). When Redis cannot be
    reached, every caller is told it leads, as if there were no lock.
    """

    def __init__(
        self,
        client: redis.asyncio.Redis,
        *,
        lock_timeout: float = 30.0,
        poll: float = 0.05,
        prefix: str = "bookstracker:lock:",
        max_wait: float | None = None,
    ) -> None:
        """``max_wait`` bounds every follower's wait (give it a share of the callers' deadline);
        by default a follower waits up to ``lock_timeout``."""
        if lock_timeout <= 0 or poll <= 0:
            raise ValueError("lock_timeout and poll must be positive")
        redis_asyncio = import_redis()
        self._client = client
        self._lock_timeout = lock_timeout
        self._max_wait = lock_timeout if max_wait is None else max(0.0, min(max_wait, lock_timeout))
        self._poll = poll
        self._prefix = prefix
        self._release = client.register_script(_RELEASE)
        self._failures: tuple[type[BaseException], ...] = (redis_asyncio.RedisError, OSError)

    def __repr__(self) -> str:
        return f"RedisSingleFlight(lock_timeout={self._lock_timeout}, prefix={self._prefix!r})"

    @contextlib.asynccontextmanager
    async def acquire(self, key: str, *, wait_at_most: float | None = None) -> AsyncIterator[bool]:
        """Enter as the leader (``True``: make the call) or, after the leader left, ``False``.

        A follower waits until the lock is released or expires, at most ``max_wait`` and at
        most ``wait_at_most`` seconds (the caller's deadline), then should re-read the cache and
        make the call itself only if it is still a miss. Any Redis error (unreachable, out of
        memory, read-only) makes every caller a leader, as if there were no lock.
        """
        name = self._prefix + key
        token = secrets.token_hex(16)
        milliseconds = max(1, int(self._lock_timeout * 1000))
        reachable = True
        try:
            locked = bool(await self._client.set(name, token, nx=True, px=milliseconds))
        except self._failures as error:
            logger.warning("redis single-flight: cannot take a lock, going ahead (%s)", error)
            reachable = locked = False
        if not reachable:
            yield True
            return
        if not locked:
            wait = self._max_wait if wait_at_most is None else wait_at_most
            await self._wait_released(name, max(0.0, min(wait, self._max_wait)))
            yield False
            return
        try:
            yield True
        finally:
            with anyio.move_on_after(min(self._lock_timeout, 2.0), shield=True):
                await self._unlock(name, token)

    async def _unlock(self, name: str, token: str) -> None:
        try:
            await self._release(keys=[name], args=[token])
        except self._failures as error:
            logger.warning(
                "redis single-flight: cannot release a lock; it expires by itself (%s)", error
            )

    async def _wait_released(self, name: str, wait: float) -> None:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            await anyio.sleep(min(self._poll, max(0.0, deadline - time.monotonic())))
            try:
                left = await self._client.pttl(name)
                if not isinstance(left, int) or left == -2:
                    return
                if left == -1:
                    # Not a lock this class wrote (they all expire within lock_timeout).
                    logger.warning("redis single-flight: dropping a lock that never expires")
                    await self._client.delete(name)
                    return
            except self._failures as error:
                logger.warning("redis single-flight: cannot watch a lock (%s)", error)
                return
