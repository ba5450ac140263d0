"""The machinery every fake provider shares: requests, responses, faults, rate limits, the log.

A fake provider is a pure ``route(FakeRequest) -> FakeResponse`` over a catalog, wrapped by
:class:`FakeProvider`, which adds latency, a requests-per-second limit answered with the
provider's real 429, injected faults and a request log, and serves it over
``httpx.MockTransport`` (in-process) or a loopback HTTP server (see ``_server.py``).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

import anyio
import attrs

from bookstracker._http import InProcessTransport

if TYPE_CHECKING:
    from bookstracker._http import MockTransport, RawRequest, RawResponse
    from bookstracker.testing.catalog import Catalog

__all__ = [
    "FAULT_KINDS",
    "FakeProvider",
    "FakeRequest",
    "FakeResponse",
    "FaultKind",
    "Faults",
    "LoggedRequest",
]

FaultKind = Literal["500", "503", "hang", "reset", "malformed", "html", "truncated"]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "500",
    "503",
    "hang",
    "reset",
    "malformed",
    "html",
    "truncated",
)


@attrs.frozen(kw_only=True)
class FakeRequest:
    """A request as a fake provider sees it: decoded path, query pairs, lower-case headers."""

    method: str
    path: str
    raw_path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    body: bytes = attrs.field(default=b"", repr=False)

    @classmethod
    def from_url(
        cls,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        strip_prefix: str = "",
    ) -> FakeRequest:
        parts = urlsplit(url)
        raw_path = parts.path or "/"
        if strip_prefix and raw_path.startswith(strip_prefix):
            raw_path = raw_path[len(strip_prefix) :] or "/"
        return cls(
            method=method.upper(),
            path=unquote(raw_path),
            raw_path=raw_path,
            query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in (headers or {}).items()},
            body=body,
        )

    def param(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter ``name``."""
        value = default
        for key, item in self.query:
            if key == name:
                value = item
        return value

    def params(self, name: str) -> list[str]:
        return [item for key, item in self.query if key == name]

    def int_param(self, name: str, default: int) -> int | None:
        """The parameter as an int; ``default`` when absent; None when present but not an int."""
        value = self.param(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            return None

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def segments(self) -> list[str]:
        """The decoded path segments (an encoded ``/`` inside a segment stays inside it)."""
        return [unquote(s) for s in self.raw_path.split("/") if s]


@attrs.frozen(kw_only=True)
class FakeResponse:
    """A response a fake provider sends."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def json(
        cls,
        data: Any,
        status: int = 200,
        *,
        headers: Mapping[str, str] | None = None,
        indent: int | None = None,
    ) -> FakeResponse:
        body = json.dumps(data, indent=indent, ensure_ascii=False).encode("utf-8")
        merged = {"Content-Type": "application/json; charset=utf-8"}
        merged.update(headers or {})
        return cls(status=status, body=body, headers=merged)

    @classmethod
    def html(cls, text: str, status: int) -> FakeResponse:
        return cls(
            status=status,
            body=text.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> FakeResponse:
        return cls(status=status, body=b"", headers={"Location": location})

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> FakeResponse:
        return cls(
            status=status,
            body=text.encode("utf-8"),
            headers={"Content-Type": f"{content_type}; charset=utf-8"},
        )


@attrs.frozen(kw_only=True)
class Faults:
    """Faults to inject: each request fails with probability ``rate`` (one of ``kinds``),
    and the first ``fail_first`` requests always fail. ``hang_seconds`` bounds a hang."""

    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = ("500",)
    fail_first: int = 0
    hang_seconds: float = 30.0

    def __attrs_post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be some of {FAULT_KINDS}, got {self.kinds}")

    @classmethod
    def always(cls, kind: FaultKind, **kwargs: Any) -> Faults:
        return cls(rate=1.0, kinds=(kind,), **kwargs)


@attrs.frozen(kw_only=True)
class LoggedRequest:
    """One request the fake received, and what it did with it."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    status: int | None
    fault: FaultKind | Literal["rate-limited"] | None
    at: float
    body: bytes = attrs.field(default=b"", repr=False)

    def param(self, name: str) -> str | None:
        for key, value in reversed(self.query):
            if key == name:
                return value
        return None


@attrs.define(eq=False)
class _Decision:
    response: FakeResponse | None
    fault: FaultKind | Literal["rate-limited"] | None
    delay: float


class _TokenBucket:
    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.clock = clock
        self.updated = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0 - 1e-9:
            self.tokens -= 1.0
            return True
        return False


class FakeProvider:
    """Base of the fake providers: subclasses implement ``route`` and ``rate_limited``.

    ``latency``/``jitter`` in seconds per request; ``rate_limit`` requests per second (with
    ``burst``), answered beyond it with the provider's real 429; ``faults`` as :class:`Faults`.
    Every request is logged in ``log``. Thread-safe: the loopback server calls it from threads.
    """

    name: ClassVar[str]
    mount: ClassVar[str]

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: float | None = None,
        burst: float = 1.0,
        faults: Faults | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._catalog = catalog
        self.latency = latency
        self.jitter = jitter
        self.faults = faults or Faults()
        self.log: list[LoggedRequest] = []
        self._clock = clock
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._bucket: _TokenBucket | None = None
        self._seen = 0
        self.set_rate_limit(rate_limit, burst=burst)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(requests={len(self.log)})"

    @property
    def catalog(self) -> Catalog:
        """The catalog served: the one given, or the bundled sample (read on first use)."""
        if self._catalog is None:
            from bookstracker.testing.catalog import sample_catalog

            self._catalog = sample_catalog()
        return self._catalog

    # -- configuration ----------------------------------------------------------------------

    def set_rate_limit(self, rate: float | None, *, burst: float = 1.0) -> None:
        with self._lock:
            self._bucket = (
                None if rate is None else _TokenBucket(rate, max(1.0, burst), self._clock)
            )

    def set_faults(self, faults: Faults | None) -> None:
        with self._lock:
            self.faults = faults or Faults()
            self._seen = 0

    def set_latency(self, latency: float, jitter: float = 0.0) -> None:
        self.latency = latency
        self.jitter = jitter

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    def requests(self, path_prefix: str = "") -> list[LoggedRequest]:
        """Logged requests whose path starts with ``path_prefix``."""
        with self._lock:
            return [r for r in self.log if r.path.startswith(path_prefix)]

    def count(self, path_prefix: str = "") -> int:
        return len(self.requests(path_prefix))

    # -- what subclasses provide ------------------------------------------------------------

    def route(self, request: FakeRequest) -> FakeResponse:
        raise NotImplementedError

    def rate_limited(self, request: FakeRequest) -> FakeResponse:
        raise NotImplementedError

    def server_error(self, status: int) -> FakeResponse:
        """The provider's own 5xx answer (an HTML page by default, as nginx sends)."""
        return FakeResponse.html(
            f"<html><head><title>{status}</title></head><body><h1>{status}</h1>"
            "<p>The server is temporarily unable to service your request.</p></body></html>",
            status,
        )

    # -- handling ---------------------------------------------------------------------------

    def _decide(self, request: FakeRequest) -> _Decision:
        with self._lock:
            self._seen += 1
            delay = max(0.0, self.latency + self._random.uniform(-self.jitter, self.jitter))
            fault: FaultKind | None = None
            faults = self.faults
            if self._seen <= faults.fail_first or (
                faults.rate > 0 and self._random.random() < faults.rate
            ):
                fault = self._random.choice(faults.kinds)
            limited = self._bucket is not None and not self._bucket.take()
        if fault is not None:
            return _Decision(response=None, fault=fault, delay=delay)
        if limited:
            return _Decision(response=self.rate_limited(request), fault="rate-limited", delay=delay)
        try:
            response = self.route(request)
        except Exception as exc:  # a bug in a fake must show as a 500, not a hang
            response = FakeResponse.json({"error": f"fake crashed: {exc!r}"}, 500)
        return _Decision(response=response, fault=None, delay=delay)

    def _record(
        self, request: FakeRequest, status: int | None, fault: FaultKind | str | None
    ) -> None:
        entry = LoggedRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            status=status,
            fault=fault,  # type: ignore[arg-type]
            at=self._clock(),
            body=request.body,
        )
        with self._lock:
            self.log.append(entry)

    def fault_response(self, fault: FaultKind) -> FakeResponse | None:
        """The response a fault sends, when it sends one (hang, reset, truncated do not)."""
        if fault == "500":
            return self.server_error(500)
        if fault == "503":
            return self.server_error(503)
        if fault == "malformed":
            return FakeResponse(
                status=200,
                body=b'{"docs": [{"title": "broken',
                headers={"Content-Type": "application/json"},
            )
        if fault == "html":
            return FakeResponse.html(
                "<!DOCTYPE html><html><body><h1>We'll be back soon</h1></body></html>", 200
            )
        return None

    def handle(self, request: FakeRequest) -> tuple[_Decision, FakeResponse | None]:
        """Decide a request (used by both transports); logs it."""
        decision = self._decide(request)
        response = decision.response
        if decision.fault is not None and decision.fault != "rate-limited":
            response = self.fault_response(decision.fault)
        self._record(request, response.status if response else None, decision.fault)
        return decision, response

    async def handle_async(self, raw: RawRequest) -> RawResponse:
        """The ``httpx.MockTransport`` handler."""
        from bookstracker._http import RawResponse, ReadError, ReadTimeout, RemoteProtocolError

        body = await raw.aread()
        request = FakeRequest.from_url(
            raw.method, str(raw.url), headers=dict(raw.headers), body=body
        )
        decision, response = self.handle(request)
        if decision.delay:
            await anyio.sleep(decision.delay)
        fault = decision.fault
        if fault == "hang":
            timeouts = raw.extensions.get("timeout") or {}
            read = timeouts.get("read") if isinstance(timeouts, dict) else None
            wait = self.faults.hang_seconds if read is None else min(read, self.faults.hang_seconds)
            await anyio.sleep(wait)
            raise ReadTimeout("fake provider hung", request=raw)
        if fault == "reset":
            raise ReadError("[Errno 104] Connection reset by peer", request=raw)
        if fault == "truncated":
            raise RemoteProtocolError(
                "peer closed connection without sending complete message body", request=raw
            )
        assert response is not None
        return RawResponse(
            response.status, headers=dict(response.headers), content=response.body, request=raw
        )

    def transport(self) -> MockTransport:
        """An ``httpx.MockTransport`` serving this fake in-process."""
        from bookstracker._http import MockTransport

        return MockTransport(self.handle_async)

    def in_process_transport(self) -> InProcessTransport:
        """A transport serving this fake in-process without httpx (what ``--offline`` uses):
        the same answers, faults and log as `transport`, a hang read as a timeout and a reset
        or truncated body as a failed connection."""
        return _InProcess(self)


class _InProcess(InProcessTransport):
    def __init__(self, fake: FakeProvider) -> None:
        self._fake = fake

    async def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        fake = self._fake
        request = FakeRequest.from_url(method, url, headers=headers, body=body)
        decision, response = fake.handle(request)
        if decision.delay:
            await anyio.sleep(decision.delay)
        if decision.fault == "hang":
            await anyio.sleep(fake.faults.hang_seconds)
            raise TimeoutError("fake provider hung")
        if decision.fault == "reset":
            raise ConnectionResetError("connection reset")
        if decision.fault == "truncated":
            raise ConnectionAbortedError(
                "connection closed before the whole answer arrived (truncated body)"
            )
        assert response is not None
        return response.status, response.headers, response.body
