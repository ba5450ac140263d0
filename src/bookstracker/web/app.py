"""``create_app()``: the bookstracker web server as an ASGI application (Starlette).

Mount it in FastAPI, Starlette, Litestar or any ASGI host. When it makes its own client it owns
the client's life through the ASGI lifespan; a client you pass in stays yours to close.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
import attrs
import platformdirs
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from bookstracker.cache.policy import DEFAULT_POLICY, TTLPolicy
from bookstracker.client import AsyncBooksClient
from bookstracker.config import env_flag, env_str
from bookstracker.errors import BooksTrackerError, CacheError, ConfigurationError, InvalidInput
from bookstracker.models import Bibliography
from bookstracker.pipeline.resolve import validate_author_name
from bookstracker.resilience.ratelimit import LocalRateLimiter, RedisRateLimiter
from bookstracker.warming import popular_authors
from bookstracker.web._answers import (
    JSON_TYPE,
    Answer,
    SerializedMemo,
    dumps,
    error_response,
    etag_of,
    json_response,
    problem,
    with_providers,
)
from bookstracker.web._guard import BodyTooLarge, Guard, TryLimiter, WebFigures, bearer_matches
from bookstracker.web._guard import client_is_loopback as _loopback
from bookstracker.web.events import EventBroker, format_event
from bookstracker.web.jobs import JobStore
from bookstracker.web.openapi import openapi_document
from bookstracker.web.settings import WebSettings

__all__ = ["create_app"]

_log = logging.getLogger("bookstracker.web")
Handler = Callable[[Request], Awaitable[Response]]
MAX_NAMES = 10_000
MAX_NAME_CHARS = 200
MAX_ISBN_CHARS = 64
_UPLOAD_CHUNK = 64 * 1024
_READY_TIMEOUT_S = 2.0


class _NotStarted(Exception):
    """A request arrived before the app's lifespan started (a mount without its lifespan)."""


@attrs.define
class _State:
    settings: WebSettings
    broker: EventBroker
    figures: WebFigures
    client: Any = None
    jobs: JobStore | None = None
    guard: Guard | None = None
    memo: SerializedMemo = attrs.field(factory=SerializedMemo)

    def books(self) -> Any:
        if self.client is None:
            raise _NotStarted
        return self.client

    def job_store(self) -> JobStore:
        if self.jobs is None:
            raise _NotStarted
        return self.jobs

    def ttl(self) -> TTLPolicy:
        policy = getattr(self.client, "ttl", None)
        return policy if isinstance(policy, TTLPolicy) else DEFAULT_POLICY


def _state(request: Request) -> _State:
    state: _State = request.app.state.bookstracker
    return state


def _route(handler: Handler) -> Handler:
    """Errors raised by the client become their status codes; anything else a bare 500."""

    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except _Unprocessable as exc:
            return problem(422, str(exc))
        except BooksTrackerError as exc:
            return error_response(exc)
        except _NotStarted:
            return problem(
                503,
                "the bookstracker app has not started: run its lifespan (see docs/web.md)",
            )
        except (HTTPException, BodyTooLarge):
            raise
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            _log.error("internal error (%s) at\n%s", type(exc).__name__, frames)
            return problem(500, "internal error")

    answer.__name__ = handler.__name__
    answer.__doc__ = handler.__doc__
    return answer


# -- reading requests ---------------------------------------------------------------------------


async def _json_body(request: Request) -> Any:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in ("application/json", ""):
        raise _Unprocessable("the body must be JSON (Content-Type: application/json)")
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise _Unprocessable("the body is not valid JSON") from None


class _Unprocessable(InvalidInput):
    """The body has the wrong shape (422)."""


def _string_list(value: Any, field: str, *, most: int, longest: int) -> list[str]:
    if not isinstance(value, list) or not value:
        raise _Unprocessable(f'"{field}" must be a non-empty list of strings')
    if len(value) > most:
        raise _Unprocessable(f'"{field}" holds at most {most} items')
    for item in value:
        if not isinstance(item, str) or len(item) > longest:
            raise _Unprocessable(f'"{field}" items are strings of at most {longest} characters')
    return list(value)


