"""Embed the bookstracker web server in your own ASGI app (``pip install 'bookstracker[server]'``).

    BOOKSTRACKER_OFFLINE=1 python examples/web_server.py 8080
    curl 'http://127.0.0.1:8080/books/authors/Andy%20Weir'
    # the live dashboard: http://127.0.0.1:8080/books/

``create_app()`` makes its client when its lifespan starts and closes it when it ends; mounted
under a prefix, the host runs that lifespan from its own. FastAPI is the same:
``api = FastAPI(lifespan=lifespan)`` then ``api.mount("/books", books)``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from bookstracker.web import create_app

books = create_app()


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with books.router.lifespan_context(books):
        yield


async def home(request: Request) -> Response:
    return PlainTextResponse("my own app; the books are under /books/\n")


app = Starlette(routes=[Route("/", home), Mount("/books", app=books)], lifespan=lifespan)

if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    uvicorn.run(app, host="127.0.0.1", port=port)
