"""What every route shares: the app's state, errors as status codes, reading requests,
answering with provider reports."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import attrs
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bookstracker._json import JSONDict
from bookstracker.cache.policy import DEFAULT_POLICY, CacheKind, TTLPolicy
from bookstracker.errors import BooksTrackerError, InvalidInput
from bookstracker.web._answers import (
    Answer,
    SerializedMemo,
    error_response,
    json_response,
    problem,
    with_providers,
)
from bookstracker.web._guard import BodyTooLarge, Guard, WebFigures, bearer_matches
from bookstracker.web._guard import client_is_loopback as _loopback
from bookstracker.web.events import EventBroker
from bookstracker.web.jobs import JobStore
from bookstracker.web.settings import WebSettings

if TYPE_CHECKING:
    from bookstracker.client import AsyncBooksClient
    from bookstracker.models import ProviderReport

__all__ = [
    "AppState",
    "NotStarted",
    "Unprocessable",
    "json_body",
    "partial",
    "reported",
    "require_admin",
    "route_errors",
    "state_of",
    "string_list",
    "without_providers",
]

_log = logging.getLogger("bookstracker.web")
Handler = Callable[[Request], Awaitable[Response]]


class NotStarted(Exception):
    """A request arrived before the app's lifespan started (a mount without its lifespan)."""


@attrs.define
class AppState:
    """What the routes share: settings, the client and jobs (while the lifespan runs), events,
    figures and the serialized answers."""

    settings: WebSettings
    broker: EventBroker
    figures: WebFigures
    client: AsyncBooksClient | None = None
    jobs: JobStore | None = None
    guard: Guard | None = None
    memo: SerializedMemo = attrs.field(factory=SerializedMemo)

    def books(self) -> AsyncBooksClient:
        if self.client is None:
            raise NotStarted
        return self.client

    def job_store(self) -> JobStore:
        if self.jobs is None:
            raise NotStarted
        return self.jobs

    def ttl(self) -> TTLPolicy:
        return self.client.ttl if self.client is not None else DEFAULT_POLICY


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.bookstracker
    return state


def route_errors(handler: Handler) -> Handler:
    """Errors raised by the client become their status codes; anything else a bare 500."""

    async def answer(request: Request) -> Response:
        try:
            return await handler(request)
        except Unprocessable as exc:
            return problem(422, str(exc))
        except BooksTrackerError as exc:
            return error_response(exc)
        except NotStarted:
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


async def json_body(request: Request) -> object:
    """The request's JSON body, decoded (its shape is the route's to check)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in ("application/json", ""):
        raise Unprocessable("the body must be JSON (Content-Type: application/json)")
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise Unprocessable("the body is not valid JSON") from None


class Unprocessable(InvalidInput):
    """The body has the wrong shape (422)."""


def string_list(value: object, field: str, *, most: int, longest: int) -> list[str]:
    """``value`` if it is a non-empty list of at most ``most`` bounded texts; else 422."""
    if not isinstance(value, list) or not value:
        raise Unprocessable(f'"{field}" must be a non-empty list of strings')
    if len(value) > most:
        raise Unprocessable(f'"{field}" holds at most {most} items')
    texts: list[str] = []
    for item in value:
        if not isinstance(item, str) or len(item) > longest:
            raise Unprocessable(f'"{field}" items are strings of at most {longest} characters')
        texts.append(item)
    return texts


def require_admin(request: Request) -> Response | None:
    """None when the caller may use a write route, else the 401/403 answer."""
    token = state_of(request).settings.admin_token
    if token is None:
        if _loopback(request.scope):
            return None
        return problem(403, "write routes answer only on loopback unless an admin token is set")
    if bearer_matches(request.headers, token):
        return None
    return problem(401, "a valid admin bearer token is required")


def partial(reports: Mapping[str, ProviderReport]) -> bool:
    """Whether a provider failed (the answer is then not cached by HTTP caches)."""
    return any(r.status == "error" for r in reports.values())


def reported(
    request: Request,
    state: AppState,
    key: tuple[str, ...],
    parts: tuple[object, ...],
    make: Callable[[], JSONDict],
    reports: Mapping[str, ProviderReport],
    *,
    status: int,
    kind: CacheKind | None,
) -> Response:
    """The answer's JSON (serialised once per ``parts``) with ``reports``, ETag and max-age."""
    content, etag = state.memo.content(key, parts, make)
    max_age = None
    if kind is not None and not partial(reports):
        max_age = state.ttl().lifetimes(kind).hot
    body = with_providers(content, reports)
    return json_response(request, Answer(body, etag), status=status, max_age=max_age)


def without_providers(document: JSONDict) -> JSONDict:
    """``document`` without its ``providers`` (added back by `reported`)."""
    document.pop("providers", None)
    return document
