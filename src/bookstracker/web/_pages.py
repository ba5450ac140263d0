"""The dashboard, the API page, their static files and /openapi.json."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from bookstracker.web._answers import (
    Answer,
    etag_of,
    json_response,
    problem,
)

# -- documents and the dashboard ----------------------------------------------------------------

__all__ = ["dashboard", "docs_page", "openapi", "static_file", "static_files"]

_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def static_files() -> dict[str, tuple[Answer, str]]:
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
