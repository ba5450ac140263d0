"""The call scope: what one public call carries down to every request it makes.

A :class:`CallScope` holds the call's deadline and the tallies counting its upstream requests.
It travels in one context variable, so tasks started inside the call see it too; a nested
scope keeps the earlier of the two deadlines and counts into the outer tallies as well.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import attrs

from bookstracker.resilience.deadline import Deadline

__all__ = ["CallScope", "RequestTally", "call_scope", "count_request", "current_scope"]


@attrs.define(eq=False)
class RequestTally:
    """Upstream HTTP requests made during one call, per provider."""

    counts: Counter[str] = attrs.field(factory=Counter)

    def add(self, provider: str, n: int = 1) -> None:
        self.counts[provider] += n

    def get(self, provider: str) -> int:
        return self.counts.get(provider, 0)

    def as_dict(self) -> Mapping[str, int]:
        return dict(self.counts)


@attrs.frozen
class CallScope:
    """The deadline of the call in progress (None: none) and every tally counting it."""

    deadline: Deadline | None = None
    tallies: tuple[RequestTally, ...] = ()

    def timeout(self, timeout: float) -> float:
        """``timeout`` shortened so a request ends by the deadline (at least a millisecond)."""
        if self.deadline is None:
            return timeout
        return max(0.001, min(timeout, self.deadline.remaining()))


_OUTSIDE = CallScope()
_SCOPE: contextvars.ContextVar[CallScope | None] = contextvars.ContextVar(
    "bookstracker_call_scope", default=None
)


def current_scope() -> CallScope:
    """The scope of the call in progress (an empty one outside any call)."""
    return _SCOPE.get() or _OUTSIDE


@contextmanager
def call_scope(
    *, deadline: Deadline | None = None, tally: RequestTally | None = None
) -> Iterator[CallScope]:
    """Inside the block (and in tasks it starts), requests respect ``deadline`` and are
    counted in ``tally`` besides the outer scope's tallies."""
    outer = current_scope()
    if outer.deadline is not None and (deadline is None or outer.deadline.at < deadline.at):
        deadline = outer.deadline
    tallies = outer.tallies if tally is None else (*outer.tallies, tally)
    scope = CallScope(deadline=deadline, tallies=tallies)
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def count_request(provider: str) -> None:
    """Count one upstream request of ``provider`` in every tally of the current scope."""
    for tally in current_scope().tallies:
        tally.add(provider)
