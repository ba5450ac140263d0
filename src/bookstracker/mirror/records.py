"""One OpenLibrary dump line → a `DumpRecord` with the few fields the mirror indexes.

A dump line has five TAB-separated columns, ``type \\t key \\t revision \\t last_modified \\t
json`` (PROVIDERS.md §1.5). Only authors, works, editions, redirects and deletes of
``/authors/``, ``/works/`` and ``/books/`` keys are kept; other types (lists, pages, …) are
`SKIPPED`. A line that cannot be read raises `BadLine` with the reason: the importer counts it
and goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

from bookstracker.errors import InvalidISBN
from bookstracker.isbn import isbn_pair
from bookstracker.names import name_key
from bookstracker.providers._parse import year_of

__all__ = [
    "KINDS",
    "MAX_LINE_BYTES",
    "SKIPPED",
    "BadLine",
    "DumpRecord",
    "IndexRows",
    "Kind",
    "index_rows",
    "parse_line",
]

Kind = Literal["author", "work", "edition", "redirect", "delete"]
KINDS: Final[tuple[Kind, ...]] = ("author", "work", "edition", "redirect", "delete")
MAX_LINE_BYTES: Final = 8 * 1024 * 1024
"""A line longer than this is a bad line (the largest real records are a few hundred KB)."""
MAX_INDEXED_VALUES: Final = 200
"""At most this many names, author keys, work keys or ISBNs are indexed per record."""

_TYPES: Final[dict[bytes, Kind]] = {
    b"/type/author": "author",
    b"/type/work": "work",
    b"/type/edition": "edition",
    b"/type/redirect": "redirect",
    b"/type/delete": "delete",
}
_KEY: Final = re.compile(r"/(authors|works|books)/(OL[1-9][0-9]{0,11}[AWM])")
_KEY_KINDS: Final = {"authors": "A", "works": "W", "books": "M"}
_TIMESTAMP: Final = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9:.]+")


class BadLine(ValueError):
    """A dump line that cannot be read; ``str()`` is the reason, without the line's content."""


class _Skipped:
    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED: Final = _Skipped()
"""What `parse_line` gives for a well-formed line of a type the mirror does not keep."""


@attrs.frozen(kw_only=True, slots=True)
class DumpRecord:
    """A record the mirror keeps: its bare key (``OL1A``), kind, revision and raw JSON text."""

    key: str
    kind: Kind
    revision: int
    last_modified: str
    data: str
    record: Mapping[str, Any] = attrs.field(eq=False, repr=False, hash=False)


@attrs.frozen(kw_only=True, slots=True)
class IndexRows:
    """What the indexes hold for one record (empty for redirects and deletes)."""

    label: str | None = None
    """The author's name or the work's title (with subtitle), for full-text search."""
    search_text: str | None = None
    """Everything full-text search matches on: names and alternate names, or title."""
    name_keys: tuple[str, ...] = ()
    author_keys: tuple[str, ...] = ()
    work_keys: tuple[str, ...] = ()
    isbn13s: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    year: int | None = None
    location: str | None = None


def bare_key(text: str) -> str | None:
    """``OL1A`` for ``/authors/OL1A``; None for any other path."""
    match = _KEY.fullmatch(text)
    if match is None or match.group(2)[-1] != _KEY_KINDS[match.group(1)]:
        return None
    return match.group(2)


