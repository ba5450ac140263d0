"""The warming routes (jobs from names, the popular list or an uploaded export) and the cache."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from bookstracker._json import JSONDict
from bookstracker.pipeline.author_names import validate_author_name
from bookstracker.warming import popular_authors
from bookstracker.web._answers import (
    JSON_TYPE,
    Answer,
    dumps,
    json_response,
    problem,
)
from bookstracker.web._handling import json_body, require_admin, route_errors, state_of, string_list
from bookstracker.web.jobs import JobRecord

__all__ = [
    "cache_clear",
    "warm_csv",
    "warm_delete",
    "warm_list",
    "warm_results",
    "warm_start",
    "warm_status",
]

MAX_NAMES = 10_000
MAX_NAME_CHARS = 200
_UPLOAD_CHUNK = 64 * 1024


# -- warming ------------------------------------------------------------------------------------


def _job_created(request: Request, record: JobRecord | None) -> Response:
    if record is None:
        return problem(429, "too many warming jobs are running", retry_after=60)
    return Response(
        dumps(record.summary()),
        status_code=202,
        media_type=JSON_TYPE,
        headers={"Location": f"warm/{record.id}", "Cache-Control": "no-store"},
    )


@route_errors
async def warm_start(request: Request) -> Response:
    """POST /warm {"names": [...]} or {"popular": true}"""
    denied = require_admin(request)
    if denied is not None:
        return denied
    state = state_of(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        return problem(422, 'the body is {"names": [...]} or {"popular": true}')
    names: list[str] = []
    if body.get("names") is not None:
        names = string_list(body["names"], "names", most=MAX_NAMES, longest=MAX_NAME_CHARS)
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


@route_errors
async def warm_csv(request: Request) -> Response:
    """POST /warm/csv (multipart, field "file")"""
    denied = require_admin(request)
    if denied is not None:
        return denied
    state = state_of(request)
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


def _read_library(path: Path) -> tuple[list[str], list[JSONDict]]:
    from bookstracker.library_import import read_library

    library = read_library(path)
    return list(library.authors()), [row.to_dict() for row in library.rejected]


@route_errors
async def warm_list(request: Request) -> Response:
    """GET /warm"""
    jobs = state_of(request).job_store()
    summaries = [r.summary() for r in jobs.all()]
    return json_response(request, Answer(dumps({"jobs": summaries})))


@route_errors
async def warm_status(request: Request) -> Response:
    """GET /warm/{job}"""
    record = state_of(request).job_store().get(request.path_params["job"])
    if record is None:
        return problem(404, "no such job")
    return json_response(request, Answer(dumps(record.summary())))


@route_errors
async def warm_results(request: Request) -> Response:
    """GET /warm/{job}/results"""
    record = state_of(request).job_store().get(request.path_params["job"])
    if record is None:
        return problem(404, "no such job")
    if record.report is None:
        return problem(409, f"the job is {record.state}", state=record.state)
    return json_response(request, Answer(dumps(record.report)))


@route_errors
async def warm_delete(request: Request) -> Response:
    """DELETE /warm/{job}"""
    denied = require_admin(request)
    if denied is not None:
        return denied
    job_id = request.path_params["job"]
    if not state_of(request).job_store().delete(job_id):
        return problem(404, "no such job")
    return json_response(request, Answer(dumps({"id": job_id, "state": "cancelled"})))


@route_errors
async def cache_clear(request: Request) -> Response:
    """DELETE /cache"""
    denied = require_admin(request)
    if denied is not None:
        return denied
    client = state_of(request).books()
    await client.clear_cache()
    return json_response(request, Answer(dumps({"cleared": client.cache is not None})))
