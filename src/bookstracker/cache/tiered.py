"""Two caches as one: read the hot tier, then the cold one; write through to both."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from bookstracker.cache.base import BaseCache, CacheBackend, CacheEntry, CacheStats

__all__ = ["TieredCache"]


async def _put(backend: CacheBackend, key: str, entry: CacheEntry, now: float) -> None:
    if isinstance(backend, BaseCache):
        await backend.store(key, entry)
        return
    ttl = max(entry.fresh_until - now, 0.0)
    grace = max(entry.stale_until - max(entry.fresh_until, now), 0.0)
    await backend.set(key, entry.value, ttl=ttl, grace=grace)


class TieredCache(BaseCache):
    """``hot`` in front of ``cold``: any two backends, including another ``TieredCache``.

    ``get`` asks ``hot``, then ``cold``, and copies a cold hit into ``hot`` with its remaining
    lifetime. A stale hot entry is checked against ``cold`` too, which may hold a fresher one
    written by another process. ``set`` writes both: ``ttl`` for ``hot``, ``cold_ttl`` (default
    ``ttl``) for ``cold``, the same ``grace`` for each; a nested tiered cold tier gets
    ``cold_ttl`` for both its tiers. ``delete`` and ``clear`` reach both tiers.

    ``stats`` counts hits and misses of the pair (a hit in either tier is one hit), sums the
    tiers' ``errors``, ``entries`` and ``bytes`` (an entry held in both tiers counts twice) and
    lists each tier's own figures in ``tiers``.
    """

    name = "tiered"

    def __init__(
        self,
        hot: CacheBackend,
        cold: CacheBackend,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if clock is None:
            clock = hot.clock if isinstance(hot, BaseCache) else time.time
        super().__init__(clock=clock)
        self.hot = hot
        self.cold = cold

    def __repr__(self) -> str:
        return f"TieredCache({self.hot!r}, {self.cold!r})"

    async def load(self, key: str) -> CacheEntry | None:
        """The hot entry, or the cold one (then promoted); a fresh cold one beats a stale hot."""
        entry = await self.hot.get(key)
        now = self._clock()
        if entry is not None and entry.is_fresh(now):
            return entry
        cold_entry = await self.cold.get(key)
        if cold_entry is None or (
            entry is not None and cold_entry.fresh_until <= entry.fresh_until
        ):
            return entry
        await _put(self.hot, key, cold_entry, now)
        return cold_entry

    async def load_many(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """The hot entries, completed from ``cold`` (one ``get_many`` per tier), promoted."""
        found = await self.hot.get_many(keys)
        now = self._clock()
        wanted = [key for key in keys if key not in found or not found[key].is_fresh(now)]
        if not wanted:
            return found
        for key, entry in (await self.cold.get_many(wanted)).items():
            held = found.get(key)
            if held is None or entry.fresh_until > held.fresh_until:
                found[key] = entry
                await _put(self.hot, key, entry, now)
        return found

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: float,
        grace: float = 0.0,
        cold_ttl: float | None = None,
    ) -> None:
        """Write ``hot`` with ``ttl`` and ``cold`` with ``cold_ttl`` (default ``ttl``)."""
        await self.hot.set(key, value, ttl=ttl, grace=grace)
        cold = ttl if cold_ttl is None else cold_ttl
        await self.cold.set(key, value, ttl=cold, grace=grace, cold_ttl=cold_ttl)

    async def store(self, key: str, entry: CacheEntry) -> None:
        """Store ``entry`` as it is in both tiers."""
        now = self._clock()
        await _put(self.hot, key, entry, now)
        await _put(self.cold, key, entry, now)

    async def delete(self, key: str) -> None:
        """Forget ``key`` in both tiers."""
        await self.hot.delete(key)
        await self.cold.delete(key)

    async def clear(self) -> None:
        """Empty both tiers."""
        await self.hot.clear()
        await self.cold.clear()

    async def usage(self) -> tuple[int, int]:
        """The sums of both tiers' entries and bytes."""
        stats = await self.stats()
        return stats.entries, stats.bytes

    async def stats(self) -> CacheStats:
        """This pair's hits and misses, the tiers' sums, and each tier's figures."""
        tiers = (await self.hot.stats(), await self.cold.stats())
        return CacheStats(
            name=self.name,
            hits=self._hits,
            misses=self._misses,
            entries=sum(tier.entries for tier in tiers),
            bytes=sum(tier.bytes for tier in tiers),
            errors=self._errors + sum(tier.errors for tier in tiers),
            tiers=tiers,
        )

    async def aclose(self) -> None:
        """Close both tiers."""
        try:
            await self.hot.aclose()
        finally:
            await self.cold.aclose()
