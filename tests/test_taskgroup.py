"""The one "first failure cancels the rest" helper (bookstracker.taskgroup)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import pytest

from bookstracker.errors import ProviderHTTPError
from bookstracker.taskgroup import gather, run_all

pytestmark = pytest.mark.anyio


class Calls:
    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0
        self.started: list[int] = []
        self.cancelled = 0

    def call(
        self, value: int, *, fail: bool = False, delay: float = 0.01
    ) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            self.started.append(value)
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            try:
                await anyio.sleep(delay)
            except anyio.get_cancelled_exc_class():
                self.cancelled += 1
                raise
            finally:
                self.in_flight -= 1
            if fail:
                raise ProviderHTTPError(f"HTTP 500 for {value}", provider="fake", status=500)
            return value

        return run


async def test_results_come_in_the_calls_order() -> None:
    calls = Calls()
    delays = [0.03, 0.01, 0.02]
    found = await gather([calls.call(n, delay=d) for n, d in enumerate(delays)])
    assert found == [0, 1, 2]
    assert calls.most == 3


@pytest.mark.parametrize("limit", [1, 2, 4])
async def test_no_more_than_limit_calls_run_at_once(limit: int) -> None:
    calls = Calls()
    found = await gather([calls.call(n) for n in range(9)], limit=limit)
    assert found == list(range(9))
    assert calls.most == limit


async def test_the_first_failure_cancels_the_rest_and_is_raised_as_itself() -> None:
    calls = Calls()
    work = [calls.call(0, fail=True, delay=0.0), *(calls.call(n, delay=1.0) for n in range(1, 4))]
    with pytest.raises(ProviderHTTPError, match="HTTP 500 for 0"):
        await run_all(work)
    assert calls.cancelled == 3


async def test_with_a_limit_the_calls_not_started_never_start_after_a_failure() -> None:
    calls = Calls()
    work = [calls.call(0, fail=True), *(calls.call(n, delay=1.0) for n in range(1, 10))]
    with pytest.raises(ProviderHTTPError):
        await run_all(work, limit=2)
    assert calls.started == [0, 1]
    assert calls.cancelled == 1
