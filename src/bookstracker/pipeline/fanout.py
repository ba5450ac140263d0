"""Run one coroutine per provider concurrently, under a deadline, with a report for each.

A provider that fails, or that has not answered when the deadline passes, costs the others
nothing: its report says what happened and the others' answers are kept.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, TypeVar

import anyio
import anyio.abc
import attrs

from bookstracker.errors import InvalidInput, ProviderError, error_summary
from bookstracker.models import ProviderReport, ProviderStatus
from bookstracker.resilience import Deadline
from bookstracker.resilience.scope import RequestTally, call_scope

__all__ = ["FanOutResult", "fan_out", "seconds_left"]

T = TypeVar("T")


@attrs.define(eq=False)
class FanOutResult(Generic[T]):
    """Answers by provider (only those that answered) and a report for every provider."""

    answers: dict[str, T]
    reports: dict[str, ProviderReport]

    @property
    def answered(self) -> list[str]:
        return [name for name, report in self.reports.items() if report.answered]


async def fan_out(
    calls: Mapping[str, Callable[[], Awaitable[T]]],
    *,
    deadline: float | None = None,
    is_empty: Callable[[T], bool] = lambda _: False,
) -> FanOutResult[T]:
    """Call every provider at once; stop waiting ``deadline`` seconds after the start."""
    answers: dict[str, T] = {}
    reports: dict[str, ProviderReport] = {}
    tallies = {name: RequestTally() for name in calls}
    started = {name: time.perf_counter() for name in calls}
    stop = Deadline.after(deadline) if deadline is not None else None
    refused: list[InvalidInput] = []

    async def run(name: str, call: Callable[[], Awaitable[T]], group: anyio.abc.TaskGroup) -> None:
        status: ProviderStatus
        with call_scope(tally=tallies[name]):
            try:
                answer = await call()
            except (ProviderError, TimeoutError) as exc:
                reports[name] = _report(name, "error", started[name], tallies[name], exc)
                return
            except InvalidInput as exc:  # the caller's input: raised as itself, not in a group
                refused.append(exc)
                group.cancel_scope.cancel()
                return
            except Exception as exc:  # a provider's bug must not cost the others' answers
                reports[name] = _report(name, "error", started[name], tallies[name], exc)
                return
        answers[name] = answer
        status = "empty" if is_empty(answer) else "ok"
        reports[name] = _report(name, status, started[name], tallies[name], None)

    with call_scope(deadline=stop):
        with anyio.move_on_after(deadline if deadline is not None else float("inf")):
            async with anyio.create_task_group() as group:
                for name, call in calls.items():
                    group.start_soon(run, name, call, group)
    if refused:
        raise refused[0]
    for name in calls:
        if name not in reports:
            elapsed = (time.perf_counter() - started[name]) * 1000
            reports[name] = ProviderReport(
                provider=name,
                status="error",
                elapsed_ms=elapsed,
                requests=tallies[name].get(name),
                error=f"timed out: no answer within the {deadline:.3g} s deadline",
            )
    return FanOutResult(answers=answers, reports=reports)


def seconds_left(stop: Deadline | None) -> float | None:
    """What remains of a call's deadline for its next step (None: no deadline)."""
    return None if stop is None else max(0.0, stop.remaining())


def _report(
    name: str,
    status: ProviderStatus,
    started: float,
    tally: RequestTally,
    exc: BaseException | None,
) -> ProviderReport:
    return ProviderReport(
        provider=name,
        status=status,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        requests=tally.get(name),
        error=error_summary(exc) if exc is not None else None,
    )
