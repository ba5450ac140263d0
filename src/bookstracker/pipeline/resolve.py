"""From a name to the person meant, never merging two people who share a name.

Candidates come from OpenLibrary's author search. Each is scored with named parts: the exact
normalised name, an alternate name, the work count, and the top work. The best is chosen; the
others are listed so the caller sees who else the name could mean. An OpenLibrary author key
(``OL7234434A``) skips the search.

Pen names come in the same round when they can: OpenLibrary's author search matches a name in
``name`` and ``alternate_names`` alike, so the search for the author's own name also answers
every record that names the author among its alternate names (what a pen name's record must do
to be folded in). When that answer is known to be whole (not a full page, the author in it,
asked by exactly the author's name) no other request is needed; otherwise the alternate names
it left unresolved are looked up, all at once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import attrs

from bookstracker.models import Author, AuthorCandidate
from bookstracker.names import name_key, surname_key
from bookstracker.pipeline.author_names import AUTHOR_KEY, validate_author_name
from bookstracker.pipeline.evidence import birth_year
from bookstracker.providers.contract import Provider
from bookstracker.taskgroup import gather

__all__ = ["AUTHOR_KEY", "AuthorResolution", "AuthorResolver", "validate_author_name"]


@attrs.frozen(kw_only=True)
class AuthorResolution:
    """The person chosen, the other candidates, and any pen names that fold into them."""

    author: Author
    candidates: tuple[AuthorCandidate, ...]
    pen_names: tuple[Author, ...] = ()
    homonyms: tuple[Author, ...] = ()
    """Other people with the same name (their records, never merged with this one)."""


def _candidate_score(query_key: str, author: Author) -> dict[str, float]:
    parts: dict[str, float] = {}
    parts["exact_name"] = 1.0 if name_key(author.name) == query_key else 0.0
    parts["alternate_name"] = (
        0.6 if any(name_key(n) == query_key for n in author.alternate_names) else 0.0
    )
    if not parts["exact_name"] and not parts["alternate_name"]:
        same_surname = surname_key(author.name) == surname_key(query_key)
        parts["surname"] = 0.2 if same_surname else 0.0
    parts["work_count"] = 0.3 * min(1.0, math.log1p(author.work_count or 0) / math.log1p(500))
    parts["top_work"] = 0.05 if author.top_work else 0.0
    return parts


class AuthorResolver:
    """Resolves names with a provider that looks authors up (``Capability.AUTHOR_LOOKUP``)."""

    def __init__(self, openlibrary: Provider, *, max_pen_name_lookups: int = 4) -> None:
        self.openlibrary = openlibrary
        self.max_pen_name_lookups = max_pen_name_lookups

    async def resolve(self, name: str) -> AuthorResolution | None:
        """The best candidate for ``name``; None when OpenLibrary knows nobody by it."""
        cleaned = validate_author_name(name)
        match = AUTHOR_KEY.match(cleaned)
        if match:
            key = match.group(1).upper()
            author = await self.openlibrary.author(key)
            if author is None:
                return None
            found_by_name: Sequence[Author] = ()
            if author.work_count is None:
                author, found_by_name = await self._with_work_count(author)
            pen_names = await self._pen_names(
                author, found_by_name, whole=_whole(name_key(author.name), author, found_by_name)
            )
            homonyms = _homonyms(author, found_by_name, pen_names)
            return AuthorResolution(
                author=author,
                candidates=(
                    _to_candidate(author, 1.0),
                    *(_to_candidate(other, 0.0) for other in homonyms),
                ),
                pen_names=pen_names,
                homonyms=homonyms,
            )
        found: Sequence[Author] = await self.openlibrary.search_authors(cleaned, limit=SEARCH_LIMIT)
        if not found:
            return None
        query_key = name_key(cleaned)
        scored = sorted(
            ((sum(_candidate_score(query_key, a).values()), a) for a in found),
            key=lambda pair: -pair[0],
        )
        best_score, best = scored[0]
        if best_score < 0.5:
            return None
        candidates = tuple(_to_candidate(author, score) for score, author in scored[:10])
        pen_names = await self._pen_names(best, found, whole=_whole(query_key, best, found))
        return AuthorResolution(
            author=best,
            candidates=candidates,
            pen_names=pen_names,
            homonyms=_homonyms(best, found, pen_names),
        )

    async def _with_work_count(self, author: Author) -> tuple[Author, Sequence[Author]]:
        """The record fetched by key has no work count: take it from the author search, which
        tells a pen name (fewer works) from the person behind it (and finds namesakes)."""
        found_by_name: Sequence[Author] = await self.openlibrary.search_authors(
            author.name, limit=SEARCH_LIMIT
        )
        for found in found_by_name:
            if found.openlibrary_key == author.openlibrary_key:
                author = attrs.evolve(
                    author,
                    work_count=found.work_count,
                    top_work=author.top_work or found.top_work,
                    top_subjects=author.top_subjects or found.top_subjects,
                )
                break
        return author, found_by_name

    async def _pen_names(
        self, author: Author, found: Sequence[Author] = (), *, whole: bool = False
    ) -> tuple[Author, ...]:
        """Author records of pen names: their alternate names and the person's point at each
        other, and the pen name has fewer works (a pen name's own bibliography stays its own).

        Taken from ``found`` (the search for the author's name) first; the alternate names it
        did not resolve are looked up at once, unless ``whole`` says it held every record that
        names the author (then there is nothing more to find)."""
        own_key = name_key(author.name)
        own_surname = surname_key(author.name)
        wanted: dict[str, str] = {}
        for alternate in author.alternate_names:
            if len(wanted) >= self.max_pen_name_lookups:
                break
            alt_key = name_key(alternate)
            if not alt_key or alt_key == own_key or alt_key in wanted:
                continue
            if surname_key(alternate) == own_surname:
                continue
            wanted[alt_key] = alternate
        if not wanted:
            return ()
        by_alternate = {
            alt_key: [o for o in found if _is_pen_name(o, author, alt_key)] for alt_key in wanted
        }
        missing = [alt_key for alt_key, records in by_alternate.items() if not records]
        if missing and not whole:
            answers = await gather(
                [
                    functools.partial(self.openlibrary.search_authors, wanted[alt_key], limit=5)
                    for alt_key in missing
                ]
            )
            for alt_key, others in zip(missing, answers, strict=True):
                by_alternate[alt_key] = [o for o in others if _is_pen_name(o, author, alt_key)]
        return tuple(record for records in by_alternate.values() for record in records)


SEARCH_LIMIT = 20
"""Records asked of the author search (by the name typed, or by the name of a key's record)."""


def _is_pen_name(other: Author, author: Author, alt_key: str) -> bool:
    """``other`` is the author's pen name ``alt_key``: named so, naming the author among its
    alternate names, and with fewer works."""
    if other.keys.get("openlibrary") == author.keys.get("openlibrary"):
        return False
    if name_key(other.name) != alt_key:
        return False
    own_key = name_key(author.name)
    points_back = any(name_key(n) == own_key for n in other.alternate_names)
    fewer = author.work_count is not None and (other.work_count or 0) < author.work_count
    return points_back and fewer


def _whole(query_key: str, author: Author, found: Sequence[Author]) -> bool:
    """True when ``found`` holds every record that names ``author`` among its alternate names:
    it answered a search for exactly the author's name (which matches alternate names too),
    came back short of a full page, and holds the author's own record."""
    own = author.keys.get("openlibrary")
    return (
        query_key == name_key(author.name)
        and len(found) < SEARCH_LIMIT
        and any(o.keys.get("openlibrary") == own for o in found)
    )


MAX_HOMONYMS = 3


def _homonyms(
    author: Author, found: Sequence[Author], pen_names: Sequence[Author]
) -> tuple[Author, ...]:
    """Records of other people with exactly this name (not the author, not a pen name)."""
    own = name_key(author.name)
    skip = {author.openlibrary_key, *(p.openlibrary_key for p in pen_names)}
    born = birth_year(author.birth_date)
    out = []
    for other in found:
        if other.openlibrary_key in skip or name_key(other.name) != own:
            continue
        other_born = birth_year(other.birth_date)
        if born is not None and other_born is not None and abs(born - other_born) > 1:
            out.append(other)  # two records of one person are not homonyms
    return tuple(out[:MAX_HOMONYMS])


def _to_candidate(author: Author, score: float) -> AuthorCandidate:
    return AuthorCandidate(
        name=author.name,
        keys=author.keys,
        work_count=author.work_count,
        birth_date=author.birth_date,
        top_work=author.top_work,
        score=round(score, 4),
        top_subjects=author.top_subjects[:10],
    )
