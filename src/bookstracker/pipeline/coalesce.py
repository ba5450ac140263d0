"""Coalescing: the keys that concurrent callers ask within a few milliseconds, fetched as one batch.

A DataLoader in the manner of GraphQL's: ``await coalescer(keys)`` adds ``keys`` to the batch
being gathered on this event loop and waits for it. The first caller of a batch starts a short
timer (``window``); when it fires, or when the batch holds ``max_keys``, the whole batch goes to
``fetch`` in one call, and every caller gets that call's result (which covers its keys, and
others'). A caller that is cancelled stops waiting; the batch goes on for the rest. One flight
per key is the cache layer's job (:class:`~bookstracker.cache.answers.AnswerCache`): it asks
here only for the keys nobody is computing yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["DEFAULT_MAX_KEYS", "DEFAULT_WINDOW", "Coalescer"]

R = TypeVar("R")

DEFAULT_WINDOW = 0.003
DEFAULT_MAX_KEYS = 1000


class _Batch(Generic[R]):
    __slots__ = ("future", "keys", "timer")

    def __init__(self, future: asyncio.Future[R]) -> None:
        self.keys: dict[str, None] = {}
        self.future = future
        self.timer: asyncio.TimerHandle | None = None


class Coalescer(Generic[R]):
    """Batches the keys asked within ``window`` seconds into one ``fetch(keys)`` call."""

    def __init__(
        self,
        fetch: Callable[[list[str]], Awaitable[R]],
        *,
        window: float = DEFAULT_WINDOW,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        if window < 0 or max_keys < 1:
            raise ValueError("window must not be negative and max_keys must be positive")
        self._fetch = fetch
        self.window = window
        self.max_keys = max_keys
        self._gathering: dict[asyncio.AbstractEventLoop, _Batch[R]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self.batches = 0

    def __repr__(self) -> str:
        return f"Coalescer(window={self.window}, max_keys={self.max_keys})"

    async def __call__(self, keys: Sequence[str]) -> R:
        """The result of the batch call that ``keys`` joined."""
        loop = asyncio.get_running_loop()
        batch = self._gathering.get(loop)
        if batch is None:
            batch = _Batch(loop.create_future())
            batch.future.add_done_callback(_retrieve)
            self._gathering[loop] = batch
            batch.timer = loop.call_later(self.window, self._flush, loop, batch)
        batch.keys.update(dict.fromkeys(keys))
        if len(batch.keys) >= self.max_keys:
            self._flush(loop, batch)
        return await asyncio.shield(batch.future)

    def _flush(self, loop: asyncio.AbstractEventLoop, batch: _Batch[R]) -> None:
        if self._gathering.get(loop) is not batch:
            return
        del self._gathering[loop]
        if batch.timer is not None:
            batch.timer.cancel()
        self.batches += 1
        task = loop.create_task(self._run(batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: _Batch[R]) -> None:
        try:
            result = await self._fetch(list(batch.keys))
        except BaseException as exc:
            if not batch.future.done():
                if isinstance(exc, asyncio.CancelledError):
                    batch.future.cancel()
                else:
                    batch.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        if not batch.future.done():
            batch.future.set_result(result)


def _retrieve(future: asyncio.Future[R]) -> None:
    """Mark a batch's exception as seen, so one nobody waited for is not logged."""
    if not future.cancelled():
        future.exception()
