"""The facade: AsyncBooksClient and BooksClient assemble providers, policies, cache and pipeline.

Every public call goes cache → single-flight → pipeline → (per provider: circuit breaker → quota →
rate limiter → retry → HTTP), so a cache hit costs no request and no rate-limit token.
"""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import platformdirs

from bookstracker.cache import (
    DEFAULT_POLICY,
    CacheBackend,
    CacheEntry,
    DiskCache,
    MemoryCache,
    RedisCache,
    RedisSingleFlight,
    SingleFlight,
    TieredCache,
    TTLPolicy,
    cache_key,
    fingerprint,
    kind_for_error,
)
from bookstracker.cache.policy import CacheKind
from bookstracker.cache.redis import import_redis
from bookstracker.config import ENV, UNSET, Unset, env_flag, env_str
from bookstracker.errors import (
    AllProvidersFailed,
    BooksTrackerError,
    ConfigurationError,
    InvalidISBN,
    InvalidQuery,
    NotFound,
)
from bookstracker.isbn import isbn_pair
from bookstracker.metrics import (
    CacheTierStats,
    ProviderMetrics,
    ProviderStats,
    Stats,
    cache_tiers,
)
from bookstracker.models import (
    PROVIDERS,
    Author,
    Bibliography,
    Completeness,
    Edition,
    IsbnResults,
    ProviderReport,
    SearchResult,
)
from bookstracker.names import display_name, name_key
from bookstracker.pipeline.enhance import EnhancementPipeline
from bookstracker.pipeline.fanout import fan_out, seconds_left
from bookstracker.pipeline.pairing import merge_editions
from bookstracker.pipeline.resolve import (
    AUTHOR_KEY,
    AuthorResolution,
    AuthorResolver,
    validate_author_name,
)
from bookstracker.pipeline.search import ParallelSearcher, validate_query
from bookstracker.providers.googlebooks import GoogleBooks
from bookstracker.providers.isbndb import ISBNdb
from bookstracker.providers.openlibrary import OpenLibrary
from bookstracker.resilience import LocalQuota, RedisQuota, RedisRateLimiter
from bookstracker.resilience.deadline import Deadline
from bookstracker.warming import WarmProgress, WarmReport, popular_authors, warm_authors

if TYPE_CHECKING:
    from bookstracker.library_import import RejectedRow

__all__ = ["AsyncBooksClient", "parse_providers"]

logger = logging.getLogger("bookstracker")
T = TypeVar("T")
OFFLINE_RATE = 1000.0
OFFLINE_ISBNDB_KEY = "offline-sample-catalog"


