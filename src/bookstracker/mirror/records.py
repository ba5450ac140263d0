"""One OpenLibrary dump line → a `DumpRecord` with the few fields the mirror indexes.

A dump line has five TAB-separated columns, ``type \\t key \\t revision \\t last_modified \\t
json`` (OpenLibrary's dump format). Only authors, works, editions, redirects and deletes of
``/authors/``, ``/works/`` and ``/books/`` keys are kept; other types (lists, pages, …) are
`SKIPPED`. A line that cannot be read raises `BadLine` with the reason: the importer counts it
and goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal, NamedTuple

import msgspec

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
    "LeanRecord",
    "index_rows",
    "isbn13_of",
    "lean_record",
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


class BadLine(ValueError):
    """A dump line that cannot be read; ``str()`` is the reason, without the line's content."""


class _Skipped:
    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED: Final = _Skipped()
"""What `parse_line` gives for a well-formed line of a type the mirror does not keep."""


class LeanRecord(msgspec.Struct):
    """The fields of a record that the indexes read; msgspec checks the whole JSON document but
    builds only these (four to seven times faster than ``json.loads`` on real dump lines)."""

    key: object = None
    name: object = None
    personal_name: object = None
    alternate_names: object = None
    title: object = None
    subtitle: object = None
    authors: object = None
    works: object = None
    isbn_13: object = None
    isbn_10: object = None
    languages: object = None
    publish_date: object = None
    first_publish_date: object = None
    location: object = None


_LEAN: Final = msgspec.json.Decoder(LeanRecord)


def lean_record(data: str | bytes) -> LeanRecord:
    """The indexed fields of a record's JSON; raises `BadLine` when it is not a JSON object."""
    try:
        return _LEAN.decode(data)
    except msgspec.ValidationError:
        raise BadLine("the JSON column is not an object") from None
    except msgspec.DecodeError:
        raise BadLine("the JSON column does not parse") from None


class IndexRows(NamedTuple):
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


class DumpRecord(NamedTuple):
    """A record the mirror keeps: its bare key (``OL1A``), kind, revision, raw JSON text and
    its index entries (a named tuple: a dump holds tens of millions of them)."""

    key: str
    kind: Kind
    revision: int
    last_modified: str
    data: str
    entries: IndexRows


_PREFIXES: Final = {"/authors/": "A", "/works/": "W", "/books/": "M"}


def bare_key(text: str) -> str | None:
    """``OL1A`` for ``/authors/OL1A``; None for any other path."""
    cut = text.find("/", 1) + 1
    suffix = _PREFIXES.get(text[:cut])
    tail = text[cut:]
    if suffix is not None and tail[:2] == "OL" and tail[-1:] == suffix and tail[2:-1].isdigit():
        return tail if len(tail) <= 16 and tail[2] != "0" else None
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
    columns = line.split(b"\t", 4)
    if len(columns) != 5:
        raise BadLine(f"expected 5 TAB-separated columns, found {len(columns)}")
    type_col, key_col, revision_col, modified_col, json_col = columns
    kind = _TYPES.get(type_col)
    if kind is None:
        if type_col.startswith(b"/type/"):
            return SKIPPED
        raise BadLine("the first column is not a /type/… name")
    if not revision_col.isdigit() or len(revision_col) > 9:
        raise BadLine("the revision column is not a number")
    if modified_col and not (
        len(modified_col) <= 32
        and modified_col[4:5] == b"-"
        and modified_col[10:11] == b"T"
        and modified_col[:4].isdigit()
    ):
        raise BadLine("the last_modified column is not an ISO timestamp")
    try:
        key_text = key_col.decode("ascii")
    except UnicodeDecodeError:
        raise BadLine("the key column is not ASCII") from None
    key = bare_key(key_text)
    if key is None:
        if kind in ("redirect", "delete") or key_text.startswith("/"):
            return SKIPPED
        raise BadLine("the key column is not an OpenLibrary path")
    record = lean_record(json_col)
    own = record.key
    if own is not None and own != key_text:
        raise BadLine("the JSON's key disagrees with the key column")
    text = json_col.rstrip(b"\r\n").decode("utf-8")
    return DumpRecord(
        key, kind, int(revision_col), modified_col.decode("ascii"), text, index_rows(kind, record)
    )


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:MAX_INDEXED_VALUES] if isinstance(v, str)]
    return []


