"""What the web tests share: an app over the fakes, run with its lifespan, and an httpx client."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from bookstracker import AsyncBooksClient, MemoryCache
from bookstracker.web import WebSettings, create_app

TOKEN = "s3cret-admin-token-for-tests"


@contextlib.asynccontextmanager
async def serving(
    client: AsyncBooksClient,
    tmp_path: Path,
    *,
    peer: tuple[str, int] = ("127.0.0.1", 40000),
    **settings: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """``create_app(client)`` with its lifespan running, behind an httpx client from ``peer``."""
    options: dict[str, Any] = {"rate": 0, "jobs_dir": tmp_path / "jobs", "event_interval": 0.05}
    options.update(settings)
    app = create_app(client, settings=WebSettings(**options))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url="http://books.test") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


def cached_client(fakes: Any) -> AsyncBooksClient:
    """A client over the fakes with a memory cache."""
    client: AsyncBooksClient = fakes.client(cache=MemoryCache())
    return client
