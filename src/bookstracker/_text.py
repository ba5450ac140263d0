"""Text hygiene at the boundaries: what comes in is cleaned once, what goes out is made inert.

- :func:`clean_text` for every string taken from a provider: lone surrogates become U+FFFD,
  control characters (C0, DEL, C1) are dropped or, for whitespace ones, turned into a space, and
  the result is cut to a maximum length, so nothing downstream can fail to encode it or be
  steered by it.
- :func:`text_problem` for every command-line argument and user question: one that was not
  valid UTF-8 (Python hands it over with lone surrogates) or that holds control characters is
  named as a problem, which the caller refuses (the CLI with exit 2).
- :func:`terminal_safe` for everything printed to a terminal: escape sequences (CSI, OSC, DCS,
  the lone ESC and C1 forms) and the remaining control characters are removed, as are the
  bidirectional overrides that can make text read differently from what it is.
- :func:`scrub_secrets` for every error text: each secret, raw or percent-encoded, becomes
  ``[secure]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_TEXT_CHARS",
    "MIN_SECRET_CHARS",
    "REDACTED",
    "clean_text",
    "remember_secret",
    "scrub_known_secrets",
    "scrub_secrets",
    "terminal_safe",
    "text_problem",
]

MAX_FIELD_CHARS = 2_000
"""The longest single-line field kept from a provider (a title, a name, a publisher)."""
MAX_TEXT_CHARS = 20_000
"""The longest multi-line text kept from a provider (a description)."""
REDACTED = "[secure]"
MIN_SECRET_CHARS = 8
"""Shorter "secrets" (test keys like ``"k"``) are not scrubbed: they would mangle ordinary text."""

_SURROGATES = re.compile("[\ud800-\udfff]")
_LINE_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ALL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_SPACE_CONTROLS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85]")
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])                # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?                  # ... up to BEL or ST
    | \x1b[\x20-\x2f]*[\x30-\x7e]?                           # other ESC sequences
    """,
    re.VERBOSE,
)
_USER_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str, *, max_chars: int = MAX_FIELD_CHARS, multiline: bool = False) -> str:
    """``value`` with lone surrogates replaced, control characters removed, cut to ``max_chars``.

    Whitespace controls (tab, newline, ...) become a space, or are kept as ``\\n`` when
    ``multiline``; other controls, escape sequences included, are dropped. The text is cut
    before cleaning too, so a huge value costs no more than ``max_chars`` of work.
    """
    text = value[: max_chars * 2]
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    if multiline:
        text = text.replace("\r\n", "\n")
    if _ALL_CONTROLS.search(text):
        text = _ESCAPES.sub("", text)
        if multiline:
            text = _LINE_CONTROLS.sub(_space_or_nothing, text)
        else:
            text = _ALL_CONTROLS.sub(_space_or_nothing, text)
    return text[:max_chars]


def _space_or_nothing(match: re.Match[str]) -> str:
    return " " if _SPACE_CONTROLS.fullmatch(match.group()) else ""


def text_problem(value: str) -> str | None:
    """What makes user text unusable (lone surrogates, control characters), or None.

    Tab, newline and carriage return are whitespace, not problems.
    """
    if _SURROGATES.search(value):
        return "is not valid UTF-8 text"
    if _USER_CONTROLS.search(value):
        return "contains control characters"
    return None


def terminal_safe(value: str) -> str:
    """``value`` with escape sequences, control characters (newline and tab kept) and
    bidirectional overrides removed, and lone surrogates replaced: safe to print."""
    text = _SURROGATES.sub("\ufffd", value)
    text = _ESCAPES.sub("", text)
    text = _LINE_CONTROLS.sub("", text)
    return _BIDI.sub("", text)


_KNOWN_SECRETS: set[str] = set()


def remember_secret(secret: str | None) -> None:
    """Add ``secret`` (an API key in use) to those `scrub_known_secrets` removes from logs."""
    if secret and len(secret) >= MIN_SECRET_CHARS:
        _KNOWN_SECRETS.add(secret)


def scrub_known_secrets(text: str) -> str:
    """``text`` without any secret given to `remember_secret` in this process."""
    return scrub_secrets(text, tuple(_KNOWN_SECRETS)) if _KNOWN_SECRETS else text


def scrub_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret (as is, or percent-encoded) replaced by ``[secure]``."""
    for secret in secrets:
        if not secret or len(secret) < MIN_SECRET_CHARS:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            if form in text:
                text = text.replace(form, REDACTED)
    return text
