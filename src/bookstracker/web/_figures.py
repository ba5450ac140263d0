"""Figures and health: /stats, /metrics, /healthz, /readyz and the /events stream."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from bookstracker._json import JSONDict
from bookstracker.web._answers import (
    Answer,
    dumps,
    json_response,
    problem,
)
from bookstracker.web._handling import AppState, NotStarted, route_errors, state_of
from bookstracker.web.events import format_event

__all__ = ["events", "healthz", "metrics", "readyz", "snapshot", "stats"]

_READY_TIMEOUT_S = 2.0


# -- figures ------------------------------------------------------------------------------------


async def snapshot(state: AppState) -> JSONDict:
    """The client's figures with the web server's own (the /stats document)."""
    stats = await state.books().stats()
    figures = stats.to_dict()
    web = state.figures.to_dict()
    if state.guard is not None:
        web["rejected"] = {str(k): v for k, v in state.guard.rejected.items()}
    web["listeners"] = state.broker.listeners
    figures["web"] = web
    if state.jobs is not None:
        figures["jobs"] = list(state.jobs.iter_active())
    return figures


@route_errors
async def stats(request: Request) -> Response:
    """GET /stats"""
    return json_response(request, Answer(dumps(await snapshot(state_of(request)))))


@route_errors
async def metrics(request: Request) -> Response:
    """GET /metrics"""
    state = state_of(request)
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


@route_errors
async def healthz(request: Request) -> Response:
    """GET /healthz"""
    return json_response(request, Answer(b'{"status":"ok"}'))


@route_errors
async def readyz(request: Request) -> Response:
    """GET /readyz"""
    state = state_of(request)
    client = state.books()
    cache: JSONDict = {}
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
    now = await client.stats()
    breakers = {name: p.breaker for name, p in now.providers.items() if p.enabled}
    if breakers and all(state_ == "open" for state_ in breakers.values()):
        ready = False
    body = dumps({"ready": ready, "cache": cache, "breakers": breakers})
    return json_response(request, Answer(body), status=200 if ready else 503)


async def events(request: Request) -> Response:
    """GET /events (text/event-stream)"""
    state = state_of(request)
    try:
        first = [format_event("stats", await snapshot(state))]
    except NotStarted:
        return problem(503, "the bookstracker app has not started")
    return StreamingResponse(
        state.broker.stream(first),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
