"""The cache protocol, its value types, the on-store envelope and an optional base class.

Backends store **bytes**: the client serialises its models (JSON) before calling ``set``. Each
stored entry carries two instants (epoch seconds): ``fresh_until``, after which the answer should
be refreshed, and ``stale_until`` (``fresh_until`` plus a grace period), until which it may still be
served, marked stale, when the refresh fails. ``get`` returns stale entries too; the caller
decides with :meth:`CacheEntry.is_fresh`.

Backends never raise for an I/O failure of the store itself (a dead Redis, a corrupt file): they
log a warning on the ``bookstracker.cache`` logger, count it in ``errors`` and answer a miss.
"""

from __future__ import annotations

import abc
import logging
import struct
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, TypeVar, runtime_checkable

import attrs

from bookstracker.cache.codec import Decoder, decoded_with, remembered

__all__ = [
    "ENVELOPE_MAGIC",
    "ENVELOPE_SIZE",
    "BaseCache",
    "CacheBackend",
    "CacheEntry",
    "CacheStats",
    "CorruptEntryError",
    "decode_entry",
    "encode_entry",
    "make_entry",
]

logger = logging.getLogger("bookstracker.cache")
T = TypeVar("T")

ENVELOPE_MAGIC = b"BT1"
_HEADER = struct.Struct("<3sdd")
ENVELOPE_SIZE = _HEADER.size
"""The bytes of the envelope before the payload (what a bare read of a stored value skips)."""
_WARNING_INTERVAL = 60.0


def _check_stale_until(
    instance: CacheEntry, attribute: attrs.Attribute[float], value: float
) -> None:
    if value < instance.fresh_until:
        raise ValueError("stale_until must not be earlier than fresh_until")


def _describe_payload(value: bytes) -> str:
    return f"<{len(value)} bytes>"


def _remembered(entry: CacheEntry) -> dict[object, object]:
    return dict(remembered(entry.value))


@attrs.frozen(kw_only=True)
class CacheEntry:
    """One cached answer: the payload and the instants it turns stale and is dropped.

    An entry also remembers what its payload decodes to (:meth:`decoded`), so that the memory
    tier, which keeps entries as they are, answers with the object itself.
    """

    value: bytes = attrs.field(repr=_describe_payload)
    fresh_until: float
    stale_until: float = attrs.field(validator=_check_stale_until)
    _answers: dict[object, object] = attrs.field(
        init=False, default=attrs.Factory(_remembered, takes_self=True), repr=False, eq=False
    )

    def decoded(self, codec: Decoder[T]) -> T:
        """The answer the payload holds, decoded (and validated) once per entry and codec.

        Raises what ``codec.decode`` raises (for a :class:`ValueCodec`: ``UnreadableValue`` or
        ``CachedNotFound``).
        """
        return decoded_with(self._answers, self.value, codec)

    def is_fresh(self, now: float | None = None) -> bool:
        """Whether the entry is still within its TTL at ``now`` (default: the current time)."""
        return (time.time() if now is None else now) < self.fresh_until

    def is_live(self, now: float | None = None) -> bool:
        """Whether the entry may still be served at ``now``, fresh or stale."""
        return (time.time() if now is None else now) < self.stale_until


@attrs.frozen(kw_only=True)
class CacheStats:
    """A backend's figures since it was created.

    ``hits`` counts ``get`` answers that found an entry (fresh or stale), ``misses`` those that did
    not, ``errors`` the store failures that were turned into misses or dropped writes. ``entries``
    and ``bytes`` describe what the store holds now. A tiered cache adds its tiers' figures in
    ``tiers``.
    """

    name: str
    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0
    errors: int = 0
    tiers: tuple[CacheStats, ...] = ()


class CorruptEntryError(ValueError):
    """Stored bytes are not a bookstracker cache envelope."""


def encode_entry(entry: CacheEntry) -> bytes:
    """The bytes a disk or Redis store keeps: ``BT1``, two little-endian doubles, the payload."""
    return _HEADER.pack(ENVELOPE_MAGIC, entry.fresh_until, entry.stale_until) + entry.value


def decode_entry(data: bytes) -> CacheEntry:
    """The entry held in ``data``; :class:`CorruptEntryError` when they are not an envelope."""
    if len(data) < _HEADER.size:
        raise CorruptEntryError("cache entry is shorter than its header")
    magic, fresh_until, stale_until = _HEADER.unpack_from(data)
    if magic != ENVELOPE_MAGIC:
        raise CorruptEntryError("cache entry does not start with the bookstracker marker")
    if not fresh_until <= stale_until:
        raise CorruptEntryError("cache entry has inconsistent expiry times")
    return CacheEntry(
        value=bytes(data[_HEADER.size :]), fresh_until=fresh_until, stale_until=stale_until
    )


