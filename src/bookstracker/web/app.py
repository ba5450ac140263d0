"""``create_app()``: the bookstracker web server as an ASGI application (Starlette).

Mount it in FastAPI, Starlette, Litestar or any ASGI host. When it makes its own client it owns
the client's life through the ASGI lifespan; a client you pass in stays yours to close.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import anyio
import platformdirs
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bookstracker.client import AsyncBooksClient
from bookstracker.config import env_flag, env_str
from bookstracker.errors import CacheError, ConfigurationError, InvalidInput
from bookstracker.resilience.ratelimit import LocalRateLimiter, RedisRateLimiter
from bookstracker.web._answers import (
    Answer,
    dumps,
    problem,
)
from bookstracker.web._figures import events, healthz, metrics, readyz, snapshot, stats
from bookstracker.web._guard import Guard, TryLimiter, WebFigures
from bookstracker.web._handling import AppState
from bookstracker.web._pages import dashboard, docs_page, openapi, static_file, static_files
from bookstracker.web._questions import author, completeness, isbn_batch, isbn_one, search
from bookstracker.web._warming import (
    cache_clear,
    warm_csv,
    warm_delete,
    warm_list,
    warm_results,
    warm_start,
    warm_status,
)
from bookstracker.web.events import EventBroker
from bookstracker.web.jobs import JobStore
from bookstracker.web.openapi import openapi_document
from bookstracker.web.settings import WebSettings

if TYPE_CHECKING:
    import redis.asyncio
    from typing_extensions import Unpack

    from bookstracker.cache import CacheBackend, TTLPolicy
    from bookstracker.pins import WorkPins
    from bookstracker.providers.contract import Provider

__all__ = ["app_from_env", "create_app"]


class ClientOptions(TypedDict, total=False):
    """The keyword arguments of :class:`AsyncBooksClient` that ``create_app`` makes its client
    with (see there): all but ``settings``, which names the app's own `WebSettings`."""

    providers: str | Iterable[str] | None
    openlibrary: Provider | None
    googlebooks: Provider | None
    isbndb: Provider | None
    offline: bool
    cache: CacheBackend | None
    cache_dir: str | os.PathLike[str]
    redis_url: str | None
    redis_prefix: str
    ttl_policy: TTLPolicy | None
    timeout: float
    deadline: float | None
    openlibrary_source: str
    mirror_url: str | None
    pins: WorkPins | None


def _jobs_folder(settings: WebSettings, client: AsyncBooksClient) -> Path:
    """``settings.jobs_dir``, else ``web-jobs`` in the client's cache folder."""
    if settings.jobs_dir is not None:
        return settings.jobs_dir
    root = client.settings.cache_dir
    return Path(root or platformdirs.user_cache_dir("bookstracker")) / "web-jobs"


def _own_client(options: ClientOptions) -> AsyncBooksClient:
    """The app's own client; a cache folder it refuses is named in no log line."""
    try:
        return AsyncBooksClient(**options)
    except CacheError:
        raise ConfigurationError(
            "the cache folder cannot be used (other users may write it, or it cannot be "
            "created): check BOOKSTRACKER_CACHE_DIR or --cache-dir"
        ) from None


def _job_store(settings: WebSettings, state: AppState, client: AsyncBooksClient) -> JobStore:
    try:
        return JobStore(
            _jobs_folder(settings, client),
            client,
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
        self.redis: redis.asyncio.Redis | None = None

    def connect(self, client: AsyncBooksClient) -> None:
        url = client.settings.redis_url
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
    **client_options: Unpack[ClientOptions],
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
    state = AppState(settings=settings, broker=EventBroker(), figures=WebFigures())
    limiters = _ClientLimiters(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        books = client if client is not None else _own_client(client_options)
        owned = books if client is None else None
        state.client = books
        limiters.connect(books)
        try:
            jobs = state.jobs = _job_store(settings, state, books)
            async with anyio.create_task_group() as group:
                jobs.attach(group)
                group.start_soon(
                    state.broker.tick, lambda: snapshot(state), settings.event_interval
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
    app.state.static = static_files()
    app.state.openapi = Answer(dumps(openapi_document()), None)
    return app


class _Wrap:
    """Applies ``wrap`` to the inner app (a function-style middleware for Starlette's list)."""

    def __init__(self, app: ASGIApp, *, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        self._app = wrap(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
    options: ClientOptions = {}
    providers = env_str("BOOKSTRACKER_WEB_PROVIDERS")
    if providers:
        options["providers"] = providers
    if env_flag("BOOKSTRACKER_WEB_NO_CACHE"):
        options["cache"] = None
    return create_app(**options)
