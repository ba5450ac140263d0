"""Resilience through the client: rate limits, Retry-After, breakers, quotas, stale answers."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator
from typing import Any

import anyio
import attrs
import pytest
import stamina

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.cache import KindTTL, MemoryCache, TTLPolicy
from bookstracker.errors import AllProvidersFailed
from bookstracker.resilience import CircuitBreaker, LocalQuota, RetryPolicy
from bookstracker.testing import (
    FakeGoogleBooks,
    FakeISBNdb,
    FakeOpenLibrary,
    FakeRequest,
    FakeResponse,
    Faults,
)

KEY = "k"
AUTHOR = "Andy Weir"
QUERY = "the martian"


@pytest.fixture
def no_sleeping() -> Iterator[None]:
    """stamina's testing mode: backoffs are not slept (our policy still decides the attempts)."""
    with stamina.set_testing(True, attempts=10):
        yield


@attrs.frozen(kw_only=True)
class RecordingRetry(RetryPolicy):
    """A RetryPolicy that remembers every wait it decided."""

    waits: list[float] = attrs.field(factory=list, eq=False)

    def wait_after(self, exc: BaseException, attempt: int) -> float | None:
        wait = super().wait_after(exc, attempt)
        if wait is not None:
            self.waits.append(wait)
        return wait


class ThrottlingOpenLibrary(FakeOpenLibrary):
    """Answers every ``every``-th request (the first included) with 429 and ``Retry-After``."""

    def __init__(self, retry_after: str, *, every: int = 2, **options: Any) -> None:
        super().__init__(**options)
        self.retry_after = retry_after
        self.every = every
        self._counter = itertools.count()

    def route(self, request: FakeRequest) -> FakeResponse:
        if next(self._counter) % self.every == 0:
            limited = self.rate_limited(request)
            return FakeResponse(
                status=429,
                body=limited.body,
                headers={**limited.headers, "Retry-After": self.retry_after},
            )
        return super().route(request)


def make_client(
    openlibrary: FakeOpenLibrary | None = None,
    googlebooks: FakeGoogleBooks | None = None,
    isbndb: FakeISBNdb | None = None,
    *,
    rate: float = 1000.0,
    retry: RetryPolicy | None = None,
    breaker: CircuitBreaker | None = None,
    isbndb_quota: LocalQuota | None = None,
    **options: Any,
) -> AsyncBooksClient:
    adapters: dict[str, Any] = {}
    providers = []
    if openlibrary is not None:
        providers.append("openlibrary")
        adapters["openlibrary"] = OpenLibrary(
            transport=openlibrary.transport(), rate=rate, retry=retry, breaker=breaker
        )
    if googlebooks is not None:
        providers.append("googlebooks")
        adapters["googlebooks"] = GoogleBooks(transport=googlebooks.transport(), rate=rate)
    if isbndb is not None:
        providers.append("isbndb")
        adapters["isbndb"] = ISBNdb(
            api_key=KEY, transport=isbndb.transport(), rate=rate, quota=isbndb_quota
        )
    options.setdefault("cache", None)
    return AsyncBooksClient(providers=providers, **adapters, **options)


def limited_429s(fake: FakeOpenLibrary | FakeGoogleBooks | FakeISBNdb) -> int:
    return sum(1 for entry in fake.log if entry.status == 429)


# -- rate limits --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_job_paced_at_the_providers_limit_draws_no_429() -> None:
    # The fakes allow R requests per second with a bucket of two: a client pacing faster than
    # R, or sending more than two at once, draws 429s; one pacing at R never does, even when the
    # machine delays a request by a few milliseconds between the limiter and the fake (against a
    # bucket of one, such a delay alone would draw a 429: benchmarks/bench_rate_limited_job.py).
    rate = 100.0
    fakes = (
        FakeOpenLibrary(rate_limit=rate, burst=2),
        FakeGoogleBooks(rate_limit=rate, burst=2),
        FakeISBNdb(api_key=KEY, rate_limit=rate, burst=2),
    )
    searches = 60
    async with make_client(*fakes, rate=rate) as client:
        started = time.perf_counter()
        results: list[Any] = []

        async def search(number: int) -> None:
            results.append(await client.search(f"{QUERY} {number}"))

        async with anyio.create_task_group() as group:
            for number in range(searches):
                group.start_soon(search, number)
        elapsed = time.perf_counter() - started
    assert [limited_429s(fake) for fake in fakes] == [0, 0, 0]
    assert sum(len(fake.log) for fake in fakes) == 3 * searches
    assert all(r.answered for result in results for r in result.providers.values())
    assert elapsed >= (searches - 1) / rate * 0.9


