"""Fault injection, resilience (issue 10, cases 8 and 9): negative answers cached only when a
provider was asked; the breaker counting every failed attempt; 429s retried while the deadline
allows; every kind of failure counted; an adaptive slow-down when a provider keeps refusing.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

from bookstracker import AsyncBooksClient
from bookstracker.errors import AllProvidersFailed
from bookstracker.providers import OpenLibrary
from bookstracker.resilience import CircuitBreaker, RetryPolicy, Throttle
from hostile import (
    ISBN,
    SAFE_DOC,
    HostileServer,
    Reply,
    Request,
    assert_clean_output,
    run_measured,
    search_body,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def no_sleeping() -> Iterator[None]:
    """stamina's testing mode: no sleeping between retries, up to 8 attempts."""
    with stamina.set_testing(True, attempts=8):
        yield


def _ok() -> Reply:
    return Reply(200, search_body(SAFE_DOC), {"Content-Type": "application/json"})


def _client(
    server: HostileServer,
    *,
    deadline: float = 10.0,
    rate: float = 1000.0,
    retry: RetryPolicy | None = None,
) -> AsyncBooksClient:
    adapter = OpenLibrary(
        base_url=server.env()["BOOKSTRACKER_OPENLIBRARY_URL"],
        rate=rate,
        retry=retry,
        breaker=CircuitBreaker("openlibrary"),
    )
    return AsyncBooksClient(
        providers="openlibrary", openlibrary=adapter, cache=None, deadline=deadline
    )


# -- case 8: a not-found is cached only when a provider was asked -----------------------------


def test_no_provider_asked_is_no_not_found_and_nothing_is_cached(tmp_path: Path) -> None:
    with HostileServer(lambda request: Reply(200, b'{"book": {}}')) as server:
        keyless = run_measured(
            ["--providers", "isbndb", "isbn", "0553418025"], env=server.env(), tmp=str(tmp_path)
        )
        assert len(server.requests) == 0
        book = {"title": "Found Title", "isbn13": ISBN, "authors": ["A. Author"]}
        import json

        server.handler = lambda request: Reply(200, json.dumps({"data": [book]}).encode())
        keyed = run_measured(
            ["--providers", "isbndb", "isbn", "0553418025"],
            env={**server.env(), "BOOKSTRACKER_ISBNDB_API_KEY": "a-real-key-123"},
            tmp=str(tmp_path),
        )
        sent = len(server.requests)
    assert keyless.code == 3, keyless.output
    assert "disabled" in keyless.stderr
    assert "(not found)" not in keyless.stdout
    assert_clean_output(keyless)
    assert keyed.code == 0, keyed.output
    assert "Found Title" in keyed.stdout
    assert sent >= 1
    assert_clean_output(keyed, "a-real-key-123")


# -- case 9: the breaker counts attempts ------------------------------------------------------


@pytest.mark.usefixtures("no_sleeping")
@pytest.mark.parametrize(
    "answer",
    [
        Reply(503, b"Service Unavailable"),
        Reply(503, b'{"error": ' * 100_000 + b'"deep"' + b"}" * 100_000),
        Reply(200, b"<html>maintenance</html>", {"Content-Type": "text/html"}),
        Reply(200, b'{"docs": [{"title": "trunc'),
    ],
    ids=["503", "503-deeply-nested", "html", "truncated-json"],
)
async def test_a_dead_provider_sees_at_most_five_requests(answer: Reply) -> None:
    with HostileServer(lambda request: answer) as server:
        async with _client(server) as client:
            timings = []
            for number in range(10):
                started = time.monotonic()
                with pytest.raises(AllProvidersFailed) as failed:
                    await client.search(f"safe title {number}")
                timings.append(time.monotonic() - started)
            last = failed.value.reports["openlibrary"]
        sent = server.count("/openlibrary")
    print(
        f"\n[dead provider: {answer.status}] {sent} requests for 10 searches; "
        f"the last search took {timings[-1] * 1000:.0f} ms"
    )
    assert sent <= 5
    assert "circuit" in (last.error or "")
    assert last.requests == 0
    assert max(timings[3:]) < 0.3


async def test_429s_are_retried_while_the_deadline_allows() -> None:
    refusals = {"left": 3}
    lock = threading.Lock()

    def throttling(request: Request) -> Reply:
        with lock:
            if refusals["left"] > 0:
                refusals["left"] -= 1
                return Reply(429, b'{"message": "slow down"}', {"Retry-After": "1"})
        return _ok()

    with HostileServer(throttling) as server:
        async with _client(server, deadline=6.0) as client:
            started = time.monotonic()
            result = await client.search("safe title")
            seconds = time.monotonic() - started
        sent = server.count("/openlibrary")
    print(
        f"\n[three 429s, Retry-After: 1] answered after {sent} requests in {seconds:.2f} s "
        "against a 6 s deadline"
    )
    assert [hit.title for hit in result.hits] == ["Safe Title"]
    assert sent == 4
    assert 3.0 <= seconds < 6.0


async def test_a_429_retry_never_outlasts_the_deadline() -> None:
    def always(request: Request) -> Reply:
        return Reply(429, b"{}", {"Retry-After": "1"})

    with HostileServer(always) as server:
        async with _client(server, deadline=2.5) as client:
            started = time.monotonic()
            with pytest.raises(AllProvidersFailed):
                await client.search("safe title")
            seconds = time.monotonic() - started
    assert seconds < 2.5


def _bucket_server(rate: float) -> tuple[HostileServer, dict[str, int]]:
    """A provider allowing ``rate`` requests a second (no burst), 429 beyond it."""
    state = {"ok": 0, "refused": 0}
    lock = threading.Lock()
    last = [0.0]

    def limited(request: Request) -> Reply:
        with lock:
            now = time.monotonic()
            if now - last[0] < 1.0 / rate:
                state["refused"] += 1
                return Reply(429, b'{"message": "Too Many Requests"}')
            last[0] = now
            state["ok"] += 1
        return _ok()

    return HostileServer(limited), state


async def _job(throttle: Throttle) -> dict[str, int]:
    server, state = _bucket_server(rate=10.0)
    with server:
        retry = RetryPolicy(attempts=3, initial_wait=0.05, jitter=0.05, rate_limited_attempts=8)
        async with _client(server, rate=40.0, retry=retry, deadline=20.0) as client:
            client.adapters["openlibrary"].policy.throttle = throttle  # type: ignore[attr-defined]
            for number in range(30):
                with contextlib.suppress(AllProvidersFailed):
                    await client.search(f"safe title {number}")
    return state


async def test_a_provider_that_keeps_refusing_is_paced_more_slowly() -> None:
    fixed = await _job(Throttle(max_factor=1.0))
    adaptive = await _job(Throttle())
    share = {
        name: state["refused"] / (state["ok"] + state["refused"])
        for name, state in (("fixed", fixed), ("adaptive", adaptive))
    }
    print(
        f"\n[rate 4x above the server's] 429 share: fixed pacing {share['fixed']:.0%}, "
        f"adaptive {share['adaptive']:.0%}; answered {fixed['ok']} and {adaptive['ok']} of 30"
    )
    assert adaptive["ok"] == 30
    assert share["adaptive"] < share["fixed"] / 2
