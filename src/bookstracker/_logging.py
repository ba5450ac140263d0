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
- ``cache`` (DEBUG): kind (of question), hit (a fresh answer was cached)
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
from types import ModuleType
from urllib.parse import urlsplit

from bookstracker._text import scrub_known_secrets
from bookstracker.errors import ConfigurationError
from bookstracker.instrumentation import (
    BreakerChanged,
    Event,
    RequestDone,
    RetryScheduled,
)

__all__ = [
    "EVENT_LOGGER",
    "EventHook",
    "RedactSecrets",
    "emit",
    "get_event_hook",
    "log_event",
    "opentelemetry_hook",
    "set_event_hook",
    "structlog_hook",
]

EVENT_LOGGER = logging.getLogger("bookstracker.events")

EventHook = Callable[[str, Mapping[str, object]], None]
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


def _render(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return repr(text) if (" " in text or not text) else text


def emit(event: str, level: int = logging.DEBUG, /, **fields: object) -> None:
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


def log_event(event: Event) -> None:
    """The logging subscriber: each instrumentation event as one structured log event."""
    if isinstance(event, RequestDone):
        if _hook is None and not EVENT_LOGGER.isEnabledFor(logging.DEBUG):
            return
        emit(
            "request",
            logging.DEBUG,
            provider=event.provider,
            method=event.method,
            path=urlsplit(event.url).path or "/",
            status=event.status,
            latency_ms=round(event.latency_ms, 2),
            attempt=event.attempt,
            outcome=event.outcome,
        )
    elif isinstance(event, RetryScheduled):
        emit(
            "retry",
            logging.INFO,
            provider=event.provider,
            attempt=event.attempt,
            wait_s=round(event.wait_s, 3),
            error=event.error,
        )
    elif isinstance(event, BreakerChanged):
        emit(
            "breaker",
            logging.WARNING if event.state == "open" else logging.INFO,
            provider=event.provider,
            previous=event.previous,
            state=event.state,
            trips=event.trips,
        )
    elif _hook is not None or EVENT_LOGGER.isEnabledFor(logging.DEBUG):
        emit("cache", logging.DEBUG, kind=event.kind, hit=event.hit)


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
                record.msg = " ".join(_redacted_text(word) for word in record.msg.split(" "))
            record.msg = scrub_known_secrets(record.msg)
        return True


def _redacted_text(text: str) -> str:
    if "://" in text and "?" in text:
        from bookstracker._http import redact_url  # httpx is loaded once a request is made

        return scrub_known_secrets(redact_url(text))
    return scrub_known_secrets(text)


def _redacted(value: object) -> object:
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = str(value)
    scrubbed = _redacted_text(text)
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


def _optional(module: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigurationError(f"{what} needs the {module.split('.')[0]} package") from exc


def structlog_hook(logger: object = None) -> EventHook:
    """A hook that logs each event through structlog (``logger`` or ``get_logger("bookstracker")``)
    at the event's level, with its fields as key-value pairs. Needs structlog installed."""
    structlog = _optional("structlog", "structlog_hook")
    target = logger if logger is not None else structlog.get_logger("bookstracker")

    def hook(event: str, fields: Mapping[str, object]) -> None:
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

    def hook(event: str, fields: Mapping[str, object]) -> None:
        span = trace.get_current_span()
        if not span.is_recording():
            return
        attributes = {
            f"{prefix}.{k}": v for k, v in fields.items() if isinstance(v, (str, bool, int, float))
        }
        span.add_event(f"{prefix}.{event}", attributes=attributes)

    return hook
