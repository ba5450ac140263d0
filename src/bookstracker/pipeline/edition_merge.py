"""One edition from several providers' records of the same ISBN, merged field by field."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from bookstracker.models import PROVIDERS, Edition, _trusted_edition

__all__ = ["merge_editions"]

_FIELD_PRIORITY: Mapping[str, tuple[str, ...]] = {
    "title": ("openlibrary", "isbndb", "googlebooks"),
    "subtitle": ("openlibrary", "googlebooks", "isbndb"),
    "publisher": ("isbndb", "openlibrary", "googlebooks"),
    "published": ("openlibrary", "googlebooks", "isbndb"),
    "pages": ("isbndb", "openlibrary", "googlebooks"),
    "language": ("openlibrary", "googlebooks", "isbndb"),
    "format": ("isbndb", "openlibrary", "googlebooks"),
    "cover_url": ("openlibrary", "googlebooks", "isbndb"),
    "work_key": ("openlibrary",),
    "isbn10": ("openlibrary", "isbndb", "googlebooks"),
    "authors": ("openlibrary", "isbndb", "googlebooks"),
}


_FIELDS = tuple(field.name for field in attrs.fields(Edition))
_read_fields = operator.attrgetter(*_FIELDS)
"""An edition's fields as one tuple, in `_FIELDS` order (one call instead of a getattr each)."""
_KEPT = tuple(
    (name, index)
    for index, name in enumerate(_FIELDS)
    if name not in _FIELD_PRIORITY and name not in ("keys", "sources")
)


def _rank(sources: tuple[str, ...], order: tuple[str, ...]) -> int:
    ranks = [order.index(s) for s in sources if s in order]
    return min(ranks) if ranks else len(order)


@attrs.frozen
class _MergePlan:
    """What a merge reads, which depends only on the records' sources: per field, the
    records' positions in the order they are read (providers by priority, records of equal
    rank in their given order), and the merged sources."""

    fields: tuple[tuple[str, int, tuple[int, ...]], ...]
    sources: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _merge_plan(sources: tuple[tuple[str, ...], ...]) -> _MergePlan:
    fields: list[tuple[str, int, tuple[int, ...]]] = []
    for field, order in _FIELD_PRIORITY.items():
        ranks = [_rank(s, order) for s in sources]
        positions = tuple(sorted(range(len(sources)), key=ranks.__getitem__))
        fields.append((field, _FIELDS.index(field), positions))
    seen = {source for given in sources for source in given}
    merged = tuple(p for p in PROVIDERS if p in seen) + tuple(sorted(seen.difference(PROVIDERS)))
    return _MergePlan(tuple(fields), merged)


def merge_editions(editions: Sequence[Edition]) -> Edition:
    """One edition from several providers' records of the same ISBN: one rule per field."""
    if len(editions) == 1:
        return editions[0]
    rows = [_read_fields(edition) for edition in editions]
    first = rows[0]
    merged: dict[str, Any] = {name: first[index] for name, index in _KEPT}
    plan = _merge_plan(tuple(e.sources for e in editions))
    for field, index, positions in plan.fields:
        value = None
        for position in positions:
            value = rows[position][index]
            if value:
                break
        merged[field] = value or None
    keys: dict[str, str] = {}
    for edition in editions:
        for provider, key in edition.keys.items():
            keys.setdefault(provider, key)
    merged["title"] = merged["title"] or editions[0].title
    merged["authors"] = merged["authors"] or ()
    merged["keys"] = keys
    merged["sources"] = plan.sources
    return _trusted_edition(**merged)  # every value comes from an Edition: already converted
