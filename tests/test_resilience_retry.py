"""Retries (stamina in testing mode: no sleeping), deadlines, and Policy's retry loop."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

import pytest
import stamina

from bookstracker.errors import (
    CircuitOpen,
    ConfigurationError,
    DeadlineExceeded,
    MalformedResponse,
    NotFound,
    ProviderError,
    ProviderHTTPError,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
)
from bookstracker.resilience import (
    CircuitBreaker,
    Deadline,
    Policy,
    RetryPolicy,
    call_with_retries,
    min_timeout,
)

P = "testprovider"


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


def scripted(*outcomes: BaseException | str) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    """A send_once that raises or returns the outcomes in turn, and a list counting calls."""
    calls: list[int] = []

    async def fn() -> str:
        calls.append(1)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return fn, calls


class Waits:
    def __init__(self) -> None:
        self.seen: list[tuple[int, str, float]] = []

    def __call__(self, attempt: int, exc: BaseException, wait: float) -> None:
        self.seen.append((attempt, type(exc).__name__, wait))


def unavailable() -> ProviderUnavailable:
    return ProviderUnavailable("connection refused", provider=P)


@pytest.mark.anyio
async def test_first_success_is_returned_without_retry() -> None:
    fn, calls = scripted("ok")
    waits = Waits()

    assert await call_with_retries(fn, RetryPolicy(), on_retry=waits) == "ok"
    assert len(calls) == 1
    assert waits.seen == []


@pytest.mark.anyio
async def test_transient_failures_are_retried_until_success() -> None:
    fn, calls = scripted(unavailable(), ProviderTimeout("slow", provider=P), "ok")
    waits = Waits()

    assert await call_with_retries(fn, RetryPolicy(attempts=3), on_retry=waits) == "ok"
    assert len(calls) == 3
    assert [(n, name) for n, name, _ in waits.seen] == [
        (1, "ProviderUnavailable"),
        (2, "ProviderTimeout"),
    ]


@pytest.mark.anyio
async def test_last_error_is_raised_after_all_attempts() -> None:
    last = ProviderTimeout("third", provider=P)
    fn, calls = scripted(unavailable(), unavailable(), last, "never")
    waits = Waits()

    with pytest.raises(ProviderTimeout) as caught:
        await call_with_retries(fn, RetryPolicy(attempts=3), on_retry=waits)
    assert caught.value is last
    assert len(calls) == 3
    assert len(waits.seen) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    "exc",
    [
        ProviderHTTPError("bad gateway", provider=P, status=500),
        ProviderHTTPError("bad gateway", provider=P, status=502),
        ProviderHTTPError("unavailable", provider=P, status=503),
        ProviderHTTPError("gateway timeout", provider=P, status=504),
        RateLimited("slow down", provider=P),
        MalformedResponse("truncated", provider=P, status=200),
        ProviderTimeout("slow", provider=P),
    ],
    ids=lambda e: f"{type(e).__name__}-{e.status}",
)
async def test_retried_errors(exc: ProviderError) -> None:
    fn, calls = scripted(exc, "ok")

    assert await call_with_retries(fn, RetryPolicy(attempts=2)) == "ok"
    assert len(calls) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    "exc",
    [
        QuotaExceeded("daily quota spent", provider=P),
        ProviderHTTPError("not found", provider=P, status=404),
        ProviderHTTPError("bad request", provider=P, status=400),
        ProviderHTTPError("forbidden", provider=P, status=403),
        ProviderHTTPError("not implemented", provider=P, status=501),
        CircuitOpen("open", provider=P, reopens_in=3.0),
        NotFound("nothing"),
        ValueError("a bug"),
    ],
    ids=lambda e: type(e).__name__ + str(getattr(e, "status", "")),
)
async def test_errors_not_retried(exc: Exception) -> None:
    fn, calls = scripted(exc, "never")
    waits = Waits()

    with pytest.raises(type(exc)):
        await call_with_retries(fn, RetryPolicy(attempts=5), on_retry=waits)
    assert len(calls) == 1
    assert waits.seen == []


@pytest.mark.anyio
async def test_retry_after_is_waited_exactly() -> None:
    fn, _ = scripted(RateLimited("429", provider=P, retry_after=7.0), "ok")
    waits = Waits()

    assert await call_with_retries(fn, RetryPolicy(jitter=1.0), on_retry=waits) == "ok"
    assert waits.seen == [(1, "RateLimited", 7.0)]


@pytest.mark.anyio
async def test_retry_after_beyond_the_cap_is_not_waited() -> None:
    fn, calls = scripted(RateLimited("429", provider=P, retry_after=120.0), "never")
    waits = Waits()

    with pytest.raises(RateLimited):
        await call_with_retries(fn, RetryPolicy(max_retry_after=60.0), on_retry=waits)
    assert len(calls) == 1
    assert waits.seen == []


@pytest.mark.anyio
async def test_backoff_grows_exponentially_up_to_max_wait() -> None:
    fn, _ = scripted(*[unavailable()] * 5, "ok")
    waits = Waits()
    policy = RetryPolicy(attempts=6, initial_wait=0.5, max_wait=3.0, jitter=0.0)

    assert await call_with_retries(fn, policy, on_retry=waits) == "ok"
    assert [w for _, _, w in waits.seen] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.anyio
async def test_jitter_stays_within_bounds() -> None:
    fn, _ = scripted(*[unavailable()] * 3, "ok")
    waits = Waits()
    policy = RetryPolicy(attempts=4, initial_wait=1.0, max_wait=100.0, jitter=0.5)

    await call_with_retries(fn, policy, on_retry=waits)
    for (_, _, wait), base in zip(waits.seen, [1.0, 2.0, 4.0], strict=True):
        assert base <= wait <= base + 0.5


@pytest.mark.anyio
async def test_no_retry_whose_wait_would_pass_the_deadline() -> None:
    first = RateLimited("429", provider=P, retry_after=10.0)
    fn, calls = scripted(first, "never")
    waits = Waits()

    with pytest.raises(RateLimited) as caught:
        await call_with_retries(fn, RetryPolicy(), on_retry=waits, deadline=Deadline.after(5.0))
    assert caught.value is first
    assert len(calls) == 1
    assert waits.seen == []


@pytest.mark.anyio
async def test_a_passed_deadline_sends_nothing() -> None:
    fn, calls = scripted("never")

    with pytest.raises(DeadlineExceeded):
        await call_with_retries(fn, RetryPolicy(), deadline=Deadline.after(-1.0))
    assert calls == []


@pytest.mark.anyio
async def test_retry_after_is_really_slept_outside_testing_mode() -> None:
    fn, _ = scripted(RateLimited("429", provider=P, retry_after=0.05), "ok")

    with stamina.set_testing(False):
        started = time.monotonic()
        assert await call_with_retries(fn, RetryPolicy()) == "ok"
        elapsed = time.monotonic() - started
    assert 0.05 <= elapsed < 1.0


@pytest.mark.parametrize(
    "kwargs",
    [{"attempts": 0}, {"initial_wait": -1.0}, {"max_wait": float("nan")}, {"jitter": -0.1}],
)
def test_invalid_retry_policy_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_deadline_remaining_and_expired() -> None:
    soon = Deadline.after(30.0)
    past = Deadline.after(-0.001)

    assert 29.0 < soon.remaining() <= 30.0
    assert not soon.expired
    assert past.expired
    with pytest.raises(DeadlineExceeded):
        past.check()


def test_min_timeout_is_shortened_by_the_deadline() -> None:
    assert min_timeout(10.0, None) == 10.0
    assert min_timeout(10.0, Deadline.after(60.0)) == 10.0
    assert 0 < min_timeout(10.0, Deadline.after(2.0)) <= 2.0
    with pytest.raises(DeadlineExceeded):
        min_timeout(10.0, Deadline.after(-1.0))


class CountingLimiter:
    rate = 10.0

    def __init__(self) -> None:
        self.tokens = 0

    async def acquire(self) -> None:
        self.tokens += 1


def make_policy(limiter: CountingLimiter, **retry: float) -> Policy:
    return Policy(
        provider=P,
        limiter=limiter,
        retry=RetryPolicy(**retry),  # type: ignore[arg-type]
        breaker=CircuitBreaker(P),
    )


@pytest.mark.anyio
async def test_policy_429_with_retry_after_then_success_retries_once() -> None:
    fn, calls = scripted(RateLimited("429", provider=P, retry_after=2.0), "ok")
    waits = Waits()
    policy = make_policy(CountingLimiter())

    assert await policy.call(fn, on_retry=waits) == "ok"
    assert len(calls) == 2
    assert waits.seen == [(1, "RateLimited", 2.0)]
    assert policy.counters.retries == 1
    assert policy.counters.rate_limited == 1
    assert policy.counters.attempts == 2
    assert policy.breaker.state == "closed"


@pytest.mark.anyio
async def test_policy_takes_a_limiter_token_for_every_attempt() -> None:
    limiter = CountingLimiter()
    fn, calls = scripted(unavailable(), unavailable(), "ok")
    policy = make_policy(limiter, attempts=3)

    assert await policy.call(fn) == "ok"
    assert len(calls) == 3
    assert limiter.tokens == 3


@pytest.mark.anyio
async def test_policy_counts_every_failed_attempt_for_the_breaker() -> None:
    fn, calls = scripted(unavailable(), unavailable(), unavailable())
    policy = make_policy(CountingLimiter(), attempts=3)

    with pytest.raises(ProviderUnavailable):
        await policy.call(fn)
    assert len(calls) == 3
    assert policy.breaker.consecutive_failures == 3
    assert policy.counters.snapshot() == {
        "calls": 1,
        "attempts": 3,
        "retries": 2,
        "rate_limited": 0,
        "quota_exceeded": 0,
        "breaker_rejections": 0,
        "breaker_trips": 0,
    }