def _require_admin(request: Request) -> Response | None:
    """None when the caller may use a write route, else the 401/403 answer."""
    token = _state(request).settings.admin_token
    if token is None:
        if _loopback(request.scope):
            return None
        return problem(403, "write routes answer only on loopback unless an admin token is set")
    if bearer_matches(request.headers, token):
        return None
    return problem(401, "a valid admin bearer token is required")


def _partial(reports: Any) -> bool:
    return any(r.status == "error" for r in reports.values())


def _reported(
    request: Request,
    state: _State,
    key: tuple[str, ...],
    parts: tuple[Any, ...],
    make: Callable[[], dict[str, Any]],
    reports: Any,
    *,
    status: int,
    kind: str | None,
) -> Response:
    content, etag = state.memo.content(key, parts, make)
    max_age = None
    if kind is not None and not _partial(reports):
        max_age = state.ttl().lifetimes(kind).hot  # type: ignore[arg-type]
    body = with_providers(content, reports)
    return json_response(request, Answer(body, etag), status=status, max_age=max_age)


def _without_providers(document: dict[str, Any]) -> dict[str, Any]:
    document.pop("providers", None)
    return document


# -- the routes ---------------------------------------------------------------------------------


@_route
async def search(request: Request) -> Response:
    """GET /search?q=&limit="""
    state = _state(request)
    query = request.query_params.get("q")
    if query is None:
        return problem(400, 'the query parameter "q" is required')
    raw_limit = request.query_params.get("limit", "20")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
        return problem(400, '"limit" is a whole number from 1 to 100')
    limit = int(raw_limit)
    result = await state.books().search(query, limit=limit)
    found = bool(result.hits)
    return _reported(
        request,
        state,
        ("search", query, str(limit)),
        (result.query, result.hits, result.stale),
        lambda: _without_providers(result.to_dict()),
        result.providers,
        status=200 if found else 404,
        kind=None if result.stale else ("search" if found else "not_found"),
    )


@_route
async def isbn_one(request: Request) -> Response:
    """GET /isbn/{isbn}"""
    state = _state(request)
    given = request.path_params["isbn"]
    result = await state.books().isbns([given], strict=True)
    found = result.results.get(given) is not None
    return _reported(
        request,
        state,
        ("isbn", given),
        tuple(result.results.values()),
        lambda: _without_providers(result.to_dict()),
        result.providers,
        status=200 if found else 404,
        kind="isbn" if found else "not_found",
    )


@_route
async def isbn_batch(request: Request) -> Response:
    """POST /isbn {"isbns": [...]}"""
    state = _state(request)
    body = await _json_body(request)
    if not isinstance(body, dict):
        return problem(422, 'the body is an object {"isbns": [...]}')
    isbns = _string_list(
        body.get("isbns"), "isbns", most=state.settings.max_batch, longest=MAX_ISBN_CHARS
    )
    result = await state.books().isbns(isbns)
    document = result.to_dict()
    status = 200
    if not result.found:
        status = 400 if len(result.invalid) == len(isbns) else 404
    content = dumps(_without_providers(dict(document)))
    reports = result.providers
    return json_response(
        request,
        Answer(with_providers(content, reports), etag_of(content)),
        status=status,
    )


def _author_kind(bibliography: Bibliography) -> str | None:
    if bibliography.stale:
        return None
    complete = bibliography.completeness is not None and bibliography.completeness.complete
    return "author" if complete else "author_incomplete"


def _author_parts(bibliography: Bibliography) -> tuple[Any, ...]:
    return (
        bibliography.author,
        bibliography.works,
        bibliography.excluded,
        bibliography.candidates,
        bibliography.completeness,
        bibliography.stale,
    )


