"""Tools of the fault-injection suite (tests/test_faults_*.py).

- `HostileServer`: a loopback HTTP server whose every answer is written by a test function, able
  to stream a body of any size without holding it, lie in Content-Length, send gzip bombs and
  redirect loops;
- `run_measured`: a command (the CLI or a Python snippet) in a subprocess, with its exit code,
  output, wall time and peak RSS (``ru_maxrss`` read by the child itself at exit);
- `assert_clean_output`: no traceback and no secret in any output.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


@attrs.define
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_path: str


@attrs.define
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = attrs.Factory(dict)
    length: int | None = None
    """Content-Length to declare; None: the real length of a bytes body, none for a stream."""


Handler = Callable[[Request], Reply]

ISBN = "9780553418026"
SAFE_DOC = {
    "key": "/works/OL1W",
    "title": "Safe Title",
    "author_name": ["Ann Author"],
    "first_publish_year": 2000,
    "isbn": [ISBN],
}


def search_body(*docs: dict[str, Any]) -> bytes:
    return json.dumps({"numFound": len(docs), "start": 0, "docs": list(docs)}).encode()


def books_body(title: str, **extra: Any) -> bytes:
    record = {"key": "/books/OL1M", "title": title, "isbn_13": [ISBN], **extra}
    return json.dumps({f"ISBN:{ISBN}": {"bib_key": f"ISBN:{ISBN}", "details": record}}).encode()


def benign(request: Request) -> Reply:
    """OpenLibrary's search and ``/api/books`` answering one well-formed book."""
    if request.path.endswith("/search.json"):
        return Reply(200, search_body(SAFE_DOC), {"Content-Type": "application/json"})
    return Reply(200, books_body("Safe Title"), {"Content-Type": "application/json"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up on a body it refuses is what these tests want."""


class HostileServer:
    """A loopback server answering every request with ``handler(request)``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    raw_path=self.path,
                )
                with server._lock:
                    server.requests.append(request)
                reply = server.handler(request)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if isinstance(reply.body, bytes):
                    declared = len(reply.body) if reply.length is None else reply.length
                    self.send_header("Content-Length", str(declared))
                    self.end_headers()
                    with contextlib.suppress(OSError):
                        self.wfile.write(reply.body)
                    return
                if reply.length is not None:
                    self.send_header("Content-Length", str(reply.length))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                with contextlib.suppress(OSError):
                    for chunk in reply.body:
                        self.wfile.write(chunk)

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        """The BOOKSTRACKER_*_URL variables pointing every provider here."""
        return {
            "BOOKSTRACKER_OPENLIBRARY_URL": self.base + "/openlibrary",
            "BOOKSTRACKER_GOOGLEBOOKS_URL": self.base + "/googlebooks/books/v1",
            "BOOKSTRACKER_ISBNDB_URL": self.base + "/isbndb",
        }

    def count(self, prefix: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path.startswith(prefix))

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def gzip_bomb(decoded_size: int) -> bytes:
    """A gzip member of ``decoded_size`` zero bytes (1 GiB compresses to about 1 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * 2**20
    parts = [compressor.compress(block) for _ in range(decoded_size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def repeat(chunk: bytes, total: int) -> Iterator[bytes]:
    """``total`` bytes made of ``chunk`` again and again, streamed."""
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


@attrs.frozen
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    """Wall time of the whole subprocess, interpreter start-up included."""
    peak_rss_mb: float
    inner_seconds: float
    """Wall time inside the child, from before importing bookstracker to its exit."""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


_MEASURE = """
import atexit, os, resource, sys, time
_started = time.monotonic()
def _report():
    with open(os.environ["BT_RSS_FILE"], "w") as out:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out.write(f"{peak} {time.monotonic() - _started}")
atexit.register(_report)
"""


def run_measured(
    args: list[str] | None = None,
    *,
    code: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
    tmp: str,
) -> Run:
    """The CLI with ``args`` (or the Python ``code``) in a subprocess: code, output, time, RSS."""
    rss_file = os.path.join(tmp, f"rss-{time.monotonic_ns()}")
    child_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BOOKSTRACKER_") or k.startswith("BOOKSTRACKER_TEST_")
    }
    child_env.update(
        {
            "BT_RSS_FILE": rss_file,
            "PYTHONPATH": SRC,
            "PYTHONIOENCODING": "utf-8",
            "COLUMNS": "200",
            "BOOKSTRACKER_CACHE_DIR": os.path.join(tmp, "cache"),
        }
    )
    child_env.update(env or {})
    if code is None:
        program = _MEASURE + "from bookstracker.cli import main\nmain()\n"
        argv = [sys.executable, "-c", program, *(args or [])]
    else:
        argv = [sys.executable, "-c", _MEASURE + code]
    started = time.monotonic()
    done = subprocess.run(argv, env=child_env, capture_output=True, timeout=timeout, check=False)
    seconds = time.monotonic() - started
    with open(rss_file) as reader:
        peak_kb, inner = reader.read().split()
    return Run(
        code=done.returncode,
        stdout=done.stdout.decode("utf-8", "replace"),
        stderr=done.stderr.decode("utf-8", "replace"),
        seconds=seconds,
        peak_rss_mb=int(peak_kb) / 1024,
        inner_seconds=float(inner),
    )


def assert_clean_output(run: Run, *secrets: str) -> None:
    """No traceback, no raw escape sequence and no secret anywhere in the run's output."""
    assert "Traceback" not in run.output, run.output[-3000:]
    for control in ("\x1b", "\x9b", "\x9d", "\x07"):
        assert control not in run.output, repr(run.output[-500:])
    for secret in secrets:
        assert secret not in run.output, f"secret leaked: {run.output[-2000:]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
