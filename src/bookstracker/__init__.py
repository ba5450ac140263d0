"""bookstracker: what has this author written, and which editions exist?

OpenLibrary, Google Books and ISBNdb, searched in parallel, merged, filtered to an author's core
works, paired with every edition, scored for completeness, cached and polite.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from bookstracker._lazy import lazy_exports as _lazy_exports

if _TYPE_CHECKING:
    from bookstracker._logging import opentelemetry_hook, set_event_hook, structlog_hook
    from bookstracker.cache import DiskCache, MemoryCache, RedisCache, TieredCache
    from bookstracker.client import AsyncBooksClient
    from bookstracker.config import UNSET
    from bookstracker.errors import (
        AllProvidersFailed,
        BooksTrackerError,
        CacheError,
        CircuitOpen,
        ConfigurationError,
        DeadlineExceeded,
        InvalidInput,
        InvalidISBN,
        InvalidQuery,
        MalformedResponse,
        NotFound,
        ProviderError,
        ProviderHTTPError,
        ProviderTimeout,
        ProviderUnavailable,
        QuotaExceeded,
        RateLimited,
        UnsafeCacheDirectory,
    )
    from bookstracker.metrics import Stats
    from bookstracker.models import (
        Author,
        AuthorCandidate,
        Bibliography,
        Completeness,
        Edition,
        Exclusion,
        IsbnResults,
        ProviderReport,
        SearchHit,
        SearchResult,
        Work,
    )
    from bookstracker.pipeline.completeness import CompletenessScorer
    from bookstracker.pipeline.enhance import EnhancementPipeline
    from bookstracker.pipeline.search import ParallelSearcher
    from bookstracker.progress import WarmProgress
    from bookstracker.providers import GoogleBooks, ISBNdb, OpenLibrary
    from bookstracker.sync_client import BooksClient
    from bookstracker.warming import WarmReport

# The public names are imported when first used (PEP 562), so that ``import bookstracker``
# costs next to nothing: a script that needs only the models never loads httpx.
_EXPORTS = {
    "AllProvidersFailed": "bookstracker.errors",
    "AsyncBooksClient": "bookstracker.client",
    "Author": "bookstracker.models",
    "AuthorCandidate": "bookstracker.models",
    "Bibliography": "bookstracker.models",
    "BooksClient": "bookstracker.sync_client",
    "BooksTrackerError": "bookstracker.errors",
    "CacheError": "bookstracker.errors",
    "CircuitOpen": "bookstracker.errors",
    "Completeness": "bookstracker.models",
    "CompletenessScorer": "bookstracker.pipeline.completeness",
    "ConfigurationError": "bookstracker.errors",
    "DeadlineExceeded": "bookstracker.errors",
    "DiskCache": "bookstracker.cache",
    "Edition": "bookstracker.models",
    "EnhancementPipeline": "bookstracker.pipeline.enhance",
    "Exclusion": "bookstracker.models",
    "GoogleBooks": "bookstracker.providers",
    "ISBNdb": "bookstracker.providers",
    "InvalidISBN": "bookstracker.errors",
    "InvalidInput": "bookstracker.errors",
    "InvalidQuery": "bookstracker.errors",
    "IsbnResults": "bookstracker.models",
    "MalformedResponse": "bookstracker.errors",
    "MemoryCache": "bookstracker.cache",
    "NotFound": "bookstracker.errors",
    "OpenLibrary": "bookstracker.providers",
    "ParallelSearcher": "bookstracker.pipeline.search",
    "ProviderError": "bookstracker.errors",
    "ProviderHTTPError": "bookstracker.errors",
    "ProviderReport": "bookstracker.models",
    "ProviderTimeout": "bookstracker.errors",
    "ProviderUnavailable": "bookstracker.errors",
    "QuotaExceeded": "bookstracker.errors",
    "RateLimited": "bookstracker.errors",
    "RedisCache": "bookstracker.cache",
    "SearchHit": "bookstracker.models",
    "SearchResult": "bookstracker.models",
    "Stats": "bookstracker.metrics",
    "TieredCache": "bookstracker.cache",
    "UNSET": "bookstracker.config",
    "UnsafeCacheDirectory": "bookstracker.errors",
    "WarmProgress": "bookstracker.progress",
    "WarmReport": "bookstracker.warming",
    "Work": "bookstracker.models",
    "opentelemetry_hook": "bookstracker._logging",
    "set_event_hook": "bookstracker._logging",
    "structlog_hook": "bookstracker._logging",
}


def __getattr__(name: str) -> _Any:
    if name == "__version__":
        from bookstracker.config import package_version

        value: _Any = package_version()
        globals()[name] = value
        return value
    return _load(name)


def __dir__() -> list[str]:
    return _listing()


__all__ = [
    "UNSET",
    "AllProvidersFailed",
    "AsyncBooksClient",
    "Author",
    "AuthorCandidate",
    "Bibliography",
    "BooksClient",
    "BooksTrackerError",
    "CacheError",
    "CircuitOpen",
    "Completeness",
    "CompletenessScorer",
    "ConfigurationError",
    "DeadlineExceeded",
    "DiskCache",
    "Edition",
    "EnhancementPipeline",
    "Exclusion",
    "GoogleBooks",
    "ISBNdb",
    "InvalidISBN",
    "InvalidInput",
    "InvalidQuery",
    "IsbnResults",
    "MalformedResponse",
    "MemoryCache",
    "NotFound",
    "OpenLibrary",
    "ParallelSearcher",
    "ProviderError",
    "ProviderHTTPError",
    "ProviderReport",
    "ProviderTimeout",
    "ProviderUnavailable",
    "QuotaExceeded",
    "RateLimited",
    "RedisCache",
    "SearchHit",
    "SearchResult",
    "Stats",
    "TieredCache",
    "UnsafeCacheDirectory",
    "WarmProgress",
    "WarmReport",
    "Work",
    "__version__",
    "opentelemetry_hook",
    "set_event_hook",
    "structlog_hook",
]

_load, _listing = _lazy_exports("bookstracker", _EXPORTS, globals(), __all__)
