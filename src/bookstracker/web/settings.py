"""The web server's own settings: arguments first, then ``BOOKSTRACKER_*`` environment variables.

``BOOKSTRACKER_ADMIN_TOKEN`` guards the write routes; ``BOOKSTRACKER_CORS_ORIGINS`` is a
comma-separated list of origins (unset: no CORS headers); ``BOOKSTRACKER_WEB_RATE`` is each
client's limit in requests per second (``0`` turns it off).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import attrs

from bookstracker.config import env_str
from bookstracker.errors import ConfigurationError

__all__ = ["WebSettings"]

ADMIN_TOKEN_ENV = "BOOKSTRACKER_ADMIN_TOKEN"  # noqa: S105 (a variable's name)
CORS_ORIGINS_ENV = "BOOKSTRACKER_CORS_ORIGINS"
WEB_RATE_ENV = "BOOKSTRACKER_WEB_RATE"
JOBS_DIR_ENV = "BOOKSTRACKER_WEB_JOBS_DIR"

DEFAULT_RATE = 20.0
_MIN_TOKEN_LENGTH = 16


def _rate_from(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise ConfigurationError(f"{WEB_RATE_ENV} must be a number of requests/s") from None
    if math.isnan(rate) or rate < 0:
        raise ConfigurationError(f"{WEB_RATE_ENV} must be 0 (off) or a positive number")
    return rate


def _origins_from(text: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in text.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"{CORS_ORIGINS_ENV}: an origin starts with http:// or https:// ({origin[:40]!r})"
            )
    return origins


def _check_token(instance: object, attribute: object, value: str | None) -> None:
    if value is not None and len(value) < _MIN_TOKEN_LENGTH:
        raise ConfigurationError(
            f"the admin token must be at least {_MIN_TOKEN_LENGTH} characters long"
        )


@attrs.frozen(kw_only=True)
class WebSettings:
    """How the web server guards and limits itself.

    ``admin_token``: the bearer token the write routes require; None lets them answer only to
    loopback clients. ``cors_origins``: origins allowed to call from a browser (empty: CORS off).
    ``rate``/``burst``: each client's requests per second (0: no limit) and burst.
    ``max_body_bytes``: the largest JSON body; ``max_upload_bytes``: the largest CSV upload.
    ``jobs_dir``: where warming jobs and uploads are kept (None: next to the disk cache).
    ``max_batch``: the most ISBNs in one ``POST /isbn``; ``max_jobs``: the most warming jobs
    queued or running at once, each warming ``warm_concurrency`` authors at a time.
    """

    admin_token: str | None = attrs.field(default=None, repr=False, validator=_check_token)
    cors_origins: tuple[str, ...] = ()
    rate: float = DEFAULT_RATE
    burst: int = 40
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    max_batch: int = 1000
    max_jobs: int = 64
    warm_concurrency: int = 4
    jobs_dir: Path | None = attrs.field(default=None, repr=False)
    event_interval: float = 1.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> WebSettings:
        """Settings from the environment (``environ`` or ``os.environ``), with ``overrides``
        (argument names) taking precedence."""
        values: dict[str, object] = {}
        token = env_str(ADMIN_TOKEN_ENV, environ)
        if token:
            values["admin_token"] = token
        origins = env_str(CORS_ORIGINS_ENV, environ)
        if origins:
            values["cors_origins"] = _origins_from(origins)
        rate = env_str(WEB_RATE_ENV, environ)
        if rate:
            values["rate"] = _rate_from(rate)
        jobs = env_str(JOBS_DIR_ENV, environ)
        if jobs:
            values["jobs_dir"] = Path(jobs)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
