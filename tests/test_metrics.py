"""Figures and events: Stats, its JSON and Prometheus exports, structured logging and hooks."""

from __future__ import annotations

import json
import logging
import re
import sys
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import stamina

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker._logging import (
    EVENT_LOGGER,
    opentelemetry_hook,
    set_event_hook,
    structlog_hook,
)
from bookstracker.cache import DiskCache, MemoryCache, TieredCache
from bookstracker.errors import ConfigurationError
from bookstracker.metrics import (
    CacheTierStats,
    LatencySummary,
    ProviderMetrics,
    ProviderStats,
    Stats,
    percentile,
)
from bookstracker.resilience import CircuitBreaker, LocalQuota, RetryPolicy
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary, Faults
from bookstracker.warming import WarmProgress

pytestmark = pytest.mark.anyio

GOOGLE_KEY = "AIzaSyGOOGLESECRET0001"
ISBNDB_KEY = "isbndb-secret-key-0002"
SECRETS = (GOOGLE_KEY, ISBNDB_KEY)
CONTRACT_PROVIDER_KEYS = {
    "requests",
    "successes",
    "failures",
    "rate_limited",
    "retries",
    "latency_ms",
    "breaker",
}


class Fakes:
    def __init__(self) -> None:
        self.ol = FakeOpenLibrary()
        self.gb = FakeGoogleBooks()
        self.db = FakeISBNdb(api_key=ISBNDB_KEY)
        self.by_name = {"openlibrary": self.ol, "googlebooks": self.gb, "isbndb": self.db}

    def client(self, *, cache: Any = None, **adapters: Any) -> AsyncBooksClient:
        return AsyncBooksClient(
            openlibrary=adapters.get("openlibrary")
            or OpenLibrary(transport=self.ol.transport(), rate=1000),
            googlebooks=adapters.get("googlebooks")
            or GoogleBooks(api_key=GOOGLE_KEY, transport=self.gb.transport(), rate=1000),
            isbndb=adapters.get("isbndb")
            or ISBNdb(api_key=ISBNDB_KEY, transport=self.db.transport(), rate=1000),
            cache=cache,
        )


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def no_retry_sleep() -> Iterator[None]:
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


