"""Run awaitables concurrently, the first failure cancelling the rest and raised as itself.

Not wrapped in an ``ExceptionGroup``: the caller (a provider's report, a user's ``except``)
sees the error that happened. Used by every adapter and by the pipeline.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio
import anyio.abc

__all__ = ["gather", "run_all"]

T = TypeVar("T")


async def gather(
    calls: Sequence[Callable[[], Awaitable[T]]], *, limit: int | None = None
) -> list[T]:
    """Every call's result, in order; the first failure cancels the others and is raised.

    ``limit``: at most this many calls run at once (None: all of them).
    """
    results: list[T] = []
    done: dict[int, T] = {}
    errors: list[Exception] = []
    slots = anyio.CapacityLimiter(limit) if limit is not None else None

    async def run(index: int, call: Callable[[], Awaitable[T]], group: anyio.abc.TaskGroup) -> None:
        async with slots if slots is not None else contextlib.nullcontext():
            try:
                done[index] = await call()
            except Exception as exc:  # cancel before the slot is handed to a waiting call
                errors.append(exc)
                group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(run, index, call, group)
    if errors:
        raise errors[0]
    results.extend(done[i] for i in range(len(calls)))
    return results


async def run_all(
    calls: Sequence[Callable[[], Awaitable[object]]], *, limit: int | None = None
) -> None:
    """Run ``calls`` concurrently (at most ``limit`` at once); the first failure cancels the
    rest and is raised as itself."""
    await gather(calls, limit=limit)
