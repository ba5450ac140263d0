"""Who is in a catalog: the list ``bookstracker --offline authors`` prints, and the nearest names
to one that is not there (the "did you mean" of an offline miss)."""

from __future__ import annotations

import re

import attrs
from rapidfuzz import fuzz, process

from bookstracker.names import name_key
from bookstracker.testing.catalog import Catalog, sample_catalog

__all__ = ["DirectoryEntry", "catalog_authors", "suggest_authors"]

SUGGESTION_CUTOFF = 80.0
"""How alike (0-100, rapidfuzz's token-sorted ratio of the matching keys) a name must be to an
author's name, or one of their alternate names, to be suggested."""


@attrs.frozen(kw_only=True)
class DirectoryEntry:
    """One author of a catalog: display name, OpenLibrary key, birth date and how many works
    the catalog credits them with (in any role)."""

    name: str
    key: str
    birth_date: str | None
    works: int

    @property
    def birth_year(self) -> int | None:
        """The year in ``birth_date``, when it holds one."""
        year = re.search(r"\b(\d{3,4})\b", self.birth_date or "")
        return int(year.group(1)) if year else None

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "key": self.key,
            "birth_date": self.birth_date,
            "works": self.works,
        }


def catalog_authors(catalog: Catalog | None = None) -> list[DirectoryEntry]:
    """Every author of ``catalog`` (the bundled sample by default), sorted by name."""
    catalog = catalog if catalog is not None else sample_catalog()
    entries = [
        DirectoryEntry(
            name=author.name,
            key=author.id,
            birth_date=author.birth_date,
            works=len(catalog.works_of(author.id)),
        )
        for author in catalog.authors
    ]
    return sorted(entries, key=lambda e: (e.name.casefold(), e.birth_date or "", e.key))


def suggest_authors(name: str, catalog: Catalog | None = None, *, limit: int = 3) -> list[str]:
    """The names of ``catalog``'s authors (the bundled sample by default) nearest to ``name``,
    best first, at most ``limit``; ``[]`` when none is close (see `SUGGESTION_CUTOFF`).

    Names are compared by their matching keys, so case, accents, punctuation and "Last, First"
    make no difference; alternate names count for their author.
    """
    wanted = name_key(name)
    if not wanted:
        return []
    catalog = catalog if catalog is not None else sample_catalog()
    choices: dict[str, str] = {}
    for author in catalog.authors:
        for known in (author.name, *author.alternate_names):
            choices.setdefault(name_key(known), author.name)
    choices.pop("", None)
    found = process.extract(
        wanted,
        list(choices),
        scorer=fuzz.token_sort_ratio,
        score_cutoff=SUGGESTION_CUTOFF,
        limit=None,
    )
    suggestions: list[str] = []
    for key, _score, _index in found:
        if choices[key] not in suggestions:
            suggestions.append(choices[key])
    return suggestions[:limit]
