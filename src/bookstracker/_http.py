"""The only module that imports httpx: request and response values and one sending session.

Adapters build :class:`HttpRequest` values and parse :class:`HttpResponse` bodies; this module
sends, maps transport failures onto the error tree and never lets a secret into a URL it
reports. Switching HTTP library means changing this file alone.

httpx is imported when the first request goes out through it: a session over an
:class:`InProcessTransport` (offline mode's fakes) answers without it, and so without its cost
at start-up.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
import zlib
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypeAlias
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import anyio
import attrs

from bookstracker._json import JSONValue
from bookstracker.errors import MalformedResponse, ProviderTimeout, ProviderUnavailable

if TYPE_CHECKING:
    import httpx
    from httpx import AsyncBaseTransport as AsyncBaseTransport
    from httpx import AsyncClient as AsyncClient
    from httpx import MockTransport as MockTransport
    from httpx import ReadError as ReadError
    from httpx import ReadTimeout as ReadTimeout
    from httpx import RemoteProtocolError as RemoteProtocolError
    from httpx import Request as RawRequest
    from httpx import Response as RawResponse
    from httpx import TransportError as TransportError

__all__ = [
    "DEFAULT_MAX_BODY",
    "AsyncBaseTransport",
    "AsyncClient",
    "HttpRequest",
    "HttpResponse",
    "HttpSession",
    "InProcessTransport",
    "MockTransport",
    "RawRequest",
    "RawResponse",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Transport",
    "redact_url",
]

_HTTPX_NAMES = {
    "MockTransport": "MockTransport",
    "AsyncBaseTransport": "AsyncBaseTransport",
    "AsyncClient": "AsyncClient",
    "RawRequest": "Request",
    "RawResponse": "Response",
    "TransportError": "TransportError",
    "ReadTimeout": "ReadTimeout",
    "ReadError": "ReadError",
    "RemoteProtocolError": "RemoteProtocolError",
}


def __getattr__(name: str) -> object:
    """httpx's classes under this module's names, httpx imported on first use (PEP 562)."""
    attribute = _HTTPX_NAMES.get(name)
    if attribute is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import httpx

    value: object = getattr(httpx, attribute)
    globals()[name] = value
    return value


DEFAULT_MAX_BODY = 8 * 2**20
"""The largest decoded body accepted when neither the request nor the session says otherwise."""
MAX_REDIRECTS = 5
_ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024


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
    json_body: JSONValue = attrs.field(default=None, repr=False)
    max_body: int | None = None
    """The largest decoded body accepted for this request; None: the session's bound."""
    safe: str = attrs.field(default="", repr=False)
    """Characters the query's values keep unencoded (RFC 3986 allows ``:`` and ``,`` there)."""

    def full_url(self) -> str:
        """The URL with the encoded ``params`` appended: exactly what goes on the wire."""
        if not self.params:
            return self.url
        sep = "&" if "?" in self.url else "?"
        return self.url + sep + urlencode(self.params, safe=self.safe)

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


class InProcessTransport:
    """Answers requests inside this process, without a socket and without httpx.

    A subclass implements :meth:`handle`. Raising `TimeoutError` there reads as no answer in
    time, and `ConnectionError` as a failed connection, as they would on the network.
    """

    async def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        """The status, headers and (decoded) body answering one request."""
        raise NotImplementedError


