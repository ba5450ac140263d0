"""The circuit breaker, on a fake clock, and a Policy that trips it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stamina

from bookstracker.errors import (
    CircuitOpen,
    ConfigurationError,
    InvalidQuery,
    MalformedResponse,
    NotFound,
    ProviderHTTPError,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
)
from bookstracker.resilience import CircuitBreaker, Policy, RetryPolicy, counts_as_failure

P = "testprovider"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def breaker(clock: FakeClock, threshold: int = 3, reset: float = 30.0) -> CircuitBreaker:
    return CircuitBreaker(P, failure_threshold=threshold, reset_timeout=reset, clock=clock)


def trip(b: CircuitBreaker) -> None:
    while b.state == "closed":
        b.before_call()
        b.record_failure()


def test_starts_closed_and_lets_calls_through(clock: FakeClock) -> None:
    b = breaker(clock)

    b.before_call()
    assert b.state == "closed"
    assert b.trips == 0


def test_opens_after_threshold_consecutive_failures(clock: FakeClock) -> None:
    b = breaker(clock, threshold=3)
    for _ in range(2):
        b.record_failure()
    assert b.state == "closed"

    b.record_failure()
    clock.now += 10.0

    assert b.state == "open"
    assert b.trips == 1
    with pytest.raises(CircuitOpen) as caught:
        b.before_call()
    assert caught.value.provider == P
    assert caught.value.reopens_in == pytest.approx(20.0)


def test_a_success_resets_the_failure_count(clock: FakeClock) -> None:
    b = breaker(clock, threshold=3)
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()

    assert b.state == "closed"
    assert b.consecutive_failures == 2


def test_half_open_lets_exactly_one_probe_through(clock: FakeClock) -> None:
    b = breaker(clock)
    trip(b)
    clock.now += 30.0

    assert b.state == "half-open"
    b.before_call()
    with pytest.raises(CircuitOpen) as caught:
        b.before_call()
    assert caught.value.reopens_in is None


def test_probe_success_closes(clock: FakeClock) -> None:
    b = breaker(clock)
    trip(b)
    clock.now += 30.0
    b.before_call()

    b.record_success()

    assert b.state == "closed"
    assert b.consecutive_failures == 0
    b.before_call()
    b.before_call()


def test_probe_failure_reopens_for_another_reset_timeout(clock: FakeClock) -> None:
    b = breaker(clock)
    trip(b)
    clock.now += 30.0
    b.before_call()

    b.record_failure()

    assert b.state == "open"
    assert b.trips == 2
    clock.now += 29.0
    with pytest.raises(CircuitOpen):
        b.before_call()
    clock.now += 1.0
    assert b.state == "half-open"


def test_a_probe_never_recorded_is_replaced_after_reset_timeout(clock: FakeClock) -> None:
    b = breaker(clock)
    trip(b)
    clock.now += 30.0
    b.before_call()

    clock.now += 30.0

    b.before_call()
    with pytest.raises(CircuitOpen):
        b.before_call()


def test_a_cancelled_probe_frees_the_slot(clock: FakeClock) -> None:
    b = breaker(clock)
    trip(b)
    clock.now += 30.0
    b.before_call()

    b.record(KeyboardInterrupt())

    assert b.state == "half-open"
    b.before_call()


@pytest.mark.parametrize(
    ("exc", "counted"),
    [
        (ProviderUnavailable("refused", provider=P), True),
        (ProviderTimeout("slow", provider=P), True),
        (ProviderHTTPError("boom", provider=P, status=500), True),
        (ProviderHTTPError("boom", provider=P, status=503), True),
        (MalformedResponse("html", provider=P, status=200), True),
        (ProviderHTTPError("gone", provider=P, status=404), False),
        (ProviderHTTPError("bad", provider=P, status=400), False),
        (RateLimited("429", provider=P), False),
        (QuotaExceeded("quota", provider=P), False),
        (CircuitOpen("open", provider=P), False),
        (NotFound("nothing"), False),
        (InvalidQuery("empty"), False),
        (RuntimeError("bug"), False),
    ],
    ids=lambda v: type(v).__name__ + str(getattr(v, "status", "")),
)
def test_which_errors_count_as_failures(exc: BaseException, counted: bool) -> None:
    assert counts_as_failure(exc) is counted


def test_an_error_answer_from_the_server_counts_as_alive(clock: FakeClock) -> None:
    b = breaker(clock, threshold=3)
    b.record_failure()
    b.record_failure()

    b.record(ProviderHTTPError("not found", provider=P, status=404))
    b.record(ProviderHTTPError("boom", provider=P, status=500))

    assert b.consecutive_failures == 1


def test_a_local_error_leaves_the_count_alone(clock: FakeClock) -> None:
    b = breaker(clock, threshold=3)
    b.record_failure()
    b.record_failure()

    b.record(QuotaExceeded("local quota", provider=P, status=None))
    b.record(ValueError("bug"))

    assert b.consecutive_failures == 2
    assert b.state == "closed"


@pytest.mark.anyio
async def test_call_records_outcomes_and_refuses_while_open(clock: FakeClock) -> None:
    b = breaker(clock, threshold=1)
    sent: list[int] = []

    async def ok() -> str:
        sent.append(1)
        return "ok"

    async def down() -> str:
        sent.append(1)
        raise ProviderUnavailable("refused", provider=P)

    assert await b.call(ok) == "ok"
    with pytest.raises(ProviderUnavailable):
        await b.call(down)
    with pytest.raises(CircuitOpen):
        await b.call(ok)
    assert len(sent) == 2


def test_snapshot(clock: FakeClock) -> None:
    b = breaker(clock, threshold=2, reset=30.0)
    b.record_failure()
    b.record_failure()
    clock.now += 5.0

    assert b.snapshot() == {
        "name": P,
        "state": "open",
        "consecutive_failures": 2,
        "opened_at": 1000.0,
        "reopens_in": pytest.approx(25.0),
        "trips": 1,
    }


@pytest.mark.parametrize("kwargs", [{"failure_threshold": 0}, {"reset_timeout": -1.0}])
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        CircuitBreaker(P, **kwargs)  # type: ignore[arg-type]


class NoLimit:
    rate = float("inf")

    async def acquire(self) -> None:
        return None


@pytest.fixture
def _stamina_testing() -> Iterator[None]:
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.mark.anyio
@pytest.mark.usefixtures("_stamina_testing")
async def test_policy_opens_the_breaker_then_refuses_without_sending(clock: FakeClock) -> None:
    sent: list[int] = []

    async def send_once() -> str:
        sent.append(1)
        raise ProviderUnavailable("refused", provider=P)

    policy = Policy(
        provider=P,
        limiter=NoLimit(),
        retry=RetryPolicy(attempts=2),
        breaker=breaker(clock, threshold=3),
    )
    with pytest.raises(ProviderUnavailable):
        await policy.call(send_once)  # two failed attempts
    with pytest.raises(ProviderUnavailable):
        await policy.call(send_once)  # the third failed attempt opens it: no retry
    assert len(sent) == 3

    with pytest.raises(CircuitOpen):
        await policy.call(send_once)

    assert len(sent) == 3
    assert policy.breaker.state == "open"
    assert policy.counters.breaker_trips == 1
    assert policy.counters.breaker_rejections == 1
