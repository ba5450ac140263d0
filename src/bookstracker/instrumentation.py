"""One instrumentation path: what happened, emitted once, for every subscriber to hear.

The resilience layer and the cache layer publish small frozen events (a request finished, a
retry is coming, a breaker changed state, a cached answer was looked up) on an
:class:`EventBus`; the metrics, the structured log (and its hook) and the policy's counters
subscribe. Nothing counts a retry or a breaker trip in more than one place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import attrs

from bookstracker.errors import ProviderError

__all__ = [
    "BreakerChanged",
    "CacheLooked",
    "Event",
    "EventBus",
    "RequestDone",
    "RetryScheduled",
    "Subscriber",
    "error_kind",
]


@attrs.frozen(kw_only=True)
class RequestDone:
    """One HTTP attempt ended: ``outcome`` is ``ok`` or the failure kind."""

    provider: str
    method: str
    url: str
    status: int | None
    latency_ms: float
    attempt: int
    outcome: str


@attrs.frozen(kw_only=True)
class RetryScheduled:
    """Attempt ``attempt`` failed with ``error`` (a kind); the next follows in ``wait_s``."""

    provider: str
    attempt: int
    wait_s: float
    error: str


@attrs.frozen(kw_only=True)
class BreakerChanged:
    """A provider's circuit breaker went from ``previous`` to ``state``."""

    provider: str
    previous: str
    state: str
    trips: int


@attrs.frozen(kw_only=True, slots=True)
class CacheLooked:
    """A question was looked up in the cache: its key and whether a fresh answer was there.
    Subscribers show the ``kind`` of question, never the key (it holds the question)."""

    key: str = attrs.field(repr=False)
    hit: bool

    @property
    def kind(self) -> str:
        """The kind of question (``search``, ``isbn``, ``author``…) read from the key."""
        parts = self.key.split(":", 3)
        return parts[2] if len(parts) > 2 and parts[0] == "bt" else "other"


Event = RequestDone | RetryScheduled | BreakerChanged | CacheLooked
Subscriber = Callable[[Event], None]


class EventBus:
    """Hands each published event to every subscriber, in the order they subscribed."""

    def __init__(self, *subscribers: Subscriber) -> None:
        self._subscribers: tuple[Subscriber, ...] = subscribers
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add ``subscriber``; returns the function that removes it."""
        with self._lock:
            self._subscribers = (*self._subscribers, subscriber)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = tuple(s for s in self._subscribers if s is not subscriber)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for subscriber in self._subscribers:
            subscriber(event)


def error_kind(error: BaseException) -> str:
    """An error as a short kind for events: ``server503``, ``timeout``, ``RuntimeError``…"""
    if not isinstance(error, ProviderError):
        return type(error).__name__
    return f"{error.kind}{error.status}" if error.status is not None else error.kind
