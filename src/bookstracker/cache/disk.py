"""The on-disk tier: diskcache (SQLite plus files), bytes only, never pickle.

diskcache pickles by default, so whoever can write its folder can run code in the process that
reads it (CVE-2025-69872). This tier therefore

- creates its folder with mode 0700 and refuses an existing folder that the group or others can
  write, or that another user owns (:class:`~bookstracker.errors.UnsafeCacheDirectory`); on
  Windows, where POSIX modes mean nothing, the user profile's ACLs are relied on instead;
- stores only bytes it encoded itself (the ``BT1`` envelope of :mod:`bookstracker.cache.base`),
  through a :class:`diskcache.Disk` subclass that refuses to write or read anything else: an
  entry in pickle (or text) mode is a corrupt entry, reported and dropped, never unpickled.

A corrupt or unreadable store degrades to misses with a warning. A database file that is not
SQLite, or is damaged, is renamed ``cache.db.corrupt-<time>`` (only the latest is kept) and a
fresh one started (value files of the old one are deleted as orphans).

Reads run on the event loop thread: a diskcache hit costs 5-15 µs, while a hop to a worker thread
measured 150-200 µs here, more than half the 300 µs budget of a disk hit through the client. SQLite
in WAL mode does not block readers behind writers. Opening the store, writes, deletes, ``clear``,
``stats`` and closing run on a daemon thread of the store's own, since they can wait for another
process's write lock; the caller waits for them at most ``timeout`` seconds plus a short margin
(``bound``). A write that cannot get the lock in time is skipped with a warning and counted in
``errors``; a store that cannot be opened in time is left off until the opening completes. No
call retries without end (diskcache's ``retry=True`` loops forever on a damaged store), and a
damaged or locked store never holds up closing the cache or exiting the process.

Value files that no entry points to (left by a process killed while writing, or by a store
started afresh) are deleted when the store is opened (once older than a minute, so a concurrent
writer's file is spared) and by ``clear``; a write that fails half-way (a full disk) removes its
partial file. So every file in the folder is counted toward ``size_limit``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import queue
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import diskcache
import platformdirs

from bookstracker.cache.base import (
    BaseCache,
    CacheEntry,
    CacheStats,
    CorruptEntryError,
    decode_entry,
    encode_entry,
    logger,
)
from bookstracker.errors import CacheError, UnsafeCacheDirectory

__all__ = ["DiskCache", "private_folder"]

T = TypeVar("T")

_DB_NAME = "cache.db"
DEFAULT_SIZE_LIMIT = 512 * 2**20
ORPHAN_AGE = 60.0
"""Seconds a value file must be old before opening the store deletes it as an orphan."""
_MARGIN = 0.5
"""Seconds a caller waits beyond the store's lock ``timeout`` for the work to finish."""


