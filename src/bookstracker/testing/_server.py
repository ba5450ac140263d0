"""A real loopback HTTP server in front of the fake providers, one mount each.

``FakeServer`` listens on 127.0.0.1 (a free port by default) in a background thread and serves
``/openlibrary``, ``/googlebooks/books/v1`` and ``/isbndb``; ``urls`` and ``env()`` give the
base URLs to point bookstracker (or anything else) at.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bookstracker.testing._fake import FakeProvider, FakeRequest

__all__ = ["FakeServer"]

_ENV_NAMES = {
    "openlibrary": "BOOKSTRACKER_OPENLIBRARY_URL",
    "googlebooks": "BOOKSTRACKER_GOOGLEBOOKS_URL",
    "isbndb": "BOOKSTRACKER_ISBNDB_URL",
}
_BASE_SUFFIX = {"googlebooks": "/books/v1"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a timeout, a cancelled call) is not an error."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


class FakeServer:
    """Serve fake providers over real HTTP on loopback; a context manager (sync or async)."""

    def __init__(
        self,
        *providers: FakeProvider,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the fake server listens on loopback only")
        self.providers: dict[str, FakeProvider] = {p.name: p for p in providers}
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake server is not running")
        return int(self._server.server_address[1])

    @property
    def urls(self) -> dict[str, str]:
        """Base URL per provider, as the adapters take them."""
        root = f"http://{self._host}:{self.port}"
        return {name: f"{root}/{name}{_BASE_SUFFIX.get(name, '')}" for name in self.providers}

    def env(self) -> dict[str, str]:
        """The BOOKSTRACKER_*_URL variables pointing at this server."""
        return {_ENV_NAMES[name]: url for name, url in self.urls.items() if name in _ENV_NAMES}

    def start(self) -> FakeServer:
        if self._server is not None:
            return self
        handler = _make_handler(self.providers, self._stopping)
        self._server = _Server((self._host, self._port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="bookstracker-fake-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._stopping.clear()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeServer:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()


def _make_handler(
    providers: Mapping[str, FakeProvider], stopping: threading.Event
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "bookstracker-fake/1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            mount, provider = self._provider()
            if provider is None:
                self._send(404, b'{"error": "no fake mounted here"}', {})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = FakeRequest.from_url(
                self.command,
                self.path,
                headers=dict(self.headers.items()),
                body=body,
                strip_prefix=mount,
            )
            decision, response = provider.handle(request)
            if decision.delay:
                stopping.wait(decision.delay)
            if decision.fault == "hang":
                stopping.wait(provider.faults.hang_seconds)
                self.close_connection = True
                return
            if decision.fault == "reset":
                self._reset()
                return
            assert response is not None or decision.fault == "truncated"
            if decision.fault == "truncated":
                payload = b'{"docs": [{"title": "The Mar'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload) + 512))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
                self._reset()
                return
            assert response is not None
            headers = dict(response.headers)
            location = headers.get("Location")
            if location and location.startswith("/"):
                headers["Location"] = mount + location
            self._send(response.status, response.body, headers)

        def _provider(self) -> tuple[str, FakeProvider | None]:
            path = self.path.split("?", 1)[0]
            for name, provider in providers.items():
                mount = "/" + name
                if path == mount or path.startswith(mount + "/"):
                    return mount, provider
            return "", None

        def _send(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _reset(self) -> None:
            with contextlib.suppress(OSError):
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.close()

    return Handler


def serve_forever(server: FakeServer) -> None:
    """Run until interrupted (for ``python -m bookstracker.testing serve``)."""
    with server:
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return