Transport: TypeAlias = "httpx.AsyncBaseTransport | InProcessTransport"
"""What a session sends through: an httpx transport, or one answering in this process."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})

OnSend: TypeAlias = "Callable[[], Awaitable[None]]"
"""Awaited as a request is about to leave: its connection open, none of its bytes written."""


def _trace_sends(
    on_send: OnSend, on_sent: Callable[[], None] | None
) -> Callable[[str, Mapping[str, object]], Awaitable[None]]:
    """An httpcore ``trace`` extension awaiting ``on_send`` before each request's headers and
    calling ``on_sent`` once they are written."""

    async def trace(event: str, info: Mapping[str, object]) -> None:
        if event.endswith(".send_request_headers.started"):
            await on_send()
        elif on_sent is not None and event.endswith(".send_request_headers.complete"):
            on_sent()

    return trace


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
        transport: Transport | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_connections: int = 100,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self._provider = provider
        self._max_body = max_body
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

    def prepare(self) -> None:
        """Make this loop's httpx client now (it takes milliseconds: the SSL context), rather
        than in the first `send`; nothing to make for an in-process transport."""
        if self._given is None and isinstance(self._transport, InProcessTransport):
            return
        self._ensure_client()

    def _ensure_client(self) -> httpx.AsyncClient:
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            import httpx

            from bookstracker import _pool

            transport = self._transport
            assert not isinstance(transport, InProcessTransport)
            client = httpx.AsyncClient(
                transport=transport or _pool.ShardedTransport(self._max_connections),
                timeout=httpx.Timeout(self._timeout),
                follow_redirects=True,
                headers=self._headers,
                trust_env=False,
            )
            self._clients[loop] = client
        return client

    def _framing(
        self, request: HttpRequest, timeout: float | None
    ) -> tuple[float, int, str, dict[str, str]]:
        """The time limit, the body bound, the URL for messages and the headers of ``request``."""
        limit = self._timeout if timeout is None else max(0.001, min(timeout, self._timeout))
        max_body = request.max_body if request.max_body is not None else self._max_body
        headers = dict(self._headers)
        headers["Accept-Encoding"] = _ACCEPT_ENCODING
        headers.update(request.headers)
        return limit, max_body, request.redacted_url(), headers

    async def send(
        self,
        request: HttpRequest,
        *,
        timeout: float | None = None,
        on_send: OnSend | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> HttpResponse:
        """Send ``request``; transport failures become ProviderTimeout / ProviderUnavailable.

        ``timeout`` bounds the whole exchange, the body included. The body is read in chunks and
        decoded here, never beyond the request's (or the session's) ``max_body`` decoded bytes:
        a larger one, however well it compresses, is `MalformedResponse`. ``on_send`` is
        awaited each time the request (or a redirect) is about to leave, its connection open:
        a rate limiter paces there (an httpx transport not built on httpcore never calls it);
        ``on_sent`` is called once its headers are written.
        """
        if isinstance(self._transport, InProcessTransport) and self._given is None:
            return await self._send_in_process(self._transport, request, timeout, on_send, on_sent)
        import httpx

        client = self._ensure_client()
        limit, max_body, url, headers = self._framing(request, timeout)
        started = time.perf_counter()
        try:
            with anyio.fail_after(limit):
                raw = client.build_request(
                    request.method,
                    request.full_url(),
                    headers=headers,
                    json=request.json_body,
                    timeout=httpx.Timeout(limit),
                    extensions=None
                    if on_send is None
                    else {"trace": _trace_sends(on_send, on_sent)},
                )
                response = await client.send(raw, stream=True, follow_redirects=False)
                hops = 0
                while response.next_request is not None:
                    await response.aclose()
                    hops += 1
                    if hops > MAX_REDIRECTS:
                        raise ProviderUnavailable(
                            f"more than {MAX_REDIRECTS} redirects",
                            provider=self._provider,
                            status=response.status_code,
                            url=url,
                        )
                    response = await client.send(
                        response.next_request, stream=True, follow_redirects=False
                    )
                try:
                    content = await self._read_bounded(response, max_body, url)
                finally:
                    await response.aclose()
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
            content=content,
            url=redact_url(str(response.url)),
            elapsed_s=time.perf_counter() - started,
        )

    async def _send_in_process(
        self,
        transport: InProcessTransport,
        request: HttpRequest,
        timeout: float | None,
        on_send: OnSend | None,
        on_sent: Callable[[], None] | None,
    ) -> HttpResponse:
        """`send` through a transport in this process: the same headers, redirects, bounds
        and errors, without httpx."""
        limit, max_body, url, headers = self._framing(request, timeout)
        body = b""
        if request.json_body is not None:
            text = json.dumps(
                request.json_body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            )
            body = text.encode("utf-8")
            headers["Content-Type"] = "application/json"
        method, target = request.method, request.full_url()

        async def exchange() -> tuple[int, Mapping[str, str], bytes]:
            if on_send is not None:
                await on_send()
            if on_sent is not None:
                on_sent()
            return await transport.handle(method, target, headers, body)

        started = time.perf_counter()
        try:
            with anyio.fail_after(limit):
                status, answer, content = await exchange()
                hops = 0
                while status in _REDIRECTS and _header(answer, "location"):
                    hops += 1
                    if hops > MAX_REDIRECTS:
                        raise ProviderUnavailable(
                            f"more than {MAX_REDIRECTS} redirects",
                            provider=self._provider,
                            status=status,
                            url=url,
                        )
                    target = urljoin(target, _header(answer, "location"))
                    if status in (301, 302, 303) and method != "HEAD":
                        method, body = "GET", b""
                        headers.pop("Content-Type", None)
                    status, answer, content = await exchange()
        except TimeoutError:
            raise ProviderTimeout(
                f"no answer within {limit:g} s", provider=self._provider, url=url
            ) from None
        except ConnectionError as exc:
            raise ProviderUnavailable(
                f"{type(exc).__name__}: {str(exc) or 'connection failed'}",
                provider=self._provider,
                url=url,
            ) from None
        if len(content) > max_body:
            raise MalformedResponse(
                f"body larger than {max_body} bytes; not read",
                provider=self._provider,
                status=status,
                url=url,
            )
        return HttpResponse(
            status=status,
            headers={k.lower(): v for k, v in answer.items()},
            content=content,
            url=redact_url(target),
            elapsed_s=time.perf_counter() - started,
        )

    async def _read_bounded(self, response: httpx.Response, max_body: int, url: str) -> bytes:
        """The decoded body, or `MalformedResponse` as soon as it would pass ``max_body``."""

        def too_large(detail: str) -> MalformedResponse:
            return MalformedResponse(
                f"body larger than {max_body} bytes{detail}; not read",
                provider=self._provider,
                status=response.status_code,
                url=url,
            )

        if response.is_stream_consumed:  # built in memory (a MockTransport): already decoded
            if len(response.content) > max_body:
                raise too_large("")
            return response.content
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if declared.isdigit() and int(declared) > max_body:
            raise too_large(f" (Content-Length {declared})")
        decoder = _Decoder(encoding, provider=self._provider, status=response.status_code, url=url)
        body = bytearray()
        async for chunk in response.aiter_raw(_CHUNK):
            body += decoder.decode(chunk, max_body - len(body) + 1)
            if len(body) > max_body:
                raise too_large(" once decoded" if encoding not in ("", "identity") else "")
        body += decoder.flush(max_body - len(body) + 1)
        if len(body) > max_body:
            raise too_large(" once decoded")
        return bytes(body)

    async def aclose(self) -> None:
        """Close this loop's pool; pools of other loops are dropped (they close with them)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        self._clients.clear()
        if client is not None:
            await client.aclose()