class _Worker:
    """One daemon thread running a store's blocking calls in order.

    Callers wait a bounded time for a call (``asyncio.wait_for`` or ``Future.result``); a call
    still queued when its caller gives up is dropped, one already running finishes in the
    background. Being a daemon, the thread never keeps the process alive.
    """

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            job()

    def submit(self, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def job() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(call())
            except BaseException as error:
                future.set_exception(error)

        self._queue.put(job)
        return future

    @property
    def busy(self) -> bool:
        """Whether calls are waiting (a stuck one holds the rest)."""
        return not self._queue.empty()

    def stop(self) -> None:
        self._queue.put(None)


class StoreBusy(TimeoutError):
    """The store did not finish a call within the bound (another process holds its lock)."""


class _RefusedEntryError(Exception):
    """A stored item this tier will not decode (pickled, text, or an unreadable file)."""


class _BytesOnlyDisk(diskcache.Disk):  # type: ignore[misc]
    """A diskcache serialiser that handles ``str`` keys and ``bytes`` values, and nothing else.

    A value file whose writing fails (a full disk) is removed rather than left half-written.
    """

    def _write(
        self,
        full_path: str,
        iterator: Iterable[bytes | str],
        mode: str,
        encoding: str | None = None,
    ) -> int | None:
        try:
            size: int | None = super()._write(full_path, iterator, mode, encoding)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(full_path)
            raise
        return size

    def put(self, key: object) -> tuple[object, bool]:
        if type(key) is not str:
            raise TypeError("disk cache keys are str")
        return key, True

    def get(self, key: object, raw: bool) -> object:
        if not raw or type(key) is not str:
            raise _RefusedEntryError("refusing a pickled or binary key")
        return key

    def store(self, value: object, read: bool, key: object = diskcache.UNKNOWN) -> object:
        if read or type(value) is not bytes:
            raise TypeError("disk cache values are bytes")
        return super().store(value, False, key=key)

    def fetch(self, mode: int, filename: str | None, value: object, read: bool) -> bytes:
        if read:
            raise _RefusedEntryError("reading values as files is not supported")
        if mode == diskcache.core.MODE_RAW and isinstance(value, bytes):
            return bytes(value)
        if mode == diskcache.core.MODE_BINARY and filename is not None:
            try:
                with open(os.path.join(self._directory, filename), "rb") as reader:
                    return reader.read()
            except FileNotFoundError:
                raise
            except OSError as error:
                raise _RefusedEntryError(f"cannot read value file: {error}") from None
        if mode == diskcache.core.MODE_PICKLE:
            raise _RefusedEntryError("refusing a pickled entry")
        raise _RefusedEntryError(f"refusing an entry stored in mode {mode}")


def _is_corrupt(error: BaseException) -> bool:
    """True for SQLite's "not a database" and "malformed" errors, not for locks or I/O."""
    return type(error) is sqlite3.DatabaseError


def _make_private_dirs(path: Path) -> None:
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
    if missing:
        os.chmod(path, 0o700)


def _check_private(path: Path) -> None:
    info = os.stat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise CacheError(f"cache folder {str(path)!r} is not a folder")
    if os.name == "nt":
        return
    if info.st_uid != os.geteuid():
        raise UnsafeCacheDirectory(str(path), "it belongs to another user")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        mode = stat.S_IMODE(info.st_mode)
        raise UnsafeCacheDirectory(
            str(path), f"its mode {mode:o} lets other users write it (expected 700)"
        )


def private_folder(path: Path) -> Path:
    """``path``, created 0700 if missing; raises `CacheError` when it cannot be made or used and
    `UnsafeCacheDirectory` when it is not the caller's alone."""
    try:
        _make_private_dirs(path)
        _check_private(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CacheError(f"cannot use cache folder {str(path)!r}: {reason}") from error
    return path


class DiskCache(BaseCache):
    """A cache in a private folder on disk, bounded by ``size_limit`` bytes; survives restarts.

    ``directory`` defaults to the platform's user cache folder for bookstracker. When the store
    is over ``size_limit``, the oldest-stored entries are evicted first.

    Its hits and misses are kept in the store too, so that ``stats`` (``bookstracker cache
    stats``) shows every process's since the store was created or last cleared: each process
    adds its own when ``stats`` is asked and when it closes the cache.
    """

    name = "disk"

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        size_limit: int = DEFAULT_SIZE_LIMIT,
        timeout: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if size_limit < 1:
            raise ValueError("size_limit must be positive")
        super().__init__(clock=clock)
        folder = Path(
            directory if directory is not None else platformdirs.user_cache_dir("bookstracker")
        ).expanduser()
        private_folder(folder)
        self._directory = folder
        self._size_limit = size_limit
        self._timeout = timeout
        self._bound = timeout + _MARGIN
        self._saved = (0, 0)
        self._counts_lock = threading.Lock()
        self._worker = _Worker(f"bookstracker disk cache {folder}")
        self._cache: diskcache.Cache | None = None
        self._impatient = False
        self._opening: concurrent.futures.Future[diskcache.Cache | None] | None = (
            self._worker.submit(self._open)
        )
        try:
            self._cache = self._opening.result(timeout=self._bound)
            self._opening = None
        except concurrent.futures.TimeoutError:
            self._impatient = True
            self._errors += 1
            logger.warning(
                "disk cache: the store in %s is locked by another process; disk caching is off "
                "until it can be opened (waited %gs)",
                folder,
                self._bound,
            )

    def __repr__(self) -> str:
        return f"DiskCache({str(self._directory)!r}, size_limit={self._size_limit})"

    @property
    def directory(self) -> Path:
        """The folder holding the store."""
        return self._directory

    @property
    def bound(self) -> float:
        """The longest a caller waits for the store, in seconds."""
        return self._bound

    def _connect(self) -> diskcache.Cache:
        cache = diskcache.Cache(
            str(self._directory),
            timeout=self._timeout,
            disk=_BytesOnlyDisk,
            size_limit=self._size_limit,
            eviction_policy="least-recently-stored",
            statistics=False,
            tag_index=False,
        )
        self._worker.submit(lambda: self._sweep(cache))
        return cache

    def _sweep(self, cache: diskcache.Cache) -> None:
        with contextlib.suppress(sqlite3.Error, OSError):
            self._remove_orphans(cache, min_age=ORPHAN_AGE)

    def _current(self) -> diskcache.Cache | None:
        """The open store; adopts one whose slow opening has completed since."""
        opening = self._opening
        if self._cache is None and opening is not None and opening.done():
            self._opening = None
            self._impatient = False
            with contextlib.suppress(Exception):
                self._cache = opening.result()
                if self._cache is not None:
                    logger.warning("disk cache: the store in %s is open now", self._directory)
        return self._cache

    def _value_files(self) -> Iterator[Path]:
        yield from self._directory.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*.val")

    def _remove_orphans(self, cache: diskcache.Cache, *, min_age: float) -> int:
        """Delete value files no entry points to (older than ``min_age`` seconds)."""
        known = {
            os.path.normpath(name)
            for (name,) in cache._sql(  # the Cache table's filename column
                "SELECT filename FROM Cache WHERE filename IS NOT NULL"
            ).fetchall()
        }
        now = time.time()
        removed = 0
        for path in self._value_files():
            name = os.path.normpath(os.path.relpath(path, self._directory))
            if name in known:
                continue
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime >= min_age:
                    path.unlink()
                    removed += 1
        if removed:
            logger.warning(
                "disk cache: deleted %d value files no entry pointed to in %s",
                removed,
                self._directory,
            )
        return removed

    def _open(self) -> diskcache.Cache | None:
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if not _is_corrupt(error):
                self._disable(error)
                return None
            self.record_error("opening the store", error)
        except (OSError, diskcache.Timeout) as error:
            self._disable(error)
            return None
        return self._start_afresh()

    def _start_afresh(self) -> diskcache.Cache | None:
        """Move a damaged database aside and open a new one; ``None`` when that fails too."""
        suffix = f".corrupt-{time.time_ns()}"
        for older in self._directory.glob(f"{_DB_NAME}.corrupt-*"):
            with contextlib.suppress(OSError):
                older.unlink()  # keep only the latest damaged store, for inspection
        try:
            for extra in ("", "-wal", "-shm"):
                source = self._directory / f"{_DB_NAME}{extra}"
                if source.exists():
                    os.replace(source, self._directory / f"{_DB_NAME}{suffix}{extra}")
            cache = self._connect()
        except (sqlite3.Error, OSError, diskcache.Timeout) as error:
            self._disable(error)
            return None
        logger.warning(
            "disk cache: the store in %s was damaged; moved it to %s%s and started afresh",
            self._directory,
            _DB_NAME,
            suffix,
        )
        return cache

    def _disable(self, error: BaseException) -> None:
        self._errors += 1
        logger.warning(
            "disk cache: cannot open the store in %s, disk caching is off (%s: %s)",
            self._directory,
            type(error).__name__,
            error,
        )

    def _failed(self, cache: diskcache.Cache, action: str, error: BaseException) -> None:
        if isinstance(error, (StoreBusy, diskcache.Timeout)):
            self.record_error(
                f"{action} (the store stayed locked for more than {self._bound:g}s; skipped)",
                error,
            )
            return
        self.record_error(action, error)
        current: bool = self._cache is cache
        if _is_corrupt(error) and current:
            self._cache = None
            self._opening = self._worker.submit(lambda: self._reopen(cache))

    def _reopen(self, damaged: diskcache.Cache) -> diskcache.Cache | None:
        with contextlib.suppress(sqlite3.Error, OSError):
            damaged.close()
        return self._start_afresh()

    async def load(self, key: str) -> CacheEntry | None:
        """The stored entry, read on the event loop thread."""
        cache = self._current()
        if cache is None:
            return None
        try:
            data = cache.get(key, default=None, retry=False)
            if data is None:
                return None
            return decode_entry(data)
        except (_RefusedEntryError, CorruptEntryError) as error:
            self.record_error(f"reading entry {key!r}", error)
            await self.delete(key)
            return None
        except (sqlite3.Error, OSError, diskcache.Timeout) as error:
            self._failed(cache, "reading", error)
            return None

    async def _ready(self) -> diskcache.Cache | None:
        """The open store, waiting (bounded, once) for an opening in progress."""
        cache = self._current()
        opening = self._opening
        if cache is None and opening is not None and not self._impatient:
            try:
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(opening)), self._bound)
            except asyncio.TimeoutError:
                self._impatient = True
                return None
            cache = self._current()
        return cache

    async def _in_thread(self, action: str, call: Callable[[diskcache.Cache], T]) -> T | None:
        cache = await self._ready()
        if cache is None:
            return None
        try:
            return await self._bounded(lambda: call(cache))
        except (_RefusedEntryError, sqlite3.Error, OSError, diskcache.Timeout) as error:
            self._failed(cache, action, error)
            return None

    async def _bounded(self, call: Callable[[], T]) -> T:
        """``call()`` on the store's thread; `StoreBusy` when it takes longer than ``bound``."""
        future = self._worker.submit(call)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self._bound)
        except asyncio.TimeoutError:
            raise StoreBusy(f"no answer from the store within {self._bound:g}s") from None

    async def store(self, key: str, entry: CacheEntry) -> None:
        """Write ``entry``; diskcache drops it at ``stale_until``."""
        data = encode_entry(entry)
        expire = entry.stale_until - self._clock()
        if expire <= 0:
            await self.delete(key)
            return
        await self._in_thread(
            "writing", lambda cache: cache.set(key, data, expire=expire, retry=False)
        )

    async def delete(self, key: str) -> None:
        """Forget ``key``."""
        await self._in_thread("deleting", lambda cache: cache.delete(key, retry=False))

    async def clear(self) -> None:
        """Forget every entry (the folder holds only this cache) and the saved hits and misses."""

        def clear(cache: diskcache.Cache) -> None:
            cache.clear(retry=False)
            with self._counts_lock, cache.transact(retry=False):
                cache.reset("hits", 0)
                cache.reset("misses", 0)
                self._saved = (self._hits, self._misses)
            self._remove_orphans(cache, min_age=0.0)

        cache = await self._ready()
        if cache is None:
            if self._opening is not None:
                raise CacheError(
                    f"the disk cache in {self._directory} is locked by another process; "
                    "nothing was cleared, try again"
                )
            return
        try:
            await self._bounded(lambda: clear(cache))
        except (StoreBusy, diskcache.Timeout) as error:
            self._failed(cache, "clearing", error)
            raise CacheError(
                f"the disk cache in {self._directory} stayed locked by another process for "
                f"{self._bound:g}s; it may be cleared only in part, try again"
            ) from None
        except (_RefusedEntryError, sqlite3.Error, OSError) as error:
            self._failed(cache, "clearing", error)

    async def usage(self) -> tuple[int, int]:
        """The entries stored (after dropping expired ones) and the store's size on disk."""

        def measure(cache: diskcache.Cache) -> tuple[int, int]:
            cache.expire(retry=False)
            return len(cache), self._volume(cache)

        result = await self._in_thread("measuring", measure)
        return (0, 0) if result is None else (int(result[0]), int(result[1]))

    def _save_counts(self, cache: diskcache.Cache) -> tuple[int, int]:
        """Add this object's unsaved hits and misses to the store's; the store's totals."""
        with self._counts_lock, cache.transact(retry=False):
            hits, misses = self._hits, self._misses
            new_hits, new_misses = hits - self._saved[0], misses - self._saved[1]
            total_hits = int(cache.reset("hits")) + new_hits
            total_misses = int(cache.reset("misses")) + new_misses
            if new_hits:
                cache.reset("hits", total_hits)
            if new_misses:
                cache.reset("misses", total_misses)
            self._saved = (hits, misses)
        return total_hits, total_misses

    async def stats(self) -> CacheStats:
        """Every process's hits and misses (this one's saved first) and the store's size."""

        def measure(cache: diskcache.Cache) -> tuple[int, int, int, int]:
            hits, misses = self._save_counts(cache)
            cache.expire(retry=False)
            return hits, misses, len(cache), self._volume(cache)

        result = await self._in_thread("measuring", measure)
        hits, misses, entries, size = (self._hits, self._misses, 0, 0) if result is None else result
        return CacheStats(
            name=self.name,
            hits=hits,
            misses=misses,
            entries=entries,
            bytes=size,
            errors=self._errors,
        )

    def _volume(self, cache: diskcache.Cache) -> int:
        """The store's bytes on disk: the database, the last damaged one kept, every value file."""
        size = 0
        stores = (self._directory / _DB_NAME, *self._directory.glob(f"{_DB_NAME}.corrupt-*"))
        for path in (*stores, *self._value_files()):
            with contextlib.suppress(OSError):
                size += path.stat().st_size
        return max(size, int(cache.volume()))

    async def aclose(self) -> None:
        """Save the hits and misses, close the store; later reads are misses, writes dropped.

        Bounded like every other call: a locked or damaged store is left to close with the
        process rather than holding it up.
        """
        cache = self._current()
        if cache is not None and self._saved != (self._hits, self._misses):
            await self._in_thread("saving the hit counts", self._save_counts)
        self._cache = None
        if cache is not None:
            with contextlib.suppress(Exception):
                await self._bounded(cache.close)
            with contextlib.suppress(sqlite3.Error, OSError):
                cache.close()  # this thread's connection, if reads opened one
        self._worker.stop()
