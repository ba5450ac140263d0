"""Figures: per-provider requests, outcomes, 429s, retries and latency; per-tier cache counts.

:class:`ProviderMetrics` is the running tally each adapter keeps. :class:`Stats` is the value
``client.stats()`` returns: every provider's :class:`ProviderStats`, every cache tier's
:class:`CacheTierStats` and the current (or last) warm session's progress. It exports as a dict
(``to_dict``), JSON (``to_json``) and the Prometheus text format 0.0.4 (``to_prometheus``).
No figure holds a URL, a key or a query: only provider and tier names, counts and times.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from bookstracker._display import StatsDisplay
from bookstracker._json import JSONDict, as_float, as_object
from bookstracker.instrumentation import Event, RequestDone, RetryScheduled

if TYPE_CHECKING:
    from bookstracker.progress import WarmProgress

__all__ = [
    "BREAKER_STATES",
    "CacheTierStats",
    "LatencySummary",
    "ProviderMetrics",
    "ProviderStats",
    "Stats",
    "cache_tiers",
    "escape_label_value",
    "percentile",
]

LATENCY_WINDOW = 10_000
BREAKER_STATES = ("closed", "open", "half-open")
QUANTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))


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


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@attrs.define(eq=False)
class ProviderMetrics:
    """Running figures for one provider; every HTTP attempt is one request.

    Percentiles are taken over the last ``LATENCY_WINDOW`` attempts; ``latency_count`` and
    ``latency_sum_ms`` cover every attempt since the adapter was made.
    """

    provider: str
    requests: int = 0
    successes: int = 0
    failures: Counter[str] = attrs.field(factory=Counter)
    rate_limited: int = 0
    retries: int = 0
    latencies_ms: deque[float] = attrs.field(factory=lambda: deque(maxlen=LATENCY_WINDOW))
    latency_count: int = 0
    latency_sum_ms: float = 0.0

    def observe(self, event: Event) -> None:
        """The metrics subscriber (on its adapter's bus): count requests and retries."""
        if isinstance(event, RequestDone):
            self.record_attempt()
            if event.outcome == "ok":
                self.record_success(event.latency_ms)
            elif event.outcome != "cancelled":  # cut short by the caller: no outcome to count
                self.record_failure(event.outcome, event.latency_ms)
        elif isinstance(event, RetryScheduled):
            self.record_retry()

    def record_attempt(self) -> None:
        self.requests += 1

    def record_success(self, latency_ms: float) -> None:
        self.successes += 1
        self._sample(latency_ms)

    def record_failure(self, kind: str, latency_ms: float | None = None) -> None:
        self.failures[kind] += 1
        if kind in ("rate-limited", "quota"):
            self.rate_limited += 1
        if latency_ms is not None:
            self._sample(latency_ms)

    def record_retry(self) -> None:
        self.retries += 1

    def _sample(self, latency_ms: float) -> None:
        self.latencies_ms.append(latency_ms)
        self.latency_count += 1
        self.latency_sum_ms += latency_ms

    def latency(self) -> dict[str, float | None]:
        return self.latency_summary().to_dict()

    def latency_summary(self) -> LatencySummary:
        samples = list(self.latencies_ms)
        return LatencySummary(
            p50=_round(percentile(samples, 50)),
            p95=_round(percentile(samples, 95)),
            p99=_round(percentile(samples, 99)),
            count=self.latency_count,
            sum_ms=round(self.latency_sum_ms, 3),
        )

    def snapshot(self) -> JSONDict:
        return {
            "requests": self.requests,
            "successes": self.successes,
            "failures": sum(self.failures.values()),
            "failures_by_kind": dict(self.failures),
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "latency_ms": self.latency(),
        }


# -- the stats value ----------------------------------------------------------------------------


def _count(value: object) -> int:
    """A figure of a ``stats()`` dict: ``int(value)`` for a number or a text, 0 for none."""
    if isinstance(value, (int, float, str)) and value:
        return int(value)
    return 0


def _frozen_counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(sorted(value.items())))


@attrs.frozen(kw_only=True)
class LatencySummary:
    """Latency percentiles in milliseconds (None before any request), with count and sum."""

    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    count: int = 0
    sum_ms: float = 0.0

    def to_dict(self) -> dict[str, float | None]:
        """``{"p50", "p95", "p99"}``, as ``latency_ms`` in the ``--stats`` JSON document."""
        return {"p50": self.p50, "p95": self.p95, "p99": self.p99}


