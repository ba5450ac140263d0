"""ISBN parsing, validation and conversion; hyphenation by python-stdnum's range tables.

Every function accepts the forms ISBNs take in the wild: ISBN-10 or ISBN-13, hyphens or spaces,
a lower- or upper-case ``X`` check digit, Unicode dashes and full-width digits, an ``ISBN-13:``
label, and Goodreads' spreadsheet quoting ``="0553418025"``. The canonical form is the bare
ISBN-13 (13 ASCII digits).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import attrs

from bookstracker._patterns import LazyPattern
from bookstracker.errors import InvalidISBN

__all__ = [
    "ISBN",
    "find_isbns",
    "hyphenate",
    "is_valid_isbn",
    "isbn13_or_none",
    "isbn_pair",
    "normalize_isbn",
    "to_isbn10",
    "to_isbn13",
]

_BOOKLAND = ("978", "979")
_ISBN10_LAST = frozenset("0123456789Xx")
_DIGITS = "0123456789"
_ISBN10_CHECK = "0123456789X"
_CACHE_SIZE = 65_536

_GOODREADS_QUOTING = LazyPattern(r'^=?"(.*)"$', re.DOTALL)
_LABEL = LazyPattern(r"^isbn(?:[\s-]?1[03](?=\s*[:#]|\s|$))?\s*[:#]?\s*", re.IGNORECASE)
_SEPARATORS = LazyPattern(r"[\s-]+")
_CANDIDATE = LazyPattern(r"(?<![0-9])[0-9](?:[\s-]?[0-9])*(?:[\s-]?[Xx](?![0-9A-Za-z]))?(?![0-9])")
_SPACE = LazyPattern(r"\s")


class _DashAndDigitTable(dict[int, "str | int"]):
    """A `str.translate` table, filled on demand: any dash to ``-``, any decimal digit to ASCII."""

    def __missing__(self, code: int) -> str | int:
        char = chr(code)
        folded: str | int = code
        if unicodedata.category(char) == "Pd" or char in "\u2212\u00ad":
            folded = "-"
        elif unicodedata.category(char) == "Nd":
            folded = str(unicodedata.decimal(char))
        if len(self) < _CACHE_SIZE:
            self[code] = folded
        return folded


_ASCII_TABLE = _DashAndDigitTable()


def _to_ascii_form(text: str) -> str:
    """Fold compatibility characters, any dash to ``-`` and any decimal digit to ASCII."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_ASCII_TABLE)


def _isbn10_check_digit(first_nine: str) -> str:
    d = first_nine.encode("ascii")  # weights 10..2, written out: half the time of a sum(map())
    total = 10 * d[0] + 9 * d[1] + 8 * d[2] + 7 * d[3] + 6 * d[4] + 5 * d[5] + 4 * d[6]
    total += 3 * d[7] + 2 * d[8] - 54 * ord("0")
    return _ISBN10_CHECK[-total % 11]


def _isbn13_check_digit(first_twelve: str) -> str:
    codes = first_twelve.encode("ascii")
    total = sum(codes[::2]) + 3 * sum(codes[1::2]) - 24 * ord("0")
    return _DIGITS[-total % 10]


def _bare(value: str) -> tuple[str, str | None] | None:
    """The fast path: a bare, valid ISBN-13 or ISBN-10 (how providers send them), else None."""
    if not value.isascii():
        return None
    if len(value) == 13 and value.isdigit() and value[:3] in _BOOKLAND:
        if _isbn13_check_digit(value[:12]) != value[12]:
            return None
        if value[2] == "9":
            return value, None
        return value, value[3:12] + _isbn10_check_digit(value[3:12])
    if len(value) == 10 and value[:9].isdigit() and value[9] in _ISBN10_LAST:
        if _isbn10_check_digit(value[:9]) != value[9].upper():
            return None
        core = "978" + value[:9]
        return core + _isbn13_check_digit(core), value.upper()
    return None


def _parse(value: str) -> tuple[str, str | None] | str:
    """``(isbn13, isbn10 or None)`` for a valid ISBN, or the reason it is invalid.

    Bare ISBNs take the fast path (a checksum); every other form, and every invalid one (for
    its reason), goes through the full rules first.
    """
    bare = _bare(value)
    if bare is not None:
        return bare
    text = _to_ascii_form(value).strip()
    quoted = _GOODREADS_QUOTING.match(text)
    if quoted:
        text = quoted.group(1).strip()
    text = _LABEL.sub("", text, count=1)
    compact = _SEPARATORS.sub("", text)
    if not compact:
        return "empty"
    bad = sorted({c for c in compact if not (c.isascii() and (c.isdigit() or c in "Xx"))})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return f"bad characters: {shown} (an ISBN holds digits and a final X only)"
    compact = compact.upper()
    if "X" in compact[:-1]:
        return "bad characters: 'X' may only be the last character of an ISBN-10"
    if len(compact) not in (10, 13):
        return f"wrong length: {len(compact)} characters (an ISBN has 10 or 13)"
    if len(compact) == 13:
        if compact.endswith("X"):
            return "bad characters: 'X' is not a valid ISBN-13 check digit"
        if not compact.startswith(_BOOKLAND):
            return f"not a book prefix: an ISBN-13 starts with 978 or 979, not {compact[:3]}"
        expected = _isbn13_check_digit(compact[:12])
    else:
        expected = _isbn10_check_digit(compact[:9])
    if compact[-1] != expected:
        return f"bad check digit: expected {expected}, found {compact[-1]}"
    bare = _bare(compact)
    assert bare is not None, compact  # every rule of _bare was checked above, with its reason
    return bare


