"""Lenient readers for provider JSON: missing keys, odd types and junk never raise."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping

from bookstracker._patterns import LazyPattern
from bookstracker._text import MAX_FIELD_CHARS, MAX_TEXT_CHARS, clean_text
from bookstracker.errors import InvalidISBN, InvalidQuery
from bookstracker.isbn import isbn_pair
from bookstracker.languages import to_iso639_1

__all__ = [
    "as_dict",
    "as_int",
    "as_list",
    "as_str",
    "clean_isbns",
    "https_url",
    "isbn_fields",
    "iso_date",
    "language_param",
    "text_value",
    "year_of",
]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]+)\.?"
_DATE_FORMS = (
    LazyPattern(r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?"),
    LazyPattern(rf"(?P<year>\d{{4}})-{_MONTH}(?:-(?P<day>\d{{1,2}}))?"),
    LazyPattern(rf"{_MONTH},?\s+(?P<year>\d{{4}})"),
    LazyPattern(rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"),
    LazyPattern(rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})"),
    LazyPattern(r"[\[(]?(?:c\.?\s?|©\s?|cop\.\s?|p\s?)?(?P<year>\d{4})[\])]?\.?", re.IGNORECASE),
)
_YEAR = LazyPattern(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
_SPACES = LazyPattern(r"\s+")


def as_dict(value: object) -> Mapping[str, object]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: object) -> list[object]:
    """A list from a list, a tuple, an index-keyed object (``{"0": …}``) or a single value."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        try:
            return [value[k] for k in sorted(value, key=lambda k: int(k))]
        except (TypeError, ValueError):
            return list(value.values())
    return [value]


def as_str(value: object, *, max_chars: int = MAX_FIELD_CHARS) -> str | None:
    """A clean single-line string of at most ``max_chars``, or None for missing, blank and
    non-scalar values; lone surrogates and control characters never get through."""
    if (
        type(value) is str
        and 0 < len(value) <= max_chars
        and value.isprintable()  # no control character, lone surrogate or odd whitespace
        and value[0] != " "
        and value[-1] != " "
        and "  " not in value
    ):
        return value  # most values: no regex, no copy
    if value is None or isinstance(value, (bool, Mapping, list)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    text = _SPACES.sub(" ", clean_text(text, max_chars=max_chars)).strip()
    return text or None


def as_int(value: object) -> int | None:
    """An int from an int, an integral float or a numeric string (``"369"``, ``"369 p."``)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    match = re.match(r"\s*(\d+)", str(value))
    return int(match.group(1)) if match else None


def _texts(value: object) -> tuple[str, ...] | None:
    """``value`` as a tuple when it is a list of strings, else None."""
    if type(value) is not list:
        return None
    for item in value:
        if type(item) is not str:
            return None
    return tuple(value)


def remembered_for_texts(
    read: Callable[[object], tuple[str, ...]], remember: int
) -> Callable[[object], tuple[str, ...]]:
    """``read``, remembered for the last ``remember`` lists of strings it was given (a
    listing repeats an author's names, keys and languages record after record); any other
    value is read afresh."""
    remembered = functools.lru_cache(maxsize=remember)(read)

    def reader(value: object) -> tuple[str, ...]:
        texts = _texts(value)
        return remembered(texts) if texts is not None else read(value)

    return reader


def year_of(value: object) -> int | None:
    """The first plausible year in an int or a free-text date ("July 28, 2008", "2011-09")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 3000 else None
    text = as_str(value)
    if not text:
        return None
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


def text_value(value: object) -> str | None:
    """OpenLibrary's typed text: a plain string or ``{"type": "/type/text", "value": …}``."""
    if isinstance(value, Mapping):
        value = value.get("value")
    if not isinstance(value, str):
        return None
    text = clean_text(value, max_chars=MAX_TEXT_CHARS, multiline=True).strip()
    return text or None


def iso_date(value: object) -> str | None:
    """A free-text date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; None when it does not parse.

    Reads ISO forms, ``"2018-Sep-04"``, ``"November 2006"``, ``"April 22, 2008"``,
    ``"22 April 2008"``, ``"c1995"``.
    """
    text = as_str(value)
    if text is None:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if not match:
            continue
        parts = match.groupdict()
        year = int(parts["year"])
        month_text = parts.get("month")
        month: int | None = None
        if month_text:
            month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
            if month is None or not 1 <= month <= 12:
                continue
        day = int(parts["day"]) if parts.get("day") else None
        if day is not None and not 1 <= day <= 31:
            continue
        if month is None:
            return f"{year:04d}"
        if day is None:
            return f"{year:04d}-{month:02d}"
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def language_param(value: str | None) -> str | None:
    """A language filter in any form as ISO 639-1; `InvalidQuery` for one nobody knows."""
    if value is None:
        return None
    code = to_iso639_1(value)
    if code is None:
        raise InvalidQuery(f"unknown language {value!r}")
    return code


def clean_isbns(values: Iterable[object]) -> list[str]:
    """Valid ISBN-13s from any mix of ISBN-10/13 strings, keeping order, without repeats."""
    seen: dict[str, None] = {}
    for value in values:
        text = as_str(value)
        if not text:
            continue
        try:
            isbn13, _ = isbn_pair(text)
        except InvalidISBN:
            continue
        seen.setdefault(isbn13, None)
    return list(seen)


def isbn_fields(values: Iterable[object]) -> tuple[str | None, str | None]:
    """The first valid ISBN as (isbn13, isbn10)."""
    for value in values:
        text = as_str(value)
        if not text:
            continue
        try:
            return isbn_pair(text)
        except InvalidISBN:
            continue
    return None, None


def https_url(value: object) -> str | None:
    """A URL forced to https (Google sends ``http://`` image links)."""
    text = as_str(value)
    if not text:
        return None
    if text.lower().startswith("http://"):
        return "https://" + text[7:]
    if text.startswith("Https://"):
        return "https://" + text[8:]
    return text
