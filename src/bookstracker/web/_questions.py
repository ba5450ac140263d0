"""The question routes: search, ISBNs, authors and completeness."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bookstracker.cache.policy import CacheKind
from bookstracker.errors import BooksTrackerError
from bookstracker.models import Bibliography
from bookstracker.web._answers import (
    Answer,
    dumps,
    etag_of,
    json_response,
    problem,
    with_providers,
)
from bookstracker.web._handling import (
    json_body,
    reported,
    route_errors,
    state_of,
    string_list,
    without_providers,
)

__all__ = ["author", "completeness", "isbn_batch", "isbn_one", "search"]

MAX_ISBN_CHARS = 64


# -- the routes ---------------------------------------------------------------------------------


@route_errors
async def search(request: Request) -> Response:
    """GET /search?q=&limit="""
    state = state_of(request)
    query = request.query_params.get("q")
    if query is None:
        return problem(400, 'the query parameter "q" is required')
    raw_limit = request.query_params.get("limit", "20")
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= 100:
        return problem(400, '"limit" is a whole number from 1 to 100')
    limit = int(raw_limit)
    result = await state.books().search(query, limit=limit)
    found = bool(result.hits)
    return reported(
        request,
        state,
        ("search", query, str(limit)),
        (result.query, result.hits, result.stale),
        lambda: without_providers(result.to_dict()),
        result.providers,
        status=200 if found else 404,
        kind=None if result.stale else ("search" if found else "not_found"),
    )


@route_errors
async def isbn_one(request: Request) -> Response:
    """GET /isbn/{isbn}"""
    state = state_of(request)
    given = request.path_params["isbn"]
    result = await state.books().isbns([given], strict=True)
    found = result.results.get(given) is not None
    return reported(
        request,
        state,
        ("isbn", given),
        tuple(result.results.values()),
        lambda: without_providers(result.to_dict()),
        result.providers,
        status=200 if found else 404,
        kind="isbn" if found else "not_found",
    )


@route_errors
async def isbn_batch(request: Request) -> Response:
    """POST /isbn {"isbns": [...]}"""
    state = state_of(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        return problem(422, 'the body is an object {"isbns": [...]}')
    isbns = string_list(
        body.get("isbns"), "isbns", most=state.settings.max_batch, longest=MAX_ISBN_CHARS
    )
    result = await state.books().isbns(isbns)
    document = result.to_dict()
    status = 200
    if not result.found:
        status = 400 if len(result.invalid) == len(isbns) else 404
    content = dumps(without_providers(dict(document)))
    reports = result.providers
    return json_response(
        request,
        Answer(with_providers(content, reports), etag_of(content)),
        status=status,
    )


def _author_kind(bibliography: Bibliography) -> CacheKind | None:
    if bibliography.stale:
        return None
    complete = bibliography.completeness is not None and bibliography.completeness.complete
    return "author" if complete else "author_incomplete"


def _author_parts(bibliography: Bibliography) -> tuple[object, ...]:
    return (
        bibliography.author,
        bibliography.works,
        bibliography.excluded,
        bibliography.candidates,
        bibliography.completeness,
        bibliography.stale,
    )


@route_errors
async def author(request: Request) -> Response:
    """GET /authors/{name_or_key}"""
    state = state_of(request)
    name = request.path_params["name_or_key"]
    bibliography = await state.books().author(name)
    return reported(
        request,
        state,
        ("author", name),
        _author_parts(bibliography),
        lambda: without_providers(bibliography.to_dict()),
        bibliography.providers,
        status=200,
        kind=_author_kind(bibliography),
    )


@route_errors
async def completeness(request: Request) -> Response:
    """GET /authors/{name_or_key}/completeness"""
    state = state_of(request)
    name = request.path_params["name_or_key"]
    bibliography = await state.books().author(name)
    score = bibliography.completeness
    if score is None:
        raise BooksTrackerError("no completeness was computed")
    return reported(
        request,
        state,
        ("completeness", name),
        (score,),
        score.to_dict,
        bibliography.providers,
        status=200,
        kind=None if bibliography.stale else "completeness",
    )
