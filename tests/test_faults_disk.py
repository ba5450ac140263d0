"""Fault injection, disk tier (issue 10, case 5): a locked store, a damaged one, killed writers,
orphan files and a full disk never stall a caller beyond a short bound, nor leave files behind.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bookstracker.assembly import OFFLINE_FOLDER
from bookstracker.cache import DiskCache
from hostile import SRC, assert_clean_output, run_measured

pytestmark = pytest.mark.anyio

ISBN = "0553418025"
WORK = 3.0
"""Seconds the command's own work may take on a busy machine (imports, the offline fakes)."""


def _store_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*.val"))


def _referenced(folder: Path) -> set[str]:
    with sqlite3.connect(folder / "cache.db") as con:
        rows = con.execute("SELECT filename FROM Cache WHERE filename IS NOT NULL").fetchall()
    return {os.path.normpath(name) for (name,) in rows}


def _orphans(folder: Path) -> list[Path]:
    referenced = _referenced(folder)
    return [
        path
        for path in _store_files(folder)
        if os.path.normpath(os.path.relpath(path, folder)) not in referenced
    ]


async def _filled(folder: Path, count: int = 3, size: int = 100_000) -> None:
    cache = DiskCache(folder)
    for index in range(count):
        await cache.set(f"k{index}", bytes([index]) * size, ttl=3600)
    await cache.aclose()


def _hold_lock(folder: Path) -> subprocess.Popen[str]:
    """Another process holding the store's write lock (``BEGIN EXCLUSIVE``) until released."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, time\n"
            f"con = sqlite3.connect({str(folder / 'cache.db')!r}, isolation_level=None)\n"
            "con.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait()
    assert holder.stdout is not None
    holder.stdout.close()


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[Path]:
    """A cache folder whose offline store (the one ``--offline`` uses) holds entries and has
    its write lock held by another process for the test."""
    folder = tmp_path / "cache"
    store = folder / OFFLINE_FOLDER
    asyncio.run(_filled(store))
    holder = _hold_lock(store)
    try:
        yield folder
    finally:
        _release(holder)


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["isbn", ISBN], 0),
        (["author", "Andy Weir"], 0),
        (["cache", "stats"], 0),
        (["cache", "clear"], 2),
    ],
    ids=["isbn", "author", "cache-stats", "cache-clear"],
)
def test_a_held_write_lock_costs_a_short_bounded_wait(
    lock_holder: Path, tmp_path: Path, command: list[str], code: int
) -> None:
    run = run_measured(["--offline", "--cache-dir", str(lock_holder), *command], tmp=str(tmp_path))
    print(
        f"\n[locked store: {' '.join(command)}] exit {run.code}, {run.inner_seconds:.2f} s "
        f"in the process ({run.seconds:.2f} s with start-up)"
    )
    assert run.code == code, run.output
    assert "locked by another process" in run.stderr
    assert run.inner_seconds < WORK + 3 * (1.0 + 0.5)  # open, a write, close: each bounded
    assert_clean_output(run)


async def test_writes_to_an_open_store_that_gets_locked_are_skipped_in_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cache"
    cache = DiskCache(folder, timeout=0.3)
    await cache.set("before", b"1", ttl=60)
    holder = _hold_lock(folder)
    try:
        started = time.monotonic()
        await cache.set("during", b"2" * 100_000, ttl=60)
        write_s = time.monotonic() - started
        assert (await cache.get("before")) is not None  # reads go on (WAL)
        stats = await cache.stats()
        started = time.monotonic()
        await cache.aclose()
        close_s = time.monotonic() - started
    finally:
        _release(holder)
    assert write_s < cache.bound + 0.3
    assert close_s < 2 * cache.bound + 0.3
    assert stats.errors >= 1
    assert "skipped" in caplog.text
    reopened = DiskCache(folder)
    assert await reopened.get("during") is None
    assert await reopened.get("before") is not None
    assert _orphans(folder) == []
    await reopened.aclose()


_SPINNING_STORE = """
import asyncio, sqlite3, time, diskcache
from bookstracker.cache import DiskCache

real = diskcache.Cache._sql

def failing(self):
    execute = real.fget(self)
    def run(statement, *args, **kwargs):
        if statement.startswith("BEGIN"):
            raise sqlite3.OperationalError("disk I/O error")
        return execute(statement, *args, **kwargs)
    return run

