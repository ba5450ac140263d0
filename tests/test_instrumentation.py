"""Retries, breaker changes and cache look-ups are emitted once; every figure subscribes."""

from __future__ import annotations

import pytest
import stamina

from bookstracker import OpenLibrary
from bookstracker.errors import ProviderError
from bookstracker.instrumentation import (
    BreakerChanged,
    Event,
    EventBus,
    RequestDone,
    RetryScheduled,
)
from bookstracker.resilience import CircuitBreaker, RetryPolicy
from bookstracker.testing import FakeOpenLibrary, Faults

pytestmark = pytest.mark.anyio


async def test_one_retry_is_one_event_and_every_figure_agrees() -> None:
    fake = FakeOpenLibrary(faults=Faults(rate=1.0, kinds=("503",)))
    adapter = OpenLibrary(
        rate=1000,
        transport=fake.transport(),
        retry=RetryPolicy(attempts=2),
        breaker=CircuitBreaker("openlibrary", failure_threshold=2),
    )
    heard: list[Event] = []
    adapter.events.subscribe(heard.append)
    with stamina.set_testing(True, attempts=2), pytest.raises(ProviderError):
        await adapter.search("dune")
    await adapter.aclose()
    retries = [e for e in heard if isinstance(e, RetryScheduled)]
    requests = [e for e in heard if isinstance(e, RequestDone)]
    changes = [e for e in heard if isinstance(e, BreakerChanged)]
    assert len(retries) == 1
    assert len(requests) == fake.count() == 2
    assert [(c.previous, c.state, c.trips) for c in changes] == [("closed", "open", 1)]
    assert adapter.metrics.retries == adapter.policy.counters.retries == 1
    assert adapter.metrics.requests == 2
    assert adapter.policy.counters.breaker_trips == 1


def test_a_subscriber_can_leave() -> None:
    bus = EventBus()
    heard: list[Event] = []
    leave = bus.subscribe(heard.append)
    event = RetryScheduled(provider="isbndb", attempt=1, wait_s=0.5, error="server503")
    bus.publish(event)
    leave()
    bus.publish(event)
    assert heard == [event]
