"""The only module that imports httpx: request and response values and one sending session.

Adapters build :class:`HttpRequest` values and parse :class:`HttpResponse` bodies; this module
sends, maps transport failures onto the error tree and never lets a secret into a URL it
reports. Switching HTTP library means changing this file alone.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import threading
import time
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import attrs
import httpx

from bookstracker._json import JSONValue
from bookstracker.errors import MalformedResponse, ProviderTimeout, ProviderUnavailable

__all__ = [
    "DEFAULT_MAX_BODY",
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
    "ShardedTransport",
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

DEFAULT_MAX_BODY = 8 * 2**20
"""The largest decoded body accepted when neither the request nor the session says otherwise."""
MAX_REDIRECTS = 5
_ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024

SHARD_CONNECTIONS = 4
"""Connections per httpcore pool in a :class:`ShardedTransport`."""

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


_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context (certifi's roots, as httpx makes by default) for every pool
    of the process: making one costs about 20 ms of CPU, and a context is safe to share."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            import certifi

            _ssl_context = ssl.create_default_context(cafile=certifi.where())
        return _ssl_context


class _Released(httpx.AsyncByteStream):
    """A response body that gives its pool slot back once closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()
        await self._stream.aclose()


class ShardedTransport(httpx.AsyncBaseTransport):
    """``max_connections`` connections kept alive, held by small httpcore pools.

    httpcore's pool looks at each of its connections for each queued request, and at every
    connection again for each idle one, whenever a request starts or ends: with 100 connections
    and a few hundred requests at once that is seconds of CPU (300 concurrent requests on
    loopback: 5 s of CPU against aiohttp's 0.1 s). Here each pool holds at most
    `SHARD_CONNECTIONS` connections and a request goes to the pool with the fewest requests in
    flight (the first of them when they tie, so a lone caller keeps reusing one connection).
    """

    def __init__(self, max_connections: int, *, verify: ssl.SSLContext | bool = True) -> None:
        shards = max(1, math.ceil(max_connections / SHARD_CONNECTIONS))
        context = shared_ssl_context() if verify is True else verify
        self._pools: list[httpx.AsyncHTTPTransport] = []
        left = max_connections
        for index in range(shards):
            size = math.ceil(left / (shards - index))
            left -= size
            self._pools.append(
                httpx.AsyncHTTPTransport(
                    verify=context,
                    limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                    trust_env=False,
                )
            )
        self._in_flight = [0] * shards

    @property
    def pools(self) -> int:
        """How many httpcore pools share the connections."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        counts = self._in_flight
        index = counts.index(min(counts))
        counts[index] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                counts[index] -= 1

        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Released(response.stream, release),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


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

    def _ensure_client(self) -> httpx.AsyncClient:
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(
                transport=self._transport or ShardedTransport(self._max_connections),
                timeout=httpx.Timeout(self._timeout),
                follow_redirects=True,
                headers=self._headers,
                trust_env=False,
            )
            self._clients[loop] = client
        return client

    async def send(self, request: HttpRequest, *, timeout: float | None = None) -> HttpResponse:
        """Send ``request``; transport failures become ProviderTimeout / ProviderUnavailable.

        ``timeout`` bounds the whole exchange, the body included. The body is read in chunks and
        decoded here, never beyond the request's (or the session's) ``max_body`` decoded bytes:
        a larger one, however well it compresses, is `MalformedResponse`.
        """
        client = self._ensure_client()
        limit = self._timeout if timeout is None else max(0.001, min(timeout, self._timeout))
        max_body = request.max_body if request.max_body is not None else self._max_body
        url = request.redacted_url()
        headers = dict(self._headers)
        headers["Accept-Encoding"] = _ACCEPT_ENCODING
        headers.update(request.headers)
        started = time.perf_counter()
        try:
            with anyio.fail_after(limit):
                raw = client.build_request(
                    request.method,
                    request.url,
                    params=list(request.params) or None,
                    headers=headers,
                    json=request.json_body,
                    timeout=httpx.Timeout(limit),
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
