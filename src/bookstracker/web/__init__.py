"""The bookstracker web server: ``create_app()`` makes an ASGI app (the ``server`` extra).

Importing this package costs nothing; Starlette is imported when ``create_app`` is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bookstracker.web.app import create_app
    from bookstracker.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from bookstracker.web.app import create_app

        return create_app
    if name == "WebSettings":
        from bookstracker.web.settings import WebSettings

        return WebSettings
    raise AttributeError(f"module 'bookstracker.web' has no attribute {name!r}")
