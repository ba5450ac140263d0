"""Shared test configuration: anyio on asyncio, and where the recorded bodies live."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina
from hypothesis import settings

from support import Fakes

# Property tests check behaviour, not speed (benchmarks/ does that): no per-example time limit,
# which a loaded 2-core machine would turn into flaky failures.
settings.register_profile("bookstracker", deadline=None)
settings.load_profile("bookstracker")

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def shared_fixtures() -> Path:
    """The folder of real recorded provider bodies; skips the test where it is absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is not present on this machine")
    return SHARED_FIXTURES


@pytest.fixture
def redis_url() -> str:
    """The Redis server for tests; skips the test when BOOKSTRACKER_TEST_REDIS_URL is unset."""
    url = os.environ.get("BOOKSTRACKER_TEST_REDIS_URL")
    if not url:
        pytest.skip("BOOKSTRACKER_TEST_REDIS_URL is not set")
    return url


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not (host.startswith("127.") or host in {"::1", "localhost"}):
            raise RuntimeError(f"test tried to connect outside loopback: {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """The CLI run in-process with ``-v`` sets the root logger's level and handler, as a
    program may; the next test starts with logging as it was."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever opens a connection beyond 127.0.0.1."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    for name in list(os.environ):
        if name.startswith("BOOKSTRACKER_") and not name.startswith("BOOKSTRACKER_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture
def no_retry_sleeps() -> Iterator[None]:
    """stamina's testing mode: one attempt, no sleeping."""
    with stamina.set_testing(True, attempts=1):
        yield


@pytest.fixture(scope="module")
def shared_fakes() -> Fakes:
    """One set of fakes per module (their first answers build indexes, which is slow)."""
    return Fakes()


@pytest.fixture
def fakes(shared_fakes: Fakes) -> Fakes:
    """The module's fakes with empty logs and no faults, latency or limits."""
    return shared_fakes.reset()
