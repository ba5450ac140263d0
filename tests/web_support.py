"""What the web tests share: an app over the fakes, run with its lifespan, and an httpx client."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise RuntimeError(f"the server ended with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def fake_providers(*args: str) -> Iterator[dict[str, str]]:
    """``python -m bookstracker.testing serve --port 0 ARGS``: the environment it prints."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bookstracker.testing", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        env: dict[str, str] = {}
        while len(env) < 4:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the fake providers did not start")
            name, _, value = line.strip().partition("=")
            env[name] = value
        yield env
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def live_server(
    tmp_path: Path, *, token: str | None = None, workers: int = 1, **env: str
) -> Iterator[tuple[str, Path]]:
    """A real ``bookstracker serve`` on a free loopback port, over the fake providers.

    Yields the base URL and the file its output goes to.
    """
    with fake_providers() as upstream:
        port = free_port()
        variables = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSTRACKER_")}
        variables.update(upstream)
        variables.update(
            BOOKSTRACKER_CACHE_DIR=str(tmp_path / "cache"),
            BOOKSTRACKER_WEB_JOBS_DIR=str(tmp_path / "jobs"),
            BOOKSTRACKER_WEB_RATE="0",
        )
        variables.update(env)
        if token is not None:
            variables["BOOKSTRACKER_ADMIN_TOKEN"] = token
        log = tmp_path / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bookstracker",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                env=variables,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                _wait_for(base + "/healthz", process)
                yield base, log
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
