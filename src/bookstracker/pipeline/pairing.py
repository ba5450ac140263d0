"""Pairing editions from any provider with an author's core works, and merging duplicates.

An edition goes to a work by ISBN when OpenLibrary lists that ISBN under the work; otherwise by
normalised title (exact, then fuzzy with rapidfuzz above a threshold) when one of its authors is
the author. Editions of one ISBN from several providers merge into one, field by field
(`bookstracker.pipeline.edition_merge`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import attrs

from bookstracker.models import Edition
from bookstracker.names import name_key, title_key
from bookstracker.pipeline.edition_merge import merge_editions
from bookstracker.pipeline.merge import is_companion_title

__all__ = ["EditionPairer", "PairingResult", "merge_editions"]


@attrs.frozen(kw_only=True)
class PairingResult:
    """Editions per work key, and the editions that matched no work."""

    by_work: Mapping[str, tuple[Edition, ...]]
    unpaired: tuple[Edition, ...]


@attrs.define(eq=False)
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
