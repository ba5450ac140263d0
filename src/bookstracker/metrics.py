"""Per-provider figures: requests, outcomes, 429s, retries and latency percentiles."""

from __future__ import annotations

import contextvars
import math
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import attrs

__all__ = [
    "ProviderMetrics",
    "RequestTally",
    "count_requests",
    "current_tally",
    "percentile",
]

LATENCY_WINDOW = 10_000


def percentile(samples: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) of ``samples`` by linear interpolation; None when empty."""
    if not samples:
        return None
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@attrs.define
class ProviderMetrics:
    """Running figures for one provider; every HTTP attempt is one request."""

    provider: str
    requests: int = 0
    successes: int = 0
    failures: Counter[str] = attrs.field(factory=Counter)
    rate_limited: int = 0
    retries: int = 0
    latencies_ms: deque[float] = attrs.field(factory=lambda: deque(maxlen=LATENCY_WINDOW))

    def record_attempt(self) -> None:
        self.requests += 1

    def record_success(self, latency_ms: float) -> None:
        self.successes += 1
        self.latencies_ms.append(latency_ms)

    def record_failure(self, kind: str, latency_ms: float | None = None) -> None:
        self.failures[kind] += 1
        if kind in ("rate-limited", "quota"):
            self.rate_limited += 1
        if latency_ms is not None:
            self.latencies_ms.append(latency_ms)

    def record_retry(self) -> None:
        self.retries += 1

    def latency(self) -> dict[str, float | None]:
        samples = list(self.latencies_ms)
        return {
            "p50": _round(percentile(samples, 50)),
            "p95": _round(percentile(samples, 95)),
            "p99": _round(percentile(samples, 99)),
        }

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "successes": self.successes,
            "failures": sum(self.failures.values()),
            "failures_by_kind": dict(self.failures),
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "latency_ms": self.latency(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@attrs.define
class RequestTally:
    """Upstream HTTP requests made during one call, per provider."""

    counts: Counter[str] = attrs.field(factory=Counter)

    def add(self, provider: str, n: int = 1) -> None:
        self.counts[provider] += n

    def get(self, provider: str) -> int:
        return self.counts.get(provider, 0)

    def as_dict(self) -> Mapping[str, int]:
        return dict(self.counts)


_TALLY: contextvars.ContextVar[tuple[RequestTally, ...]] = contextvars.ContextVar(
    "bookstracker_request_tally", default=()
)


def current_tally() -> tuple[RequestTally, ...]:
    """Every tally counting the requests made in this context (nested calls each get theirs)."""
    return _TALLY.get()


@contextmanager
def count_requests(tally: RequestTally | None = None) -> Iterator[RequestTally]:
    """Count the upstream requests made inside the block (and in tasks it starts)."""
    tally = tally if tally is not None else RequestTally()
    token = _TALLY.set((*_TALLY.get(), tally))
    try:
        yield tally
    finally:
        _TALLY.reset(token)
