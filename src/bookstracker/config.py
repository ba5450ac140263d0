"""Settings: constructor arguments first, then the ``BOOKSTRACKER_*`` environment variables.

``UNSET`` means "not given: read the environment"; ``None`` means "given, and off".
"""

from __future__ import annotations

import enum
import math
import os
from importlib.metadata import PackageNotFoundError, version
from typing import Final, TypeVar

from bookstracker.errors import ConfigurationError

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENV",
    "UNSET",
    "Unset",
    "env_flag",
    "env_float",
    "env_str",
    "package_version",
    "pick",
    "pick_float",
    "positive_rate",
]


class Unset(enum.Enum):
    """The type of :data:`UNSET`."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0


class ENV:
    """The environment variables bookstracker reads (docs/configuration.md)."""

    OPENLIBRARY_URL = "BOOKSTRACKER_OPENLIBRARY_URL"
    GOOGLEBOOKS_URL = "BOOKSTRACKER_GOOGLEBOOKS_URL"
    GOOGLEBOOKS_API_KEY = "BOOKSTRACKER_GOOGLEBOOKS_API_KEY"
    ISBNDB_URL = "BOOKSTRACKER_ISBNDB_URL"
    ISBNDB_API_KEY = "BOOKSTRACKER_ISBNDB_API_KEY"
    OPENLIBRARY_RATE = "BOOKSTRACKER_OPENLIBRARY_RATE"
    GOOGLEBOOKS_RATE = "BOOKSTRACKER_GOOGLEBOOKS_RATE"
    ISBNDB_RATE = "BOOKSTRACKER_ISBNDB_RATE"
    TIMEOUT = "BOOKSTRACKER_TIMEOUT"
    CACHE_DIR = "BOOKSTRACKER_CACHE_DIR"
    REDIS_URL = "BOOKSTRACKER_REDIS_URL"
    USER_AGENT = "BOOKSTRACKER_USER_AGENT"
    OFFLINE = "BOOKSTRACKER_OFFLINE"
    ISBNDB_PLAN = "BOOKSTRACKER_ISBNDB_PLAN"
    CONTACT = "BOOKSTRACKER_CONTACT"


def package_version() -> str:
    try:
        return version("bookstracker")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+source"


def env_str(name: str) -> str | None:
    """The variable's value, stripped; None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_float(name: str) -> float | None:
    text = env_str(name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {text!r}") from None
    if math.isnan(value):
        raise ConfigurationError(f"{name} must be a number, got {text!r}")
    return value


def env_flag(name: str) -> bool:
    return (env_str(name) or "").lower() in {"1", "true", "yes", "on"}


def pick(value: T | Unset, env_name: str, default: T) -> T | str:
    """The argument when given, else the environment variable, else ``default``."""
    if not isinstance(value, Unset):
        return value
    from_env = env_str(env_name)
    return from_env if from_env is not None else default


def pick_float(value: float | Unset | None, env_name: str, default: float) -> float:
    if isinstance(value, Unset) or value is None:
        from_env = env_float(env_name)
        return default if from_env is None else from_env
    return float(value)


def positive_rate(value: float, what: str) -> float:
    """Validate a requests-per-second ceiling."""
    if not value > 0:
        raise ConfigurationError(f"{what} must be a positive number of requests per second")
    return value
