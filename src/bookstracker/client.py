"""The facade: AsyncBooksClient and BooksClient assemble providers, policies, cache and pipeline.

Every public call goes cache → single-flight → pipeline → (per provider: circuit breaker → quota →
rate limiter → retry → HTTP), so a cache hit costs no request and no rate-limit token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
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
    SingleFlight,
    TieredCache,
    TTLPolicy,
    cache_key,
    fingerprint,
)
from bookstracker.cache.policy import CacheKind
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
from bookstracker.pipeline.fanout import fan_out
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
from bookstracker.warming import WarmProgress, WarmReport, popular_authors, warm_authors

if TYPE_CHECKING:
    from bookstracker.library_import import RejectedRow

__all__ = ["AsyncBooksClient", "BooksClient", "parse_providers"]

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


class AsyncBooksClient:
    """Search books, look up ISBNs and build author bibliographies from three providers.

    Every setting is an argument, read from the environment when not given (see the contract).
    ``cache=None`` turns caching off; the default is memory in front of disk (in front of Redis
    when ``BOOKSTRACKER_REDIS_URL`` is set). ``offline=True`` answers from the bundled sample
    catalog through the fake providers. ``deadline`` bounds each call, in seconds.
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
        ttl_policy: TTLPolicy | None = None,
        timeout: float | Unset = UNSET,
        deadline: float | None = 60.0,
    ) -> None:
        self.offline = env_flag(ENV.OFFLINE) if isinstance(offline, Unset) else bool(offline)
        self.enabled_providers = parse_providers(providers)
        self._fakes: dict[str, Any] = {}
        adapters: dict[str, Any] = {}
        given = {"openlibrary": openlibrary, "googlebooks": googlebooks, "isbndb": isbndb}
        for name in self.enabled_providers:
            adapters[name] = given[name] or self._make_adapter(name, timeout)
        self.adapters: dict[str, Any] = adapters
        self.deadline = deadline
        self.ttl = ttl_policy or DEFAULT_POLICY
        if isinstance(redis_url, Unset):
            redis_url = env_str(ENV.REDIS_URL)
        self._redis_url = redis_url
        self.cache: CacheBackend | None = (
            self._default_cache(cache_dir, redis_url) if isinstance(cache, Unset) else cache
        )
        self._flights = SingleFlight()
        self._namespace = fingerprint(
            "offline" if self.offline else "online",
            *(f"{n}={getattr(a, 'base_url', type(a).__name__)}" for n, a in adapters.items()),
        )
        self._searcher = ParallelSearcher(adapters, deadline=deadline)

    # -- assembly ------------------------------------------------------------------------------

    def _make_adapter(self, name: str, timeout: float | Unset) -> Any:
        if self.offline:
            return self._offline_adapter(name, timeout)
        if name == "openlibrary":
            return OpenLibrary(timeout=timeout)
        if name == "googlebooks":
            return GoogleBooks(timeout=timeout)
        return ISBNdb(timeout=timeout)

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

    @staticmethod
    def _default_cache(
        cache_dir: str | os.PathLike[str] | Unset, redis_url: str | None
    ) -> CacheBackend:
        directory = env_str(ENV.CACHE_DIR) if isinstance(cache_dir, Unset) else cache_dir
        cold: CacheBackend = DiskCache(directory)
        if redis_url:
            cold = TieredCache(cold, RedisCache(redis_url))
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

    async def __aenter__(self) -> AsyncBooksClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- cache helpers -------------------------------------------------------------------------

    def _key(self, kind: str, *parts: str) -> str:
        return cache_key(kind, self._namespace, *parts)

    async def _cache_get(self, key: str) -> CacheEntry | None:
        if self.cache is None:
            return None
        return await self.cache.get(key)

    async def _cache_set(self, key: str, kind: CacheKind, data: Any) -> None:
        if self.cache is None:
            return
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
        entry = await self._cache_get(key)
        if entry is not None and entry.is_fresh():
            return mark_cached(decode(json.loads(entry.value)))

        async def run() -> T:
            fresh = await self._cache_get(key)
            if fresh is not None and fresh.is_fresh():
                return mark_cached(decode(json.loads(fresh.value)))
            try:
                value = await compute()
            except AllProvidersFailed as exc:
                stale = fresh or entry
                if stale is not None:
                    logger.warning("every provider failed; serving a stale cached answer")
                    return mark_stale(decode(json.loads(stale.value)), exc)
                raise
            await store(value)
            return value

        return await self._flights.do(key, run)

    # -- search --------------------------------------------------------------------------------

    async def search(self, query: str, *, limit: int = 20) -> SearchResult:
        """Merged, ranked hits from every enabled provider, with a report per provider."""
        cleaned = validate_query(query, limit=limit)
        key = self._key("search", cleaned, str(limit))

        async def store(result: SearchResult) -> None:
            partial = any(
                not r.answered for r in result.providers.values() if r.status != "disabled"
            )
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
        isbn_pair(isbn)
        result = await self.isbns([isbn])
        return result.results.get(isbn)

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
                entry = cached.get(key)
                if entry is not None and entry.is_fresh():
                    data = json.loads(entry.value)
                    found[isbn] = Edition.from_dict(data) if data else None
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
                deadline=self.deadline,
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
                    data = json.loads(entry.value)
                    stale_found[isbn] = Edition.from_dict(data) if data else None
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
                    raise NotFound(f"OpenLibrary knows no author named {name!r}", reports=prior)
        if resolution is None:
            if AUTHOR_KEY.match(name):
                raise AllProvidersFailed(
                    f"OpenLibrary could not be reached to look up {name}", reports=prior
                )
            resolution = AuthorResolution(author=Author(name=display_name(name)), candidates=())
        pipeline = EnhancementPipeline(
            openlibrary=openlibrary,
            isbndb=self.adapters.get("isbndb"),
            googlebooks=self.adapters.get("googlebooks"),
            deadline=self.deadline,
        )
        bibliography = await pipeline.run(resolution, prior_reports=prior)
        reports = dict(bibliography.providers)
        for adapter_name, adapter in self.adapters.items():
            if adapter_name not in reports and not getattr(adapter, "enabled", True):
                reports[adapter_name] = ProviderReport(provider=adapter_name, status="disabled")
        return _with_reports(bibliography, reports)

    async def completeness(self, name: str) -> Completeness:
        """How complete the author's bibliography is, with the evidence."""
        bibliography = await self.author(name)
        if bibliography.completeness is None:
            raise BooksTrackerError("no completeness was computed")
        return bibliography.completeness

    # -- warming -------------------------------------------------------------------------------

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
            folder = (
                state_dir
                or Path(env_str(ENV.CACHE_DIR) or platformdirs.user_cache_dir("bookstracker"))
                / "warm-state"
            )
        return await warm_authors(
            self,
            wanted,
            concurrency=concurrency,
            progress=progress,
            state_dir=folder,
            rejected_rows=rejected,
        )

    # -- figures -------------------------------------------------------------------------------

    async def stats(self) -> dict[str, Any]:
        """Per-provider and per-cache-tier figures, as the contract's ``stats`` document."""
        providers = {name: adapter.stats() for name, adapter in self.adapters.items()}
        cache: dict[str, Any] = {}
        if self.cache is not None:
            stats = await self.cache.stats()
            tiers = _flatten_tiers(stats)
            for tier in tiers:
                cache[tier.name] = {
                    "hits": tier.hits,
                    "misses": tier.misses,
                    "entries": tier.entries,
                    "bytes": tier.bytes,
                    "hit_rate": round(tier.hits / (tier.hits + tier.misses), 4)
                    if tier.hits + tier.misses
                    else None,
                }
        return {"providers": providers, "cache": cache}

    async def clear_cache(self) -> None:
        if self.cache is not None:
            await self.cache.clear()


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