_parse_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(_parse)


def isbn_pair(value: str) -> tuple[str, str | None]:
    """``(isbn13, isbn10)`` for any accepted ISBN form; ``isbn10`` is None for 979 prefixes.

    Raises `InvalidISBN` when ``value`` is not a valid ISBN.
    """
    if not isinstance(value, str):
        raise InvalidISBN(repr(value), f"not a string but {type(value).__name__}")
    result = _parse_cached(value)
    if isinstance(result, str):
        raise InvalidISBN(value, result)
    return result


def isbn13_or_none(value: str) -> str | None:
    """The bare ISBN-13 of ``value`` in any accepted form, or None when it is not a valid ISBN
    (`normalize_isbn` without the exception, for long lists of ISBNs from a provider)."""
    result = _parse_cached(value) if type(value) is str else None
    return result[0] if type(result) is tuple else None


def normalize_isbn(value: str) -> str:
    """The bare ISBN-13 for an ISBN-10 or ISBN-13 in any accepted form.

    Raises `InvalidISBN` with the reason (empty, wrong length, bad characters, bad check digit,
    not a book prefix).
    """
    return isbn_pair(value)[0]


def to_isbn13(value: str) -> str:
    """The bare ISBN-13; the same as `normalize_isbn`."""
    return isbn_pair(value)[0]


def to_isbn10(value: str) -> str | None:
    """The bare ISBN-10, or None for a 979-prefixed ISBN, which has none.

    Raises `InvalidISBN` when ``value`` is not a valid ISBN.
    """
    return isbn_pair(value)[1]


def is_valid_isbn(value: str) -> bool:
    """Whether ``value`` is a valid ISBN-10 or ISBN-13 in any accepted form."""
    return isinstance(value, str) and not isinstance(_parse_cached(value), str)


def hyphenate(value: str) -> str:
    """The ISBN-13 hyphenated by the registration-group ranges (``978-0-553-41802-6``)."""
    from stdnum import isbn as stdnum_isbn  # its range tables load only for hyphenation

    return str(stdnum_isbn.format(normalize_isbn(value)))


def _candidate_isbns(run: str) -> list[str]:
    chunks = _SPACE.split(run)
    found: list[str] = []
    for chunk in chunks:
        result = _parse_cached(chunk)
        if not isinstance(result, str):
            found.append(result[0])
    if not found and len(chunks) > 1:
        result = _parse_cached(run)
        if not isinstance(result, str):
            found.append(result[0])
    return found


def find_isbns(text: str) -> list[str]:
    """The valid ISBNs in free text, as ISBN-13s, de-duplicated, in order of first appearance.

    A candidate is a run of digits joined by single hyphens or spaces, optionally ending in
    ``X``, with no digit directly before or after it. Hyphens bind a run together: a number
    is never pulled out of a longer hyphenated digit run. A space-separated run is tried
    group by group first (``0553418025 9780553418026`` yields both), then whole
    (``ISBN 0 553 41802 5``).
    """
    if not isinstance(text, str):
        return []
    seen: dict[str, None] = {}
    for match in _CANDIDATE.finditer(_to_ascii_form(text)):
        for isbn13 in _candidate_isbns(match.group(0)):
            seen.setdefault(isbn13, None)
    return list(seen)


def _isbn10_default(instance: ISBN) -> str | None:
    return to_isbn10(instance.isbn13)


def _optional_isbn10(value: str | None) -> str | None:
    return None if value is None else to_isbn10(value)


def _check_isbn10(
    instance: ISBN, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    expected = to_isbn10(instance.isbn13)
    if value != expected:
        raise InvalidISBN(str(value), f"does not match ISBN-13 {instance.isbn13} ({expected})")


@attrs.frozen(kw_only=True)
class ISBN:
    """A validated ISBN: the bare ISBN-13 and, for 978 prefixes, the bare ISBN-10.

    Both fields accept any form `normalize_isbn` does and are stored bare; ``isbn10`` is
    derived when not given and must agree with ``isbn13``.
    """

    isbn13: str = attrs.field(converter=normalize_isbn)
    isbn10: str | None = attrs.field(
        default=attrs.Factory(_isbn10_default, takes_self=True),
        converter=_optional_isbn10,
        validator=_check_isbn10,
    )

    @classmethod
    def parse(cls, value: str) -> ISBN:
        """The ISBN for any accepted form; raises `InvalidISBN` when it is not one."""
        isbn13, isbn10 = isbn_pair(value)
        return cls(isbn13=isbn13, isbn10=isbn10)

    def hyphenated(self) -> str:
        """The hyphenated ISBN-13."""
        return hyphenate(self.isbn13)

    def __str__(self) -> str:
        return self.isbn13
