"""The only module that imports httpx: request and response values and one sending session.

Adapters build :class:`HttpRequest` values and parse :class:`HttpResponse` bodies; this module
sends, maps transport failures onto the error tree and never lets a secret into a URL it
reports. Switching HTTP library means changing this file alone.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import attrs
import httpx

from bookstracker.errors import ProviderTimeout, ProviderUnavailable

__all__ = [
    "AsyncBaseTransport",
    "AsyncClient",
    "HttpRequest",
    "HttpResponse",
    "HttpSession",
    "MockTransport",
    "RawRequest",
    "RawResponse",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "redact_url",
]

MockTransport = httpx.MockTransport
AsyncBaseTransport = httpx.AsyncBaseTransport
AsyncClient = httpx.AsyncClient
RawRequest = httpx.Request
RawResponse = httpx.Response
TransportError = httpx.TransportError
ReadTimeout = httpx.ReadTimeout
ReadError = httpx.ReadError
RemoteProtocolError = httpx.RemoteProtocolError

SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "access_key", "token", "auth"})
REDACTED = "[secure]"


def redact_url(url: str, secret_params: frozenset[str] = SECRET_PARAMS) -> str:
    """``url`` with the values of secret-looking query parameters replaced by ``[secure]``."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if not parts.query:
        if netloc == parts.netloc:
            return url
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    cleaned = [(k, REDACTED if k.lower() in secret_params and v else v) for k, v in pairs]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(cleaned, safe=":,/[]"), ""))


@attrs.frozen(kw_only=True)
class HttpRequest:
    """One HTTP request an adapter wants sent; the secret headers are never shown."""

    url: str
    method: str = "GET"
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    json_body: Any = attrs.field(default=None, repr=False)

    def full_url(self) -> str:
        if not self.params:
            return self.url
        sep = "&" if "?" in self.url else "?"
        return self.url + sep + urlencode(self.params)

    def redacted_url(self) -> str:
        return redact_url(self.full_url())


@attrs.frozen(kw_only=True)
class HttpResponse:
    """A complete HTTP response: status, lower-cased headers, the whole body."""

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=False)
    url: str
    elapsed_s: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()


class HttpSession:
    """One shared ``httpx.AsyncClient`` per adapter and event loop, created lazily.

    A connection pool belongs to the loop that opened it, so a client used from a second loop
    (``asyncio.run`` called twice, a notebook's loop and a script's) gets a pool of its own. The
    pool of a loop that ended without ``aclose`` is left to the garbage collector (Python may
    warn of its sockets); ``async with`` in each loop avoids that. An ``http_client`` passed in
    is used as it is, on every loop.
    """

    def __init__(
        self,
        *,
        provider: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_connections: int = 100,
    ) -> None:
        self._provider = provider
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._transport = transport
        self._given = http_client
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        self._max_connections = max_connections

    def __repr__(self) -> str:
        return f"HttpSession(provider={self._provider!r}, timeout={self._timeout})"

    @property
    def timeout(self) -> float:
        return self._timeout

    def _ensure_client(self) -> httpx.AsyncClient:
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(self._timeout),
                follow_redirects=True,
                headers=self._headers,
                limits=httpx.Limits(
                    max_connections=self._max_connections,
                    max_keepalive_connections=self._max_connections,
                ),
                trust_env=False,
            )
            self._clients[loop] = client
        return client

    async def send(self, request: HttpRequest, *, timeout: float | None = None) -> HttpResponse:
        """Send ``request``; transport failures become ProviderTimeout / ProviderUnavailable."""
        client = self._ensure_client()
        limit = self._timeout if timeout is None else max(0.001, min(timeout, self._timeout))
        url = request.redacted_url()
        headers = dict(self._headers)
        headers.update(request.headers)
        started = time.perf_counter()
        try:
            with anyio.fail_after(limit):
                response = await client.request(
                    request.method,
                    request.url,
                    params=list(request.params) or None,
                    headers=headers,
                    json=request.json_body,
                    timeout=httpx.Timeout(limit),
                )
        except (TimeoutError, httpx.TimeoutException):
            raise ProviderTimeout(
                f"no answer within {limit:g} s", provider=self._provider, url=url
            ) from None
        except httpx.TransportError as exc:
            raise ProviderUnavailable(
                f"{type(exc).__name__}: {_describe_transport_error(exc)}",
                provider=self._provider,
                url=url,
            ) from None
        return HttpResponse(
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            content=response.content,
            url=redact_url(str(response.url)),
            elapsed_s=time.perf_counter() - started,
        )

    async def aclose(self) -> None:
        """Close this loop's pool; pools of other loops are dropped (they close with them)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        self._clients.clear()
        if client is not None:
            await client.aclose()


def _describe_transport_error(exc: Exception) -> str:
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection closed before the whole answer arrived (truncated body)"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    text = str(exc).strip()
    if isinstance(exc, httpx.ReadError) and (not text or "reset" in text.lower()):
        return "connection reset"
    if not text:
        return "connection failed"
    return redact_url(text) if "?" in text else text
