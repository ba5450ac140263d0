"""Where the mirror lives: ``BOOKSTRACKER_MIRROR_URL`` or the platform's user data folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from bookstracker.config import env_str
from bookstracker.errors import ConfigurationError
from bookstracker.mirror.store import MirrorStore

__all__ = ["MIRROR_URL_ENV", "default_sqlite_path", "mirror_url", "open_store"]

MIRROR_URL_ENV = "BOOKSTRACKER_MIRROR_URL"


def default_sqlite_path() -> Path:
    """``mirror.sqlite3`` in the user data folder (``~/.local/share/bookstracker`` on Linux)."""
    return Path(platformdirs.user_data_dir("bookstracker", appauthor=False)) / "mirror.sqlite3"


def mirror_url(url: str | None = None) -> str:
    """The mirror's URL: ``url``, else ``BOOKSTRACKER_MIRROR_URL``, else the default SQLite file."""
    chosen = url or env_str(MIRROR_URL_ENV)
    return chosen or f"sqlite:///{default_sqlite_path()}"


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs`` also works; ``~`` is expanded)."""
    rest = url[len("sqlite://") :]
    if rest.startswith("//"):
        rest = rest[1:]
    if not rest.strip("/"):
        raise ConfigurationError("the mirror URL names no file: sqlite:///path/to/mirror.sqlite3")
    if rest.startswith("/~"):
        rest = rest[1:]
    return Path(rest).expanduser()


def open_store(url: str | None = None) -> MirrorStore:
    """The store for ``url`` (see `mirror_url`): `SQLiteStore` or `PostgresStore`.

    Raises `ConfigurationError` for another scheme, or when the store cannot be opened.
    """
    chosen = mirror_url(url)
    scheme = chosen.split(":", 1)[0].lower()
    if scheme == "sqlite":
        from bookstracker.mirror.sqlite import SQLiteStore

        return SQLiteStore(sqlite_path(chosen))
    if scheme in ("postgresql", "postgres"):
        from bookstracker.mirror.postgres import PostgresStore

        return PostgresStore(chosen)
    raise ConfigurationError(
        f"unknown mirror URL scheme {scheme!r}: use sqlite:///path or postgresql://…"
    )
