"""Cache backends behind one async protocol, TTL policy, keys and single-flight.

Choose a backend by URL with :func:`cache_from_url`, or build one: :class:`MemoryCache` (this
process), :class:`DiskCache` (this machine, survives restarts), :class:`RedisCache` (every process
and machine; the ``redis`` extra) and :class:`TieredCache` to stack any two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from bookstracker.cache.base import BaseCache, CacheBackend, CacheEntry, CacheStats
from bookstracker.cache.keys import KEY_VERSION, SCHEMA_VERSION, cache_key, fingerprint
from bookstracker.cache.memory import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, MemoryCache
from bookstracker.cache.policy import DEFAULT_POLICY, KindTTL, TTLPolicy, kind_for_error
from bookstracker.cache.redis import RedisCache
from bookstracker.cache.singleflight import RedisSingleFlight, SingleFlight
from bookstracker.cache.tiered import TieredCache
from bookstracker.errors import ConfigurationError

if TYPE_CHECKING:
    from bookstracker.cache.disk import DiskCache

__all__ = [
    "DEFAULT_POLICY",
    "KEY_VERSION",
    "SCHEMA_VERSION",
    "BaseCache",
    "CacheBackend",
    "CacheEntry",
    "CacheStats",
    "DiskCache",
    "KindTTL",
    "MemoryCache",
    "RedisCache",
    "RedisSingleFlight",
    "SingleFlight",
    "TTLPolicy",
    "TieredCache",
    "cache_from_url",
    "cache_key",
    "fingerprint",
    "kind_for_error",
]

_INT_OPTIONS = {
    "memory": ("max_entries", "max_bytes"),
    "disk": ("size_limit",),
}


def _int_options(scheme: str, query: str) -> dict[str, int]:
    options: dict[str, int] = {}
    for name, values in parse_qs(query, keep_blank_values=True).items():
        if name not in _INT_OPTIONS[scheme]:
            raise ConfigurationError(f"unknown {scheme} cache option {name!r}")
        try:
            options[name] = int(values[-1])
        except ValueError:
            raise ConfigurationError(f"{scheme} cache option {name!r} is not an integer") from None
    return options


def cache_from_url(url: str) -> CacheBackend:
    """The backend a URL names.

    ``memory://`` (options ``?max_entries=N&max_bytes=N``), ``disk://`` for the default folder or
    ``disk:///absolute/path`` (option ``?size_limit=N``), ``redis://host:port/db`` or
    ``rediss://...`` for Redis.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        if parts.netloc or parts.path:
            raise ConfigurationError("a memory cache URL is just 'memory://'")
        options = _int_options("memory", parts.query)
        return MemoryCache(
            max_entries=options.get("max_entries", DEFAULT_MAX_ENTRIES),
            max_bytes=options.get("max_bytes", DEFAULT_MAX_BYTES),
        )
    if scheme == "disk":
        path = parts.netloc + parts.path
        options = _int_options("disk", parts.query)
        from bookstracker.cache.disk import DEFAULT_SIZE_LIMIT, DiskCache

        return DiskCache(path or None, size_limit=options.get("size_limit", DEFAULT_SIZE_LIMIT))
    if scheme in {"redis", "rediss", "unix"}:
        return RedisCache(url)
    raise ConfigurationError(
        f"unknown cache URL scheme {parts.scheme!r}; use memory://, disk:// or redis://"
    )


def __getattr__(name: str) -> type[DiskCache]:
    """`DiskCache` on first use: diskcache and sqlite3 load only for a disk tier."""
    if name == "DiskCache":
        from bookstracker.cache.disk import DiskCache

        return DiskCache
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