@_route
async def author(request: Request) -> Response:
    """GET /authors/{name_or_key}"""
    state = _state(request)
    name = request.path_params["name_or_key"]
    bibliography = await state.books().author(name)
    return _reported(
        request,
        state,
        ("author", name),
        _author_parts(bibliography),
        lambda: _without_providers(bibliography.to_dict()),
        bibliography.providers,
        status=200,
        kind=_author_kind(bibliography),
    )


@_route
async def completeness(request: Request) -> Response:
    """GET /authors/{name_or_key}/completeness"""
    state = _state(request)
    name = request.path_params["name_or_key"]
    bibliography = await state.books().author(name)
    score = bibliography.completeness
    if score is None:
        raise BooksTrackerError("no completeness was computed")
    return _reported(
        request,
        state,
        ("completeness", name),
        (score,),
        score.to_dict,
        bibliography.providers,
        status=200,
        kind=None if bibliography.stale else "completeness",
    )


# -- warming ------------------------------------------------------------------------------------


def _job_created(request: Request, record: dict[str, Any] | None) -> Response:
    if record is None:
        return problem(429, "too many warming jobs are running", retry_after=60)
    summary = JobStore.summary(record)
    return Response(
        dumps(summary),
        status_code=202,
        media_type=JSON_TYPE,
        headers={"Location": f"warm/{record['id']}", "Cache-Control": "no-store"},
    )


@_route
async def warm_start(request: Request) -> Response:
    """POST /warm {"names": [...]} or {"popular": true}"""
    denied = _require_admin(request)
    if denied is not None:
        return denied
    state = _state(request)
    body = await _json_body(request)
    if not isinstance(body, dict):
        return problem(422, 'the body is {"names": [...]} or {"popular": true}')
    names: list[str] = []
    if body.get("names") is not None:
        names = _string_list(body["names"], "names", most=MAX_NAMES, longest=MAX_NAME_CHARS)
        for name in names:
            validate_author_name(name)
    popular = body.get("popular", False)
    if not isinstance(popular, bool):
        return problem(422, '"popular" is true or false')
    if popular:
        names.extend(popular_authors())
    if not names:
        return problem(422, 'give "names" or "popular": true')
    source = "popular" if popular and "names" not in body else "names"
    return _job_created(request, state.job_store().create(names, source=source))


@_route
async def warm_csv(request: Request) -> Response:
    """POST /warm/csv (multipart, field "file")"""
    denied = _require_admin(request)
    if denied is not None:
        return denied
    state = _state(request)
    jobs = state.job_store()
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return problem(422, 'send the export as multipart/form-data in the field "file"')
    async with request.form(max_files=1, max_fields=8) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return problem(422, 'the export goes in the multipart field "file"')
        path = jobs.upload_path()
        try:
            await _save_upload(upload, path)
            library = await anyio.to_thread.run_sync(_read_library, path)
        finally:
            path.unlink(missing_ok=True)
    names, rejected = library
    if not names:
        return problem(422, "the export names no author", rejected_rows=rejected[:50])
    return _job_created(request, jobs.create(names, source="csv", rejected_rows=rejected))