@attrs.frozen(kw_only=True)
class ProviderStats:
    """One provider's figures since its adapter was made.

    ``requests`` counts HTTP attempts (retries included); each ends as a success or a failure
    (``failures_by_kind``: ``http``, ``rate-limited``, ``quota``, ``unavailable``, ``timeout``,
    ``malformed``). ``rate_limited`` counts 429s (and quota refusals the provider sent).
    ``breaker`` is the circuit breaker's state and ``breaker_trips`` how often it opened.
    ``quota_left`` is today's remaining quota, None where it is not counted.
    """

    provider: str
    enabled: bool = True
    requests: int = 0
    successes: int = 0
    failures_by_kind: Mapping[str, int] = attrs.field(
        factory=dict, converter=_frozen_counts, hash=False
    )
    rate_limited: int = 0
    retries: int = 0
    latency_ms: LatencySummary = attrs.field(factory=LatencySummary)
    breaker: str = "closed"
    breaker_trips: int = 0
    quota_left: int | None = None

    @property
    def failures(self) -> int:
        return sum(self.failures_by_kind.values())

    @classmethod
    def from_metrics(
        cls,
        metrics: ProviderMetrics,
        *,
        enabled: bool = True,
        breaker: str = "closed",
        breaker_trips: int = 0,
        quota_left: int | None = None,
    ) -> ProviderStats:
        """The figures of a running :class:`ProviderMetrics`, with the policy's state."""
        return cls(
            provider=metrics.provider,
            enabled=enabled,
            requests=metrics.requests,
            successes=metrics.successes,
            failures_by_kind=dict(metrics.failures),
            rate_limited=metrics.rate_limited,
            retries=metrics.retries,
            latency_ms=metrics.latency_summary(),
            breaker=breaker,
            breaker_trips=breaker_trips,
            quota_left=quota_left,
        )

    @classmethod
    def from_snapshot(
        cls, provider: str, data: Mapping[str, object], *, enabled: bool = True
    ) -> ProviderStats:
        """The figures of a provider that only offers a ``stats()`` dict (your own provider)."""
        latency = as_object(data.get("latency_ms")) or {}
        given = data.get("failures_by_kind")
        if isinstance(given, Mapping):
            by_kind = {str(k): _count(v) for k, v in given.items()}
        else:
            failures = _count(data.get("failures"))
            by_kind = {"error": failures} if failures else {}
        trips = data.get("breaker_trips")
        quota = data.get("quota_left")
        return cls(
            provider=provider,
            enabled=enabled,
            requests=_count(data.get("requests")),
            successes=_count(data.get("successes")),
            failures_by_kind=by_kind,
            rate_limited=_count(data.get("rate_limited")),
            retries=_count(data.get("retries")),
            latency_ms=LatencySummary(
                p50=as_float(latency.get("p50")),
                p95=as_float(latency.get("p95")),
                p99=as_float(latency.get("p99")),
            ),
            breaker=str(data.get("breaker") or "closed"),
            breaker_trips=int(trips) if isinstance(trips, int) else 0,
            quota_left=int(quota) if isinstance(quota, int) else None,
        )

    def contract_dict(self) -> JSONDict:
        """Exactly the per-provider keys of the ``--stats`` JSON document."""
        return {
            "requests": self.requests,
            "successes": self.successes,
            "failures": self.failures,
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "latency_ms": self.latency_ms.to_dict(),
            "breaker": self.breaker,
        }

    def to_dict(self) -> JSONDict:
        """The ``--stats`` document's keys plus ``failures_by_kind``, ``breaker_trips``,
        ``quota_left``, ``enabled`` and the latency ``count``."""
        data = self.contract_dict()
        data["latency_ms"] = {**self.latency_ms.to_dict(), "count": self.latency_ms.count}
        data.update(
            failures_by_kind=dict(self.failures_by_kind),
            breaker_trips=self.breaker_trips,
            quota_left=self.quota_left,
            enabled=self.enabled,
        )
        return data


