"""What every provider adapter shares: configuration, the policy layers, sending and errors.

An adapter builds :class:`~bookstracker._http.HttpRequest` values and parses bodies; this base
sends them through the provider's policy (circuit breaker → quota → rate limiter → retry → HTTP),
counts every attempt, and turns HTTP statuses and bad bodies into the typed errors.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar, Final
from urllib.parse import quote

import attrs
import msgspec

from bookstracker._gc import collector_paused
from bookstracker._http import DEFAULT_MAX_BODY, HttpRequest, HttpResponse, HttpSession, OnSend
from bookstracker._json import JSONDict
from bookstracker._logging import log_event
from bookstracker._text import (
    MIN_SECRET_CHARS,
    REDACTED,
    clean_text,
    remember_secret,
    scrub_secrets,
)
from bookstracker.config import UNSET, ProviderConfig, Unset, positive_rate, provider_config
from bookstracker.errors import (
    ConfigurationError,
    MalformedResponse,
    ProviderError,
    ProviderHTTPError,
    RateLimited,
)
from bookstracker.instrumentation import EventBus, RequestDone
from bookstracker.metrics import ProviderMetrics, ProviderStats
from bookstracker.models import Author, Edition
from bookstracker.providers.contract import (
    Capability,
    EditionPage,
    Provider,
    SearchPage,
    SignalsForm,
    UnsupportedOperation,
    WorkSignals,
    WorksListing,
)
from bookstracker.resilience import (
    CircuitBreaker,
    LocalRateLimiter,
    Policy,
    QuotaTracker,
    RateLimiter,
    RetryPolicy,
)
from bookstracker.resilience.ratelimit import DeparturePacer
from bookstracker.resilience.scope import count_request, current_scope
from bookstracker.resilience.shared import SharedLimits

if TYPE_CHECKING:
    from bookstracker._http import AsyncClient, Transport

_JSON = msgspec.json.Decoder()
"""Response bodies are decoded with msgspec: about twice as fast as ``json`` on large pages."""

__all__ = [
    "NOT_FOUND",
    "Capability",
    "EditionPage",
    "Provider",
    "ProviderAdapter",
    "SearchPage",
    "UnsupportedOperation",
    "path_segment",
    "retry_after_seconds",
]


class _NotFound:
    def __repr__(self) -> str:
        return "NOT_FOUND"


NOT_FOUND: Final = _NotFound()


def path_segment(value: str) -> str:
    """``value`` as one encoded URL path segment: ``/``, ``?``, ``#``, ``..`` cannot reroute."""
    encoded = quote(value, safe="")
    if encoded in {".", ".."}:
        encoded = encoded.replace(".", "%2E")
    return encoded


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        from email.utils import parsedate_to_datetime  # HTTP-dates are rare: loaded when met

        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _configure(
    name: str,
    config: ProviderConfig | None,
    *,
    base_url: str | Unset,
    api_key: str | Unset | None,
    rate: float | Unset,
    timeout: float | Unset,
    user_agent: str | Unset,
) -> ProviderConfig:
    """``config`` with the keyword arguments given; without one, resolved for ``name``."""
    if config is None:
        return provider_config(
            name,
            base_url=base_url,
            api_key=api_key,
            rate=rate,
            timeout=timeout,
            user_agent=user_agent,
        )
    return config.with_overrides(
        base_url=base_url, api_key=api_key, rate=rate, timeout=timeout, user_agent=user_agent
    )


