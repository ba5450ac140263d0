"""HTTP answers: the status code for each outcome, JSON bodies, ETag/304, Cache-Control, gzip.

The status codes follow the command line's exit codes: an answer is 200 (also when some providers
failed), "nobody had it" is 404, invalid input is 400 (422 for a body of the wrong shape) and "no
provider could answer" is 503 with ``Retry-After``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import operator
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from bookstracker._json import JSONDict, JSONValue
from bookstracker.errors import (
    AllProvidersFailed,
    BooksTrackerError,
    CacheError,
    DeadlineExceeded,
    InvalidInput,
    NotFound,
)
from bookstracker.models import ProviderReport, reports_to_dict

__all__ = [
    "JSON_TYPE",
    "Answer",
    "SerializedMemo",
    "dumps",
    "error_response",
    "etag_of",
    "json_response",
    "problem",
    "with_providers",
]

JSON_TYPE = "application/json; charset=utf-8"
RETRY_AFTER_S = 30
GZIP_MIN_BYTES = 1024
_log = logging.getLogger("bookstracker.web")


def dumps(data: JSONValue) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _wanted(request: Request) -> tuple[bytes | None, bool]:
    """The request's If-None-Match and whether it accepts gzip, read in one pass."""
    if_none_match = None
    gzip_ok = False
    for name, value in request.scope["headers"]:
        if name == b"if-none-match":
            if_none_match = value
        elif name == b"accept-encoding":
            gzip_ok = b"gzip" in value
    return if_none_match, gzip_ok


class Answer:
    """A serialized body with its ETag and gzipped form (made once, on first need)."""

    __slots__ = ("_gzipped", "body", "etag")

    def __init__(self, body: bytes, etag: str | None = None) -> None:
        self.body = body
        self.etag = etag
        self._gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def etag_of(content: bytes) -> str:
    """A weak validator for the answer's content (not for the bytes: reports vary)."""
    return 'W/"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


def _matches(wanted: bytes, etag: str) -> bool:
    tags = {t.strip() for t in wanted.decode("latin-1").split(",")}
    return "*" in tags or etag in tags or etag.removeprefix("W/") in tags


class _Prepared(Response):
    """A response whose headers are already encoded (the hot path skips re-parsing them)."""

    def __init__(self, body: bytes, status: int, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = status
        self.background = None
        self.body = body
        self.raw_headers = raw_headers


def json_response(
    request: Request,
    answer: Answer,
    *,
    status: int = 200,
    max_age: float | None = None,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON_TYPE,
) -> Response:
    """``answer`` as a response: 304 when the client's ETag matches, gzip when accepted."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    cache_control = b"no-store" if max_age is None else b"public, max-age=%d" % int(max_age)
    if_none_match, gzip_ok = _wanted(request)
    if answer.etag is not None:
        raw.append((b"etag", answer.etag.encode("latin-1")))
        if status == 200 and if_none_match and _matches(if_none_match, answer.etag):
            raw.append((b"cache-control", cache_control))
            return _Prepared(b"", 304, raw)
    raw.append((b"cache-control", cache_control))
    body = answer.body
    if len(body) >= GZIP_MIN_BYTES:
        raw.append((b"vary", b"Accept-Encoding"))
        if gzip_ok:
            body = answer.gzipped()
            raw.append((b"content-encoding", b"gzip"))
    raw.append((b"content-length", str(len(body)).encode("latin-1")))
    raw.append((b"content-type", media_type.encode("latin-1")))
    return _Prepared(body, status, raw)


def problem(
    status: int, message: str, *, retry_after: float | None = None, **extra: JSONValue
) -> Response:
    """A JSON error document ``{"error": message, ...}``; ``Retry-After`` with a 429 or 503."""
    headers = {"Cache-Control": "no-store"}
    if status in (429, 503):
        retry = RETRY_AFTER_S if retry_after is None else retry_after
        headers["Retry-After"] = str(max(1, int(retry + 0.999)))
    body = dumps({"error": message, **extra})
    return Response(body, status_code=status, headers=headers, media_type=JSON_TYPE)


def _providers(reports: Mapping[str, ProviderReport]) -> dict[str, JSONDict]:
    return reports_to_dict(reports)


def error_response(exc: BooksTrackerError) -> Response:
    """The status code and document for an error raised by the client."""
    if isinstance(exc, CacheError):
        # Its message names a folder: never shown to a caller.
        _log.error("the cache cannot be used: %s", type(exc).__name__)
        return problem(503, "the server's cache cannot be used")
    if isinstance(exc, InvalidInput):
        return problem(400, str(exc))
    if isinstance(exc, NotFound):
        return problem(404, str(exc), providers=_providers(exc.reports))
    if isinstance(exc, AllProvidersFailed):
        return problem(503, str(exc), providers=_providers(exc.reports))
    if isinstance(exc, DeadlineExceeded):
        return problem(503, "no answer within the deadline")
    return problem(503, "no provider could answer")


class SerializedMemo:
    """Serialized answers kept while the client keeps handing back the same frozen values.

    A cached answer comes back from the client as a new result object around the same frozen
    parts (works, hits, ...); only its provider reports differ. Keyed by the question, an entry
    holds those parts and their JSON, so a repeated question costs no serialisation. Any other
    value (a new answer) is serialised again and replaces the entry.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[tuple[object, ...], bytes, str]] = OrderedDict()

    def content(
        self, key: Hashable, parts: tuple[object, ...], make: Callable[[], JSONValue]
    ) -> tuple[bytes, str]:
        """The JSON of the content (without reports) and its ETag; ``make()`` builds the dict."""
        known = self._entries.get(key)
        if known is not None and _same(known[0], parts):
            self._entries.move_to_end(key)
            return known[1], known[2]
        content = dumps(make())
        etag = etag_of(content)
        self._entries[key] = (parts, content, etag)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return content, etag


def _same(old: tuple[object, ...], new: tuple[object, ...]) -> bool:
    return len(old) == len(new) and all(map(operator.is_, old, new))


_REPORTS_MEMO: OrderedDict[tuple[tuple[str, str, float, int, str | None], ...], bytes] = (
    OrderedDict()
)


def _reports_json(reports: Mapping[str, ProviderReport]) -> bytes:
    """The ``providers`` object as JSON; the few distinct ones (all "cached"...) are kept."""
    key = tuple([(n, r.status, r.elapsed_ms, r.requests, r.error) for n, r in reports.items()])
    known = _REPORTS_MEMO.get(key)
    if known is None:
        known = _REPORTS_MEMO[key] = dumps(_providers(reports))
        if len(_REPORTS_MEMO) > 256:
            _REPORTS_MEMO.popitem(last=False)
    return known


def with_providers(content: bytes, reports: Mapping[str, ProviderReport]) -> bytes:
    """``content`` (a JSON object without ``providers``) with the reports added last."""
    providers = _reports_json(reports)
    if content == b"{}":
        return b'{"providers":' + providers + b"}"
    return content[:-1] + b',"providers":' + providers + b"}"
