"""The in-process tier: a cachetools TLRU cache bounded by entries and by bytes.

It keeps :class:`~bookstracker.cache.base.CacheEntry` objects as they are, and an entry keeps
the answer its payload decodes to: a hit hands back the answer object itself, whatever its
size, with nothing to decode.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import cachetools

from bookstracker.cache.base import BaseCache, CacheEntry
from bookstracker.cache.codec import holds_answer

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_ENTRIES", "MemoryCache"]

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 64 * 2**20


ANSWER_SIZE_FACTOR = 3
"""How much larger a decoded answer is than its encoded bytes (2.7 measured on bibliographies)."""


def _entry_size(entry: CacheEntry) -> int:
    size = sys.getsizeof(entry.value)
    if holds_answer(entry.value):
        size += ANSWER_SIZE_FACTOR * len(entry.value)
    return size


def _stale_until(key: str, entry: CacheEntry, now: float) -> float:
    until: float = entry.stale_until
    return until


class MemoryCache(BaseCache):
    """A least-recently-used cache in this process's memory.

    Bounded by ``max_entries`` and by ``max_bytes`` (the payloads' in-memory size, plus an
    estimate of the decoded answer for payloads that hold one); the least
    recently used entries go first, and entries past their ``stale_until`` are dropped. Meant for
    one event loop: it takes no locks.
    """

    name = "memory"

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be positive")
        super().__init__(clock=clock)
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._data: cachetools.TLRUCache[str, CacheEntry] = cachetools.TLRUCache(
            maxsize=max_bytes, ttu=_stale_until, timer=clock, getsizeof=_entry_size
        )

    def __repr__(self) -> str:
        return f"MemoryCache(max_entries={self._max_entries}, max_bytes={self._max_bytes})"

    async def get(self, key: str) -> CacheEntry | None:
        """The entry, fresh or stale; ``None`` when absent or past ``stale_until``."""
        entry = self._data.get(key)
        if entry is None:
            self._misses += 1
        else:
            self._hits += 1
        return entry

    async def load(self, key: str) -> CacheEntry | None:
        """The stored entry, without counting."""
        return self._data.get(key)

    async def store(self, key: str, entry: CacheEntry) -> None:
        """Keep ``entry``, evicting the least recently used entries to stay within bounds."""
        data = self._data
        if _entry_size(entry) > self._max_bytes:
            data.pop(key, None)
            return
        if key not in data and len(data) >= self._max_entries:
            data.expire()
            while len(data) >= self._max_entries:
                data.popitem()
        data[key] = entry

    async def delete(self, key: str) -> None:
        """Forget ``key``."""
        self._data.pop(key, None)

    async def clear(self) -> None:
        """Forget every entry."""
        self._data.clear()

    async def usage(self) -> tuple[int, int]:
        """The number of live entries and their payloads' size in bytes."""
        self._data.expire()
        return len(self._data), int(self._data.currsize)
