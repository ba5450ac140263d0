"""One call scope carries the deadline and the request counting down to every request."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from bookstracker.resilience import Deadline
from bookstracker.resilience.scope import (
    RequestTally,
    call_scope,
    count_request,
    current_scope,
)


def test_outside_any_call_there_is_no_deadline_and_nothing_counts() -> None:
    scope = current_scope()
    assert (scope.deadline, scope.tallies) == (None, ())
    count_request("openlibrary")  # counted nowhere, and no error
    assert scope.timeout(10.0) == 10.0


def test_a_nested_scope_keeps_the_earlier_deadline_and_counts_in_both() -> None:
    outer_tally, inner_tally = RequestTally(), RequestTally()
    soon, later = Deadline.after(1.0), Deadline.after(100.0)
    with call_scope(deadline=soon, tally=outer_tally):
        with call_scope(deadline=later, tally=inner_tally) as inner:
            assert inner.deadline == soon
            assert inner.timeout(10.0) <= 1.0
            count_request("isbndb")
        count_request("isbndb")
    assert (outer_tally.get("isbndb"), inner_tally.get("isbndb")) == (2, 1)
    assert current_scope().deadline is None


@pytest.mark.anyio
async def test_tasks_started_inside_a_scope_see_it() -> None:
    tally = RequestTally()

    async def request() -> None:
        await anyio.lowlevel.checkpoint()
        count_request("googlebooks")

    with call_scope(tally=tally):
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(request)
    assert tally.get("googlebooks") == 3
