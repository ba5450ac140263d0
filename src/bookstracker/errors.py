"""The exception tree of bookstracker.

    BooksTrackerError
    ├── InvalidInput (also ValueError)            bad input; nothing was sent upstream
    │   ├── InvalidISBN
    │   ├── InvalidQuery
    │   └── ConfigurationError
    ├── NotFound (also LookupError)               every provider that answered had nothing
    ├── ProviderError                             one provider failed; carries provider, status, url
    │   ├── ProviderHTTPError                     an unexpected HTTP status
    │   ├── RateLimited                           429, with retry_after when the server said
    │   │   └── QuotaExceeded                     a daily quota is spent; resets_at when known
    │   ├── ProviderUnavailable                   connection refused or reset, DNS, TLS
    │   │   └── ProviderTimeout                   no answer within the timeout
    │   ├── MalformedResponse                     not JSON, an HTML page, truncated, mis-shaped
    │   └── CircuitOpen                           the breaker refuses calls for a while
    ├── AllProvidersFailed                        no provider could answer; carries the reports
    ├── DeadlineExceeded (also TimeoutError)      the caller's deadline passed
    └── CacheError
        └── UnsafeCacheDirectory                  a cache folder others can write to

URLs kept on errors are redacted: query parameters named like a key are replaced by
``[secure]`` and no header is ever kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bookstracker.models import ProviderReport

__all__ = [
    "AllProvidersFailed",
    "BooksTrackerError",
    "CacheError",
    "CircuitOpen",
    "ConfigurationError",
    "DeadlineExceeded",
    "InvalidISBN",
    "InvalidInput",
    "InvalidQuery",
    "MalformedResponse",
    "NotFound",
    "ProviderError",
    "ProviderHTTPError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "QuotaExceeded",
    "RateLimited",
    "UnsafeCacheDirectory",
]


class BooksTrackerError(Exception):
    """The base of every error bookstracker raises on purpose."""


class InvalidInput(BooksTrackerError, ValueError):
    """The caller's input cannot be used; no request was sent upstream."""


class InvalidISBN(InvalidInput):
    """A string is not a valid ISBN-10 or ISBN-13.

    ``value`` is the input as given, ``reason`` what is wrong with it.
    """

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid ISBN {value!r}: {reason}")


class InvalidQuery(InvalidInput):
    """A search query, author name or parameter cannot be used."""


class ConfigurationError(InvalidInput):
    """A setting (argument or environment variable) has an unusable value."""


class NotFound(BooksTrackerError, LookupError):
    """Every provider that answered had nothing for the question.

    ``suggestions`` are names that were probably meant (offline mode suggests the sample
    catalog's nearest authors), best first; often empty.
    """

    def __init__(
        self,
        message: str,
        *,
        reports: Mapping[str, ProviderReport] | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.reports: Mapping[str, ProviderReport] = dict(reports or {})
        self.suggestions = tuple(suggestions)


class ProviderError(BooksTrackerError):
    """One provider could not answer a request.

    ``provider`` names it; ``status`` is the HTTP status when there was one; ``url`` is the
    request URL with secrets redacted.
    """

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        self.url = url

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.provider}: {text}"

    def describe(self) -> str:
        """A one-line description for reports: kind, status and message."""
        status = f" {self.status}" if self.status is not None else ""
        return f"{self.kind}{status}: {super().__str__()}"


class ProviderHTTPError(ProviderError):
    """The provider answered with an HTTP status this library does not expect."""

    kind = "http"


class RateLimited(ProviderError):
    """The provider refused the request for its rate (HTTP 429)."""

    kind = "rate-limited"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = 429,
        url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, provider=provider, status=status, url=url)
        self.retry_after = retry_after


class QuotaExceeded(RateLimited):
    """A daily (or other long-period) quota is spent; no call succeeds until it resets."""

    kind = "quota"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = 429,
        url: str | None = None,
        retry_after: float | None = None,
        resets_at: float | None = None,
    ) -> None:
        super().__init__(
            message, provider=provider, status=status, url=url, retry_after=retry_after
        )
        self.resets_at = resets_at


class ProviderUnavailable(ProviderError):
    """The provider could not be reached (connection refused or reset, DNS, TLS)."""

    kind = "unavailable"


class ProviderTimeout(ProviderUnavailable):
    """The provider did not answer within the timeout."""

    kind = "timeout"


class MalformedResponse(ProviderError):
    """The body is not what the provider's API sends: not JSON, HTML, truncated or mis-shaped."""

    kind = "malformed"


class CircuitOpen(ProviderError):
    """The provider's circuit breaker is open: no request is sent until it half-opens."""

    kind = "circuit-open"

    def __init__(self, message: str, *, provider: str, reopens_in: float | None = None) -> None:
        super().__init__(message, provider=provider)
        self.reopens_in = reopens_in


class AllProvidersFailed(BooksTrackerError):
    """No provider could answer; ``reports`` says why for each, and so does ``str()``.

    ``message`` is the question that failed (``no provider could answer for the author 'X'``);
    ``str(exc)`` adds each provider's cause, e.g.
    ``...: openlibrary: unavailable: connection refused; isbndb: disabled``.
    """

    def __init__(self, message: str, *, reports: Mapping[str, ProviderReport]) -> None:
        super().__init__(message)
        self.message = message
        self.reports: Mapping[str, ProviderReport] = dict(reports)

    def __str__(self) -> str:
        order = ("openlibrary", "googlebooks", "isbndb")
        names = sorted(self.reports, key=lambda n: order.index(n) if n in order else len(order))
        causes = [
            f"{name}: {self.reports[name].error or self.reports[name].status}"
            for name in names
            if self.reports[name].status in ("error", "disabled", "skipped")
        ]
        text = f"{self.message}: {'; '.join(causes)}" if causes else self.message
        failed = [r.error or "" for r in self.reports.values() if r.status == "error"]
        if failed and all(e.startswith(("unavailable", "timeout")) for e in failed):
            text += (
                " (no provider could be reached; offline=True or BOOKSTRACKER_OFFLINE=1 answers"
                " from the bundled sample catalog)"
            )
        return text


class DeadlineExceeded(BooksTrackerError, TimeoutError):
    """The deadline the caller set passed before an answer arrived."""


class CacheError(BooksTrackerError):
    """A cache backend cannot be used as configured."""


class UnsafeCacheDirectory(CacheError):
    """The disk cache folder can be written by other users (CVE-2025-69872)."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"refusing cache folder {path!r}: {detail}")
        self.path = path


def error_summary(exc: BaseException) -> str:
    """A one-line, secret-free description of any exception, for reports and logs."""
    if isinstance(exc, ProviderError):
        return exc.describe()
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"