class BooksClient:
    """The synchronous client: the async core on its own event-loop thread.

    Works in a plain script, inside a running event loop and in a Jupyter cell, because it never
    calls ``asyncio.run`` on the caller's thread. Takes the same arguments as
    :class:`AsyncBooksClient`.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run_loop, name="bookstracker-loop", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        self._closed = False
        try:
            self._async = AsyncBooksClient(**kwargs)
        except BaseException:
            self._stop_loop()
            raise

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coro.close()
            raise RuntimeError("this BooksClient is closed")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("BooksClient cannot be called from its own loop thread")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    @property
    def async_client(self) -> AsyncBooksClient:
        return self._async

    def __repr__(self) -> str:
        return repr(self._async).replace("AsyncBooksClient", "BooksClient", 1)

    def search(self, query: str, *, limit: int = 20) -> SearchResult:
        return self._run(self._async.search(query, limit=limit))

    def isbn(self, isbn: str) -> Edition | None:
        return self._run(self._async.isbn(isbn))

    def isbns(self, isbns: Iterable[str], *, strict: bool = False) -> IsbnResults:
        return self._run(self._async.isbns(isbns, strict=strict))

    def author(self, name: str) -> Bibliography:
        return self._run(self._async.author(name))

    def completeness(self, name: str) -> Completeness:
        return self._run(self._async.completeness(name))

    def stats(self) -> dict[str, Any]:
        return self._run(self._async.stats())

    def clear_cache(self) -> None:
        self._run(self._async.clear_cache())

    def warm(self, names: Iterable[str] | None = None, **kwargs: Any) -> WarmReport:
        return self._run(self._async.warm(names, **kwargs))

    def close(self) -> None:
        if self._closed:
            return
        try:
            self._run(self._async.aclose())
        finally:
            self._closed = True
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> BooksClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True) and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