@pytest.mark.anyio
async def test_the_same_job_paced_too_fast_draws_429s() -> None:
    fake = FakeOpenLibrary(rate_limit=100.0, burst=2)
    client = make_client(fake, rate=300.0, retry=RetryPolicy(attempts=1))
    async with client, anyio.create_task_group() as group:
        for number in range(30):
            group.start_soon(_search_quietly, client, number)
    assert limited_429s(fake) > 0


async def _search_quietly(client: AsyncBooksClient, number: int) -> None:
    with contextlib.suppress(AllProvidersFailed):
        await client.search(f"{QUERY} {number}")


@pytest.mark.anyio
async def test_a_cache_hit_takes_no_rate_limit_token() -> None:
    fake = FakeOpenLibrary()
    async with make_client(fake, rate=2.0, cache=MemoryCache()) as client:
        await client.search(QUERY)
        started = time.perf_counter()
        for _ in range(50):
            await client.search(QUERY)
        elapsed = time.perf_counter() - started
    assert fake.count() == 1
    assert elapsed < 0.4


# -- Retry-After ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_429_with_retry_after_is_waited_and_every_call_succeeds(
    no_sleeping: None,
) -> None:
    fake = ThrottlingOpenLibrary("1")
    retry = RecordingRetry(attempts=3)
    async with make_client(fake, retry=retry) as client:
        results = [await client.search(f"{QUERY} {n}") for n in range(5)]
    assert all(r.providers["openlibrary"].answered for r in results)
    assert [r.providers["openlibrary"].requests for r in results] == [2] * 5
    assert retry.waits == [1.0] * 5
    assert limited_429s(fake) == 5


@pytest.mark.anyio
async def test_a_retry_after_of_zero_retries_at_once() -> None:
    fake = ThrottlingOpenLibrary("0")
    retry = RecordingRetry(attempts=2)
    async with make_client(fake, retry=retry) as client:
        started = time.perf_counter()
        result = await client.search(QUERY)
        elapsed = time.perf_counter() - started
    assert result.providers["openlibrary"].answered
    assert retry.waits == [0.0]
    assert elapsed < 0.5


@pytest.mark.anyio
async def test_a_retry_after_beyond_the_deadline_is_not_waited() -> None:
    fake = ThrottlingOpenLibrary("30", every=1)
    retry = RecordingRetry(attempts=3)
    async with make_client(fake, FakeGoogleBooks(), retry=retry, deadline=5.0) as client:
        started = time.perf_counter()
        result = await client.search(QUERY)
        elapsed = time.perf_counter() - started
    assert result.providers["openlibrary"].status == "error"
    assert result.providers["googlebooks"].answered
    assert retry.waits == [30.0]
    assert fake.count() == 1
    assert elapsed < 1.0


# -- circuit breakers ----------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_provider_that_always_fails_trips_its_breaker_and_the_others_answer(
    no_sleeping: None,
) -> None:
    broken = FakeOpenLibrary(faults=Faults.always("500"))
    googlebooks, isbndb = FakeGoogleBooks(), FakeISBNdb(api_key=KEY)
    retry = RetryPolicy()
    breaker = CircuitBreaker("openlibrary")
    async with make_client(broken, googlebooks, isbndb, retry=retry, breaker=breaker) as client:
        results = [await client.search(f"{QUERY} {n}") for n in range(20)]
        stats = await client.stats()
    assert broken.count() <= breaker.failure_threshold * retry.attempts
    assert all(r.providers["openlibrary"].status == "error" for r in results)
    assert "circuit" in (results[-1].providers["openlibrary"].error or "").lower()
    assert results[-1].providers["openlibrary"].requests == 0
    assert all(r.providers["googlebooks"].answered for r in results)
    assert all(r.providers["isbndb"].answered for r in results)
    assert stats.providers["openlibrary"].breaker == "open"
    assert stats.providers["googlebooks"].breaker == "closed"


