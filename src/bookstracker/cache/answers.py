"""The one cache layer every client operation goes through: read, single-flight, compute, write.

:class:`AnswerCache` answers a question from the cache when a fresh entry holds it, else
computes it once for every concurrent caller (in this process one flight per key, across
processes a Redis lock when one is given), stores it, and serves a stale entry when
every provider failed. :meth:`AnswerCache.many` does the same for a batch of keys (ISBNs): one
``get_many`` read, the misses computed in one call while each key has at most one flight, and
the answers written together.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Final, Generic, Literal, Protocol, TypeVar, cast

import anyio
import attrs

from bookstracker.cache.base import CacheBackend, CacheEntry, CacheStats
from bookstracker.cache.codec import CachedNotFound, ValueCodec
from bookstracker.cache.keys import cache_key
from bookstracker.cache.policy import CacheKind, TTLPolicy, kind_for_error
from bookstracker.cache.singleflight import RedisSingleFlight
from bookstracker.errors import AllProvidersFailed, NotFound
from bookstracker.instrumentation import CacheLooked, EventBus
from bookstracker.models import ProviderReport
from bookstracker.taskgroup import run_all

__all__ = [
    "Answer",
    "AnswerCache",
    "AnswerCodec",
    "Batch",
    "Fetched",
    "Source",
]

logger = logging.getLogger("bookstracker")

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Source = Literal["computed", "cached", "stale"]


class AnswerCodec(Protocol[T]):
    """How one kind of answer is stored as bytes (:class:`~bookstracker.cache.codec.ValueCodec`
    for the models)."""

    def encode(self, value: T) -> bytes: ...

    def decode(self, data: bytes) -> T:
        """The value; raises ``ValueError`` (``UnreadableValue``) when it does not decode, and
        ``CachedNotFound`` for a cached not-found."""
        ...


@attrs.frozen
class Answer(Generic[T_co]):
    """A value and where it came from; ``failure`` is why a stale value was served."""

    value: T_co
    source: Source
    failure: AllProvidersFailed | None = None


@attrs.frozen
class Fetched(Generic[T_co]):
    """What one batch computation found: a value per key asked, how to cache each (absent:
    not cached) and the provider reports."""

    values: Mapping[str, T_co]
    kinds: Mapping[str, CacheKind]
    reports: Mapping[str, ProviderReport]


@attrs.frozen
class Batch(Generic[T]):
    """Answers for a batch of keys: values by key; ``reports`` from the computations that ran
    for it (empty when every key came from the cache); ``failure`` when stale values stand in."""

    values: Mapping[str, T]
    reports: Mapping[str, ProviderReport]
    failure: AllProvidersFailed | None = None


@attrs.define(eq=False)
class _Lead(Generic[T]):
    """The state of a call computing an answer for everyone: the entry it may fall back on
    and, once known, the answer."""

    entry: CacheEntry | None
    answer: Answer[T] | None = None


class _Unreadable(Exception):
    """A cached payload that no longer decodes (truncated, or written by another version)."""


class _LeaderGone(Exception):
    """The call computing a batch was cancelled: its followers compute for themselves."""


class _Miss(enum.Enum):
    MISS = "miss"


_MISS: Final = _Miss.MISS
"""What a look-up returns for no usable entry (a value may be ``None``, so it cannot be)."""


class AnswerCache:
    """Caching and single-flight for every operation of a client (see the module docstring).

    ``backend=None`` caches nothing (single-flight still applies). ``namespace`` is part of
    every key, so clients reaching different servers never share entries. ``not_found(message)``
    makes the error raised for a cached not-found answer. Each look-up is published on
    ``events`` as a :class:`~bookstracker.instrumentation.CacheLooked`.
    """

    def __init__(
        self,
        backend: CacheBackend | None,
        *,
        ttl: TTLPolicy,
        namespace: str,
        not_found: Callable[[str], NotFound],
        shared_flights: RedisSingleFlight | None = None,
        events: EventBus | None = None,
    ) -> None:
        self.backend = backend
        self.events = events or EventBus()
        self.ttl = ttl
        self.namespace = namespace
        self._not_found = not_found
        # A key's flights carry answers of the one type its codec decodes (see `_answer_of`).
        self._one_flights: dict[str, asyncio.Future[Answer[object]]] = {}
        self._shared_flights = shared_flights
        self._batch_flights: dict[str, asyncio.Future[tuple[object, Fetched[object] | None]]] = {}
        self._writes = 0

    def key(self, kind: str, *parts: str) -> str:
        """The cache key of a question."""
        return cache_key(kind, self.namespace, *parts)

    # -- reading -------------------------------------------------------------------------------

    async def is_fresh(self, key: str) -> bool:
        """True when the cache holds a fresh answer for ``key``."""
        if self.backend is None:
            return False
        entry = await self.backend.get(key)
        return entry is not None and entry.is_fresh()

    def _decode(self, entry: CacheEntry, codec: AnswerCodec[T]) -> T:
        """The value held in ``entry``, decoded (and validated) once per entry: the memory tier
        keeps entries, hence answers, as they are.

        Raises the cached ``NotFound``, or ``_Unreadable`` for a payload that does not decode.
        """
        try:
            return entry.decoded(codec)
        except CachedNotFound as found:
            raise self._not_found(found.message) from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _Unreadable(f"{type(exc).__name__}: {exc}") from None

    async def _fresh(self, key: str, entry: CacheEntry | None, codec: AnswerCodec[T]) -> T | _Miss:
        """The decoded fresh ``entry``, or ``_MISS`` (absent, stale, or unreadable: dropped)."""
        if entry is None or not entry.is_fresh():
            return _MISS
        try:
            return self._decode(entry, codec)
        except _Unreadable as exc:
            logger.warning("dropping an unreadable cache entry (%s)", exc)
            if self.backend is not None:
                await self.backend.delete(key)
            return _MISS

    def _stale(self, entry: CacheEntry | None, codec: AnswerCodec[T]) -> T | _Miss:
        """The value of a stale (or any) entry, or ``_MISS``."""
        if entry is None:
            return _MISS
        try:
            return self._decode(entry, codec)
        except (_Unreadable, NotFound):
            return _MISS

    def _looked(self, key: str, hit: bool) -> None:
        if self.backend is not None:
            self.events.publish(CacheLooked(key=key, hit=hit))

    # -- writing -------------------------------------------------------------------------------

    async def _write(self, key: str, kind: CacheKind, payload: bytes) -> None:
        if self.backend is None:
            return
        self._writes += 1
        await self.backend.set(
            key,
            payload,
            ttl=self.ttl.ttl_for(kind, "hot"),
            cold_ttl=self.ttl.ttl_for(kind, "cold"),
            grace=self.ttl.lifetimes(kind).grace,
        )

    async def _write_many(self, items: Sequence[tuple[str, CacheKind, bytes]]) -> None:
        """Every write of a batch at once, not one ``await`` after another."""
        if self.backend is None or not items:
            return
        if len(items) == 1:
            await self._write(*items[0])
            return
        await run_all([functools.partial(self._write, *item) for item in items])

    async def _store_not_found(self, key: str, exc: NotFound) -> None:
        asked = [r for r in exc.reports.values() if r.status not in ("disabled", "skipped")]
        answered = bool(asked) and all(report.answered for report in asked)
        if kind_for_error(exc) == "not_found" and answered:
            await self._write(key, "not_found", ValueCodec.encode_not_found(str(exc)))

    # -- one answer ----------------------------------------------------------------------------

    async def one(
        self,
        key: str,
        compute: Callable[[], Awaitable[T]],
        *,
        codec: AnswerCodec[T],
        kind_of: Callable[[T], CacheKind | None],
    ) -> Answer[T]:
        """The answer to ``key``: cached, else computed once for every concurrent caller.

        ``kind_of(value)`` says how a computed value is cached (None: not cached). When every
        provider fails, a stale entry is served; a ``NotFound`` is cached only when every
        provider asked answered; other errors are never cached.
        """
        writes = self._writes
        first = await self.backend.get(key) if self.backend is not None else None
        hit = await self._fresh(key, first, codec)
        self._looked(key, hit is not _MISS)
        if hit is not _MISS:
            return Answer(hit, "cached")
        flight = self._one_flights.get(key)
        if flight is not None:
            try:
                return _answer_of(codec, await asyncio.shield(flight))
            except _LeaderGone:
                return await self.one(key, compute, codec=codec, kind_of=kind_of)
        async with self._leading(key, first, writes, codec) as lead:
            if lead.answer is not None:
                return lead.answer
            try:
                value = await compute()
            except AllProvidersFailed as exc:
                lead.answer = self._stale_answer(lead.entry, codec, exc)
            except NotFound as exc:
                await self._store_not_found(key, exc)
                raise
            else:
                kind = kind_of(value)
                if kind is not None and self.backend is not None:
                    await self._write(key, kind, codec.encode(value))
                lead.answer = Answer(value, "computed")
            return lead.answer

    def _stale_answer(
        self, entry: CacheEntry | None, codec: AnswerCodec[T], failure: AllProvidersFailed
    ) -> Answer[T]:
        """The stale cached value when every provider failed; else ``failure`` is raised."""
        stale = self._stale(entry, codec)
        if stale is _MISS:
            raise failure
        logger.warning("every provider failed; serving a stale cached answer")
        return Answer(stale, "stale", failure)

    @contextlib.asynccontextmanager
    async def _leading(
        self, key: str, first: CacheEntry | None, writes: int, codec: AnswerCodec[T]
    ) -> AsyncIterator[_Lead[T]]:
        """This call computes ``key`` for everyone: its flight is registered (concurrent callers
        await it) and, with Redis, other processes wait on its lock. ``lead.answer`` is set on
        entry when the answer turned out to be cached after all."""
        flight: asyncio.Future[Answer[object]] = asyncio.get_running_loop().create_future()
        flight.add_done_callback(_consume)
        self._one_flights[key] = flight
        lead: _Lead[T] = _Lead(entry=first)
        try:
            if self._writes != writes and self.backend is not None:
                lead.entry = await self.backend.get(key)  # another call may have just stored it
                lead.answer = await self._cached_answer(key, lead.entry, codec)
            if lead.answer is not None or self._shared_flights is None or self.backend is None:
                yield lead
            else:
                async with self._shared_flights.acquire(key) as leader:
                    if not leader:  # another process computed it (or gave up): read again
                        done = await self.backend.get(key)
                        lead.answer = await self._cached_answer(key, done, codec)
                        lead.entry = done or lead.entry
                    yield lead
        except BaseException as exc:
            gone = isinstance(exc, (asyncio.CancelledError, anyio.get_cancelled_exc_class()))
            if not flight.done():
                flight.set_exception(_LeaderGone() if gone else exc)
            raise
        finally:
            if self._one_flights.get(key) is flight:
                del self._one_flights[key]
        if not flight.done() and lead.answer is not None:
            flight.set_result(lead.answer)

    async def _cached_answer(
        self, key: str, entry: CacheEntry | None, codec: AnswerCodec[T]
    ) -> Answer[T] | None:
        hit = await self._fresh(key, entry, codec)
        return None if hit is _MISS else Answer(hit, "cached")

    # -- a batch of answers --------------------------------------------------------------------

    async def many(
        self,
        keys: Mapping[str, str],
        compute: Callable[[list[str]], Awaitable[Fetched[T]]],
        *,
        codec: AnswerCodec[T],
    ) -> Batch[T]:
        """Answers for ``keys`` (an identifier → its cache key): one read for all of them, the
        misses computed by ``compute(identifiers)`` in one call, at most one flight per key in
        this process (a key another call is computing is awaited, not asked again), and the
        answers written together. When every provider fails, stale entries stand in."""
        writes = self._writes
        entries: Mapping[str, CacheEntry] = {}
        if self.backend is not None and keys:
            entries = await self.backend.get_many(list(keys.values()))
        values: dict[str, T] = {}
        misses: list[str] = []
        for ident, key in keys.items():
            hit = await self._fresh(key, entries.get(key), codec)
            self._looked(key, hit is not _MISS)
            if hit is _MISS:
                misses.append(ident)
            else:
                values[ident] = hit
        if not misses:
            return Batch(values, {})
        if self._writes != writes and self.backend is not None:
            again = await self.backend.get_many([keys[i] for i in misses])
            entries = {**entries, **again}
            still: list[str] = []
            for ident in misses:
                hit = await self._fresh(keys[ident], again.get(keys[ident]), codec)
                if hit is _MISS:
                    still.append(ident)
                else:
                    values[ident] = hit
            misses = still
        return await self._fly(keys, misses, values, entries, compute, codec)

    async def _fly(
        self,
        keys: Mapping[str, str],
        misses: list[str],
        values: dict[str, T],
        entries: Mapping[str, CacheEntry],
        compute: Callable[[list[str]], Awaitable[Fetched[T]]],
        codec: AnswerCodec[T],
    ) -> Batch[T]:
        theirs = {i: self._batch_flights[keys[i]] for i in misses if keys[i] in self._batch_flights}
        mine = [i for i in misses if i not in theirs]
        reports: dict[str, ProviderReport] = {}
        failure: AllProvidersFailed | None = None
        if mine:
            fetched, failure = await self._lead(keys, mine, entries, compute, codec)
            values.update({i: fetched.values[i] for i in mine if i in fetched.values})
            reports.update(fetched.reports)
        orphans: list[str] = []
        for ident, flight in theirs.items():
            try:
                value, other = await asyncio.shield(flight)
            except _LeaderGone:
                orphans.append(ident)
                continue
            if value is not _MISS:
                values[ident] = _value_of(codec, value)
            if other is not None:
                for name, report in other.reports.items():
                    reports.setdefault(name, report)
        if orphans:
            more = await self.many({i: keys[i] for i in orphans}, compute, codec=codec)
            values.update(more.values)
            reports.update(more.reports)
            failure = failure or more.failure
        return Batch(values, reports, failure)

    async def _lead(
        self,
        keys: Mapping[str, str],
        mine: list[str],
        entries: Mapping[str, CacheEntry],
        compute: Callable[[list[str]], Awaitable[Fetched[T]]],
        codec: AnswerCodec[T],
    ) -> tuple[Fetched[T], AllProvidersFailed | None]:
        loop = asyncio.get_running_loop()
        flights: dict[str, asyncio.Future[tuple[object, Fetched[object] | None]]] = {
            i: loop.create_future() for i in mine
        }
        for ident, flight in flights.items():
            flight.add_done_callback(_consume)
            self._batch_flights[keys[ident]] = flight
        failure: AllProvidersFailed | None = None
        try:
            try:
                fetched = await compute(mine)
            except AllProvidersFailed as exc:
                found: dict[str, T] = {}
                for ident in mine:
                    value = self._stale(entries.get(keys[ident]), codec)
                    if value is not _MISS:
                        found[ident] = value
                if not found:
                    raise
                logger.warning("every provider failed; serving stale cached answers")
                failure = exc
                fetched = Fetched(found, {}, exc.reports)
            if self.backend is not None:  # no tier: nothing to encode
                await self._write_many(
                    [
                        (keys[i], kind, codec.encode(fetched.values[i]))
                        for i, kind in fetched.kinds.items()
                        if i in flights and i in fetched.values
                    ]
                )
        except BaseException as exc:
            gone = isinstance(exc, (asyncio.CancelledError, anyio.get_cancelled_exc_class()))
            for flight in flights.values():
                if not flight.done():
                    flight.set_exception(_LeaderGone() if gone else exc)
            raise
        finally:
            for ident, flight in flights.items():
                if self._batch_flights.get(keys[ident]) is flight:
                    del self._batch_flights[keys[ident]]
        for ident, flight in flights.items():
            if not flight.done():
                flight.set_result((fetched.values.get(ident, _MISS), fetched))
        return fetched, failure

    # -- housekeeping --------------------------------------------------------------------------

    async def stats(self) -> CacheStats | None:
        return await self.backend.stats() if self.backend is not None else None

    async def clear(self) -> None:
        if self.backend is not None:
            await self.backend.clear()

    async def aclose(self) -> None:
        if self.backend is not None:
            await self.backend.aclose()


def _answer_of(codec: AnswerCodec[T], carried: Answer[object]) -> Answer[T]:
    """The answer another call's flight for a key carries, typed as ``codec`` decodes: every
    flight of a key is made by a call with that key's codec, so the type is known, not checked."""
    return cast("Answer[T]", carried)


def _value_of(codec: AnswerCodec[T], carried: object) -> T:
    """The value another call's batch flight for a key carries (see `_answer_of`)."""
    return cast("T", carried)


def _consume(flight: asyncio.Future[T]) -> None:
    """Mark a flight's exception as seen, so nobody-waited-for failures are not logged."""
    if not flight.cancelled():
        flight.exception()