def parse_providers(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Provider names from ``"openlibrary,isbndb"`` or an iterable; all three when None."""
    if value is None:
        return PROVIDERS
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [item.strip().lower() for item in items if item.strip()]
    unknown = sorted(set(names) - set(PROVIDERS))
    if unknown:
        raise ConfigurationError(
            f"unknown provider {', '.join(unknown)}; choose from {', '.join(PROVIDERS)}"
        )
    if not names:
        raise ConfigurationError("no provider named")
    return tuple(p for p in PROVIDERS if p in names)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _cached_reports(names: Iterable[str]) -> dict[str, ProviderReport]:
    return {n: ProviderReport(provider=n, status="cached") for n in names}


DEFAULT_REDIS_PREFIX = "bookstracker:"
_NOT_FOUND_MARK = "__not_found__"
_MISS: Any = object()
_MEMO_SIZE = 1024
_MEMO_MAX_BYTES = 64 * 1024
_REDIS_TIMEOUT = 2.0


class _Unreadable(Exception):
    """A cached payload that no longer decodes (truncated, or written by another version)."""


def _some_failed(reports: Mapping[str, ProviderReport]) -> bool:
    """Whether a provider that was asked gave no answer (its data is missing, not absent)."""
    return any(not r.answered for r in reports.values() if r.status not in ("disabled", "skipped"))


def _decode_edition(data: Any) -> Edition | None:
    return Edition.from_dict(data) if data else None


def _connect_redis(url: str) -> Any:
    """A ``redis.asyncio.Redis`` for ``url``; it connects on first use (the ``redis`` extra)."""
    redis_asyncio = import_redis()
    return redis_asyncio.Redis.from_url(
        url, socket_timeout=_REDIS_TIMEOUT, socket_connect_timeout=_REDIS_TIMEOUT
    )


class AsyncBooksClient:
    """Search books, look up ISBNs and build author bibliographies from three providers.

    Every setting is an argument, read from its ``BOOKSTRACKER_*`` environment variable when not
    given (docs/configuration.md lists them).
    ``cache=None`` turns caching off; the default is memory in front of disk (in front of Redis
    when ``BOOKSTRACKER_REDIS_URL`` is set). ``offline=True`` answers from the bundled sample
    catalog through the fake providers. ``deadline`` bounds each call, in seconds.

    With a Redis URL (``redis_url=`` or ``BOOKSTRACKER_REDIS_URL``) every process also shares one
    computation per question (a Redis lock next to the in-process single-flight) and, for the
    adapters the client builds itself, the rate limits and daily quotas. Every Redis key starts
    with ``redis_prefix``; a Redis that cannot be reached degrades to this process alone.
    """

    def __init__(
        self,
        *,
        providers: str | Iterable[str] | None = None,
        openlibrary: OpenLibrary | None = None,
        googlebooks: GoogleBooks | None = None,
        isbndb: ISBNdb | None = None,
        offline: bool | Unset = UNSET,
        cache: CacheBackend | Unset | None = UNSET,
        cache_dir: str | os.PathLike[str] | Unset = UNSET,
        redis_url: str | Unset | None = UNSET,
        redis_prefix: str = DEFAULT_REDIS_PREFIX,
        ttl_policy: TTLPolicy | None = None,
        timeout: float | Unset = UNSET,
        deadline: float | None = 60.0,
    ) -> None:
        self.offline = env_flag(ENV.OFFLINE) if isinstance(offline, Unset) else bool(offline)
        self.enabled_providers = parse_providers(providers)
        if isinstance(redis_url, Unset):
            redis_url = env_str(ENV.REDIS_URL)
        if not redis_prefix:
            raise ConfigurationError("redis_prefix must not be empty")
        self._redis_prefix = redis_prefix
        self._redis: Any = _connect_redis(redis_url) if redis_url else None
        self._fakes: dict[str, Any] = {}
        adapters: dict[str, Any] = {}
        given = {"openlibrary": openlibrary, "googlebooks": googlebooks, "isbndb": isbndb}
        for name in self.enabled_providers:
            adapters[name] = given[name] or self._make_adapter(name, timeout)
        self.adapters: dict[str, Any] = adapters
        self.deadline = deadline
        self.ttl = ttl_policy or DEFAULT_POLICY
        self.cache: CacheBackend | None = (
            self._default_cache(cache_dir) if isinstance(cache, Unset) else cache
        )
        self._flights = SingleFlight()
        self._shared_flights: RedisSingleFlight | None = None
        if self._redis is not None and self.cache is not None:
            self._shared_flights = RedisSingleFlight(
                self._redis,
                lock_timeout=max(30.0, (deadline or 0.0) + 5.0),
                prefix=redis_prefix + "lock:",
            )
        self._keys: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self._writes = 0
        self._decoded: OrderedDict[tuple[Any, bytes], Any] = OrderedDict()
        self._namespace = fingerprint(
            "offline" if self.offline else "online",
            *(f"{n}={getattr(a, 'base_url', type(a).__name__)}" for n, a in adapters.items()),
        )
        self._searcher = ParallelSearcher(adapters, deadline=deadline)

    # -- assembly ------------------------------------------------------------------------------

    def _make_adapter(self, name: str, timeout: float | Unset) -> Any:
        if self.offline:
            return self._offline_adapter(name, timeout)
        adapter: OpenLibrary | GoogleBooks | ISBNdb
        if name == "openlibrary":
            adapter = OpenLibrary(timeout=timeout)
        elif name == "googlebooks":
            adapter = GoogleBooks(timeout=timeout)
        else:
            adapter = ISBNdb(timeout=timeout)
        self._share_limits(adapter)
        return adapter

    def _share_limits(self, adapter: OpenLibrary | GoogleBooks | ISBNdb) -> None:
        """With Redis, the adapter's rate limit and daily quota are kept there, for every process.

        The quota keeps the adapter's own allowance: Google's 1,000 a day with a key; ISBNdb
        none (the plans' figures are approximate), but a spent day reported by ISBNdb is shared.
        """
        if self._redis is None:
            return
        prefix = self._redis_prefix + "v1:"
        policy = adapter.policy
        policy.limiter = RedisRateLimiter(
            self._redis, adapter.name, adapter.rate, prefix=prefix + "rate:"
        )
        local = policy.quota
        if isinstance(local, LocalQuota):
            policy.quota = RedisQuota(
                self._redis,
                local.provider,
                local.daily_limit,
                reset_hour_utc=local.reset_hour_utc,
                reset_tz=local.reset_tz,
                prefix=prefix + "quota:",
            )

    def _offline_adapter(self, name: str, timeout: float | Unset) -> Any:
        from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary

        if name == "openlibrary":
            fake_ol = FakeOpenLibrary()
            self._fakes[name] = fake_ol
            return OpenLibrary(
                base_url="https://openlibrary.org",
                rate=OFFLINE_RATE,
                timeout=timeout,
                transport=fake_ol.transport(),
            )
        if name == "googlebooks":
            fake_gb = FakeGoogleBooks()
            self._fakes[name] = fake_gb
            return GoogleBooks(
                base_url="https://www.googleapis.com/books/v1",
                api_key=None,
                rate=OFFLINE_RATE,
                timeout=timeout,
                transport=fake_gb.transport(),
            )
        fake_db = FakeISBNdb(api_key=OFFLINE_ISBNDB_KEY)
        self._fakes[name] = fake_db
        return ISBNdb(
            base_url="https://api2.isbndb.com",
            api_key=OFFLINE_ISBNDB_KEY,
            rate=OFFLINE_RATE,
            timeout=timeout,
            transport=fake_db.transport(),
        )

    def _default_cache(self, cache_dir: str | os.PathLike[str] | Unset) -> CacheBackend:
        directory = env_str(ENV.CACHE_DIR) if isinstance(cache_dir, Unset) else cache_dir
        cold: CacheBackend = DiskCache(directory)
        if self._redis is not None:
            shared = RedisCache(client=self._redis, prefix=self._redis_prefix + "cache:")
            cold = TieredCache(cold, shared)
        return TieredCache(MemoryCache(), cold)

    @property
    def fakes(self) -> Mapping[str, Any]:
        """In offline mode, the fake providers answering (with their request logs)."""
        return dict(self._fakes)

    def __repr__(self) -> str:
        mode = "offline" if self.offline else "online"
        return f"AsyncBooksClient({mode}, providers={list(self.adapters)!r})"

    async def aclose(self) -> None:
        for adapter in self.adapters.values():
            await adapter.aclose()
        if self.cache is not None:
            await self.cache.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    async def __aenter__(self) -> AsyncBooksClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- cache helpers -------------------------------------------------------------------------

    def _key(self, kind: str, *parts: str) -> str:
        memo = (kind, *parts)
        key = self._keys.get(memo)
        if key is None:
            key = cache_key(kind, self._namespace, *parts)
            self._keys[memo] = key
            if len(self._keys) > _MEMO_SIZE:
                self._keys.popitem(last=False)
        return key

    async def _cache_get(self, key: str) -> CacheEntry | None:
        if self.cache is None:
            return None
        return await self.cache.get(key)

    def _decode(self, entry: CacheEntry, decode: Callable[[Any], T]) -> T:
        """The model held in ``entry`` (frozen, so small ones are decoded once and shared).

        Raises ``NotFound`` for a cached not-found and ``_Unreadable`` for a payload that does
        not decode.
        """
        memo = (decode, entry.value)
        known = self._decoded.get(memo, _MISS)
        if known is not _MISS:
            result: T = known
            return result
        try:
            data = json.loads(entry.value)
            if isinstance(data, dict) and _NOT_FOUND_MARK in data:
                raise NotFound(str(data[_NOT_FOUND_MARK]), reports=_cached_reports(self.adapters))
            result = decode(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _Unreadable(f"{type(exc).__name__}: {exc}") from None
        if len(entry.value) <= _MEMO_MAX_BYTES:
            self._decoded[memo] = result
            if len(self._decoded) > _MEMO_SIZE:
                self._decoded.popitem(last=False)
        return result

    async def _fresh(self, key: str, entry: CacheEntry | None, decode: Callable[[Any], T]) -> T:
        """The decoded fresh ``entry``, or ``_MISS`` (absent, stale, or unreadable: dropped)."""
        if entry is None or not entry.is_fresh():
            return _MISS  # type: ignore[no-any-return]
        try:
            return self._decode(entry, decode)
        except _Unreadable as exc:
            await self._drop_unreadable(key, exc)
            return _MISS  # type: ignore[no-any-return]

    async def _drop_unreadable(self, key: str, exc: _Unreadable) -> None:
        logger.warning("dropping an unreadable cache entry (%s)", exc)
        if self.cache is not None:
            await self.cache.delete(key)

    async def _cache_set(self, key: str, kind: CacheKind, data: Any) -> None:
        if self.cache is None:
            return
        self._writes += 1
        lifetimes = self.ttl.lifetimes(kind)
        await self.cache.set(
            key,
            _json(data),
            ttl=self.ttl.ttl_for(kind, "hot"),
            cold_ttl=self.ttl.ttl_for(kind, "cold"),
            grace=lifetimes.grace,
        )

    async def _cached_call(
        self,
        key: str,
        compute: Callable[[], Awaitable[T]],
        *,
        decode: Callable[[Any], T],
        store: Callable[[T], Awaitable[None]],
        mark_cached: Callable[[T], T],
        mark_stale: Callable[[T, AllProvidersFailed], T],
    ) -> T:
        """Answer ``key`` from the cache, else compute it once for every concurrent caller.

        Concurrent callers in this process share one computation (``SingleFlight``); with Redis,
        so do other processes (the leader stores the answer before releasing the lock). When
        every provider fails, a stale entry is served through ``mark_stale``. A ``NotFound`` is
        cached only when every provider asked answered; other errors are never cached.
        """
        writes = self._writes
        first = await self._cache_get(key)
        hit = await self._fresh(key, first, decode)
        if hit is not _MISS:
            return mark_cached(hit)

        async def compute_and_store(older: CacheEntry | None) -> T:
            try:
                value = await compute()
            except AllProvidersFailed as exc:
                if older is not None:
                    try:
                        stale = self._decode(older, decode)
                    except _Unreadable:
                        raise exc from None
                    logger.warning("every provider failed; serving a stale cached answer")
                    return mark_stale(stale, exc)
                raise
            except NotFound as exc:
                asked = [r for r in exc.reports.values() if r.status not in ("disabled", "skipped")]
                answered = bool(asked) and all(report.answered for report in asked)
                if kind_for_error(exc) == "not_found" and answered:
                    await self._cache_set(key, "not_found", {_NOT_FOUND_MARK: str(exc)})
                raise
            await store(value)
            return value

        async def run() -> T:
            entry = first
            if self._writes != writes:  # another call may have just stored this answer
                entry = await self._cache_get(key)
                hit = await self._fresh(key, entry, decode)
                if hit is not _MISS:
                    return mark_cached(hit)
            if self._shared_flights is None:
                return await compute_and_store(entry)
            async with self._shared_flights.acquire(key) as leader:
                if not leader:
                    done = await self._cache_get(key)
                    hit = await self._fresh(key, done, decode)
                    if hit is not _MISS:
                        return mark_cached(hit)
                    entry = done or entry
                return await compute_and_store(entry)

        return await self._flights.do(key, run)

    # -- search --------------------------------------------------------------------------------

    async def search(self, query: str, *, limit: int = 20) -> SearchResult:
        """Merged, ranked hits from every enabled provider, with a report per provider."""
        cleaned = validate_query(query, limit=limit)
        key = self._key("search", cleaned, str(limit))

        async def store(result: SearchResult) -> None:
            partial = _some_failed(result.providers)
            if partial and not result.hits:
                return
            await self._cache_set(
                key, "author_incomplete" if partial else "search", result.to_cache_dict()
            )

        return await self._cached_call(
            key,
            lambda: self._searcher.search(cleaned, limit=limit),
            decode=SearchResult.from_cache_dict,
            store=store,
            mark_cached=lambda r: _with_reports(r, _cached_reports(self.adapters)),
            mark_stale=lambda r, exc: _with_reports(r, _stale_reports(exc), stale=True),
        )

    # -- ISBNs ---------------------------------------------------------------------------------

    async def isbn(self, isbn: str) -> Edition | None:
        """The edition with this ISBN (10 or 13, hyphens allowed), or None when nobody has it."""
        isbn13, _ = isbn_pair(isbn)
        key = self._key("isbn", isbn13)
        cached: dict[str, CacheEntry] = {}
        if self.cache is not None:
            entry = await self.cache.get(key)
            hit = await self._fresh(key, entry, _decode_edition)
            if hit is not _MISS:
                return hit
            if entry is not None:
                cached[key] = entry
        found, _ = await self._lookup_isbns([isbn13], cached, {isbn13: key})
        return found.get(isbn13)

    async def isbns(self, isbns: Iterable[str], *, strict: bool = False) -> IsbnResults:
        """Editions for many ISBNs, batched: never one request per ISBN where a batch exists.

        Invalid ISBNs are listed in ``invalid`` (``strict=True`` raises on the first instead).
        """
        given = [isbns] if isinstance(isbns, str) else list(isbns)
        wanted: dict[str, list[str]] = {}
        invalid: list[str] = []
        for raw in given:
            if not isinstance(raw, str):
                raise InvalidISBN(repr(raw), "an ISBN must be a string")
            try:
                isbn13, _ = isbn_pair(raw)
            except InvalidISBN:
                if strict:
                    raise
                invalid.append(raw)
                continue
            wanted.setdefault(isbn13, []).append(raw)
        found: dict[str, Edition | None] = {}
        reports: dict[str, ProviderReport] = {}
        if wanted:
            keys = {isbn: self._key("isbn", isbn) for isbn in wanted}
            cached: dict[str, CacheEntry] = {}
            if self.cache is not None:
                cached = await self.cache.get_many(list(keys.values()))
            misses: list[str] = []
            for isbn, key in keys.items():
                hit = await self._fresh(key, cached.get(key), _decode_edition)
                if hit is not _MISS:
                    found[isbn] = hit
                else:
                    misses.append(isbn)
            if misses:
                fetched, reports = await self._lookup_isbns(misses, cached, keys)
                found.update(fetched)
            else:
                reports = _cached_reports(self.adapters)
        results: dict[str, Edition | None] = {}
        for isbn13, raws in wanted.items():
            for raw in raws:
                results[raw] = found.get(isbn13)
        return IsbnResults(results=results, invalid=invalid, providers=reports)

    async def _lookup_isbns(
        self,
        isbns: list[str],
        cached: Mapping[str, CacheEntry],
        keys: Mapping[str, str],
    ) -> tuple[dict[str, Edition | None], dict[str, ProviderReport]]:
        async def batch(name: str, todo: list[str]) -> dict[str, Edition]:
            adapter = self.adapters[name]
            if name == "googlebooks":
                answer: dict[str, Edition] = await adapter.isbns(todo)
            else:
                answer = await adapter.books(todo)
            return answer

        stop = Deadline.after(self.deadline) if self.deadline is not None else None
        first = [n for n in ("openlibrary", "isbndb") if n in self.adapters and self._usable(n)]
        outcome = await fan_out(
            {n: (lambda n=n: batch(n, isbns)) for n in first},  # type: ignore[misc]
            deadline=self.deadline,
            is_empty=lambda answer: not answer,
        )
        reports = dict(outcome.reports)
        answers: dict[str, dict[str, Edition]] = dict(outcome.answers)
        missing = [i for i in isbns if not any(i in a for a in answers.values())]
        if missing and "googlebooks" in self.adapters and self._usable("googlebooks"):
            more = await fan_out(
                {"googlebooks": lambda: batch("googlebooks", missing)},
                deadline=seconds_left(stop),
                is_empty=lambda answer: not answer,
            )
            reports.update(more.reports)
            answers.update(more.answers)
        elif "googlebooks" in self.adapters:
            reports["googlebooks"] = ProviderReport(
                provider="googlebooks",
                status="skipped" if self._usable("googlebooks") else "disabled",
            )
        for name in self.adapters:
            if name not in reports:
                reports[name] = ProviderReport(provider=name, status="disabled")
        asked = [r for r in reports.values() if r.status not in ("disabled", "skipped")]
        if asked and not any(r.answered for r in asked):
            stale_found: dict[str, Edition | None] = {}
            for isbn in isbns:
                entry = cached.get(keys[isbn])
                if entry is not None:
                    try:
                        stale_found[isbn] = self._decode(entry, _decode_edition)
                    except _Unreadable:
                        continue
            if stale_found:
                return stale_found, {n: attrs.evolve(r, stale=True) for n, r in reports.items()}
            raise AllProvidersFailed("no provider could look up the ISBNs", reports=reports)
        every_answered = all(r.answered for r in asked)
        results: dict[str, Edition | None] = {}
        for isbn in isbns:
            records = [a[isbn] for a in answers.values() if isbn in a]
            edition = merge_editions(records) if records else None
            results[isbn] = edition
            if edition is not None:
                await self._cache_set(keys[isbn], "isbn", edition.to_cache_dict())
            elif every_answered:
                await self._cache_set(keys[isbn], "not_found", None)
        return results, reports

    def _usable(self, name: str) -> bool:
        return bool(getattr(self.adapters[name], "enabled", True))

    # -- authors -------------------------------------------------------------------------------

    async def author(self, name: str) -> Bibliography:
        """The enhanced bibliography: core works with editions, exclusions, completeness.

        ``name`` may be an OpenLibrary author key (``OL7234434A``). Raises ``NotFound`` when
        OpenLibrary knows nobody by that name, ``AllProvidersFailed`` when nobody could answer.
        """
        cleaned = validate_author_name(name)
        match = AUTHOR_KEY.match(cleaned)
        ident = match.group(1).upper() if match else name_key(cleaned)
        key = self._key("author", ident)

        async def store(bibliography: Bibliography) -> None:
            complete = bool(bibliography.completeness and bibliography.completeness.complete)
            complete = complete and not _some_failed(bibliography.providers)
            await self._cache_set(
                key, "author" if complete else "author_incomplete", bibliography.to_cache_dict()
            )

        return await self._cached_call(
            key,
            lambda: self._build_bibliography(cleaned),
            decode=Bibliography.from_cache_dict,
            store=store,
            mark_cached=lambda b: _with_reports(b, _cached_reports(self.adapters)),
            mark_stale=lambda b, exc: _with_reports(b, _stale_reports(exc), stale=True),
        )

    async def is_fresh(self, kind: str, *parts: str) -> bool:
        """True when the cache holds a fresh answer for this question (used by warming)."""
        entry = await self._cache_get(self._key(kind, *parts))
        return entry is not None and entry.is_fresh()

    def author_cache_parts(self, name: str) -> tuple[str, ...]:
        cleaned = validate_author_name(name)
        match = AUTHOR_KEY.match(cleaned)
        return (match.group(1).upper() if match else name_key(cleaned),)

    async def _build_bibliography(self, name: str) -> Bibliography:
        stop = Deadline.after(self.deadline) if self.deadline is not None else None
        openlibrary = self.adapters.get("openlibrary")
        prior: dict[str, ProviderReport] = {}
        resolution: AuthorResolution | None = None
        if openlibrary is not None:
            outcome = await fan_out(
                {"openlibrary": lambda: AuthorResolver(openlibrary).resolve(name)},
                deadline=self.deadline,
            )
            prior = dict(outcome.reports)
            if "openlibrary" in outcome.answers:
                resolution = outcome.answers["openlibrary"]
                if resolution is None:
                    report = prior["openlibrary"]
                    prior["openlibrary"] = ProviderReport(
                        provider="openlibrary",
                        status="empty",
                        elapsed_ms=report.elapsed_ms,
                        requests=report.requests,
                    )
                    raise NotFound(
                        f"OpenLibrary knows no author named {name!r}",
                        reports=self._not_asked(prior),
                    )
        if resolution is None:
            if AUTHOR_KEY.match(name):
                raise AllProvidersFailed(
                    f"OpenLibrary could not be reached to look up {name}",
                    reports=self._not_asked(prior),
                )
            if not any(self._usable(n) for n in self.adapters if n != "openlibrary"):
                raise AllProvidersFailed(
                    f"no provider could answer for the author {name!r}",
                    reports=self._not_asked(prior),
                )
            resolution = AuthorResolution(author=Author(name=display_name(name)), candidates=())
        pipeline = EnhancementPipeline(
            openlibrary=openlibrary,
            isbndb=self.adapters.get("isbndb"),
            googlebooks=self.adapters.get("googlebooks"),
            deadline=self.deadline,
        )
        bibliography = await pipeline.run(
            resolution, deadline=seconds_left(stop), prior_reports=prior
        )
        reports = dict(bibliography.providers)
        for adapter_name, adapter in self.adapters.items():
            if adapter_name not in reports and not getattr(adapter, "enabled", True):
                reports[adapter_name] = ProviderReport(provider=adapter_name, status="disabled")
        return _with_reports(bibliography, reports)

    def _not_asked(self, reports: Mapping[str, ProviderReport]) -> dict[str, ProviderReport]:
        """``reports`` plus every other provider: ``skipped`` when enabled, else ``disabled``."""
        out = dict(reports)
        for name in self.adapters:
            if name not in out:
                out[name] = ProviderReport(
                    provider=name, status="skipped" if self._usable(name) else "disabled"
                )
        return out

    async def completeness(self, name: str) -> Completeness:
        """How complete the author's bibliography is, with the evidence."""
        bibliography = await self.author(name)
        if bibliography.completeness is None:
            raise BooksTrackerError("no completeness was computed")
        return bibliography.completeness

    # -- warming -------------------------------------------------------------------------------

    _warm_session: WarmProgress | None = None

    @property
    def namespace(self) -> str:
        """A fingerprint of this client's mode and provider URLs; part of every cache key."""
        return self._namespace

    async def warm(
        self,
        names: Iterable[str] | None = None,
        *,
        popular: bool = False,
        csv: str | os.PathLike[str] | None = None,
        concurrency: int = 4,
        progress: Callable[[WarmProgress], None] | None = None,
        resume: bool = True,
        state_dir: str | os.PathLike[str] | None = None,
    ) -> WarmReport:
        """Fill the cache with the bibliographies of ``names``, the popular authors and/or every
        author of a reading-library export (``csv``); resumable (see :mod:`bookstracker.warming`).

        ``progress(WarmProgress)`` is called before the first author, after each one and at the
        end; ``stats().warm`` shows the same figures. The journal of finished authors is kept in
        ``state_dir``, by default ``warm-state`` in the disk tier's folder; ``resume=False``
        keeps none.
        """
        wanted: list[str] = [names] if isinstance(names, str) else list(names or [])
        rejected: tuple[RejectedRow, ...] = ()
        if popular:
            wanted.extend(popular_authors())
        if csv is not None:
            from bookstracker.library_import import read_library

            library = read_library(csv)
            wanted.extend(library.authors())
            rejected = library.rejected
        if not wanted:
            raise InvalidQuery("nothing to warm: give names, popular=True or csv=")
        for name in wanted:
            validate_author_name(name)
        folder = None
        if resume:
            folder = state_dir or self._warm_state_dir()

        def track(state: WarmProgress) -> None:
            self._warm_session = state
            if progress is not None:
                progress(state)

        return await warm_authors(
            self,
            wanted,
            concurrency=concurrency,
            progress=track,
            state_dir=folder,
            rejected_rows=rejected,
        )

    def _warm_state_dir(self) -> Path:
        disk = _disk_tier(self.cache)
        if disk is not None:
            return disk.directory / "warm-state"
        return (
            Path(env_str(ENV.CACHE_DIR) or platformdirs.user_cache_dir("bookstracker"))
            / "warm-state"
        )

    # -- figures -------------------------------------------------------------------------------

    async def stats(self) -> Stats:
        """Per-provider and per-cache-tier figures and the warm session's progress.

        ``stats().contract_dict()`` is the ``stats`` document of ``--json --stats``; ``to_dict()``,
        ``to_json()`` and ``to_prometheus()`` export every figure.
        """
        providers: dict[str, ProviderStats] = {}
        for name, adapter in self.adapters.items():
            enabled = bool(getattr(adapter, "enabled", True))
            metrics = getattr(adapter, "metrics", None)
            policy = getattr(adapter, "policy", None)
            if isinstance(metrics, ProviderMetrics) and policy is not None:
                quota = await policy.quota.remaining() if policy.quota is not None else None
                providers[name] = ProviderStats.from_metrics(
                    metrics,
                    enabled=enabled,
                    breaker=policy.breaker.state,
                    breaker_trips=policy.breaker.trips,
                    quota_left=quota,
                )
            else:
                providers[name] = ProviderStats.from_snapshot(
                    name, adapter.stats(), enabled=enabled
                )
        tiers: dict[str, CacheTierStats] = {}
        if self.cache is not None:
            tiers = cache_tiers(
                (t.name, t.hits, t.misses, t.entries, t.bytes, t.errors)
                for t in _flatten_tiers(await self.cache.stats())
            )
        return Stats(providers=providers, cache=tiers, warm=self._warm_session)

    async def clear_cache(self) -> None:
        if self.cache is not None:
            await self.cache.clear()


def _disk_tier(cache: CacheBackend | None) -> DiskCache | None:
    """The first disk tier of ``cache`` (searching tiered caches hot tier first), if any."""
    if isinstance(cache, DiskCache):
        return cache
    if isinstance(cache, TieredCache):
        return _disk_tier(cache.hot) or _disk_tier(cache.cold)
    return None


def _flatten_tiers(stats: Any) -> list[Any]:
    if stats.tiers:
        out: list[Any] = []
        for tier in stats.tiers:
            out.extend(_flatten_tiers(tier))
        return out
    return [stats]


def _stale_reports(exc: AllProvidersFailed) -> dict[str, ProviderReport]:
    return {name: attrs.evolve(r, stale=True) for name, r in exc.reports.items()}


Reported = TypeVar("Reported", SearchResult, Bibliography)


def _with_reports(
    value: Reported, reports: Mapping[str, ProviderReport], *, stale: bool = False
) -> Reported:
    """``value`` with these provider reports (and marked stale when it is)."""
    if stale:
        return attrs.evolve(value, providers=reports, stale=True)
    return attrs.evolve(value, providers=reports)
