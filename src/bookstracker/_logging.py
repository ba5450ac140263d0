"""Structured events: stdlib logging on ``bookstracker.events``, plus one optional hook.

Each event is a log record whose message reads ``"<event> key=value ..."`` and whose fields are
also record attributes (``logging``'s ``extra``): ``record.event``, ``record.provider``,
``record.latency_ms``... A hook set with :func:`set_event_hook` receives ``(event, fields)`` for
every event whatever the logging level, to forward them to OpenTelemetry, structlog or anything
else; :func:`structlog_hook` and :func:`opentelemetry_hook` build one when those are installed.

Events and their fields (no field ever holds a URL query, a header or a key):

- ``request`` (DEBUG): provider, method, path, status, latency_ms, attempt, outcome
  (``ok`` or the failure kind)
- ``retry`` (INFO): provider, attempt, wait_s, error
- ``breaker`` (WARNING when it opens, INFO otherwise): provider, previous, state, trips
- ``cache`` (DEBUG, sent by :func:`cache_lookup` for a cache tier): tier, kind, hit
- ``warm.start`` / ``warm.author`` / ``warm.finish`` (INFO): total, done, warmed, skipped,
  failed, elapsed_s, eta_s; ``warm.author`` adds author, outcome and error

httpx logs every request at INFO with its full URL, which can hold Google Books' ``key=``: a
filter on the ``httpx`` logger replaces secret query values with ``[secure]`` before any handler
sees them.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from bookstracker._http import redact_url
from bookstracker._text import scrub_known_secrets
from bookstracker.errors import ConfigurationError

__all__ = [
    "EVENT_LOGGER",
    "EventHook",
    "RedactSecrets",
    "breaker_watch",
    "cache_lookup",
    "emit",
    "get_event_hook",
    "opentelemetry_hook",
    "request_event",
    "retry_event",
    "set_event_hook",
    "structlog_hook",
]

EVENT_LOGGER = logging.getLogger("bookstracker.events")

EventHook = Callable[[str, Mapping[str, Any]], None]
"""``hook(event, fields)``: called for every event; its exceptions are logged and dropped."""

_RESERVED = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime"}
)
_hook: EventHook | None = None
_hook_lock = threading.Lock()
_in_hook = threading.local()


def set_event_hook(hook: EventHook | None) -> EventHook | None:
    """Send every event to ``hook(event, fields)`` (None removes it); returns the previous one."""
    global _hook
    if hook is not None and not callable(hook):
        raise ConfigurationError("an event hook must be callable")
    with _hook_lock:
        previous, _hook = _hook, hook
    return previous


def get_event_hook() -> EventHook | None:
    """The hook set with :func:`set_event_hook`, if any."""
    return _hook


def _field_name(name: str) -> str:
    return f"{name}_" if name in _RESERVED or name == "event" else name


def _render(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return repr(text) if (" " in text or not text) else text


def emit(event: str, level: int = logging.DEBUG, /, **fields: Any) -> None:
    """Log ``event`` with ``fields`` on ``bookstracker.events`` and hand it to the hook."""
    hook = _hook
    logged = EVENT_LOGGER.isEnabledFor(level)
    if hook is None and not logged:
        return
    if logged:
        extra = {_field_name(k): v for k, v in fields.items()}
        extra["event"] = event
        text = " ".join(f"{k}={_render(v)}" for k, v in fields.items() if v is not None)
        EVENT_LOGGER.log(level, "%s %s", event, text, extra=extra)
    if hook is not None and not getattr(_in_hook, "active", False):
        _in_hook.active = True
        try:
            hook(event, dict(fields))
        except Exception:
            EVENT_LOGGER.warning("the bookstracker event hook failed", exc_info=True)
        finally:
            _in_hook.active = False


# -- the events the library emits ---------------------------------------------------------------


def request_event(
    provider: str,
    method: str,
    url: str,
    *,
    status: int | None,
    latency_ms: float,
    attempt: int,
    outcome: str,
) -> None:
    """One upstream HTTP attempt; only the URL's path is kept (never its query)."""
    if _hook is None and not EVENT_LOGGER.isEnabledFor(logging.DEBUG):
        return
    emit(
        "request",
        logging.DEBUG,
        provider=provider,
        method=method,
        path=urlsplit(url).path or "/",
        status=status,
        latency_ms=round(latency_ms, 2),
        attempt=attempt,
        outcome=outcome,
    )