@attrs.frozen(kw_only=True)
class CacheTierStats:
    """One cache tier's figures: lookups that hit and missed since it was made, and what it
    holds now. ``hit_rate`` is None before the first lookup."""

    tier: str
    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0
    errors: int = 0

    @property
    def hit_rate(self) -> float | None:
        lookups = self.hits + self.misses
        return round(self.hits / lookups, 4) if lookups else None

    def contract_dict(self) -> dict[str, int]:
        """Exactly the per-tier keys of the ``--stats`` JSON document."""
        return {
            "hits": self.hits,
            "misses": self.misses,
            "entries": self.entries,
            "bytes": self.bytes,
        }

    def to_dict(self) -> JSONDict:
        return {**self.contract_dict(), "hit_rate": self.hit_rate, "errors": self.errors}


def _providers(value: Mapping[str, ProviderStats]) -> Mapping[str, ProviderStats]:
    return MappingProxyType(dict(value))


def _tiers(value: Mapping[str, CacheTierStats]) -> Mapping[str, CacheTierStats]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True, repr=False)
class Stats(StatsDisplay):
    """What ``client.stats()`` returns: providers, cache tiers and the warm session.

    ``warm`` is the progress of the warm run in progress, or of the last one this client ran;
    None when it ran none.
    """

    providers: Mapping[str, ProviderStats] = attrs.field(
        factory=dict, converter=_providers, hash=False
    )
    cache: Mapping[str, CacheTierStats] = attrs.field(factory=dict, converter=_tiers, hash=False)
    warm: WarmProgress | None = None

    def contract_dict(self) -> JSONDict:
        """The ``stats`` JSON document of ``--stats``: exactly its keys, nothing more."""
        return {
            "providers": {n: p.contract_dict() for n, p in self.providers.items()},
            "cache": {n: t.contract_dict() for n, t in self.cache.items()},
        }

    def to_dict(self) -> JSONDict:
        """Every figure: the ``--stats`` document's keys and the extra ones, plus ``"warm"``."""
        return {
            "providers": {n: p.to_dict() for n, p in self.providers.items()},
            "cache": {n: t.to_dict() for n, t in self.cache.items()},
            "warm": self.warm.to_dict() if self.warm is not None else None,
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON."""
        import json  # only when asked for JSON

        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_prometheus(self) -> str:
        """The figures in the Prometheus text exposition format, version 0.0.4."""
        out = _Exposition()
        providers = list(self.providers.values())
        for name, help_text, value_of in _PROVIDER_COUNTERS:
            out.family(name, "counter", help_text)
            for p in providers:
                out.sample(name, {"provider": p.provider}, value_of(p))
        _request_exposition(out, providers)
        _state_exposition(out, providers)
        tiers = list(self.cache.values())
        for name, kind, help_text, tier_value in _TIER_FIGURES:
            out.family(name, kind, help_text)
            for t in tiers:
                figure = tier_value(t)
                if figure is not None:
                    out.sample(name, {"tier": t.tier}, figure)
        if self.warm is not None:
            _warm_exposition(out, self.warm)
        return out.text()


_PROVIDER_COUNTERS: tuple[tuple[str, str, Callable[[ProviderStats], int]], ...] = (
    (
        "bookstracker_requests_total",
        "Upstream HTTP requests, every attempt (retries included).",
        lambda p: p.requests,
    ),
    (
        "bookstracker_successes_total",
        "Upstream HTTP requests answered (404 included).",
        lambda p: p.successes,
    ),
    (
        "bookstracker_rate_limited_total",
        "Upstream HTTP requests refused with 429 or a spent quota.",
        lambda p: p.rate_limited,
    ),
    ("bookstracker_retries_total", "Upstream HTTP requests retried.", lambda p: p.retries),
)

_TIER_FIGURES: tuple[tuple[str, str, str, Callable[[CacheTierStats], float | None]], ...] = (
    (
        "bookstracker_cache_hits_total",
        "counter",
        "Cache lookups that found an entry.",
        lambda t: t.hits,
    ),
    (
        "bookstracker_cache_misses_total",
        "counter",
        "Cache lookups that found nothing.",
        lambda t: t.misses,
    ),
    (
        "bookstracker_cache_hit_ratio",
        "gauge",
        "Hits over lookups (absent before the first lookup).",
        lambda t: t.hit_rate,
    ),
    ("bookstracker_cache_entries", "gauge", "Entries the tier holds.", lambda t: t.entries),
    ("bookstracker_cache_bytes", "gauge", "Bytes the tier holds.", lambda t: t.bytes),
    (
        "bookstracker_cache_errors_total",
        "counter",
        "Store failures turned into misses or dropped writes.",
        lambda t: t.errors,
    ),
)


def _request_exposition(out: _Exposition, providers: Sequence[ProviderStats]) -> None:
    """Failures by kind and the latency summary, per provider."""
    out.family(
        "bookstracker_failures_total",
        "counter",
        "Failed upstream HTTP requests by kind of failure.",
    )
    for p in providers:
        for kind, count in p.failures_by_kind.items():
            out.sample("bookstracker_failures_total", {"provider": p.provider, "kind": kind}, count)
    latency = "bookstracker_request_latency_seconds"
    out.family(latency, "summary", "Upstream request latency (quantiles over recent requests).")
    for p in providers:
        for key, quantile in QUANTILES:
            value = getattr(p.latency_ms, key)
            if value is not None:
                labels = {"provider": p.provider, "quantile": str(quantile)}
                out.sample(latency, labels, value / 1000.0)
        out.sample(latency + "_sum", {"provider": p.provider}, round(p.latency_ms.sum_ms / 1e3, 6))
        out.sample(latency + "_count", {"provider": p.provider}, p.latency_ms.count)


def _state_exposition(out: _Exposition, providers: Sequence[ProviderStats]) -> None:
    """Breaker state and trips, quota left and whether each provider is enabled."""
    out.family(
        "bookstracker_breaker_state",
        "gauge",
        "Circuit breaker state: 1 for the state it is in, 0 for the others.",
    )
    for p in providers:
        for state in BREAKER_STATES:
            labels = {"provider": p.provider, "state": state}
            out.sample("bookstracker_breaker_state", labels, int(p.breaker == state))
    out.family("bookstracker_breaker_trips_total", "counter", "Times the breaker opened.")
    for p in providers:
        out.sample("bookstracker_breaker_trips_total", {"provider": p.provider}, p.breaker_trips)
    out.family(
        "bookstracker_quota_remaining",
        "gauge",
        "Requests left in today's quota (only providers whose quota is counted).",
    )
    for p in providers:
        if p.quota_left is not None:
            out.sample("bookstracker_quota_remaining", {"provider": p.provider}, p.quota_left)
    out.family("bookstracker_provider_enabled", "gauge", "1 when the provider is usable.")
    for p in providers:
        out.sample("bookstracker_provider_enabled", {"provider": p.provider}, int(p.enabled))


def _warm_exposition(out: _Exposition, warm: WarmProgress) -> None:
    out.family("bookstracker_warm_authors", "gauge", "The warm session's authors, by state.")
    for state in ("total", "done", "warmed", "skipped", "failed"):
        out.sample("bookstracker_warm_authors", {"state": state}, getattr(warm, state))
    out.family("bookstracker_warm_elapsed_seconds", "gauge", "Time the warm session has run.")
    out.sample("bookstracker_warm_elapsed_seconds", {}, round(warm.elapsed_s, 3))
    eta = warm.eta_s
    if eta is not None:
        out.family(
            "bookstracker_warm_eta_seconds", "gauge", "Estimated time left in the warm session."
        )
        out.sample("bookstracker_warm_eta_seconds", {}, round(eta, 3))


def escape_label_value(value: str) -> str:
    """A label value escaped for the text format: backslash, double quote and line feed."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


class _Exposition:
    """Lines of the text format, written family by family."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self._lines.append(f"# HELP {name} {_escape_help(help_text)}")
        self._lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, labels: Mapping[str, str], value: float) -> None:
        if labels:
            inner = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in labels.items())
            self._lines.append(f"{name}{{{inner}}} {_number(value)}")
        else:
            self._lines.append(f"{name} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"


def cache_tiers(tiers: Iterable[tuple[str, int, int, int, int, int]]) -> dict[str, CacheTierStats]:
    """Tier figures keyed by tier name; a repeated name gets ``-2``, ``-3``... appended."""
    out: dict[str, CacheTierStats] = {}
    for name, hits, misses, entries, size, errors in tiers:
        key = name
        number = 1
        while key in out:
            number += 1
            key = f"{name}-{number}"
        out[key] = CacheTierStats(
            tier=key, hits=hits, misses=misses, entries=entries, bytes=size, errors=errors
        )
    return out


# -- requests per call --------------------------------------------------------------------------