@pytest.mark.anyio
async def test_an_open_breaker_lets_a_probe_through_after_its_timeout(no_sleeping: None) -> None:
    now = [0.0]
    fake = FakeOpenLibrary(faults=Faults.always("503"))
    breaker = CircuitBreaker(
        "openlibrary", failure_threshold=2, reset_timeout=30.0, clock=lambda: now[0]
    )
    async with make_client(fake, retry=RetryPolicy(attempts=1), breaker=breaker) as client:
        for n in range(4):
            with pytest.raises(AllProvidersFailed):
                await client.search(f"{QUERY} {n}")
        assert fake.count() == 2
        fake.set_faults(None)
        now[0] = 31.0
        result = await client.search(QUERY)
        stats = await client.stats()
    assert result.providers["openlibrary"].status == "ok"
    assert stats.providers["openlibrary"].breaker == "closed"


# -- stale answers -------------------------------------------------------------------------

STALE_AT_ONCE = TTLPolicy(
    search=KindTTL(hot=0, cold=0, grace=3600),
    isbn=KindTTL(hot=0, cold=0, grace=3600),
    author=KindTTL(hot=0, cold=0, grace=3600),
    author_incomplete=KindTTL(hot=0, cold=0, grace=3600),
    jitter=0.0,
)


@pytest.mark.anyio
@pytest.mark.parametrize("ask", ["author", "search", "isbns"])
async def test_with_every_provider_down_a_stale_answer_is_served_and_marked(
    ask: str, no_sleeping: None
) -> None:
    fakes = (FakeOpenLibrary(), FakeGoogleBooks(), FakeISBNdb(api_key=KEY))
    options = {"cache": MemoryCache(), "ttl_policy": STALE_AT_ONCE}
    async with make_client(*fakes, retry=RetryPolicy(attempts=1), **options) as client:

        async def call() -> Any:
            if ask == "author":
                return await client.author(AUTHOR)
            if ask == "search":
                return await client.search(QUERY)
            return await client.isbns(["9780553418026"])

        fresh = await call()
        for fake in fakes:
            fake.set_faults(Faults.always("503"))
        stale = await call()
    reports = stale.providers
    assert all(r.stale for r in reports.values())
    assert {r.status for r in reports.values()} == {"error"}
    assert all("503" in (r.error or "") for r in reports.values())
    if ask == "isbns":
        assert stale.results == fresh.results
    else:
        assert stale.stale
        assert not fresh.stale
        assert stale.to_dict().keys() == fresh.to_dict().keys()


# -- daily quotas --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_spent_quota_refuses_calls_until_it_resets_and_says_so() -> None:
    now = [1_700_000_000.0]
    quota = LocalQuota("isbndb", 2, clock=lambda: now[0])
    isbndb = FakeISBNdb(api_key=KEY)
    async with make_client(FakeOpenLibrary(), None, isbndb, isbndb_quota=quota) as client:
        answered = [await client.search(f"{QUERY} {n}") for n in range(4)]
        assert isbndb.count() == 2
        refused = answered[-1].providers["isbndb"]
        assert refused.status == "error"
        assert refused.requests == 0
        assert "quota" in (refused.error or "")
        assert "resets" in (refused.error or "")
        assert answered[-1].providers["openlibrary"].answered
        now[0] += 24 * 3600
        later = await client.search(QUERY)
    assert later.providers["isbndb"].answered
    assert isbndb.count() == 3


@pytest.mark.anyio
async def test_google_saying_the_day_is_spent_stops_further_calls() -> None:
    googlebooks = FakeGoogleBooks(daily_quota=1)
    async with make_client(FakeOpenLibrary(), googlebooks, None) as client:
        first = await client.search(f"{QUERY} 1")
        spent = await client.search(f"{QUERY} 2")
        refused = await client.search(f"{QUERY} 3")
    assert first.providers["googlebooks"].answered
    assert spent.providers["googlebooks"].status == "error"
    assert refused.providers["googlebooks"].requests == 0
    assert "quota" in (refused.providers["googlebooks"].error or "")
    assert googlebooks.count() == 2