class ProviderAdapter:
    """Shared machinery for the three adapters; subclasses set the class constants."""

    name: ClassVar[str]
    DEFAULT_BASE_URL: ClassVar[str]
    DEFAULT_RATE: ClassVar[float]
    DAILY_QUOTA: ClassVar[int | None] = None
    MAX_BODY: ClassVar[int] = DEFAULT_MAX_BODY
    """The largest decoded body read from this provider (an endpoint's request may say less)."""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(
        self,
        config: ProviderConfig | None = None,
        *,
        base_url: str | Unset = UNSET,
        api_key: str | Unset | None = UNSET,
        rate: float | Unset = UNSET,
        timeout: float | Unset = UNSET,
        user_agent: str | Unset = UNSET,
        transport: Transport | None = None,
        http_client: AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        limiter: RateLimiter | None = None,
        quota: QuotaTracker | None = None,
        metrics: ProviderMetrics | None = None,
        shared_limits: SharedLimits | None = None,
    ) -> None:
        """``config`` comes from :class:`~bookstracker.config.Settings`; without one, the
        keyword arguments given, then the environment, then the defaults make it. Keyword
        arguments given next to a ``config`` override its fields. ``shared_limits`` keeps the
        rate limit and daily quota in Redis for every process (unless given explicitly)."""
        config = _configure(
            self.name,
            config,
            base_url=base_url,
            api_key=api_key,
            rate=rate,
            timeout=timeout,
            user_agent=user_agent,
        )
        self.config = config
        self._prepare(config)
        self.base_url = (config.base_url or self._default_base_url()).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"{self.name} base URL must be http(s): {self.base_url!r}")
        self._api_key = config.api_key or None
        remember_secret(self._api_key)
        rate_given = config.rate
        self.rate = positive_rate(
            self._default_rate() if rate_given is None else rate_given, f"{self.name} rate"
        )
        self.timeout = config.timeout
        self.user_agent = config.user_agent
        self.metrics = metrics or ProviderMetrics(self.name)
        self.events = EventBus(self.metrics.observe, log_event)
        if limiter is None:
            limiter = (
                shared_limits.limiter(self.name, self.rate)
                if shared_limits is not None
                else LocalRateLimiter(self.rate)
            )
        if quota is None:
            quota = self._default_quota()
            if shared_limits is not None:
                quota = shared_limits.quota(quota)
        self.policy = Policy(
            provider=self.name,
            limiter=limiter,
            retry=retry or RetryPolicy(),
            breaker=breaker or CircuitBreaker(self.name),
            quota=quota,
            events=self.events,
        )
        self._session = HttpSession(
            provider=self.name,
            timeout=self.timeout,
            headers={"User-Agent": self.user_agent, "Accept": "application/json"},
            transport=transport,
            http_client=http_client,
            max_body=self.MAX_BODY,
            max_connections=config.max_connections,
        )

    def _prepare(self, config: ProviderConfig) -> None:
        """A hook run before the defaults are read (ISBNdb picks its plan here)."""

    def _default_base_url(self) -> str:
        return self.DEFAULT_BASE_URL

    def __repr__(self) -> str:
        key = ", api_key=[secure]" if self._api_key else ""
        return f"{type(self).__name__}(base_url={self.base_url!r}, rate={self.rate:g}{key})"

    def _default_rate(self) -> float:
        return self.DEFAULT_RATE

    def _default_quota(self) -> QuotaTracker | None:
        """The in-process daily quota when none is given (None: not tracked)."""
        return None

    @property
    def enabled(self) -> bool:
        """False when the provider cannot be used as configured (ISBNdb without a key)."""
        return True

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    # -- the contract's operations: those not in ``capabilities`` are refused -------------

    def _unsupported(self, operation: str) -> UnsupportedOperation:
        return UnsupportedOperation(f"{self.name} does not support {operation}")

    async def search(self, query: str, *, limit: int = 20) -> SearchPage:
        raise self._unsupported("search")

    async def editions(self, isbns: Iterable[str]) -> dict[str, Edition]:
        raise self._unsupported("editions by ISBN")

    async def author_editions(self, name: str) -> EditionPage:
        raise self._unsupported("an author's editions")

    async def search_authors(self, name: str, *, limit: int = 20) -> list[Author]:
        raise self._unsupported("author search")

    async def author(self, key: str) -> Author | None:
        raise self._unsupported("author look-up")

    async def author_works(self, key: str) -> WorksListing:
        raise self._unsupported("an author's works")

    async def author_work_signals(
        self, key: str, *, form: SignalsForm = "query"
    ) -> dict[str, WorkSignals]:
        raise self._unsupported("an author's work signals")

    async def work_editions(
        self, key: str, *, page_size: int = 1000, max_editions: int = 10_000
    ) -> EditionPage:
        raise self._unsupported("a work's editions")

    async def provider_stats(self) -> ProviderStats:
        policy = self.policy
        quota = await policy.quota.remaining() if policy.quota is not None else None
        return ProviderStats.from_metrics(
            self.metrics,
            enabled=self.enabled,
            breaker=policy.breaker.state,
            breaker_trips=policy.breaker.trips,
            quota_left=quota,
        )

    def stats(self) -> JSONDict:
        data = self.metrics.snapshot()
        data["breaker"] = self.policy.breaker.state
        return data

    async def aclose(self) -> None:
        await self._session.aclose()

    async def __aenter__(self) -> ProviderAdapter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- sending -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def _auth_headers(self) -> tuple[tuple[str, str], ...]:
        return ()

    async def _call(self, request: HttpRequest, *, cost: int = 1) -> object:
        """Send through the policy; the parsed JSON body, or ``NOT_FOUND``."""
        scope = current_scope()
        auth = self._auth_headers()
        if auth:
            request = attrs.evolve(request, headers=request.headers + auth)
        # Making the HTTP client takes milliseconds (SSL context): done before the rate-limit
        # token is taken, or the first request leaves late and the second right behind it.
        self._session.prepare()
        limiter = self.policy.limiter
        # The token is taken before the request is handed over; the limiter also spaces the
        # moments requests leave, or a new connection's handshake lets two arrive too close.
        on_send: OnSend | None = None
        on_sent: Callable[[], None] | None = None
        if isinstance(limiter, DeparturePacer) and math.isfinite(limiter.rate):
            on_send, on_sent = limiter.departing, limiter.departed
        attempts = 0

        async def send_once() -> object:
            nonlocal attempts
            attempts += 1
            count_request(self.name)
            started = time.perf_counter()
            status: int | None = None
            outcome = "cancelled"
            try:
                response = self._without_secrets(
                    await self._session.send(
                        request,
                        timeout=scope.timeout(self.timeout),
                        on_send=on_send,
                        on_sent=on_sent,
                    )
                )
                status = response.status
                result = self._interpret(response)
                outcome = "ok"
                return result
            except ProviderError as exc:
                self._sanitise(exc)
                status, outcome = exc.status, exc.kind
                raise
            finally:
                self.events.publish(
                    RequestDone(
                        provider=self.name,
                        method=request.method,
                        url=request.url,
                        status=status,
                        latency_ms=(time.perf_counter() - started) * 1000,
                        attempt=attempts,
                        outcome=outcome,
                    )
                )

        return await self.policy.call(send_once, deadline=scope.deadline, cost=cost)

    def _secrets(self) -> tuple[str, ...]:
        key = self._api_key
        return (key,) if key and len(key) >= MIN_SECRET_CHARS else ()

    def _without_secrets(self, response: HttpResponse) -> HttpResponse:
        """``response`` with every copy of the API key in its body replaced by ``[secure]``."""
        content = response.content
        for secret in self._secrets():
            raw = secret.encode("utf-8", "replace")
            if raw in content:
                content = content.replace(raw, REDACTED.encode())
        if content is response.content:
            return response
        return attrs.evolve(response, content=content)

    def _sanitise(self, exc: ProviderError) -> None:
        """Make an error's text safe to show: clean, bounded, and free of the API key."""
        secrets = self._secrets()
        if exc.args and isinstance(exc.args[0], str):
            exc.args = (scrub_secrets(clean_text(exc.args[0], max_chars=500), secrets),)
        if exc.url:
            exc.url = scrub_secrets(exc.url, secrets)

    def _interpret(self, response: HttpResponse) -> object:
        status = response.status
        if 200 <= status < 300:
            with collector_paused():  # a large body decodes into many lasting objects
                return self._decode(response)
        body = self._decode_error_body(response)
        error = self._error_for(response, body)
        if error is None:
            return NOT_FOUND
        raise error

    def _decode(self, response: HttpResponse) -> object:
        content = response.content
        stripped = content.lstrip()[:1]
        if stripped == b"<" or response.content_type == "text/html":
            raise MalformedResponse(
                f"HTML page instead of JSON (HTTP {response.status})",
                provider=self.name,
                status=response.status,
                url=response.url,
            )
        if content.startswith(codecs.BOM_UTF8):
            content = content[len(codecs.BOM_UTF8) :]
        try:
            return _JSON.decode(content)
        except (ValueError, RecursionError) as exc:  # msgspec.DecodeError is a ValueError
            if "surrogate" in str(exc):  # a lone "\ud800": kept, and replaced by the parsers
                with contextlib.suppress(ValueError, RecursionError):
                    return json.loads(content)
            raise MalformedResponse(
                f"body is not valid JSON ({len(content)} bytes: {exc.__class__.__name__})",
                provider=self.name,
                status=response.status,
                url=response.url,
            ) from None

    @staticmethod
    def _decode_error_body(response: HttpResponse) -> Mapping[str, object]:
        try:
            body = _JSON.decode(response.content.removeprefix(codecs.BOM_UTF8))
        except (ValueError, RecursionError):
            return {}
        return body if isinstance(body, Mapping) else {}

    def _error_message(self, body: Mapping[str, object]) -> str | None:
        for key in ("error_message", "errorMessage", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:300]
            if isinstance(value, Mapping):
                inner = value.get("message")
                if isinstance(inner, str) and inner.strip():
                    return inner.strip()[:300]
        return None

    def _error_for(
        self, response: HttpResponse, body: Mapping[str, object]
    ) -> ProviderError | None:
        """The error for a non-2xx response; None means "not found" (a normal, empty answer)."""
        status = response.status
        message = self._error_message(body)
        if status == 404:
            return None
        if status == 429:
            return RateLimited(
                message or "Too Many Requests",
                provider=self.name,
                url=response.url,
                retry_after=retry_after_seconds(response.header("retry-after")),
            )
        if not message and response.content.lstrip()[:1] == b"<":
            message = "HTML error page"
        return ProviderHTTPError(
            message or f"HTTP {status}",
            provider=self.name,
            status=status,
            url=response.url,
        )
