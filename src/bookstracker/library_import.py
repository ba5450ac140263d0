"""Reading-library exports (Goodreads, StoryGraph, LibraryThing, plain CSV) as rows of books.

The format is told from the header line. Files are streamed a line at a time; every record that
cannot be used comes back as a `RejectedRow` naming its line and the reason, and fully blank lines
are counted in `LibraryImport.blank_lines`. See docs/library-import.md.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Literal, TextIO

import attrs

from bookstracker._json import JSONDict
from bookstracker.errors import InvalidInput, InvalidISBN
from bookstracker.isbn import isbn_pair
from bookstracker.models import Edition
from bookstracker.names import display_name, name_key, split_authors
from bookstracker.pipeline.author_names import MAX_NAME_LENGTH

__all__ = [
    "LibraryFormat",
    "LibraryImport",
    "LibraryRow",
    "RejectedRow",
    "ResolvedBy",
    "detect_format",
    "iter_library",
    "read_library",
    "resolve_rows",
]

LibraryFormat = Literal["goodreads", "storygraph", "librarything", "plain"]
ResolvedBy = Literal["isbn13", "isbn10", "title+author", "unresolved"]

_FORMATS: tuple[LibraryFormat, ...] = ("goodreads", "storygraph", "librarything", "plain")
_LABELS: Mapping[LibraryFormat, str] = {
    "goodreads": "Goodreads",
    "storygraph": "StoryGraph",
    "librarything": "LibraryThing",
    "plain": "plain CSV",
}
_REQUIRED: Mapping[LibraryFormat, tuple[str, ...]] = {
    "goodreads": ("Title", "Author", "Author l-f"),
    "storygraph": ("Title", "Authors", "ISBN/UID"),
    "librarything": ("Title", "Primary Author"),
}
_PLAIN_TITLE = ("title", "booktitle", "book")
_PLAIN_AUTHOR = ("author", "authors", "writer")
_PLAIN_ISBN = ("isbn13", "isbn", "isbn10")
_PLAIN_SHELF = ("exclusiveshelf", "shelf", "readstatus", "status")

_MAX_HEADER_CHARS = 65_536
_SHOWN_CHARS = 40
_DELIMITERS = (",", "\t", ";")

_ESCAPED = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_GOODREADS_QUOTING = re.compile(r'^=?"(.*)"$', re.DOTALL)
_ISBN_SEPARATORS = re.compile(r"[,;|]")
_ISBN_ATTEMPT = re.compile(r"(?=.*[0-9])[0-9Xx\s\-]+")
_NOT_DIGIT = re.compile(r"\D")
_SUFFIX = re.compile(r"^(?:jr|jnr|sr|snr|ii|iii|iv)\.?$", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff]")
_NAME_PUNCTUATION = frozenset(".,'’‘-‐‑–—()[]&;:/|\"·")
_NOISE_PUNCTUATION = frozenset("!?#%*@\\_{}¡§¶¿")
_BINARY = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
"""Punctuation that only decoding noise puts in a name; other punctuation (``・``, ``،``) stays."""
_WORDS = re.compile(r"[^\s.,'’‘\-‐‑–—()\[\]&;:/|\"·]+")
_DATE_PART = re.compile(
    r"\([^)]*\d[^)]*\)"
    r"|,\s*(?:(?:b|d|fl|ca?|born|died)\.?\s*)?\d{1,4}\??\s*(?:-\s*\d{0,4}\??)?\.?\s*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


@attrs.frozen(kw_only=True)
class LibraryRow:
    """One usable book of an export: what it names, and the line it starts on."""

    line: int
    title: str | None
    authors: tuple[str, ...]
    isbn13: str | None
    isbn10: str | None
    shelf: str | None
    source: LibraryFormat
    notes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class RejectedRow:
    """A record that cannot be used: the line it starts on and why."""

    line: int
    reason: str

    def to_dict(self) -> JSONDict:
        """``{"line": int, "reason": str}``."""
        return {"line": self.line, "reason": self.reason}


@attrs.frozen(kw_only=True)
class LibraryImport:
    """A whole export: its format, the usable rows, the rejected ones and the blank lines."""

    format: LibraryFormat
    rows: tuple[LibraryRow, ...]
    rejected: tuple[RejectedRow, ...]
    blank_lines: tuple[int, ...] = ()

    def authors(self) -> list[str]:
        """Distinct authors (display names, by `name_key` and the numbers in the name: "Author 1"
        and "Author 2" are two), primary authors first, then the additional ones, each group in
        order of first appearance."""
        seen: dict[tuple[str, tuple[str, ...]], str] = {}
        for group in ([r.authors[:1] for r in self.rows], [r.authors[1:] for r in self.rows]):
            for names in group:
                for name in names:
                    key = name_key(name)
                    if key:
                        seen.setdefault((key, _digits_of(name)), name)
        return list(seen.values())

    def isbns(self) -> list[str]:
        """Distinct ISBN-13s, in order of first appearance."""
        return list(dict.fromkeys(r.isbn13 for r in self.rows if r.isbn13))


def _norm_column(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def _plain_column(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", _norm_column(name))


def _first_index(
    header: Sequence[str], wanted: Sequence[str], *, plain: bool = False
) -> int | None:
    """The index of the first column named like ``wanted`` (in ``wanted``'s order of preference)."""
    names = [(_plain_column(c) if plain else _norm_column(c)) for c in header]
    for option in wanted:
        key = option if plain else _norm_column(option)
        if key in names:
            return names.index(key)
    return None


def _missing(format: LibraryFormat, header: Sequence[str]) -> str | None:
    """What ``header`` lacks to be ``format``, or None when it has everything needed."""
    if format == "plain":
        has_title = _first_index(header, _PLAIN_TITLE, plain=True) is not None
        has_author = _first_index(header, _PLAIN_AUTHOR, plain=True) is not None
        has_isbn = _first_index(header, _PLAIN_ISBN, plain=True) is not None
        if has_isbn or (has_title and has_author):
            return None
        return "a title column and an author column, or an ISBN column"
    absent = [c for c in _REQUIRED[format] if _first_index(header, (c,)) is None]
    return ", ".join(absent) if absent else None


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _describe_columns(header: Sequence[str]) -> str:
    shown = ", ".join(repr(_shorten(c)) for c in header[:10])
    more = f", … ({len(header)} in all)" if len(header) > 10 else ""
    return f"{shown}{more}" if header else "none"


def detect_format(header: Sequence[str]) -> LibraryFormat:
    """The export format a header line names.

    Raises `InvalidInput` ("unrecognised library export: ...") naming the columns expected.
    """
    for format in _FORMATS:
        if _missing(format, header) is None:
            return format
    expected = "; ".join(
        f"a {_LABELS[f]} export ({', '.join(_REQUIRED[f])})"
        for f in ("goodreads", "storygraph", "librarything")
    )
    raise InvalidInput(
        f"unrecognised library export: the header has columns {_describe_columns(header)}; "
        f"expected {expected}; or a CSV with title and author columns or an ISBN column"
    )


@attrs.frozen(kw_only=True)
class _Encoding:
    codec: str
    errors: str
    kind: Literal["utf-8", "utf-8-bom", "utf-16"]


def _sniff_encoding(path: str | os.PathLike[str]) -> _Encoding:
    with open(path, "rb") as raw:
        head = raw.read(4)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InvalidInput("UTF-32 text is not supported: save the export as UTF-8")
    if head.startswith(codecs.BOM_UTF8):
        return _Encoding(codec="utf-8-sig", errors="surrogateescape", kind="utf-8-bom")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _Encoding(codec="utf-16", errors="replace", kind="utf-16")
    return _Encoding(codec="utf-8", errors="surrogateescape", kind="utf-8")


def _clean_line(text: str, encoding: _Encoding, number: int) -> tuple[str, str | None]:
    """The line decoded for good (UTF-8, else Windows-1252), and what is wrong with it if any."""
    problem = None
    if not text.isascii():
        if encoding.kind == "utf-16":
            if "\ufffd" in text:
                problem = f"undecodable bytes on line {number} (not UTF-16)"
        elif _ESCAPED.search(text):
            raw = text.encode("utf-8", "surrogateescape")
            text = raw.decode("utf-8", "replace")
            if encoding.kind == "utf-8-bom":
                start = _first_bad_utf8(raw)
                problem = (
                    f"undecodable byte 0x{raw[start]:02x} on line {number} "
                    "(not UTF-8, although the file starts with a UTF-8 byte-order mark)"
                )
            else:
                try:
                    text = raw.decode("cp1252")
                    if _BINARY.search(text):
                        problem = (
                            f"binary data on line {number} (not UTF-8, and control characters)"
                        )
                except UnicodeDecodeError as exc:
                    problem = (
                        f"undecodable byte 0x{raw[exc.start]:02x} on line {number} "
                        "(neither UTF-8 nor Windows-1252)"
                    )
    if "\x00" in text:
        problem = problem or f"NUL byte on line {number}"
        text = text.replace("\x00", "")
    return text, problem


def _first_bad_utf8(raw: bytes) -> int:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


@attrs.frozen(kw_only=True)
class _Layout:
    """What the header told: format, delimiter, columns, and where the body starts."""

    format: LibraryFormat
    encoding: _Encoding
    delimiter: str
    quoting: Literal[0, 1, 2, 3]
    header: tuple[str, ...]
    header_line: int
    columns: Mapping[str, int]
    plain: Mapping[str, tuple[int, ...]]


def _split_header(line: str) -> tuple[str, list[str]]:
    best: tuple[str, list[str]] = (",", [])
    for delimiter in _DELIMITERS:
        fields = next(csv.reader([line], delimiter=delimiter), [])
        if len(fields) > len(best[1]):
            best = (delimiter, fields)
    delimiter, fields = best
    if fields:
        fields[0] = fields[0].lstrip("\ufeff")
    return delimiter, [f.strip() for f in fields]


def _read_header(text: TextIO, encoding: _Encoding) -> tuple[str, int]:
    """The header line (leading blank lines skipped) and its line number."""
    number = 0
    while True:
        line = text.readline(_MAX_HEADER_CHARS)
        if not line:
            what = "the file is empty" if number == 0 else "the file holds only blank lines"
            raise InvalidInput(f"not a library export: {what}")
        number += 1
        if len(line) >= _MAX_HEADER_CHARS and not line.endswith(("\n", "\r")):
            raise InvalidInput(
                f"not a library export: no line break in the first {_MAX_HEADER_CHARS} "
                "characters (a binary file?)"
            )
        cleaned, problem = _clean_line(line, encoding, number)
        if problem:
            raise InvalidInput(f"not a text file: {problem} in the header")
        if cleaned.strip():
            return cleaned, number


def _probe(path: str | os.PathLike[str], format: LibraryFormat | None) -> _Layout:
    encoding = _sniff_encoding(path)
    with open(path, encoding=encoding.codec, errors=encoding.errors, newline="") as text:
        line, number = _read_header(text, encoding)
    delimiter, header = _split_header(line)
    if format is None:
        format = detect_format(header)
    elif format not in _FORMATS:
        raise InvalidInput(f"unknown library format {format!r}: use one of {', '.join(_FORMATS)}")
    else:
        missing = _missing(format, header)
        if missing is not None:
            raise InvalidInput(
                f"not a {_LABELS[format]} export: the header lacks {missing} "
                f"(it has columns {_describe_columns(header)})"
            )
    quoting: Literal[0, 1, 2, 3] = (
        csv.QUOTE_NONE if format == "librarything" and delimiter == "\t" else csv.QUOTE_MINIMAL
    )
    columns: dict[str, int] = {}
    plain: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        columns.setdefault(_norm_column(name), index)
        plain.setdefault(_plain_column(name), []).append(index)
    return _Layout(
        format=format,
        encoding=encoding,
        delimiter=delimiter,
        quoting=quoting,
        header=tuple(header),
        header_line=number,
        columns=columns,
        plain={k: tuple(v) for k, v in plain.items()},
    )


class _Lines:
    """The body's physical lines, decoded and counted, noting the first problem of a record."""

    def __init__(self, text: TextIO, encoding: _Encoding, last: int) -> None:
        self._text = text
        self._encoding = encoding
        self.last = last
        self.problem: str | None = None

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self.last += 1
        line, problem = _clean_line(line, self._encoding, self.last)
        if problem and self.problem is None:
            self.problem = problem
        return line


def _text(value: str) -> str | None:
    cleaned = " ".join(_CONTROL.sub(" ", value).split())
    return cleaned or None


@attrs.define
class _Fields:
    """One record's values by column name, and notes on what of it was ignored."""

    layout: _Layout
    values: list[str]
    notes: list[str] = attrs.Factory(list)
    rejection: str | None = None

    def author_text(self, value: str) -> str:
        """An author field on one line, or ``""`` (and the row rejected) when it is not text."""
        problem = _implausible_names(value)
        if problem is not None:
            if self.rejection is None:
                self.rejection = f"author text {_shorten(_text(value) or '')!r} {problem}"
            return ""
        return _LINE_BREAKS.sub(" ", value)

    def get(self, *columns: str) -> str:
        """The value of the first of ``columns`` the header has (by its exact name)."""
        for column in columns:
            index = self.layout.columns.get(_norm_column(column))
            if index is not None:
                return self.values[index]
        return ""

    def plain(self, *keys: str) -> list[str]:
        """The values of every column named like one of ``keys``, in ``keys`` order."""
        return [self.values[i] for key in keys for i in self.layout.plain.get(key, ())]


def _implausible_names(value: str) -> str | None:
    """Why ``value`` cannot be author names (binary noise, control characters), or None.

    Names are letters (any script, with their marks), spaces, digits apart from letters
    ("Author 12") and a few punctuation marks. Symbols (``=``, ``¤``, ``®``...), a word
    mixing letters and digits, a word whose case flips more than once ("xQpLm"), or a text
    mostly of Latin-1 accented letters is what decoding noise looks like, not a name.
    """
    if _UNPRINTABLE.search(value):
        return "holds control or undecodable characters"
    letters = accented = 0
    for char in value:
        if char.isalpha():
            letters += 1
            accented += "\u00c0" <= char <= "\u00ff"
        elif char.isspace() or char.isdigit() or char in _NAME_PUNCTUATION:
            continue
        elif char in _NOISE_PUNCTUATION or unicodedata.category(char)[0] not in "MP":
            return f"is not plausible as names ({char!r} is no part of a name)"
    if letters and letters < 2:
        return "is not plausible as names (too few letters)"
    if letters >= 5 and accented * 5 > letters * 2:
        return "is not plausible as names (mostly accented letters: decoding noise)"
    for word in _WORDS.findall(value):
        if any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
            return f"is not plausible as names ({_shorten(word)!r} mixes letters and digits)"
        if not _plausible_case(word):
            return f"is not plausible as names ({_shorten(word)!r} changes case at random)"
    return None


def _plausible_case(word: str) -> bool:
    """lower, Title, ALL CAPS, or a short title-case prefix joined on (McEwan, DeLillo)."""
    cased = "".join(c for c in word if c.isupper() or c.islower())
    if len(cased) < 2 or cased.islower() or cased.isupper() or cased.istitle():
        return True
    flips = [i for i in range(1, len(cased)) if cased[i - 1].islower() and cased[i].isupper()]
    if len(flips) != 1:
        return False
    prefix, rest = cased[: flips[0]], cased[flips[0] :]
    return len(prefix) <= 6 and prefix.istitle() and (rest.istitle() or rest.isupper())


def _digits_of(name: str) -> tuple[str, ...]:
    """The numbers that belong to a name ("Author 12"), not its dates ("Smith, J., 1950-")."""
    return tuple(_DIGITS.findall(_DATE_PART.sub(" ", name)))


def _split_direct(value: str) -> list[str]:
    """Comma-separated ``First Last`` names; a ``Jr.``-like part stays with its name."""
    names: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if names and _SUFFIX.match(part):
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return names


def _split_joined(fields: _Fields, value: str) -> list[str]:
    """`split_authors` of ``value``, noting a value that holds no name at all."""
    names = split_authors(value)
    cleaned = _text(value)
    if not names and cleaned is not None:
        fields.notes.append(f"author {_shorten(cleaned)!r} ignored: it has no letters")
    return names


def _authors(fields: _Fields, names: Sequence[str]) -> tuple[str, ...]:
    """Display forms of ``names``, de-duplicated by `name_key`, unusable ones noted."""
    kept: dict[tuple[str, tuple[str, ...]], str] = {}
    for name in names:
        cleaned = _text(name)
        if cleaned is None:
            continue
        digits = _digits_of(cleaned)
        shown = cleaned if digits else display_name(cleaned)
        key = (name_key(shown), digits)
        if not key[0]:
            fields.notes.append(f"author {_shorten(cleaned)!r} ignored: it has no letters")
        elif len(shown) > MAX_NAME_LENGTH:
            fields.notes.append(
                f"author {_shorten(cleaned)!r} ignored: longer than {MAX_NAME_LENGTH} characters"
            )
        else:
            kept.setdefault(key, shown)
    return tuple(kept.values())


def _isbn_tokens(value: str) -> list[str]:
    text = value.strip()
    quoted = _GOODREADS_QUOTING.match(text)
    if quoted:
        text = quoted.group(1).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [t.strip() for t in _ISBN_SEPARATORS.split(text) if t.strip()]


@attrs.frozen(kw_only=True)
class _Isbns:
    isbn13: str | None
    isbn10: str | None
    errors: tuple[str, ...]
    ignored: tuple[str, ...]


def _isbns(values: Sequence[str], *, uid: bool = False) -> _Isbns:
    """The row's ISBNs from its ISBN values in order of preference.

    ``isbn13`` is the first ISBN-13 given, else the first ISBN-10 converted; ``isbn10`` the first
    ISBN-10 given, else the one derived from ``isbn13``. With ``uid``, a value that does not look
    like an attempt at an ISBN is an identifier of another kind and is only noted as ignored.
    """
    given13: str | None = None
    given10: str | None = None
    converted13: str | None = None
    errors: list[str] = []
    ignored: list[str] = []
    for value in values:
        for token in _isbn_tokens(value):
            if uid and not _ISBN_ATTEMPT.fullmatch(token):
                ignored.append(token)
                continue
            try:
                isbn13, isbn10 = isbn_pair(token)
            except InvalidISBN as exc:
                errors.append(f"invalid ISBN {_shorten(token)!r}: {exc.reason}")
                continue
            if isbn13 in _NOT_DIGIT.sub("", token):
                given13 = given13 or isbn13
            else:
                given10 = given10 or isbn10
                converted13 = converted13 or isbn13
    chosen13 = given13 or converted13
    chosen10 = given10
    if chosen10 is None and chosen13 is not None:
        chosen10 = isbn_pair(chosen13)[1]
    return _Isbns(isbn13=chosen13, isbn10=chosen10, errors=tuple(errors), ignored=tuple(ignored))


@attrs.frozen(kw_only=True)
class _Parts:
    title: str | None
    authors: tuple[str, ...]
    isbns: _Isbns
    shelf: str | None


def _goodreads(fields: _Fields) -> _Parts:
    author = fields.author_text(fields.get("Author"))
    primary = _text(author) or display_name(fields.author_text(fields.get("Author l-f")))
    names = [primary, *_split_direct(fields.author_text(fields.get("Additional Authors")))]
    return _Parts(
        title=_text(fields.get("Title")),
        authors=_authors(fields, names),
        isbns=_isbns([fields.get("ISBN13"), fields.get("ISBN")]),
        shelf=_text(fields.get("Exclusive Shelf")),
    )


def _storygraph(fields: _Fields) -> _Parts:
    return _Parts(
        title=_text(fields.get("Title")),
        authors=_authors(fields, _split_direct(fields.author_text(fields.get("Authors")))),
        isbns=_isbns([fields.get("ISBN/UID")], uid=True),
        shelf=_text(fields.get("Read Status")),
    )


def _librarything(fields: _Fields) -> _Parts:
    names = [
        fields.author_text(fields.get("Primary Author")),
        *_split_joined(fields, fields.author_text(fields.get("Secondary Author"))),
    ]
    return _Parts(
        title=_text(fields.get("Title")),
        authors=_authors(fields, names),
        isbns=_isbns([fields.get("ISBNs"), fields.get("ISBN")]),
        shelf=_text(fields.get("Collections")),
    )


def _plain(fields: _Fields) -> _Parts:
    def first(keys: Sequence[str]) -> str:
        return next(iter(fields.plain(*keys)), "")

    return _Parts(
        title=_text(first(_PLAIN_TITLE)),
        authors=_authors(fields, _split_joined(fields, fields.author_text(first(_PLAIN_AUTHOR)))),
        isbns=_isbns(fields.plain(*_PLAIN_ISBN)),
        shelf=_text(first(_PLAIN_SHELF)),
    )


_PARSERS: Mapping[LibraryFormat, Callable[[_Fields], _Parts]] = {
    "goodreads": _goodreads,
    "storygraph": _storygraph,
    "librarything": _librarything,
    "plain": _plain,
}


def _count_fields(count: int) -> str:
    return f"{count} field" if count == 1 else f"{count} fields"


def _record(layout: _Layout, values: list[str], start: int, end: int) -> LibraryRow | RejectedRow:
    width = len(layout.header)
    if len(values) != width:
        span = f" (the record runs over lines {start}-{end})" if end > start else ""
        return RejectedRow(
            line=start,
            reason=f"row has {_count_fields(len(values))}, header has {_count_fields(width)}{span}",
        )
    fields = _Fields(layout=layout, values=values)
    parts = _PARSERS[layout.format](fields)
    if fields.rejection is not None:
        return RejectedRow(line=start, reason=fields.rejection)
    isbns = parts.isbns
    if parts.title is None and not parts.authors and isbns.isbn13 is None:
        if isbns.errors:
            reason = isbns.errors[0]
        elif fields.notes:
            reason = f"no usable title, author or ISBN: {fields.notes[0]}"
        elif isbns.ignored:
            reason = f"no title, author or ISBN ({_shorten(isbns.ignored[0])!r} is not an ISBN)"
        else:
            reason = "no title, author or ISBN"
        return RejectedRow(line=start, reason=reason)
    notes = [f"ignored {error}" for error in isbns.errors]
    notes.extend(fields.notes)
    return LibraryRow(
        line=start,
        title=parts.title,
        authors=parts.authors,
        isbn13=isbns.isbn13,
        isbn10=isbns.isbn10,
        shelf=parts.shelf,
        source=layout.format,
        notes=tuple(notes),
    )


def _scan(
    path: str | os.PathLike[str], layout: _Layout
) -> Iterator[LibraryRow | RejectedRow | int]:
    """Rows, rejections, and the numbers (ints) of blank lines, in file order."""
    encoding = layout.encoding
    with open(path, encoding=encoding.codec, errors=encoding.errors, newline="") as text:
        for _ in range(layout.header_line):
            text.readline(_MAX_HEADER_CHARS)
        lines = _Lines(text, encoding, layout.header_line)
        reader = csv.reader(lines, delimiter=layout.delimiter, quoting=layout.quoting)
        while True:
            start = lines.last + 1
            lines.problem = None
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RejectedRow(line=start, reason=f"unreadable row: {exc}")
                continue
            if lines.problem is not None:
                yield RejectedRow(line=start, reason=lines.problem)
            elif not any(v.strip() for v in values):
                yield from range(start, lines.last + 1)
            else:
                yield _record(layout, values, start, lines.last)


def _rows_only(
    items: Iterator[LibraryRow | RejectedRow | int],
) -> Iterator[LibraryRow | RejectedRow]:
    for item in items:
        if not isinstance(item, int):
            yield item


def iter_library(
    path: str | os.PathLike[str], *, format: LibraryFormat | None = None
) -> Iterator[LibraryRow | RejectedRow]:
    """Stream the rows and rejected rows of an export, in file order, in constant memory.

    The header is read (and the format detected unless given) before this returns, so an
    unusable file raises `InvalidInput` here. Blank lines are skipped (`read_library` lists them).
    """
    return _rows_only(_scan(path, _probe(path, format)))


def read_library(
    path: str | os.PathLike[str], *, format: LibraryFormat | None = None
) -> LibraryImport:
    """Read a whole export: its format, usable rows, rejected rows and blank lines.

    Raises `InvalidInput` when the file is empty, binary or not a recognised export.
    """
    layout = _probe(path, format)
    rows: list[LibraryRow] = []
    rejected: list[RejectedRow] = []
    blank: list[int] = []
    for item in _scan(path, layout):
        if isinstance(item, int):
            blank.append(item)
        elif isinstance(item, RejectedRow):
            rejected.append(item)
        else:
            rows.append(item)
    return LibraryImport(
        format=layout.format, rows=tuple(rows), rejected=tuple(rejected), blank_lines=tuple(blank)
    )


def _converted(isbn10: str | None) -> str | None:
    if not isbn10:
        return None
    try:
        return isbn_pair(isbn10)[0]
    except InvalidISBN:
        return None


async def _lookup_batched(
    isbns: Sequence[str],
    lookup_isbns: Callable[[list[str]], Awaitable[Mapping[str, Edition | None]]],
    batch_size: int,
) -> dict[str, Edition]:
    found: dict[str, Edition] = {}
    for offset in range(0, len(isbns), batch_size):
        batch = list(isbns[offset : offset + batch_size])
        answers = await lookup_isbns(batch)
        for isbn in batch:
            edition = answers.get(isbn)
            if edition is not None:
                found[isbn] = edition
    return found


async def resolve_rows(
    rows: Sequence[LibraryRow],
    lookup_isbns: Callable[[list[str]], Awaitable[Mapping[str, Edition | None]]],
    search: Callable[[str, str], Awaitable[Edition | None]] | None = None,
    *,
    batch_size: int = 100,
) -> list[tuple[LibraryRow, Edition | None, ResolvedBy]]:
    """Each row with its edition and how it was found, in the order of ``rows``.

    Every distinct ISBN-13 of the rows (and the ISBN-13 form of each ISBN-10 that names another
    book than its row's ISBN-13) goes to ``lookup_isbns`` in batches of ``batch_size``. A row is
    found by its ISBN-13 (``"isbn13"``), else by its ISBN-10 (``"isbn10"``), else, when
    ``search`` is given, by ``search(title, first author)`` (``"title+author"``, one call per
    distinct pair, one at a time); otherwise it is ``"unresolved"``. Errors of the callables
    propagate.
    """
    if batch_size < 1:
        raise InvalidInput(f"batch_size must be at least 1, got {batch_size}")
    wanted: dict[str, None] = {}
    alternates: list[str | None] = []
    for row in rows:
        if row.isbn13:
            wanted.setdefault(row.isbn13, None)
        alternate = _converted(row.isbn10)
        if alternate == row.isbn13:
            alternate = None
        if alternate:
            wanted.setdefault(alternate, None)
        alternates.append(alternate)
    found = await _lookup_batched(list(wanted), lookup_isbns, batch_size)
    searched: dict[tuple[str, str], Edition | None] = {}
    results: list[tuple[LibraryRow, Edition | None, ResolvedBy]] = []
    for row, alternate in zip(rows, alternates, strict=True):
        if row.isbn13 and row.isbn13 in found:
            results.append((row, found[row.isbn13], "isbn13"))
        elif alternate and alternate in found:
            results.append((row, found[alternate], "isbn10"))
        elif search is not None and row.title and row.authors:
            key = (row.title, row.authors[0])
            if key not in searched:
                searched[key] = await search(*key)
            edition = searched[key]
            results.append((row, edition, "title+author" if edition else "unresolved"))
        else:
            results.append((row, None, "unresolved"))
    return results