async def _save_upload(upload: UploadFile, path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := await upload.read(_UPLOAD_CHUNK):
            out.write(chunk)


def _read_library(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    from bookstracker.library_import import read_library

    library = read_library(path)
    return list(library.authors()), [row.to_dict() for row in library.rejected]


@_route
async def warm_list(request: Request) -> Response:
    """GET /warm"""
    jobs = _state(request).job_store()
    summaries = [JobStore.summary(r) for r in jobs.all()]
    return json_response(request, Answer(dumps({"jobs": summaries})))


@_route
async def warm_status(request: Request) -> Response:
    """GET /warm/{job}"""
    record = _state(request).job_store().get(request.path_params["job"])
    if record is None:
        return problem(404, "no such job")
    return json_response(request, Answer(dumps(JobStore.summary(record))))


@_route
async def warm_results(request: Request) -> Response:
    """GET /warm/{job}/results"""
    record = _state(request).job_store().get(request.path_params["job"])
    if record is None:
        return problem(404, "no such job")
    if record.get("report") is None:
        return problem(409, f"the job is {record.get('state')}", state=record.get("state"))
    return json_response(request, Answer(dumps(record["report"])))


@_route
async def warm_delete(request: Request) -> Response:
    """DELETE /warm/{job}"""
    denied = _require_admin(request)
    if denied is not None:
        return denied
    job_id = request.path_params["job"]
    if not _state(request).job_store().delete(job_id):
        return problem(404, "no such job")
    return json_response(request, Answer(dumps({"id": job_id, "state": "cancelled"})))


@_route
async def cache_clear(request: Request) -> Response:
    """DELETE /cache"""
    denied = _require_admin(request)
    if denied is not None:
        return denied
    client = _state(request).books()
    await client.clear_cache()
    return json_response(request, Answer(dumps({"cleared": client.cache is not None})))


# -- figures ------------------------------------------------------------------------------------


async def _snapshot(state: _State) -> dict[str, Any]:
    stats = await state.books().stats()
    figures: dict[str, Any] = stats.to_dict()
    web = state.figures.to_dict()
    if state.guard is not None:
        web["rejected"] = {str(k): v for k, v in state.guard.rejected.items()}
    web["listeners"] = state.broker.listeners
    figures["web"] = web
    if state.jobs is not None:
        figures["jobs"] = list(state.jobs.iter_active())
    return figures


@_route
async def stats(request: Request) -> Response:
    """GET /stats"""
    return json_response(request, Answer(dumps(await _snapshot(_state(request)))))


@_route
async def metrics(request: Request) -> Response:
    """GET /metrics"""
    state = _state(request)
    text = (await state.books().stats()).to_prometheus()
    lines = [text.rstrip("\n")]
    lines.append("# HELP bookstracker_web_responses_total Answers of the web server by status.")
    lines.append("# TYPE bookstracker_web_responses_total counter")
    for status, count in sorted(state.figures.by_status.items()):
        lines.append(f'bookstracker_web_responses_total{{status="{status}"}} {count}')
    lines.append("# HELP bookstracker_web_in_flight Requests being answered.")
    lines.append("# TYPE bookstracker_web_in_flight gauge")
    lines.append(f"bookstracker_web_in_flight {state.figures.in_flight}")
    body = ("\n".join(line for line in lines if line) + "\n").encode("utf-8")
    return json_response(
        request, Answer(body), media_type="text/plain; version=0.0.4; charset=utf-8"
    )


@_route
async def healthz(request: Request) -> Response:
    """GET /healthz"""
    return json_response(request, Answer(b'{"status":"ok"}'))


@_route
async def readyz(request: Request) -> Response:
    """GET /readyz"""
    state = _state(request)
    client = state.books()
    cache: dict[str, Any] = {}
    ready = True
    if client.cache is not None:
        try:
            with anyio.fail_after(_READY_TIMEOUT_S):
                await client.cache.get("bt:readyz:probe")
                tiers = (await client.stats()).cache
            for tier, figures in tiers.items():
                cache[tier] = {"reachable": True, "errors": figures.errors}
        except Exception as exc:
            ready = False
            cache["error"] = type(exc).__name__
    figures = await client.stats()
    breakers = {name: p.breaker for name, p in figures.providers.items() if p.enabled}
    if breakers and all(state_ == "open" for state_ in breakers.values()):
        ready = False
    body = dumps({"ready": ready, "cache": cache, "breakers": breakers})
    return json_response(request, Answer(body), status=200 if ready else 503)


async def events(request: Request) -> Response:
    """GET /events (text/event-stream)"""
    state = _state(request)
    try:
        first = [format_event("stats", await _snapshot(state))]
    except _NotStarted:
        return problem(503, "the bookstracker app has not started")
    return StreamingResponse(
        state.broker.stream(first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# -- documents and the dashboard ----------------------------------------------------------------

_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def _static_files() -> dict[str, tuple[Answer, str]]:
    """Every file of the dashboard, read once: name -> (answer, content type)."""
    files: dict[str, tuple[Answer, str]] = {}
    folder = resources.files("bookstracker.web").joinpath("static")
    pending = [(folder, "")]
    while pending:
        here, prefix = pending.pop()
        for entry in here.iterdir():
            name = prefix + entry.name
            if entry.is_dir():
                pending.append((entry, name + "/"))
                continue
            kind = _STATIC_TYPES.get(Path(entry.name).suffix)
            if kind is None:
                kind = "text/plain; charset=utf-8"
            data = entry.read_bytes()
            files[name] = (Answer(data, etag_of(data)), kind)
    return files


def _page(request: Request, name: str) -> Response:
    static: dict[str, tuple[Answer, str]] = request.app.state.static
    answer, kind = static[name]
    base = request.scope.get("root_path", "").rstrip("/") + "/"
    body = answer.body.replace(b"__BASE__", base.encode("utf-8"))
    headers = {
        "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return json_response(request, Answer(body, etag_of(body)), headers=headers, media_type=kind)


async def dashboard(request: Request) -> Response:
    """GET /"""
    return _page(request, "index.html")


async def docs_page(request: Request) -> Response:
    """GET /docs"""
    return _page(request, "docs.html")


async def static_file(request: Request) -> Response:
    """GET /static/{path}"""
    static: dict[str, tuple[Answer, str]] = request.app.state.static
    found = static.get(request.path_params["path"])
    if found is None or found[1].startswith("text/html"):
        return problem(404, "no such file")
    answer, kind = found
    return json_response(
        request,
        answer,
        max_age=3600,
        headers={"X-Content-Type-Options": "nosniff"},
        media_type=kind,
    )


async def openapi(request: Request) -> Response:
    """GET /openapi.json"""
    document: Answer = request.app.state.openapi
    return json_response(request, document)


# -- assembly -----------------------------------------------------------------------------------


def _jobs_folder(settings: WebSettings, client: Any) -> Path:
    """``settings.jobs_dir``, else ``web-jobs`` in the client's cache folder."""
    if settings.jobs_dir is not None:
        return settings.jobs_dir
    client_settings = getattr(client, "settings", None)
    root = getattr(client_settings, "cache_dir", None)
    return Path(root or platformdirs.user_cache_dir("bookstracker")) / "web-jobs"


def _own_client(options: dict[str, Any]) -> AsyncBooksClient:
    """The app's own client; a cache folder it refuses is named in no log line."""
    try:
        return AsyncBooksClient(**options)
    except CacheError:
        raise ConfigurationError(
            "the cache folder cannot be used (other users may write it, or it cannot be "
            "created): check BOOKSTRACKER_CACHE_DIR or --cache-dir"
        ) from None


def _job_store(settings: WebSettings, state: _State) -> JobStore:
    try:
        return JobStore(
            _jobs_folder(settings, state.client),
            state.client,
            publish=state.broker.publish,
            max_active=settings.max_jobs,
            concurrency=settings.warm_concurrency,
        )
    except OSError as exc:
        raise ConfigurationError(
            f"the jobs folder cannot be used ({exc.strerror}): check BOOKSTRACKER_WEB_JOBS_DIR"
        ) from None


class _ClientLimiters:
    """Per-client limiters: shared through the client's Redis (``BOOKSTRACKER_REDIS_URL``) by
    every worker when there is one, else held in this process."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.redis: Any = None

    def connect(self, client: Any) -> None:
        client_settings = getattr(client, "settings", None)
        url = getattr(client_settings, "redis_url", None)
        if url and self.settings.rate > 0:
            from bookstracker.cache.redis import import_redis

            self.redis = import_redis().Redis.from_url(
                url, socket_timeout=1.0, socket_connect_timeout=1.0
            )

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
            self.redis = None

    def __call__(self, client_id: str) -> TryLimiter:
        if self.redis is None:
            return LocalRateLimiter(self.settings.rate, burst=self.settings.burst)
        return RedisRateLimiter(
            self.redis,
            client_id,
            self.settings.rate,
            burst=self.settings.burst,
            prefix="bookstracker:v1:web-rate:",
        )


def create_app(
    client: AsyncBooksClient | None = None,
    *,
    settings: WebSettings | None = None,
    **client_options: Any,
) -> Starlette:
    """The web server as an ASGI app.

    ``client``: the client to answer with (yours to close); None makes one with
    ``AsyncBooksClient(**client_options)`` when the app's lifespan starts and closes it when it
    ends. ``settings``: the token, CORS origins, rate and size limits (default:
    :meth:`WebSettings.from_env`). Mounted under a prefix, run its lifespan from the host's
    (``async with app.router.lifespan_context(app)``): see docs/web.md.
    """
    if client is not None and client_options:
        raise InvalidInput("give a client or client options, not both")
    settings = settings or WebSettings.from_env()
    state = _State(settings=settings, broker=EventBroker(), figures=WebFigures())
    limiters = _ClientLimiters(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = _own_client(client_options) if client is None else None
        state.client = client or owned
        limiters.connect(state.client)
        try:
            jobs = state.jobs = _job_store(settings, state)
            async with anyio.create_task_group() as group:
                jobs.attach(group)
                group.start_soon(
                    state.broker.tick, lambda: _snapshot(state), settings.event_interval
                )
                yield
                group.cancel_scope.cancel()
        finally:
            state.jobs = None
            state.client = None
            if owned is not None:
                await owned.aclose()
            await limiters.aclose()

    routes = [  # the hot routes first: the router tries them in order
        Route("/authors/{name_or_key}", author),
        Route("/search", search),
        Route("/isbn/{isbn}", isbn_one),
        Route("/authors/{name_or_key}/completeness", completeness),
        Route("/isbn", isbn_batch, methods=["POST"]),
        Route("/", dashboard),
        Route("/docs", docs_page),
        Route("/static/{path:path}", static_file),
        Route("/openapi.json", openapi),
        Route("/warm", warm_list, methods=["GET"]),
        Route("/warm", warm_start, methods=["POST"]),
        Route("/warm/csv", warm_csv, methods=["POST"]),
        Route("/warm/{job}", warm_status, methods=["GET"]),
        Route("/warm/{job}", warm_delete, methods=["DELETE"]),
        Route("/warm/{job}/results", warm_results),
        Route("/cache", cache_clear, methods=["DELETE"]),
        Route("/events", events),
        Route("/stats", stats),
        Route("/metrics", metrics),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]

    def guarded(app: ASGIApp) -> ASGIApp:
        guard = Guard(app, settings=settings, limiter_for=limiters)
        state.guard = guard
        return state.figures.wrap(guard)

    middleware = [Middleware(_Wrap, wrap=guarded)]
    if settings.cors_origins:
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "If-None-Match"],
                expose_headers=["ETag", "Retry-After", "Location"],
                max_age=600,
            ),
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )
    app.state.bookstracker = state
    app.state.static = _static_files()
    app.state.openapi = Answer(dumps(openapi_document()), None)
    return app


class _Wrap:
    """Applies ``wrap`` to the inner app (a function-style middleware for Starlette's list)."""

    def __init__(self, app: ASGIApp, *, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        self._app = wrap(app)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        response = problem(405, "method not allowed")
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    message = {404: "no such route"}.get(exc.status_code, str(exc.detail))
    return problem(exc.status_code, message)


def app_from_env() -> Starlette:
    """The app ``bookstracker serve`` runs in each worker (settings from the environment; the
    command passes its global ``--providers`` and ``--no-cache`` in two variables of its own)."""
    options: dict[str, Any] = {}
    providers = env_str("BOOKSTRACKER_WEB_PROVIDERS")
    if providers:
        options["providers"] = providers
    if env_flag("BOOKSTRACKER_WEB_NO_CACHE"):
        options["cache"] = None
    return create_app(**options)