@runtime_checkable
class CacheBackend(Protocol):
    """What the client needs of a cache. Values are bytes; times are seconds.

    ``set`` stores ``value`` fresh for ``ttl`` seconds and kept, stale, ``grace`` seconds more.
    ``cold_ttl`` is the TTL for the cold tier of a :class:`~bookstracker.cache.TieredCache`
    (defaulting to ``ttl``); single-tier backends ignore it. ``clear`` removes only bookstracker's
    own entries.
    """

    name: str

    async def get(self, key: str) -> CacheEntry | None:
        """The entry, fresh or stale; ``None`` when absent or past ``stale_until``."""
        ...

    async def get_many(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """The entries found among ``keys``; absent keys are left out."""
        ...

    async def set(
        self,
        key: str,
        value: bytes,
        *,
        ttl: float,
        grace: float = 0.0,
        cold_ttl: float | None = None,
    ) -> None:
        """Store ``value`` under ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Forget ``key``."""
        ...

    async def clear(self) -> None:
        """Forget every bookstracker entry in this store."""
        ...

    async def stats(self) -> CacheStats:
        """The figures of this backend."""
        ...

    async def aclose(self) -> None:
        """Release connections and files."""
        ...


class BaseCache(abc.ABC):
    """Shared behaviour for backends: hit and miss counting, expiry filtering, ``set``.

    Subclasses implement :meth:`load`, :meth:`store`, :meth:`delete`, :meth:`clear` and
    :meth:`usage`, and may override :meth:`load_many` and :meth:`aclose`. They report store
    failures through :meth:`record_error`.
    """

    name: str = "base"

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._hits = 0
        self._misses = 0
        self._errors = 0
        self._last_warning: float | None = None

    @property
    def clock(self) -> Callable[[], float]:
        """The function giving the current epoch time used for expiry."""
        return self._clock

    @abc.abstractmethod
    async def load(self, key: str) -> CacheEntry | None:
        """The stored entry, without counting a hit or a miss."""

    async def load_many(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """The stored entries among ``keys`` (distinct), without counting."""
        found: dict[str, CacheEntry] = {}
        for key in keys:
            entry = await self.load(key)
            if entry is not None:
                found[key] = entry
        return found

    @abc.abstractmethod
    async def store(self, key: str, entry: CacheEntry) -> None:
        """Store ``entry`` as it is (its expiry instants unchanged)."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Forget ``key``."""

    @abc.abstractmethod
    async def clear(self) -> None:
        """Forget every bookstracker entry in this store."""

    @abc.abstractmethod
    async def usage(self) -> tuple[int, int]:
        """How many entries and bytes the store holds now."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections and files; the default holds none."""

    async def get(self, key: str) -> CacheEntry | None:
        """The entry, fresh or stale; ``None`` when absent or past ``stale_until``."""
        entry = await self.load(key)
        if entry is not None and not entry.stale_until > self._clock():
            entry = None
        if entry is None:
            self._misses += 1
        else:
            self._hits += 1
        return entry

    async def get_many(self, keys: Sequence[str]) -> dict[str, CacheEntry]:
        """The entries found among ``keys``; each distinct key counts one hit or miss."""
        if len(keys) == 1:  # one key (an ``isbn()`` hit): the tier's own ``get``, no batch
            (key,) = keys
            entry = await self.get(key)
            return {} if entry is None else {key: entry}
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        now = self._clock()
        found = {
            key: entry
            for key, entry in (await self.load_many(unique)).items()
            if entry.stale_until > now
        }
        self._hits += len(found)
        self._misses += len(unique) - len(found)
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
        """Store ``value`` fresh for ``ttl`` seconds, then stale for ``grace`` seconds.

        A zero lifetime stores nothing and forgets any older entry. ``cold_ttl`` is ignored by a
        single-tier backend.
        """
        now = self._clock()
        entry = make_entry(value, ttl=ttl, grace=grace, now=now)
        if entry.stale_until > now:
            await self.store(key, entry)
        else:
            await self.delete(key)

    async def stats(self) -> CacheStats:
        """The hit, miss and error counts with the store's current size."""
        entries, size = await self.usage()
        return CacheStats(
            name=self.name,
            hits=self._hits,
            misses=self._misses,
            entries=entries,
            bytes=size,
            errors=self._errors,
        )

    def record_error(self, action: str, error: BaseException) -> None:
        """Count a store failure and log it: a warning, then at most one a minute (else debug)."""
        self._errors += 1
        now = time.monotonic()
        quiet = self._last_warning is not None and now - self._last_warning < _WARNING_INTERVAL
        if not quiet:
            self._last_warning = now
        logger.log(
            logging.DEBUG if quiet else logging.WARNING,
            "%s cache: %s failed (%s: %s)",
            self.name,
            action,
            type(error).__name__,
            error,
        )

    async def __aenter__(self) -> BaseCache:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def make_entry(value: bytes, *, ttl: float, grace: float, now: float) -> CacheEntry:
    """The entry for ``value`` written at ``now``; rejects non-bytes and negative times."""
    if not isinstance(value, bytes):
        raise TypeError(f"cache values are bytes, not {type(value).__name__}")
    if ttl < 0 or grace < 0:
        raise ValueError("ttl and grace must not be negative")
    return CacheEntry(value=value, fresh_until=now + ttl, stale_until=now + ttl + grace)
