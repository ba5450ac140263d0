"""Fault injection, Redis (issue 10, case 6): a Redis of our own (``redis-server`` on a free
port, started and ended by these tests) out of memory, read-only, holding garbage, holding a stuck
lock, or killed mid-run never fails a provider, never holds a caller past its deadline, and never
gives a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile import (
    ISBN,
    SAFE_DOC,
    HostileServer,
    Reply,
    Request,
    Run,
    assert_clean_output,
    benign,
    free_port,
    run_measured,
    search_body,
)

redis = pytest.importorskip("redis")

WORK = 6.0
"""Seconds a CLI run may take inside its process on a busy machine (the faults cost 30-60 s)."""
PREFIX = "bookstracker:"


class OwnRedis:
    """A ``redis-server`` process of this test module, on a free loopback port."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            self.stop()
            pytest.fail("redis-server did not start")

    def reset(self) -> None:
        self.client.config_set("maxmemory", 0)
        self.client.execute_command("REPLICAOF", "NO", "ONE")
        self.client.flushall()

    def stop(self) -> None:
        self.client.close()
        self.process.kill()  # only the server this module started, by its PID
        self.process.wait()


@pytest.fixture(scope="module")
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_redis(own_redis: OwnRedis) -> Iterator[OwnRedis]:
    own_redis.reset()
    yield own_redis
    own_redis.reset()


@pytest.fixture
def upstream() -> Iterator[HostileServer]:
    with HostileServer(benign) as server:
        yield server


def _cli(upstream: HostileServer, url: str, tmp_path: Path, *args: str) -> Run:
    return run_measured(
        ["--providers", "openlibrary", *args],
        env={**upstream.env(), "BOOKSTRACKER_REDIS_URL": url},
        tmp=str(tmp_path),
    )


def _assert_answered(run: Run, upstream: HostileServer) -> None:
    assert run.code == 0, run.output
    assert "Safe Title" in run.stdout
    assert upstream.count("/openlibrary") >= 1
    assert run.inner_seconds < WORK
    assert_clean_output(run)


def test_out_of_memory_degrades_to_the_local_tier(
    fresh_redis: OwnRedis, upstream: HostileServer, tmp_path: Path
) -> None:
    fresh_redis.client.config_set("maxmemory-policy", "noeviction")
    fresh_redis.client.config_set("maxmemory", 1)
    with pytest.raises(redis.exceptions.ResponseError, match="maxmemory"):
        fresh_redis.client.set("probe", "x")
    run = _cli(upstream, fresh_redis.url, tmp_path, "search", "safe title")
    print(f"\n[redis OOM] exit {run.code}, {run.inner_seconds:.2f} s")
    _assert_answered(run, upstream)
    assert "OutOfMemoryError" in run.stderr


def test_a_read_only_replica_degrades_to_the_local_tier(
    fresh_redis: OwnRedis, upstream: HostileServer, tmp_path: Path
) -> None:
    fresh_redis.client.execute_command("REPLICAOF", "127.0.0.1", str(free_port()))
    with pytest.raises(redis.exceptions.ReadOnlyError):
        fresh_redis.client.set("probe", "x")
    run = _cli(upstream, fresh_redis.url, tmp_path, "isbn", ISBN)
    print(f"\n[redis READONLY] exit {run.code}, {run.inner_seconds:.2f} s")
    _assert_answered(run, upstream)
    assert "ReadOnlyError" in run.stderr


@pytest.mark.parametrize("value", ["garbage", "1e18", "nan", "-inf", "{}"])
def test_a_garbage_rate_value_is_dropped_not_obeyed(
    fresh_redis: OwnRedis, upstream: HostileServer, tmp_path: Path, value: str
) -> None:
    key = PREFIX + "v1:rate:openlibrary"
    fresh_redis.client.set(key, value)
    run = _cli(upstream, fresh_redis.url, tmp_path, "--no-cache", "search", "safe title")
    print(f"\n[rate value {value!r}] exit {run.code}, {run.inner_seconds:.2f} s")
    _assert_answered(run, upstream)
    left = fresh_redis.client.get(key)
    assert left is None or float(left) < time.time() * 1e6 + 120e6  # a sane instant, or none