def parse_line(line: bytes) -> DumpRecord | _Skipped:
    """Read one dump line (bytes, with or without its newline).

    Raises `BadLine` for a line with the wrong column count, a bad revision or timestamp, JSON
    that does not parse or is not an object, or a key that disagrees with the JSON's own.
    """
    if len(line) > MAX_LINE_BYTES:
        raise BadLine(f"line longer than {MAX_LINE_BYTES} bytes")
    columns = line.rstrip(b"\r\n").split(b"\t", 4)
    if len(columns) != 5:
        raise BadLine(f"expected 5 TAB-separated columns, found {len(columns)}")
    type_col, key_col, revision_col, modified_col, json_col = columns
    kind = _TYPES.get(type_col)
    if kind is None:
        if type_col.startswith(b"/type/"):
            return SKIPPED
        raise BadLine("the first column is not a /type/… name")
    try:
        key_text = key_col.decode("ascii")
        revision = int(revision_col)
        modified = modified_col.decode("ascii")
    except (UnicodeDecodeError, ValueError):
        raise BadLine("unreadable key, revision or timestamp column") from None
    if revision < 0:
        raise BadLine("negative revision")
    if modified and not _TIMESTAMP.fullmatch(modified):
        raise BadLine("the last_modified column is not an ISO timestamp")
    key = bare_key(key_text)
    if key is None:
        if kind in ("redirect", "delete") or key_text.startswith("/"):
            return SKIPPED
        raise BadLine("the key column is not an OpenLibrary path")
    try:
        text = json_col.decode("utf-8")
        record = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise BadLine("the JSON column does not parse") from None
    if not isinstance(record, dict):
        raise BadLine("the JSON column is not an object")
    own = record.get("key")
    if own is not None and own != key_text:
        raise BadLine("the JSON's key disagrees with the key column")
    return DumpRecord(
        key=key, kind=kind, revision=revision, last_modified=modified, data=text, record=record
    )


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:MAX_INDEXED_VALUES] if isinstance(v, str)]
    return []


def _ref_keys(values: Any, *paths: tuple[str, ...]) -> tuple[str, ...]:
    """Bare keys from a list of ``{"key": …}`` or ``{"author": {"key": …}}`` references."""
    out: dict[str, None] = {}
    if not isinstance(values, list):
        return ()
    for item in values[:MAX_INDEXED_VALUES]:
        for path in paths:
            value: Any = item
            for step in path:
                value = value.get(step) if isinstance(value, dict) else None
            key = bare_key(value) if isinstance(value, str) else None
            if key:
                out.setdefault(key, None)
                break
    return tuple(out)


def _isbn13s(values: Iterable[Any]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str) or len(value) > 40:
            continue
        try:
            out.setdefault(isbn_pair(value)[0], None)
        except (InvalidISBN, ValueError):
            continue
        if len(out) >= MAX_INDEXED_VALUES:
            break
    return tuple(out)


def _languages(values: Any) -> tuple[str, ...]:
    out: dict[str, None] = {}
    if not isinstance(values, list):
        return ()
    for item in values[:20]:
        key = item.get("key") if isinstance(item, dict) else None
        if isinstance(key, str) and key.startswith("/languages/") and len(key) <= 20:
            out.setdefault(key[len("/languages/") :], None)
    return tuple(out)


def _clip(text: str | None, limit: int = 1000) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text[:limit] or None


def index_rows(kind: str, record: Mapping[str, Any]) -> IndexRows:
    """The index entries of one record of ``kind``; deterministic, so an update can remove the
    entries the previous revision added."""
    if kind == "author":
        name = record.get("name") if isinstance(record.get("name"), str) else None
        name = name or (record.get("personal_name") if isinstance(record.get("personal_name"), str) else None)
        names = [n for n in [name, *_texts(record.get("alternate_names"))] if n]
        keys: dict[str, None] = {}
        for text in names:
            folded = name_key(text[:300])
            if folded:
                keys.setdefault(folded, None)
        return IndexRows(
            label=_clip(name),
            search_text=_clip(" ".join(dict.fromkeys(names)), 4000),
            name_keys=tuple(keys),
        )
    if kind == "work":
        title = record.get("title") if isinstance(record.get("title"), str) else None
        subtitle = record.get("subtitle") if isinstance(record.get("subtitle"), str) else None
        return IndexRows(
            label=_clip(title),
            search_text=_clip(" ".join(t for t in (title, subtitle) if t)),
            author_keys=_ref_keys(record.get("authors"), ("author", "key"), ("key",)),
            year=year_of(record.get("first_publish_date")),
        )
    if kind == "edition":
        return IndexRows(
            work_keys=_ref_keys(record.get("works"), ("key",)),
            isbn13s=_isbn13s([*_texts(record.get("isbn_13")), *_texts(record.get("isbn_10"))]),
            languages=_languages(record.get("languages")),
            year=year_of(record.get("publish_date")),
        )
    if kind == "redirect":
        location = record.get("location")
        return IndexRows(location=bare_key(location) if isinstance(location, str) else None)
    return IndexRows()
