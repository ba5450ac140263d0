"""The disk tier: a private folder, bytes only, never unpickling, surviving damage and restarts."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

import diskcache
import pytest

from bookstracker.cache import DiskCache
from bookstracker.errors import CacheError, UnsafeCacheDirectory

pytestmark = pytest.mark.anyio

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")

UNPICKLED: list[str] = []


def _record_unpickling(tag: str) -> str:
    UNPICKLED.append(tag)
    return tag


class Booby:
    """Unpickling this object calls _record_unpickling: the proof that pickle.loads ran."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_record_unpickling, ("unpickled",))


def _overwrite_start(path: Path, data: bytes) -> None:
    with open(path, "r+b") as target:
        target.write(data)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
async def test_creates_its_folder_and_missing_parents_private(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "cache"
    cache = DiskCache(folder)
    await cache.aclose()
    assert _mode(folder) == 0o700
    assert _mode(tmp_path / "a") == 0o700


@posix_only
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_refuses_a_folder_others_can_write(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(UnsafeCacheDirectory, match="lets other users write"):
        DiskCache(folder)


@posix_only
async def test_accepts_an_existing_folder_only_its_owner_can_write(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    folder.chmod(0o755)
    cache = DiskCache(folder)
    await cache.set("k", b"v", ttl=60)
    assert await cache.get("k") is not None
    await cache.aclose()


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_refuses_a_folder_owned_by_another_user(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    with pytest.raises(UnsafeCacheDirectory, match="another user"):
        DiskCache(folder)


def test_refuses_a_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"")
    with pytest.raises(CacheError, match="not a folder"):
        DiskCache(target)


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_CACHE_HOME is read on Linux")
async def test_default_folder_is_the_user_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = DiskCache()
    await cache.aclose()
    assert cache.directory == tmp_path / "xdg" / "bookstracker"


@pytest.mark.parametrize("size", [100, 100_000], ids=["inline", "file"])
async def test_a_pickled_entry_is_refused_never_unpickled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, size: int
) -> None:
    folder = tmp_path / "c"
    cache = DiskCache(folder)
    plain = diskcache.Cache(str(folder))
    plain.set("k", [Booby(), b"x" * size])
    UNPICKLED.clear()
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        assert await cache.get("k") is None
    assert UNPICKLED == []
    assert "refusing a pickled entry" in caplog.text
    assert (await cache.stats()).errors == 1
    assert "k" not in plain
    plain.close()
    await cache.aclose()


async def test_a_text_entry_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "c"
    cache = DiskCache(folder)
    with diskcache.Cache(str(folder)) as plain:
        plain.set("k", "some text")
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        assert await cache.get("k") is None
    assert "refusing an entry stored in mode" in caplog.text
    await cache.aclose()


async def test_bytes_that_are_not_an_envelope_are_a_miss(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "c"
    cache = DiskCache(folder)
    with diskcache.Cache(str(folder)) as plain:
        plain.set("k", b"\x80\x04not an envelope, not at all")
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        assert await cache.get("k") is None
    assert "bookstracker marker" in caplog.text
    await cache.aclose()


async def test_a_truncated_value_file_is_a_miss(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "c"
    cache = DiskCache(folder)
    await cache.set("k", b"x" * 100_000, ttl=60)
    (value_file,) = folder.glob("*/*/*.val")
    value_file.write_bytes(b"BT1")
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        assert await cache.get("k") is None
    assert "shorter than its header" in caplog.text
    await cache.aclose()


async def test_nothing_but_the_envelope_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    cache = DiskCache(folder)
    await cache.set("k", b"payload", ttl=60)
    await cache.aclose()
    with diskcache.Cache(str(folder)) as plain:
        stored = plain.get("k")
    assert isinstance(stored, bytes)
    assert stored.startswith(b"BT1")
    assert stored.endswith(b"payload")


async def test_a_garbage_database_is_moved_aside_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "c"
    cache = DiskCache(folder)
    await cache.set("k", b"v", ttl=60)
    await cache.aclose()
    for extra in ("-wal", "-shm"):
        (folder / f"cache.db{extra}").unlink(missing_ok=True)
    (folder / "cache.db").write_bytes(b"this is not sqlite" * 500)
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        reopened = DiskCache(folder)
        assert await reopened.get("k") is None
    assert "started afresh" in caplog.text
    assert list(folder.glob("cache.db.corrupt-*"))
    await reopened.set("k", b"again", ttl=60)
    entry = await reopened.get("k")
    assert entry is not None
    assert entry.value == b"again"
    await reopened.aclose()


async def test_garbage_written_under_an_open_store_never_raises(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    cache = DiskCache(folder)
    await cache.set("a", b"1", ttl=60)
    _overwrite_start(folder / "cache.db", os.urandom(8192))
    await cache.get("a")
    await cache.set("b", b"2", ttl=60)
    await cache.get("b")
    await cache.stats()
    await cache.set("c", b"3", ttl=60)
    entry = await cache.get("c")
    assert entry is not None
    assert entry.value == b"3"
    await cache.aclose()


async def test_an_unopenable_store_degrades_to_misses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "c"
    (folder / "cache.db").mkdir(parents=True)
    folder.chmod(0o700)
    with caplog.at_level(logging.WARNING, logger="bookstracker.cache"):
        cache = DiskCache(folder)
        await cache.set("k", b"v", ttl=60)
        assert await cache.get("k") is None
        stats = await cache.stats()
    assert "disk caching is off" in caplog.text
    assert (stats.entries, stats.errors) == (0, 1)
    await cache.aclose()


async def test_entries_survive_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    first = DiskCache(folder)
    await first.set("k", b"kept", ttl=3600, grace=60)
    await first.aclose()
    second = DiskCache(folder)
    entry = await second.get("k")
    assert entry is not None
    assert entry.value == b"kept"
    assert entry.is_fresh()
    await second.aclose()


async def test_size_limit_is_respected(tmp_path: Path) -> None:
    limit = 1_000_000
    cache = DiskCache(tmp_path / "c", size_limit=limit)
    for index in range(60):
        await cache.set(f"k{index}", bytes([index]) * 64_000, ttl=3600)
    stats = await cache.stats()
    assert stats.bytes <= limit + 11 * 64_000
    assert await cache.get("k0") is None
    assert await cache.get("k59") is not None
    await cache.aclose()


async def test_closed_store_answers_misses(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c")
    await cache.set("k", b"v", ttl=60)
    await cache.aclose()
    assert await cache.get("k") is None
    await cache.set("k", b"v", ttl=60)