def retry_event(provider: str, attempt: int, error: BaseException, wait_s: float) -> None:
    """Attempt ``attempt`` failed with ``error``; the next follows after ``wait_s`` seconds."""
    emit(
        "retry",
        logging.INFO,
        provider=provider,
        attempt=attempt,
        wait_s=round(wait_s, 3),
        error=_error_kind(error),
    )


def _error_kind(error: BaseException) -> str:
    kind = getattr(error, "kind", None)
    status = getattr(error, "status", None)
    name = kind if isinstance(kind, str) else type(error).__name__
    return f"{name}{status}" if isinstance(status, int) else name


class _Breaker(Protocol):
    @property
    def state(self) -> str: ...

    @property
    def trips(self) -> int: ...


def breaker_watch(owner: object, provider: str, breaker: _Breaker) -> None:
    """Emit a ``breaker`` event when the breaker's state differs from the one last seen."""
    state = breaker.state
    previous = getattr(owner, "_bt_breaker_seen", "closed")
    if state == previous:
        return
    try:
        owner._bt_breaker_seen = state  # type: ignore[attr-defined]
    except AttributeError:
        return
    emit(
        "breaker",
        logging.WARNING if state == "open" else logging.INFO,
        provider=provider,
        previous=previous,
        state=state,
        trips=breaker.trips,
    )


def cache_lookup(tier: str, key: str, hit: bool) -> None:
    """One cache lookup: the tier, the kind of question (from the key) and whether it hit."""
    if _hook is None and not EVENT_LOGGER.isEnabledFor(logging.DEBUG):
        return
    parts = key.split(":", 3)
    kind = parts[2] if len(parts) > 2 and parts[0] == "bt" else "other"
    emit("cache", logging.DEBUG, tier=tier, kind=kind, hit=hit)


class RedactSecrets(logging.Filter):
    """Replaces the values of secret query parameters in URLs a log record carries, and every
    API key in use wherever it appears (a redirect's Location, a traced header)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _redacted(v) for k, v in record.args.items()}
        if isinstance(record.msg, str):
            if "://" in record.msg:
                record.msg = " ".join(_redacted(word) for word in record.msg.split(" "))
            record.msg = scrub_known_secrets(record.msg)
        return True


def _redacted(value: Any) -> Any:
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = str(value)
    if "://" in text and "?" in text:
        return scrub_known_secrets(redact_url(text))
    scrubbed = scrub_known_secrets(text)
    return value if scrubbed == text else scrubbed


_HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
"""A logger's filters do not apply to its children's records, so each is named."""


def _install_redaction() -> None:
    for name in _HTTP_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactSecrets())


_install_redaction()


# -- adapters -----------------------------------------------------------------------------------


def _optional(module: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigurationError(f"{what} needs the {module.split('.')[0]} package") from exc


def structlog_hook(logger: Any = None) -> EventHook:
    """A hook that logs each event through structlog (``logger`` or ``get_logger("bookstracker")``)
    at the event's level, with its fields as key-value pairs. Needs structlog installed."""
    structlog = _optional("structlog", "structlog_hook")
    target = logger if logger is not None else structlog.get_logger("bookstracker")

    def hook(event: str, fields: Mapping[str, Any]) -> None:
        method = "warning" if event == "breaker" and fields.get("state") == "open" else "info"
        if event in ("request", "cache"):
            method = "debug"
        getattr(target, method)(event, **fields)

    return hook


def opentelemetry_hook(prefix: str = "bookstracker") -> EventHook:
    """A hook that adds each event to the current OpenTelemetry span as ``<prefix>.<event>``,
    its fields as ``<prefix>.<field>`` attributes (None fields left out). Needs
    opentelemetry-api installed; does nothing when no span is recording."""
    trace = _optional("opentelemetry.trace", "opentelemetry_hook")

    def hook(event: str, fields: Mapping[str, Any]) -> None:
        span = trace.get_current_span()
        if not span.is_recording():
            return
        attributes = {
            f"{prefix}.{k}": v for k, v in fields.items() if isinstance(v, (str, bool, int, float))
        }
        span.add_event(f"{prefix}.{event}", attributes=attributes)

    return hook
