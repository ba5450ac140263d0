"""``bookstracker serve``: the web server under uvicorn (the ``server`` extra)."""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

import click

__all__ = ["serve"]

APP_FACTORY = "bookstracker.web.app:app_from_env"


@runtime_checkable
class GlobalOptions(Protocol):
    """The root command's options that ``serve`` passes on to its worker processes."""

    offline: bool
    cache_dir: str | None
    providers: str | None
    no_cache: bool


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes; with BOOKSTRACKER_REDIS_URL they share one cache and one rate limit.",
)
@click.option("--log-level", default="info", show_default=True, hidden=True)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, log_level: str) -> None:
    """Run the web server and its dashboard (needs `pip install 'bookstracker[server]'`)."""
    try:
        import uvicorn
    except ImportError:
        raise click.UsageError(
            "the web server needs its extra: pip install 'bookstracker[server]'"
        ) from None
    options = ctx.obj
    # The app is made in each worker process from the environment: pass the global options on.
    if isinstance(options, GlobalOptions):
        if options.offline:
            os.environ["BOOKSTRACKER_OFFLINE"] = "1"
        if options.cache_dir:
            os.environ["BOOKSTRACKER_CACHE_DIR"] = str(options.cache_dir)
        if options.providers:
            os.environ["BOOKSTRACKER_WEB_PROVIDERS"] = str(options.providers)
        if options.no_cache:
            os.environ["BOOKSTRACKER_WEB_NO_CACHE"] = "1"
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=5,  # an open dashboard keeps its event stream open
    )