def _ref_keys(values: object, nested: str | None = None) -> tuple[str, ...]:
    """Bare keys from ``[{"key": …}]``, or ``[{nested: {"key": …}}]`` (falling back to
    ``{"key": …}`` for the odd work that lists authors the editions' way)."""
    if not isinstance(values, list):
        return ()
    out: dict[str, None] = {}
    for item in values[:MAX_INDEXED_VALUES]:
        if not isinstance(item, dict):
            continue
        ref = item.get(nested) if nested else item
        value = ref.get("key") if isinstance(ref, dict) else None
        if value is None and nested:
            value = item.get("key")
        key = bare_key(value) if isinstance(value, str) else None
        if key:
            out[key] = None
    return tuple(out)


_ISBN_JUNK: Final = str.maketrans("", "", "- ")


_W10: Final = bytes(range(1, 10))


def isbn13_of(value: str) -> str | None:
    """The ISBN-13 of a dump's ISBN-10 or ISBN-13 (hyphens and spaces allowed), or None.

    An ISBN-10 must have a valid check digit (a typo would otherwise become another book's
    ISBN-13); an ISBN-13 needs 13 digits and the 978/979 prefix only: one with a wrong check
    digit is kept as given, since no valid look-up can reach it.
    """
    text = value.translate(_ISBN_JUNK) if ("-" in value or " " in value) else value
    if len(text) == 13:
        if text.isdigit() and text[:2] == "97" and text[2] in "89":
            return text
        return None
    if len(text) != 10:
        return None
    body = text[:9]
    if not (body.isdigit() and body.isascii()):
        return None
    digits = body.encode()
    total = (sum(map(int.__mul__, _W10, digits)) - 48 * 45) % 11
    if ("X" if total == 10 else chr(48 + total)) != text[9].upper():
        return None
    core = b"978" + digits
    check = -(sum(core[0:12:2]) + 3 * sum(core[1:12:2]) - 48 * 24) % 10
    return "978" + body + chr(48 + check)


def _isbn13s(values: Iterable[object]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str) or len(value) > 40:
            continue
        isbn = isbn13_of(value)
        if isbn is not None:
            out.setdefault(isbn, None)
            if len(out) >= MAX_INDEXED_VALUES:
                break
    return tuple(out)


def _languages(values: object) -> tuple[str, ...]:
    out: dict[str, None] = {}
    if not isinstance(values, list):
        return ()
    for item in values[:20]:
        key = item.get("key") if isinstance(item, dict) else None
        if isinstance(key, str) and key.startswith("/languages/") and len(key) <= 20:
            out.setdefault(key[len("/languages/") :], None)
    return tuple(out)


def _year(value: object) -> int | None:
    if isinstance(value, str) and len(value) == 4 and value.isdigit():
        return int(value)
    return year_of(value)


def _clip(text: str | None, limit: int = 1000) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text[:limit] or None


def index_rows(kind: str, record: LeanRecord) -> IndexRows:
    """The index entries of one record of ``kind``; deterministic, so an update can remove the
    entries the previous revision added."""
    if kind == "author":
        name = record.name if isinstance(record.name, str) else None
        name = name or (record.personal_name if isinstance(record.personal_name, str) else None)
        names = [n for n in [name, *_texts(record.alternate_names)] if n]
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
        title = record.title if isinstance(record.title, str) else None
        subtitle = record.subtitle if isinstance(record.subtitle, str) else None
        return IndexRows(
            label=_clip(title),
            search_text=_clip(" ".join(t for t in (title, subtitle) if t)),
            author_keys=_ref_keys(record.authors, "author"),
            year=_year(record.first_publish_date),
        )
    if kind == "edition":
        isbn13 = record.isbn_13
        isbn10 = record.isbn_10
        isbns: list[object] = []
        if isinstance(isbn13, list):
            isbns += isbn13[:MAX_INDEXED_VALUES]
        if isinstance(isbn10, list):
            isbns += isbn10[:MAX_INDEXED_VALUES]
        return IndexRows(
            work_keys=_ref_keys(record.works),
            isbn13s=_isbn13s(isbns) if isbns else (),
            languages=_languages(record.languages),
            year=_year(record.publish_date),
        )
    if kind == "redirect":
        location = record.location
        return IndexRows(location=bare_key(location) if isinstance(location, str) else None)
    return IndexRows()
