"""bookstracker: what has this author written, and which editions exist?

OpenLibrary, Google Books and ISBNdb, searched in parallel, merged, filtered to an author's core
works, paired with every edition, scored for completeness, cached and polite.
"""

from bookstracker._logging import opentelemetry_hook, set_event_hook, structlog_hook
from bookstracker.cache import DiskCache, MemoryCache, RedisCache, TieredCache
from bookstracker.client import AsyncBooksClient
from bookstracker.config import UNSET
from bookstracker.config import package_version as _package_version
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

__version__ = _package_version()

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