@pytest.fixture
def events() -> Iterator[list[logging.LogRecord]]:
    """Every record on bookstracker.events, at DEBUG."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    level = EVENT_LOGGER.level
    EVENT_LOGGER.addHandler(handler)
    EVENT_LOGGER.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        EVENT_LOGGER.removeHandler(handler)
        EVENT_LOGGER.setLevel(level)


@pytest.fixture
def hooked() -> Iterator[list[tuple[str, Mapping[str, Any]]]]:
    seen: list[tuple[str, Mapping[str, Any]]] = []
    previous = set_event_hook(lambda event, fields: seen.append((event, fields)))
    try:
        yield seen
    finally:
        set_event_hook(previous)


async def mixed_workload(client: AsyncBooksClient) -> None:
    await client.search("the martian")
    await client.isbns(["9780553418026", "0385490818", "9780000000002"])
    await client.author("Andy Weir")


# -- the figures agree with the fakes ------------------------------------------------------------


async def test_stats_agree_with_the_requests_the_fakes_received(
    fakes: Fakes, no_retry_sleep: None
) -> None:
    fakes.ol.set_faults(Faults(fail_first=2, kinds=("503",)))
    async with fakes.client() as client:
        await mixed_workload(client)
        stats = await client.stats()
    for name, fake in fakes.by_name.items():
        figures = stats.providers[name]
        assert figures.requests == len(fake.log) > 0, name
        assert figures.successes + figures.failures == figures.requests
        assert figures.latency_ms.count == figures.requests
        assert figures.rate_limited == sum(r.status == 429 for r in fake.log)
    ol = stats.providers["openlibrary"]
    assert ol.retries == 2
    assert dict(ol.failures_by_kind) == {"http": 2}
    assert sum(r.fault == "503" for r in fakes.ol.log) == 2
    assert stats.providers["googlebooks"].retries == 0


async def test_retries_of_429s_are_counted_as_rate_limited(fakes: Fakes) -> None:
    fakes.gb.set_rate_limit(0.001, burst=1)
    gb = GoogleBooks(
        api_key=GOOGLE_KEY,
        transport=fakes.gb.transport(),
        rate=1000,
        retry=RetryPolicy(attempts=1),
    )
    async with fakes.client(googlebooks=gb) as client:
        await client.search("the martian")
        await client.search("project hail mary")
        stats = await client.stats()
    figures = stats.providers["googlebooks"]
    assert figures.requests == 2
    assert figures.rate_limited == 1 == sum(r.status == 429 for r in fakes.gb.log)


async def test_breaker_state_and_trips_are_reported(fakes: Fakes, no_retry_sleep: None) -> None:
    fakes.ol.set_faults(Faults.always("503"))
    ol = OpenLibrary(
        transport=fakes.ol.transport(),
        rate=1000,
        retry=RetryPolicy(attempts=1),
        breaker=CircuitBreaker("openlibrary", failure_threshold=2, reset_timeout=60),
    )
    async with fakes.client(openlibrary=ol) as client:
        for query in ("one", "two", "three"):
            await client.search(query)
        stats = await client.stats()
    figures = stats.providers["openlibrary"]
    assert (figures.breaker, figures.breaker_trips) == ("open", 1)
    assert figures.requests == 2 == len(fakes.ol.log)
    text = stats.to_prometheus()
    assert 'bookstracker_breaker_state{provider="openlibrary",state="open"} 1' in text
    assert 'bookstracker_breaker_state{provider="openlibrary",state="closed"} 0' in text
    assert 'bookstracker_breaker_trips_total{provider="openlibrary"} 1' in text


async def test_quota_left_comes_from_the_quota_tracker(fakes: Fakes) -> None:
    gb = GoogleBooks(
        api_key=GOOGLE_KEY,
        transport=fakes.gb.transport(),
        rate=1000,
        quota=LocalQuota("googlebooks", 10),
    )
    async with fakes.client(googlebooks=gb) as client:
        await client.search("the martian")
        stats = await client.stats()
    assert stats.providers["googlebooks"].quota_left == 10 - len(fakes.gb.log)
    assert stats.providers["openlibrary"].quota_left is None
    assert stats.to_dict()["providers"]["googlebooks"]["quota_left"] == 9


async def test_cache_figures_per_tier(fakes: Fakes, tmp_path: Path) -> None:
    cache = TieredCache(MemoryCache(), DiskCache(tmp_path / "cache"))
    async with fakes.client(cache=cache) as client:
        await client.author("Andy Weir")
        before = sum(len(f.log) for f in fakes.by_name.values())
        await client.author("Andy Weir")
        stats = await client.stats()
    assert sum(len(f.log) for f in fakes.by_name.values()) == before
    memory, disk = stats.cache["memory"], stats.cache["disk"]
    assert memory.hits >= 1
    assert memory.entries >= 1
    assert memory.bytes > 0
    assert disk.entries == memory.entries
    assert disk.bytes > 0
    assert memory.hit_rate == round(memory.hits / (memory.hits + memory.misses), 4)
    assert set(stats.contract_dict()["cache"]["memory"]) == {"hits", "misses", "entries", "bytes"}


async def test_without_a_cache_there_are_no_tiers(fakes: Fakes) -> None:
    async with fakes.client() as client:
        stats = await client.stats()
    assert stats.cache == {}
    assert stats.warm is None
    assert stats.to_dict()["warm"] is None


async def test_no_secret_in_any_export(fakes: Fakes, tmp_path: Path) -> None:
    async with fakes.client(cache=MemoryCache()) as client:
        await mixed_workload(client)
        stats = await client.stats()
    for text in (stats.to_json(), stats.to_prometheus(), repr(stats), str(stats.to_dict())):
        for secret in SECRETS:
            assert secret not in text


# -- the value and its exports ------------------------------------------------------------------


def sample_stats(**changes: Any) -> Stats:
    metrics = ProviderMetrics("openlibrary")
    for latency in (10.0, 20.0, 30.0, 40.0):
        metrics.record_attempt()
        metrics.record_success(latency)
    metrics.record_attempt()
    metrics.record_failure("timeout", 100.0)
    metrics.record_retry()
    values: dict[str, Any] = {
        "providers": {
            "openlibrary": ProviderStats.from_metrics(metrics, breaker="closed", quota_left=None),
            "isbndb": ProviderStats(provider="isbndb", quota_left=42, breaker="half-open"),
        },
        "cache": {"memory": CacheTierStats(tier="memory", hits=3, misses=1, entries=2, bytes=99)},
        "warm": WarmProgress(
            total=10, done=4, warmed=3, skipped=1, failed=0, current="Andy Weir", elapsed_s=2.0
        ),
    }
    values.update(changes)
    return Stats(**values)


def test_percentile_interpolates() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 99) == 5.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([1.0, 2.0], 100) == 2.0


def test_provider_figures_from_running_metrics() -> None:
    figures = sample_stats().providers["openlibrary"]
    assert (figures.requests, figures.successes, figures.failures) == (5, 4, 1)
    assert dict(figures.failures_by_kind) == {"timeout": 1}
    assert figures.latency_ms == LatencySummary(p50=30.0, p95=88.0, p99=97.6, count=5, sum_ms=200.0)


def test_contract_dict_has_exactly_the_contract_keys() -> None:
    document = sample_stats().contract_dict()
    assert set(document) == {"providers", "cache"}
    for figures in document["providers"].values():
        assert set(figures) == CONTRACT_PROVIDER_KEYS
        assert set(figures["latency_ms"]) == {"p50", "p95", "p99"}
    assert document["cache"] == {"memory": {"hits": 3, "misses": 1, "entries": 2, "bytes": 99}}


def test_to_dict_adds_the_extra_figures_and_the_warm_session() -> None:
    document = sample_stats().to_dict()
    ol = document["providers"]["openlibrary"]
    assert set(ol) >= CONTRACT_PROVIDER_KEYS
    assert ol["failures_by_kind"] == {"timeout": 1}
    assert document["providers"]["isbndb"]["quota_left"] == 42
    assert document["cache"]["memory"]["hit_rate"] == 0.75
    assert document["warm"]["done"] == 4
    assert document["warm"]["eta_s"] == 3.0


def test_to_json_is_to_dict() -> None:
    stats = sample_stats()
    assert json.loads(stats.to_json()) == stats.to_dict()
    assert json.loads(stats.to_json(indent=2)) == stats.to_dict()


_SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r'(?:\{(?P<labels>(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? '
    r"(?P<value>-?[0-9.e+-]+|NaN|[+-]Inf)$"
)
_LABEL = re.compile(r'([a-zA-Z_]\w*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse_exposition(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A strict reader of the text format: HELP and TYPE before a family's samples."""
    assert text.endswith("\n")
    typed: dict[str, str] = {}
    helped: set[str] = set()
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helped.add(line.split(" ")[2])
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "summary", "histogram", "untyped"}
            assert name not in typed, f"{name} typed twice"
            typed[name] = kind
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name = match["name"]
        family = re.sub(r"_(sum|count)$", "", name)
        family = family if family in typed else name
        assert family in typed, f"{name} has no TYPE"
        assert family in helped, f"{name} has no HELP"
        labels = tuple(
            (k, v.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\"))
            for k, v in _LABEL.findall(match["labels"] or "")
        )
        key = (name, labels)
        assert key not in samples, f"duplicate sample {key}"
        samples[key] = float(match["value"])
    return samples


def test_prometheus_text_is_well_formed_with_the_documented_names() -> None:
    samples = parse_exposition(sample_stats().to_prometheus())
    ol = (("provider", "openlibrary"),)
    assert samples[("bookstracker_requests_total", ol)] == 5
    assert samples[("bookstracker_successes_total", ol)] == 4
    assert samples[("bookstracker_retries_total", ol)] == 1
    failures = (("provider", "openlibrary"), ("kind", "timeout"))
    assert samples[("bookstracker_failures_total", failures)] == 1
    p50 = (("provider", "openlibrary"), ("quantile", "0.5"))
    assert samples[("bookstracker_request_latency_seconds", p50)] == 0.03
    assert samples[("bookstracker_request_latency_seconds_sum", ol)] == 0.2
    assert samples[("bookstracker_request_latency_seconds_count", ol)] == 5
    isbndb = (("provider", "isbndb"),)
    assert samples[("bookstracker_quota_remaining", isbndb)] == 42
    assert ("bookstracker_quota_remaining", ol) not in samples
    assert samples[("bookstracker_breaker_state", (*isbndb, ("state", "half-open")))] == 1
    memory = (("tier", "memory"),)
    assert samples[("bookstracker_cache_hits_total", memory)] == 3
    assert samples[("bookstracker_cache_misses_total", memory)] == 1
    assert samples[("bookstracker_cache_hit_ratio", memory)] == 0.75
    assert samples[("bookstracker_cache_bytes", memory)] == 99
    assert samples[("bookstracker_warm_authors", (("state", "done"),))] == 4
    assert samples[("bookstracker_warm_eta_seconds", ())] == 3.0


def test_prometheus_text_declares_each_family_once_with_its_type() -> None:
    text = sample_stats().to_prometheus()
    assert "# TYPE bookstracker_requests_total counter" in text
    assert "# TYPE bookstracker_request_latency_seconds summary" in text
    assert "# TYPE bookstracker_breaker_state gauge" in text
    assert "# TYPE bookstracker_cache_entries gauge" in text
    assert text.count("# TYPE bookstracker_requests_total ") == 1


def test_prometheus_label_values_are_escaped() -> None:
    odd = 'my "odd"\\provider\nname'
    stats = Stats(providers={odd: ProviderStats(provider=odd, requests=7)})
    text = stats.to_prometheus()
    assert 'provider="my \\"odd\\"\\\\provider\\nname"' in text
    samples = parse_exposition(text)
    assert samples[("bookstracker_requests_total", (("provider", odd),))] == 7


def test_no_latency_yet_means_no_quantile_samples() -> None:
    stats = Stats(providers={"isbndb": ProviderStats(provider="isbndb")})
    samples = parse_exposition(stats.to_prometheus())
    assert not any(k[0] == "bookstracker_request_latency_seconds" for k in samples)
    assert samples[("bookstracker_request_latency_seconds_count", (("provider", "isbndb"),))] == 0


def test_from_snapshot_reads_a_custom_providers_dict() -> None:
    figures = ProviderStats.from_snapshot(
        "mine",
        {"requests": 3, "successes": 2, "failures": 1, "latency_ms": {"p50": 1.5}},
    )
    assert (figures.requests, figures.failures, figures.latency_ms.p50) == (3, 1, 1.5)
    assert figures.contract_dict()["failures"] == 1


# -- events ---------------------------------------------------------------------------------------


async def test_each_request_is_an_event_with_its_fields(
    fakes: Fakes, events: list[logging.LogRecord]
) -> None:
    async with fakes.client() as client:
        await client.search("the martian")
    requests = [r for r in events if getattr(r, "event", None) == "request"]
    assert len(requests) == sum(len(f.log) for f in fakes.by_name.values())
    gb = next(r for r in requests if r.provider == "googlebooks")  # type: ignore[attr-defined]
    assert gb.method == "GET"  # type: ignore[attr-defined]
    assert gb.path == "/books/v1/volumes"  # type: ignore[attr-defined]
    assert gb.status == 200  # type: ignore[attr-defined]
    assert gb.attempt == 1  # type: ignore[attr-defined]
    assert gb.outcome == "ok"  # type: ignore[attr-defined]
    assert gb.latency_ms >= 0  # type: ignore[attr-defined]
    assert gb.levelno == logging.DEBUG
    assert gb.getMessage().startswith("request provider=googlebooks method=GET")


async def test_retries_and_attempt_numbers_are_events(
    fakes: Fakes, events: list[logging.LogRecord], no_retry_sleep: None
) -> None:
    fakes.ol.set_faults(Faults(fail_first=2, kinds=("503",)))
    async with fakes.client() as client:
        await client.search("the martian")
    ol = [r for r in events if getattr(r, "provider", None) == "openlibrary"]
    assert [(r.event, r.attempt) for r in ol] == [  # type: ignore[attr-defined]
        ("request", 1),
        ("retry", 1),
        ("request", 2),
        ("retry", 2),
        ("request", 3),
    ]
    assert [r.status for r in ol if r.event == "request"] == [503, 503, 200]  # type: ignore[attr-defined]
    retry = next(r for r in ol if r.event == "retry")  # type: ignore[attr-defined]
    assert retry.error == "http503"  # type: ignore[attr-defined]
    assert retry.levelno == logging.INFO


async def test_breaker_transitions_are_events(
    fakes: Fakes, events: list[logging.LogRecord], no_retry_sleep: None
) -> None:
    clock = [0.0]
    ol = OpenLibrary(
        transport=fakes.ol.transport(),
        rate=1000,
        retry=RetryPolicy(attempts=1),
        breaker=CircuitBreaker(
            "openlibrary", failure_threshold=1, reset_timeout=10, clock=lambda: clock[0]
        ),
    )
    fakes.ol.set_faults(Faults.always("503"))
    async with fakes.client(openlibrary=ol) as client:
        await client.search("one")
        await client.search("two")
        fakes.ol.set_faults(None)
        clock[0] = 11.0
        await client.search("three")
    changes = [
        (r.previous, r.state, r.levelno)  # type: ignore[attr-defined]
        for r in events
        if getattr(r, "event", None) == "breaker"
    ]
    assert changes == [
        ("closed", "open", logging.WARNING),
        ("open", "half-open", logging.INFO),
        ("half-open", "closed", logging.INFO),
    ]


async def test_warm_progress_is_an_event(
    fakes: Fakes, events: list[logging.LogRecord], tmp_path: Path
) -> None:
    async with fakes.client() as client:
        await client.warm(["Andy Weir", "Ted Chiang"], state_dir=tmp_path)
    warm = [r for r in events if str(getattr(r, "event", "")).startswith("warm.")]
    assert [r.event for r in warm] == [  # type: ignore[attr-defined]
        "warm.start",
        "warm.author",
        "warm.author",
        "warm.finish",
    ]
    assert [r.done for r in warm] == [0, 1, 2, 2]  # type: ignore[attr-defined]
    assert {r.author for r in warm[1:3]} == {"Andy Weir", "Ted Chiang"}  # type: ignore[attr-defined]
    assert warm[1].outcome == "warmed"  # type: ignore[attr-defined]
    assert warm[-1].eta_s == 0.0  # type: ignore[attr-defined]


async def test_no_secret_in_any_event_or_hooked_field(
    fakes: Fakes,
    events: list[logging.LogRecord],
    hooked: list[tuple[str, Mapping[str, Any]]],
    no_retry_sleep: None,
    tmp_path: Path,
) -> None:
    fakes.gb.set_faults(Faults(fail_first=1, kinds=("500",)))
    fakes.db.set_faults(Faults(fail_first=1, kinds=("503",)))
    async with fakes.client(cache=MemoryCache()) as client:
        await mixed_workload(client)
        await client.warm(["Ted Chiang"], state_dir=tmp_path)
    assert {e for e, _ in hooked} >= {"request", "retry", "warm.author"}
    assert len(events) == len(hooked)
    texts = [repr(vars(r)) + r.getMessage() for r in events] + [repr(h) for h in hooked]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
        assert "key=" not in text


async def test_httpx_request_logs_carry_no_key(
    fakes: Fakes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="httpx"):
        async with fakes.client() as client:
            await client.search("the martian")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("googleapis" in line and "key=[secure]" in line for line in lines)
    assert GOOGLE_KEY not in caplog.text


def test_the_hook_gets_events_even_when_logging_is_off(
    hooked: list[tuple[str, Mapping[str, Any]]],
) -> None:
    from bookstracker._logging import emit

    root = logging.getLogger()
    levels = (root.level, EVENT_LOGGER.level)
    root.setLevel(logging.WARNING)  # logging off for debug events, whatever earlier tests set
    EVENT_LOGGER.setLevel(logging.NOTSET)
    try:
        assert not EVENT_LOGGER.isEnabledFor(logging.DEBUG)
        emit("request", logging.DEBUG, provider="isbndb", status=200)
    finally:
        root.setLevel(levels[0])
        EVENT_LOGGER.setLevel(levels[1])
    assert hooked == [("request", {"provider": "isbndb", "status": 200})]


async def test_a_cache_lookup_event_names_the_kind_not_the_question(
    fakes: Fakes, events: list[logging.LogRecord]
) -> None:
    async with fakes.client(cache=MemoryCache()) as client:
        await client.search("margaret atwood")
        await client.search("margaret atwood")
    looked = [r for r in events if r.event == "cache"]  # type: ignore[attr-defined]
    assert [(r.kind, r.hit) for r in looked] == [  # type: ignore[attr-defined]
        ("search", False),
        ("search", True),
    ]
    assert "atwood" not in repr([vars(r) for r in looked])


def test_a_failing_hook_never_breaks_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    from bookstracker._logging import emit

    def broken(event: str, fields: Mapping[str, Any]) -> None:
        raise RuntimeError("exporter down")

    previous = set_event_hook(broken)
    try:
        with caplog.at_level(logging.WARNING, logger="bookstracker.events"):
            emit("retry", logging.INFO, provider="openlibrary", attempt=1)
    finally:
        assert set_event_hook(previous) is broken
    assert "event hook failed" in caplog.text


def test_a_hook_must_be_callable() -> None:
    with pytest.raises(ConfigurationError):
        set_event_hook("not callable")  # type: ignore[arg-type]


def test_reserved_logrecord_names_are_renamed_in_extra(
    events: list[logging.LogRecord],
) -> None:
    from bookstracker._logging import emit

    emit("custom", logging.INFO, name="x", message="y", provider="p")
    (record,) = events
    assert (record.name_, record.message_, record.provider) == ("x", "y", "p")  # type: ignore[attr-defined]
    assert record.name == "bookstracker.events"


def test_structlog_hook_forwards_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str, dict[str, Any]]] = []

    class Logger:
        def __getattr__(self, level: str) -> Any:
            return lambda event, **kw: calls.append((level, event, kw))

    fake = types.ModuleType("structlog")
    fake.get_logger = lambda name: Logger()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "structlog", fake)
    hook = structlog_hook()
    hook("retry", {"provider": "openlibrary", "attempt": 1})
    hook("request", {"provider": "isbndb"})
    hook("breaker", {"provider": "isbndb", "state": "open"})
    assert calls == [
        ("info", "retry", {"provider": "openlibrary", "attempt": 1}),
        ("debug", "request", {"provider": "isbndb"}),
        ("warning", "breaker", {"provider": "isbndb", "state": "open"}),
    ]


def test_opentelemetry_hook_adds_span_events(monkeypatch: pytest.MonkeyPatch) -> None:
    added: list[tuple[str, dict[str, Any]]] = []

    class Span:
        def is_recording(self) -> bool:
            return True

        def add_event(self, name: str, attributes: dict[str, Any]) -> None:
            added.append((name, attributes))

    trace = types.ModuleType("opentelemetry.trace")
    trace.get_current_span = Span  # type: ignore[attr-defined]
    package = types.ModuleType("opentelemetry")
    package.trace = trace  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "opentelemetry", package)
    monkeypatch.setitem(sys.modules, "opentelemetry.trace", trace)
    opentelemetry_hook()("request", {"provider": "isbndb", "status": None, "latency_ms": 1.5})
    assert added == [
        (
            "bookstracker.request",
            {"bookstracker.provider": "isbndb", "bookstracker.latency_ms": 1.5},
        )
    ]


def test_adapters_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "structlog", None)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.setitem(sys.modules, "opentelemetry.trace", None)
    with pytest.raises(ConfigurationError, match="structlog"):
        structlog_hook()
    with pytest.raises(ConfigurationError, match="opentelemetry"):
        opentelemetry_hook()