async def main():
    cache = DiskCache({folder!r})
    await cache.set("k", b"v", ttl=60)
    await cache.get("k")
    await cache.get("missing")
    diskcache.Cache._sql = property(failing)  # the store is damaged from now on
    started = time.monotonic()
    await cache.set("k2", b"v", ttl=60)
    await cache.stats()
    await cache.aclose()
    print(f"closed in {{time.monotonic() - started:.2f}}", flush=True)

asyncio.run(main())
"""


def test_closing_a_damaged_store_is_bounded(tmp_path: Path) -> None:
    """diskcache's ``transact(retry=True)`` loops forever on "disk I/O error"; nothing here may."""
    run = run_measured(
        code=_SPINNING_STORE.format(folder=str(tmp_path / "cache")), tmp=str(tmp_path), timeout=60
    )
    print(f"\n[damaged store] exit {run.code}, {run.seconds:.2f} s; {run.stdout.strip()}")
    assert run.code == 0, run.output
    assert "closed in" in run.stdout
    assert float(run.stdout.split()[-1]) < 3 * (1.0 + 0.5)
    assert_clean_output(run)


_KILLED_WRITER = """
import asyncio, os
from bookstracker.cache import DiskCache
async def main():
    cache = DiskCache({folder!r})
    index = 0
    while True:
        index += 1
        await cache.set(f"w{{os.getpid()}}-{{index}}", os.urandom(200_000), ttl=3600)
asyncio.run(main())
"""


def _kill_writers(folder: Path, times: int) -> None:
    """``times`` writers of large values, each killed with SIGKILL while writing."""
    env = {**os.environ, "PYTHONPATH": SRC}
    for _ in range(times):
        writer = subprocess.Popen(
            [sys.executable, "-c", _KILLED_WRITER.format(folder=str(folder))], env=env
        )
        time.sleep(1.2)
        writer.send_signal(signal.SIGKILL)
        writer.wait()


def _orphan(folder: Path, name: str, size: int) -> Path:
    path = folder / name[:2] / name[2:4] / f"{name[4:]}.val"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"o" * size)
    return path


def _age(paths: list[Path], seconds: float = 600) -> None:
    past = time.time() - seconds
    for path in paths:
        os.utime(path, (past, past))


def _prepare_killed_store(folder: Path) -> tuple[list[Path], Path, int]:
    _kill_writers(folder, 4)
    planted = [_orphan(folder, f"ab{n:02d}" + "c" * 24, 50_000) for n in range(5)]
    young = _orphan(folder, "cd01" + "e" * 24, 10_000)  # a concurrent writer's, maybe
    _age(_store_files(folder))
    os.utime(young)
    return planted, young, len(_store_files(folder))


async def test_orphans_of_killed_writers_are_deleted_on_open_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    await DiskCache(folder).aclose()  # the private folder
    planted, young, before = _prepare_killed_store(folder)
    cache = DiskCache(folder)
    stats = await cache.stats()  # runs after the sweep, on the store's thread
    await cache.aclose()
    files = _store_files(folder)
    print(f"\n[killed writers] {before} value files before opening, {len(files)} after")
    assert not any(path.exists() for path in planted)
    assert _orphans(folder) == [young]
    on_disk = sum(p.stat().st_size for p in files) + (folder / "cache.db").stat().st_size
    assert stats.bytes == on_disk


async def test_cache_clear_deletes_every_value_file(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    await _filled(folder)
    _orphan(folder, "ef01" + "a" * 24, 70_000)  # young: spared by opening, not by clear
    cache = DiskCache(folder)
    await cache.clear()
    stats = await cache.stats()
    await cache.aclose()
    assert _store_files(folder) == []
    assert stats.entries == 0


_FULL_DISK = """
import asyncio, resource, signal
from bookstracker.cache import DiskCache
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
async def main():
    cache = DiskCache({folder!r})
    await cache.set("small", b"s", ttl=60)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))  # the disk is full
    await cache.set("big", b"b" * 2_000_000, ttl=60)
    stored = await cache.get("big") is not None
    print("big stored:", stored, "errors:", (await cache.stats()).errors)
    await cache.aclose()
asyncio.run(main())
"""


def test_a_full_disk_leaves_no_partial_file(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    run = run_measured(code=_FULL_DISK.format(folder=str(folder)), tmp=str(tmp_path))
    assert run.code == 0, run.output
    assert "big stored: False" in run.stdout
    assert "errors: 0" not in run.stdout
    assert "writing failed" in run.stderr
    assert _store_files(folder) == []
    assert_clean_output(run)
