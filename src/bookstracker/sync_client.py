"""BooksClient: the synchronous facade, the async core running on a loop thread of its own."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Coroutine, Iterable
from typing import TypeVar

from bookstracker.cache import CacheBackend, TTLPolicy
from bookstracker.client import AsyncBooksClient
from bookstracker.config import DEFAULT_DEADLINE, DEFAULT_REDIS_PREFIX, UNSET, Settings, Unset
from bookstracker.metrics import Stats
from bookstracker.models import Bibliography, Completeness, Edition, IsbnResults, SearchResult
from bookstracker.pins import WorkPins
from bookstracker.progress import WarmProgress
from bookstracker.providers.contract import Provider
from bookstracker.warming import WarmReport

__all__ = ["BooksClient"]

T = TypeVar("T")


class BooksClient:
    """The synchronous client: the async core on its own event-loop thread.

    Works in a plain script, inside a running event loop and in a Jupyter cell, because it never
    calls ``asyncio.run`` on the caller's thread. Takes the same arguments as
    :class:`AsyncBooksClient`.
    """

    def __init__(
        self,
        *,
        providers: str | Iterable[str] | None = None,
        openlibrary: Provider | None = None,
        googlebooks: Provider | None = None,
        isbndb: Provider | None = None,
        offline: bool | Unset = UNSET,
        cache: CacheBackend | Unset | None = UNSET,
        cache_dir: str | os.PathLike[str] | Unset = UNSET,
        redis_url: str | Unset | None = UNSET,
        redis_prefix: str = DEFAULT_REDIS_PREFIX,
        ttl_policy: TTLPolicy | None = None,
        timeout: float | Unset = UNSET,
        deadline: float | None = DEFAULT_DEADLINE,
        openlibrary_source: str | Unset = UNSET,
        mirror_url: str | Unset | None = UNSET,
        settings: Settings | None = None,
        pins: WorkPins | Unset | None = UNSET,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run_loop, name="bookstracker-loop", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        self._closed = False
        try:
            self._async = AsyncBooksClient(
                providers=providers,
                openlibrary=openlibrary,
                googlebooks=googlebooks,
                isbndb=isbndb,
                offline=offline,
                cache=cache,
                cache_dir=cache_dir,
                redis_url=redis_url,
                redis_prefix=redis_prefix,
                ttl_policy=ttl_policy,
                timeout=timeout,
                deadline=deadline,
                openlibrary_source=openlibrary_source,
                mirror_url=mirror_url,
                settings=settings,
                pins=pins,
            )
        except BaseException:
            self._stop_loop()
            raise

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    def _run(self, coro: Coroutine[object, None, T]) -> T:
        if self._closed:
            coro.close()
            raise RuntimeError("this BooksClient is closed")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("BooksClient cannot be called from its own loop thread")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    @property
    def async_client(self) -> AsyncBooksClient:
        """The async client this one drives (use it only from ``await`` on its own loop)."""
        return self._async

    def __repr__(self) -> str:
        return repr(self._async).replace("AsyncBooksClient", "BooksClient", 1)

    def search(self, query: str, *, limit: int = 20) -> SearchResult:
        """Merged, ranked hits from every enabled provider (see `AsyncBooksClient.search`)."""
        return self._run(self._async.search(query, limit=limit))

    def isbn(self, isbn: str) -> Edition | None:
        """The edition with this ISBN, or None (see `AsyncBooksClient.isbn`)."""
        return self._run(self._async.isbn(isbn))

    def isbns(self, isbns: Iterable[str], *, strict: bool = False) -> IsbnResults:
        """Editions for many ISBNs, batched (see `AsyncBooksClient.isbns`)."""
        return self._run(self._async.isbns(isbns, strict=strict))

    def author(self, name: str, *, pins: WorkPins | None = None) -> Bibliography:
        """The enhanced bibliography (see `AsyncBooksClient.author`)."""
        return self._run(self._async.author(name, pins=pins))

    def completeness(self, name: str) -> Completeness:
        """How complete the author's bibliography is (see `AsyncBooksClient.completeness`)."""
        return self._run(self._async.completeness(name))

    def stats(self) -> Stats:
        """Per-provider and per-tier figures (see `AsyncBooksClient.stats`)."""
        return self._run(self._async.stats())

    def clear_cache(self) -> None:
        """Empty every cache tier (only bookstracker's own entries)."""
        self._run(self._async.clear_cache())

    def warm(
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
        """Fill the cache for many authors, resumably (see `AsyncBooksClient.warm`)."""
        return self._run(
            self._async.warm(
                names,
                popular=popular,
                csv=csv,
                concurrency=concurrency,
                progress=progress,
                resume=resume,
                state_dir=state_dir,
            )
        )

    def close(self) -> None:
        """Close the connections and stop the loop thread."""
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
