"""Pairing editions from any provider with an author's core works, and merging duplicates.

An edition goes to a work by ISBN when OpenLibrary lists that ISBN under the work; otherwise by
normalised title (exact, then fuzzy with rapidfuzz above a threshold) when one of its authors is
the author. Editions of one ISBN from several providers merge into one, field by field.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from bookstracker.models import PROVIDERS, Edition, _trusted_edition
from bookstracker.names import name_key, title_key
from bookstracker.pipeline.merge import is_companion_title

__all__ = ["EditionPairer", "PairingResult", "merge_editions"]

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


@attrs.frozen(kw_only=True)
class PairingResult:
    """Editions per work key, and the editions that matched no work."""

    by_work: Mapping[str, tuple[Edition, ...]]
    unpaired: tuple[Edition, ...]


@attrs.define
class _Target:
    key: str
    title_key: str
    year: int | None


class EditionPairer:
    """Pairs editions with works (``works``: key → title, year; ``isbn_owner``: ISBN → key)."""

    def __init__(
        self,
        *,
        works: Iterable[tuple[str, str, int | None]],
        isbn_owner: Mapping[str, str],
        author_names: Iterable[str],
        threshold: float = 90.0,
    ) -> None:
        self.targets = [_Target(key, title_key(title), year) for key, title, year in works]
        self.by_title: dict[str, list[_Target]] = {}
        for target in self.targets:
            if target.title_key:
                self.by_title.setdefault(target.title_key, []).append(target)
        self.title_choices = list(self.by_title)
        self.isbn_owner = dict(isbn_owner)
        self.author_keys = frozenset(k for k in map(name_key, author_names) if k)
        self.author_surnames = frozenset(k.split()[-1] for k in self.author_keys)
        self.threshold = threshold
        self._fuzzy_cache: dict[str, str | None] = {}
        self._by_authors: dict[tuple[str, ...], bool] = {}

    def _by_author(self, edition: Edition) -> bool:
        authors = edition.authors
        if not authors:
            return True
        known = self._by_authors.get(authors)
        if known is None:
            known = self._by_authors[authors] = self._names_the_author(authors)
        return known

    def _names_the_author(self, authors: tuple[str, ...]) -> bool:
        for author in authors:
            key = name_key(author)
            if key in self.author_keys:
                return True
            words = key.split()
            if (
                words
                and words[-1] in self.author_surnames
                and _initials_fit(words, self.author_keys)
            ):
                return True
        return False

    def _match_title(self, edition: Edition) -> str | None:
        key = title_key(edition.title)
        if not key:
            return None
        targets = self.by_title.get(key)
        if targets is None:
            if key not in self._fuzzy_cache:
                from rapidfuzz import fuzz, process  # not on the ISBN path

                best = process.extractOne(
                    key, self.title_choices, scorer=fuzz.ratio, score_cutoff=self.threshold
                )
                self._fuzzy_cache[key] = best[0] if best else None
            matched = self._fuzzy_cache[key]
            if matched is None:
                return None
            targets = self.by_title[matched]
        if len(targets) == 1:
            return targets[0].key
        year = edition.year
        if year is None:
            return targets[0].key
        eligible = [t for t in targets if t.year is None or t.year <= year] or targets
        return max(eligible, key=lambda t: t.year or 0).key

    def pair(self, editions: Iterable[Edition]) -> PairingResult:
        grouped: dict[str, dict[str, list[Edition]]] = {}
        loose: dict[str, list[Edition]] = {}
        unpaired: list[Edition] = []

        isbn_owner = self.isbn_owner
        for edition in editions:
            owner = isbn_owner.get(edition.isbn13 or "")
            if owner is None:
                if _not_a_book(edition.title):
                    unpaired.append(edition)
                    continue
                if not self._by_author(edition):
                    unpaired.append(edition)
                    continue
                owner = self._match_title(edition)
            if owner is None:
                unpaired.append(edition)
                continue
            if edition.isbn13:
                grouped.setdefault(owner, {}).setdefault(edition.isbn13, []).append(edition)
            else:
                loose.setdefault(owner, []).append(edition)
        by_work: dict[str, tuple[Edition, ...]] = {}
        for key in {*grouped, *loose}:
            merged = [merge_editions(group) for group in grouped.get(key, {}).values()]
            merged.extend(loose.get(key, ()))
            merged.sort(key=lambda e: (e.year or 9999, e.isbn13 or "", e.title))
            by_work[key] = tuple(merged)
        return PairingResult(by_work=by_work, unpaired=tuple(unpaired))


@functools.lru_cache(maxsize=16_384)
def _not_a_book(title: str) -> bool:
    """A study guide, a summary, a box set or an omnibus, by its title (two long patterns:
    remembered per title, as the other providers repeat one title edition after edition)."""
    from bookstracker.pipeline.corefilter import COLLECTION_PATTERN  # not on the ISBN path

    return bool(is_companion_title(title) or COLLECTION_PATTERN.search(title))


def _initials_fit(words: list[str], author_keys: frozenset[str]) -> bool:
    """ "j rowling" fits "j k rowling": same surname, and each given initial agrees."""
    given = [w[0] for w in words[:-1]]
    for key in author_keys:
        parts = key.split()
        theirs = [w[0] for w in parts[:-1]]
        if parts and parts[-1] == words[-1] and given and theirs and given[0] == theirs[0]:
            return True
    return False
