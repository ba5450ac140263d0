"""Cache keys: versioned, normalised, bounded in length.

A key is ``bt:<KEY_VERSION>:<kind>:<part>:<part>...``. Each part is normalised (Unicode NFKC,
case-folded, whitespace trimmed and collapsed) so that the same question always lands on the same
key, and escaped (``%``, ``:``, ``#`` and unprintable characters as ``%XX``) so that different
questions never share one. A key longer than :data:`MAX_KEY_LENGTH` keeps a readable beginning
and ends with ``#`` and the SHA-256 of the whole key.

Keys are built only from the question (kind, query, ISBN, author, the set of providers asked),
never from configuration: an API key must never reach :func:`cache_key` or :func:`fingerprint`.

:data:`KEY_VERSION` follows :data:`SCHEMA_VERSION`, the version of the serialised models, not the
package version: a release that changes what is stored bumps it, and its entries then never meet
the older ones; a release that does not keeps the cache warm across upgrades. The price is that
forgetting the bump makes a new release read old-shaped entries, which the client must then treat
as a miss.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

__all__ = [
    "KEY_VERSION",
    "MAX_KEY_LENGTH",
    "SCHEMA_VERSION",
    "cache_key",
    "fingerprint",
    "normalise_part",
]

SCHEMA_VERSION = "1"
KEY_VERSION = SCHEMA_VERSION
MAX_KEY_LENGTH = 200

_KIND = re.compile(r"[a-z][a-z0-9_]*\Z")
_VERSION = re.compile(r"[A-Za-z0-9._-]+\Z")
_ESCAPED = frozenset("%:#")
_DIGEST_LENGTH = 64


def _escape(char: str) -> str:
    if char in _ESCAPED or not char.isprintable():
        return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return char


@functools.lru_cache(maxsize=4096)
def normalise_part(part: str) -> str:
    """``part`` as it appears in a key: NFKC, case-folded, one space between words, escaped."""
    text = unicodedata.normalize("NFKC", part)
    text = unicodedata.normalize("NFKC", text.casefold())
    text = " ".join(text.split())
    return "".join(_escape(char) for char in text)


@functools.lru_cache(maxsize=8192)  # a pure function of its arguments, asked again on every hit
def cache_key(kind: str, *parts: str, version: str = KEY_VERSION) -> str:
    """The key for a question of ``kind`` (``search``, ``isbn``, ...) made of ``parts``.

    At most :data:`MAX_KEY_LENGTH` characters long.
    """
    if not _KIND.match(kind):
        raise ValueError(f"cache kind must be lower-case letters, digits and _: {kind!r}")
    if not _VERSION.match(version):
        raise ValueError(f"cache key version must be letters, digits, '.', '_' or '-': {version!r}")
    key = f"bt:{version}:{kind}" + "".join(":" + normalise_part(part) for part in parts)
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: MAX_KEY_LENGTH - _DIGEST_LENGTH - 1]}#{digest}"


def fingerprint(*parts: str) -> str:
    """A short stable hash of a set of values (order and repeats ignored), for use in keys.

    Meant for things like the set of enabled providers; never pass a secret.
    """
    normalised = sorted({normalise_part(part) for part in parts})
    text = "".join(part + "\x1f" for part in normalised)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