class _Decoder:
    """Undoes a Content-Encoding chunk by chunk, never producing more than asked for."""

    def __init__(self, encoding: str, *, provider: str, status: int, url: str) -> None:
        self._encoding = encoding
        self._error = MalformedResponse(
            f"body in an encoding this client did not ask for or cannot read ({encoding!r})",
            provider=provider,
            status=status,
            url=url,
        )
        self._zlib: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding not in ("", "identity"):
            raise self._error
        self._pending = b""
        self._fed = False

    def decode(self, chunk: bytes, room: int) -> bytes:
        """At most ``room`` decoded bytes of ``chunk`` (and of what earlier chunks left)."""
        if self._zlib is None:
            return chunk[:room]
        data = self._pending + chunk
        try:
            out: bytes = self._zlib.decompress(data, max(1, room))
        except zlib.error:
            if self._encoding == "deflate" and not self._fed:  # raw deflate, without the header
                self._fed = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(chunk, room)
            raise self._error from None
        self._fed = self._fed or bool(data)
        self._pending = self._zlib.unconsumed_tail
        return out

    def flush(self, room: int) -> bytes:
        """What is left once the last chunk has arrived (at most ``room`` bytes)."""
        if self._zlib is None:
            return b""
        out = self.decode(b"", room)
        if len(out) < room and not self._pending:
            out += self._zlib.flush()[: room - len(out)]
        return out


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def _describe_transport_error(exc: Exception) -> str:
    import httpx

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
