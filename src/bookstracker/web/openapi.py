"""The OpenAPI 3.1 description of the routes (served at ``/openapi.json``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from bookstracker._json import JSONDict

__all__ = ["openapi_document"]

_ERROR: JSONDict = {"$ref": "#/components/schemas/Error"}
_ANY: JSONDict = {"type": "object"}


def _json(description: str, schema: JSONDict | None = None) -> JSONDict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or _ANY}},
    }


def _answers(*extra: int, ok: str = "the answer, with a report per provider") -> JSONDict:
    responses: JSONDict = {"200": _json(ok)}
    texts = {
        202: "accepted: the job was started",
        304: "not modified (If-None-Match matched the ETag)",
        400: "invalid input; nothing was sent upstream",
        401: "the admin token is missing or wrong",
        403: "write routes answer only on loopback when no admin token is configured",
        404: "every provider that answered had nothing",
        409: "the job has not finished",
        413: "the body is too large",
        422: "the body does not have the expected shape",
        429: "too many requests from this client (see Retry-After)",
        503: "no provider could answer (see Retry-After)",
    }
    for status in (*extra, 400, 429):
        if status == 304:
            responses["304"] = {"description": texts[304]}
        else:
            responses[str(status)] = _json(texts[status], _ERROR)
    return responses


def _path(name: str, description: str, max_length: int = 1024) -> JSONDict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "maxLength": max_length},
    }


_ADMIN: list[dict[str, list[str]]] = [{"bearer": []}]


def _version() -> str:
    try:
        return version("bookstracker")
    except PackageNotFoundError:
        return "0.0.0+source"


def openapi_document() -> JSONDict:
    """The routes, their parameters and answers."""
    name = _path("name_or_key", "an author's name, or an OpenLibrary author key (OL7234434A)")
    job = _path("job", "a job id (16 hex digits)", 64)
    paths: JSONDict = {
        "/search": {
            "get": {
                "summary": "Merged hits from every enabled provider",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 500},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                ],
                "responses": _answers(304, 404, 503),
            }
        },
        "/isbn/{isbn}": {
            "get": {
                "summary": "One edition by ISBN-10 or ISBN-13 (hyphens allowed)",
                "parameters": [_path("isbn", "an ISBN-10 or ISBN-13", 64)],
                "responses": _answers(304, 404, 503),
            }
        },
        "/isbn": {
            "post": {
                "summary": "Editions for a batch of up to 1,000 ISBNs",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["isbns"],
                                "properties": {
                                    "isbns": {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": 1000,
                                        "items": {"type": "string", "maxLength": 64},
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": _answers(404, 413, 422, 503),
            }
        },
        "/authors/{name_or_key}": {
            "get": {
                "summary": "The enhanced bibliography",
                "parameters": [name],
                "responses": _answers(304, 404, 503),
            }
        },
        "/authors/{name_or_key}/completeness": {
            "get": {
                "summary": "How complete the bibliography is, with the evidence",
                "parameters": [name],
                "responses": _answers(304, 404, 503),
            }
        },
        "/warm": {
            "get": {
                "summary": "The warming jobs, newest first",
                "responses": _answers(ok="the jobs"),
            },
            "post": {
                "summary": "Start a warming job for names or the popular list",
                "security": _ADMIN,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "names": {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": 10000,
                                        "items": {"type": "string", "maxLength": 200},
                                    },
                                    "popular": {"type": "boolean"},
                                },
                            }
                        }
                    },
                },
                "responses": _answers(202, 401, 403, 413, 422, ok="never: 202"),
            },
        },
        "/warm/csv": {
            "post": {
                "summary": "Start a warming job from a Goodreads, StoryGraph or LibraryThing file",
                "security": _ADMIN,
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": _answers(202, 401, 403, 413, 422, ok="never: 202"),
            }
        },
        "/warm/{job}": {
            "get": {
                "summary": "A job's state: counts, ETA, rejected rows with line numbers",
                "parameters": [job],
                "responses": _answers(404, ok="the job"),
            },
            "delete": {
                "summary": "Stop and forget a job",
                "security": _ADMIN,
                "parameters": [job],
                "responses": _answers(401, 403, 404, ok="cancelled"),
            },
        },
        "/warm/{job}/results": {
            "get": {
                "summary": "A finished job's warm report",
                "parameters": [job],
                "responses": _answers(404, 409, ok="the contract's warm document"),
            }
        },
        "/cache": {
            "delete": {
                "summary": "Empty every cache tier",
                "security": _ADMIN,
                "responses": _answers(401, 403, ok="cleared"),
            }
        },
        "/events": {
            "get": {
                "summary": "Server-Sent Events: stats, breaker, warm",
                "responses": {
                    "200": {
                        "description": "an event stream",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/stats": {"get": {"summary": "Every figure, as JSON", "responses": _answers()}},
        "/metrics": {
            "get": {
                "summary": "Every figure in the Prometheus text format",
                "responses": {
                    "200": {
                        "description": "text exposition 0.0.4",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/healthz": {"get": {"summary": "The process answers", "responses": _answers()}},
        "/readyz": {
            "get": {
                "summary": "Cache tiers reachable and breaker states",
                "responses": _answers(503),
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bookstracker",
            "version": _version(),
            "description": "Books, ISBNs and author bibliographies from OpenLibrary, "
            "Google Books and ISBNdb. Status codes follow the command line's exit codes.",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "providers": _ANY},
                }
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
