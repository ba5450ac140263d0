"""The builder: from :class:`~bookstracker.config.Settings` to the parts of a client, once.

Adapters (given, built from the registry, or the offline fakes), their policies (with Redis,
rate limits and quotas shared by every process), the cache tiers and the one cache layer,
the searcher and the ISBN look-up are all made here, and nothing changes them afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import platformdirs

from bookstracker._logging import log_event
from bookstracker.cache import (
    DEFAULT_POLICY,
    CacheBackend,
    MemoryCache,
    RedisCache,
    RedisSingleFlight,
    TieredCache,
    TTLPolicy,
    fingerprint,
)
from bookstracker.cache.answers import AnswerCache
from bookstracker.cache.redis import import_redis
from bookstracker.config import UNSET, Settings, Unset
from bookstracker.errors import NotFound
from bookstracker.instrumentation import EventBus
from bookstracker.models import ProviderReport
from bookstracker.pipeline.isbns import EditionLookup
from bookstracker.pipeline.search import ParallelSearcher
from bookstracker.providers.contract import Provider
from bookstracker.providers.registry import AdapterParts, create
from bookstracker.resilience.shared import SharedLimits

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["OFFLINE_FOLDER", "Assembly", "assemble", "cache_folder", "cached_reports"]

_REDIS_TIMEOUT = 2.0


def cached_reports(names: Mapping[str, object]) -> dict[str, ProviderReport]:
    """A ``cached`` report for every provider named (the frozen reports are made once)."""
    return dict(_cached_reports(tuple(names)))


@functools.lru_cache(maxsize=64)
def _cached_reports(names: tuple[str, ...]) -> tuple[tuple[str, ProviderReport], ...]:
    return tuple((n, ProviderReport(provider=n, status="cached")) for n in names)


@attrs.frozen(kw_only=True)
class Assembly:
    """Everything a client is made of."""

    settings: Settings
    providers: Mapping[str, Provider]
    answers: AnswerCache
    searcher: ParallelSearcher
    editions: EditionLookup
    redis: Redis | None = attrs.field(repr=False)
    fakes: Mapping[str, object]

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()
        await self.answers.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def _connect_redis(url: str) -> Redis:
    """A ``redis.asyncio.Redis`` for ``url``; it connects on first use (the ``redis`` extra)."""
    redis_asyncio = import_redis()
    client: Redis = redis_asyncio.Redis.from_url(
        url, socket_timeout=_REDIS_TIMEOUT, socket_connect_timeout=_REDIS_TIMEOUT
    )
    return client


OFFLINE_FOLDER = "offline"
"""Offline mode keeps its answers in this folder inside the disk tier's, apart from the real
providers' answers: neither can stand in for the other, and clearing one keeps the other."""


def cache_folder(settings: Settings) -> Path:
    """The disk tier's folder for ``settings`` (``offline/`` inside it in offline mode, the
    outer folder then checked as the disk tier checks its own)."""
    folder = Path(settings.cache_dir or platformdirs.user_cache_dir("bookstracker")).expanduser()
    if not settings.offline:
        return folder
    from bookstracker.cache.disk import private_folder  # diskcache only when caching

    return private_folder(folder) / OFFLINE_FOLDER


def _default_cache(settings: Settings, redis: Redis | None) -> CacheBackend:
    """Memory in front of disk, in front of Redis when there is one."""
    from bookstracker.cache.disk import DiskCache  # diskcache and sqlite3 only when caching

    cold: CacheBackend = DiskCache(cache_folder(settings))
    if redis is not None:
        shared = RedisCache(client=redis, prefix=settings.redis_prefix + "cache:")
        cold = TieredCache(cold, shared)
    return TieredCache(MemoryCache(), cold)


def _providers(
    settings: Settings, given: Mapping[str, Provider | None], redis: Redis | None
) -> tuple[dict[str, Provider], dict[str, object]]:
    wanted = tuple(n for n in settings.providers if given.get(n) is None)
    built: dict[str, Provider] = {}
    fakes: dict[str, object] = {}
    if settings.offline and wanted:
        from bookstracker.testing.offline import offline_providers

        offline, used = offline_providers(settings, wanted)
        built.update(offline)
        fakes.update(used)
    else:
        shared = SharedLimits(redis, settings.redis_prefix + "v1:") if redis is not None else None
        for name in wanted:
            parts = AdapterParts(shared_limits=shared)
            built[name] = create(name, settings.provider(name), parts)
    providers: dict[str, Provider] = {}
    for name in settings.providers:
        chosen = given.get(name)
        providers[name] = chosen if chosen is not None else built[name]
    return providers, fakes


def assemble(
    settings: Settings,
    *,
    given: Mapping[str, Provider | None] | None = None,
    cache: CacheBackend | Unset | None = UNSET,
    ttl_policy: TTLPolicy | None = None,
) -> Assembly:
    """The parts of a client for ``settings``; ``given`` adapters are used as they are."""
    redis = _connect_redis(settings.redis_url) if settings.redis_url else None
    providers, fakes = _providers(settings, given or {}, redis)
    backend = _default_cache(settings, redis) if isinstance(cache, Unset) else cache
    flights = None
    if redis is not None and backend is not None:
        flights = RedisSingleFlight(
            redis,
            lock_timeout=max(30.0, (settings.deadline or 0.0) + 5.0),
            # A follower waits at most half the deadline, leaving the rest for its own call.
            max_wait=None if settings.deadline is None else settings.deadline / 2,
            prefix=settings.redis_prefix + "lock:",
        )
    namespace = fingerprint(
        "offline" if settings.offline else "online",
        *(f"{n}={p.base_url}" for n, p in providers.items()),
    )
    reports = cached_reports(providers)

    def not_found(message: str) -> NotFound:
        return NotFound(message, reports=reports)

    answers = AnswerCache(
        backend,
        ttl=ttl_policy or DEFAULT_POLICY,
        namespace=namespace,
        not_found=not_found,
        shared_flights=flights,
        events=EventBus(log_event),
    )
    return Assembly(
        settings=settings,
        providers=providers,
        answers=answers,
        searcher=ParallelSearcher(providers, deadline=settings.deadline),
        editions=EditionLookup(providers, deadline=settings.deadline),
        redis=redis,
        fakes=fakes,
    )
