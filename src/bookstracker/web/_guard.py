"""The guard in front of every route: hostile paths, body size, per-client rate limit, CORS.

A pure ASGI middleware (no per-request task or body buffering), so its cost stays small.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bookstracker._json import JSONDict
from bookstracker.resilience.ratelimit import LocalRateLimiter
from bookstracker.web._answers import problem
from bookstracker.web.settings import WebSettings

__all__ = ["Guard", "TryLimiter", "bearer_matches", "client_is_loopback"]

MAX_PATH_BYTES = 4096
MAX_SEGMENT_BYTES = 1024
MAX_QUERY_BYTES = 4096
_PLAIN = re.compile(rb"[A-Za-z0-9/_~-]{1,1024}")
_HOSTILE = re.compile(rb"%(?:00|2f|5c)|\\|[\x00-\x1f\x7f]", re.IGNORECASE)
_EXEMPT = ("/healthz", "/readyz", "/static/")
_LIMITERS = 10_000


class TryLimiter(Protocol):
    """A limiter that answers at once: 0.0 when a request may go, else seconds to wait."""

    async def try_acquire(self) -> float: ...


class BodyTooLarge(Exception):
    """The request body went past the route's limit."""


def client_is_loopback(scope: Scope) -> bool:
    """Whether the peer is this machine (127.0.0.0/8 or ::1)."""
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


def bearer_matches(headers: Headers, token: str | None) -> bool:
    """Whether ``Authorization: Bearer …`` carries ``token`` (compared in constant time)."""
    if token is None:
        return False
    value = headers.get("authorization", "")
    scheme, _, given = value.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def _hostile_path(scope: Scope) -> str | None:
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    query: bytes = scope.get("query_string", b"")
    if _PLAIN.fullmatch(raw) and len(query) <= MAX_QUERY_BYTES:
        return None  # no escape, no dot, no long segment: nothing to look at
    if len(raw) > MAX_PATH_BYTES:
        return "the path is too long"
    if _HOSTILE.search(raw):
        return "the path holds a forbidden character"
    for segment in raw.split(b"/"):
        if len(segment) > MAX_SEGMENT_BYTES:
            return "a path segment is too long"
        if segment in (b"..", b".", b"%2e%2e", b"%2E%2E", b"%2e", b"%2E"):
            return "the path holds a dot segment"
        if segment.lower().replace(b"%2e", b".") in (b"..", b"."):
            return "the path holds a dot segment"
    if len(query) > MAX_QUERY_BYTES:
        return "the query string is too long"
    return None


class Guard:
    """Rejects hostile paths (400), oversized bodies (413) and clients over their rate (429).

    The rate is per client: the admin token when a request carries the right one, else the
    peer address. ``limiter_for(client_id)`` makes each client's limiter (shared through Redis
    by several workers when the app has a Redis URL).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: WebSettings,
        limiter_for: Callable[[str], TryLimiter] | None = None,
        upload_paths: tuple[str, ...] = ("/warm/csv",),
    ) -> None:
        self.app = app
        self.settings = settings
        self._limiter_for = limiter_for or self._local_limiter
        self._limiters: OrderedDict[str, TryLimiter] = OrderedDict()
        self._upload_paths = upload_paths
        self.rejected: dict[int, int] = {400: 0, 413: 0, 429: 0}

    def _local_limiter(self, client: str) -> TryLimiter:
        return LocalRateLimiter(self.settings.rate, burst=self.settings.burst)

    def _limiter(self, client: str) -> TryLimiter:
        limiter = self._limiters.get(client)
        if limiter is None:
            limiter = self._limiters[client] = self._limiter_for(client)
            if len(self._limiters) > _LIMITERS:
                self._limiters.popitem(last=False)
        return limiter

    def _client_id(self, scope: Scope, headers: Headers | None) -> str:
        token = self.settings.admin_token
        if token is not None and headers is not None and bearer_matches(headers, token):
            return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]
        client = scope.get("client")
        return "addr:" + (client[0] if client else "unknown")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        reason = _hostile_path(scope)
        if reason is not None:
            self.rejected[400] += 1
            await problem(400, reason)(scope, receive, send)
            return
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        reading = scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE")
        headers = None if reading and self.settings.admin_token is None else Headers(scope=scope)
        if self.settings.rate > 0 and not path.startswith(_EXEMPT):
            wait = await self._limiter(self._client_id(scope, headers)).try_acquire()
            if wait > 0:
                self.rejected[429] += 1
                await problem(429, "too many requests", retry_after=math.ceil(wait))(
                    scope, receive, send
                )
                return
        if reading:
            await self.app(scope, receive, send)
            return
        assert headers is not None
        limit = (
            self.settings.max_upload_bytes
            if path in self._upload_paths
            else self.settings.max_body_bytes
        )
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            self.rejected[413] += 1
            await problem(413, f"the request body is larger than {limit} bytes")(
                scope, receive, send
            )
            return
        await self._capped(scope, receive, send, limit)

    async def _capped(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            self.rejected[413] += 1
            if not started:
                await problem(413, f"the request body is larger than {limit} bytes")(
                    scope, receive, send
                )


class WebFigures:
    """Counts of the server's own answers, for /stats, /metrics and the dashboard."""

    def __init__(self) -> None:
        self.started = time.time()
        self.by_status: dict[int, int] = {}
        self.in_flight = 0

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def counting(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def counted(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    self.by_status[status] = self.by_status.get(status, 0) + 1
                await send(message)

            self.in_flight += 1
            try:
                await app(scope, receive, counted)
            finally:
                self.in_flight -= 1

        return counting

    def to_dict(self) -> JSONDict:
        return {
            "requests": sum(self.by_status.values()),
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "in_flight": self.in_flight,
            "uptime_s": round(time.time() - self.started, 1),
        }