def test_a_garbage_quota_value_is_dropped(fresh_redis: OwnRedis, tmp_path: Path) -> None:
    volume = {
        "id": "v1",
        "volumeInfo": {
            "title": "Safe Title",
            "industryIdentifiers": [{"type": "ISBN_13", "identifier": ISBN}],
        },
    }

    def google(request: Request) -> Reply:
        return Reply(200, json.dumps({"totalItems": 1, "items": [volume]}).encode())

    today = dt.datetime.now(dt.timezone.utc).date()
    for offset in (-1, 0, 1):
        day = (today + dt.timedelta(days=offset)).isoformat()
        fresh_redis.client.set(f"{PREFIX}v1:quota:googlebooks:{day}", "garbage")
    fresh_redis.client.set(f"{PREFIX}v1:quota:googlebooks:exhausted", "not a time")
    with HostileServer(google) as server:
        env = {
            **server.env(),
            "BOOKSTRACKER_REDIS_URL": fresh_redis.url,
            "BOOKSTRACKER_GOOGLEBOOKS_API_KEY": "gkey-123456",
        }
        runs = [
            run_measured(
                ["--providers", "googlebooks", "--stats", "isbn", ISBN], env=env, tmp=str(tmp_path)
            ),
            run_measured(
                ["--providers", "googlebooks", "cache", "stats"], env=env, tmp=str(tmp_path)
            ),
        ]
    for run in runs:
        assert run.code == 0, run.output
        assert "ValueError" not in run.output
        assert_clean_output(run, "gkey-123456")
    assert "Safe Title" in runs[0].stdout
    assert fresh_redis.client.get(f"{PREFIX}v1:quota:googlebooks:exhausted") is None


_LEADER = """
import asyncio
from bookstracker import AsyncBooksClient
async def main():
    async with AsyncBooksClient(providers="openlibrary", redis_url={url!r}, deadline=60,
                                cache_dir={cache!r}) as client:
        await client.search("safe title")
asyncio.run(main())
"""


def _isbn13(stem: str) -> str:
    digits = [int(c) for c in stem]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return stem + str(check)


def test_a_stuck_single_flight_lock_holds_no_caller_past_its_deadline(
    fresh_redis: OwnRedis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leader of a search is killed while it holds the shared lock (as with SIGKILL)."""
    import os
    import signal
    import sys

    from bookstracker import BooksClient

    hang = {"first": True}

    def upstream(request: Request) -> Reply:
        if hang.pop("first", False):
            time.sleep(20)
        return Reply(200, search_body(SAFE_DOC), {"Content-Type": "application/json"})

    deadline = 3.0
    with HostileServer(upstream) as server:
        env = {**os.environ, **server.env(), "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
        leader = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _LEADER.format(url=fresh_redis.url, cache=str(tmp_path / "leader")),
            ],
            env=env,
        )
        try:
            for _ in range(200):
                if server.count("/openlibrary"):
                    break
                time.sleep(0.05)
            assert fresh_redis.client.keys(PREFIX + "lock:*"), "the leader took no lock"
        finally:
            leader.send_signal(signal.SIGKILL)
            leader.wait()
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        with BooksClient(
            providers="openlibrary",
            redis_url=fresh_redis.url,
            deadline=deadline,
            cache_dir=str(tmp_path / "follower"),
        ) as client:
            started = time.monotonic()
            result = client.search("safe title")
            seconds = time.monotonic() - started
    print(f"\n[stuck lock] answered in {seconds:.2f} s against a {deadline:g} s deadline")
    assert seconds < deadline
    assert [hit.title for hit in result.hits] == ["Safe Title"]


_MANY_LOOKUPS = """
import asyncio, json, time
from bookstracker import AsyncBooksClient
async def main():
    answers = {{}}
    async with AsyncBooksClient(providers="openlibrary", redis_url={url!r}, deadline=10,
                                cache_dir={cache!r}) as client:
        for isbn in {isbns!r}:
            edition = await client.isbn(isbn)
            answers[isbn] = edition.title if edition else None
            await asyncio.sleep(0.02)
    print(json.dumps(answers))
asyncio.run(main())
"""


def _echo_books(request: Request) -> Reply:
    keys = request.query.get("bibkeys", "").split(",")
    body = {
        key: {"bib_key": key, "details": {"title": f"Title {key[5:]}", "isbn_13": [key[5:]]}}
        for key in keys
        if key.startswith("ISBN:")
    }
    return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def test_redis_killed_mid_run_loses_no_answer(tmp_path: Path) -> None:
    victim = OwnRedis()
    isbns = [_isbn13(f"978000000{n:03d}") for n in range(120)]
    try:
        with HostileServer(_echo_books) as server:
            import os
            import sys

            env = {
                **os.environ,
                **server.env(),
                "PYTHONPATH": str(Path(__file__).parents[1] / "src"),
                "BOOKSTRACKER_OPENLIBRARY_RATE": "500",
            }
            program = _MANY_LOOKUPS.format(url=victim.url, cache=str(tmp_path / "c"), isbns=isbns)
            started = time.monotonic()
            child = subprocess.Popen(
                [sys.executable, "-c", program],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            while server.count("/openlibrary") < 20 and time.monotonic() - started < 30:
                time.sleep(0.02)
            victim.stop()
            stdout, stderr = child.communicate(timeout=120)
            seconds = time.monotonic() - started
    finally:
        if victim.process.poll() is None:
            victim.stop()
    print(f"\n[redis killed mid-run] exit {child.returncode}, {seconds:.2f} s, 120 lookups")
    assert child.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    answers = json.loads(stdout)
    wrong = {isbn: title for isbn, title in answers.items() if title != f"Title {isbn}"}
    assert wrong == {}
