"""Merging one book's hits from several providers, and a ranking that explains itself.

Hits are grouped as calibre groups identify results: by a shared ISBN-13, then by OpenLibrary
work key, then by normalised title + first author. One rule per field picks the merged value.
Each merged hit carries ``score_parts``: named, weighted parts whose sum is its ``score``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from bookstracker._patterns import LazyPattern
from bookstracker.models import PROVIDERS, SearchHit
from bookstracker.names import name_key, title_key, title_key_full, title_similarity

__all__ = ["COMPANION_PATTERN", "RANK_WEIGHTS", "is_companion_title", "merge_hits", "rank_hits"]

COMPANION_PATTERN = LazyPattern(
    r"\b(study guide|summary (?:of|and|&)|summary\b.*\banalysis|analysis of|sparknotes|"
    r"cliffs? ?notes|york notes|workbook|reader'?s guide|book club guide|teacher'?s guide|"
    r"literature guide|novel units|lesson plans?|quiz ?book|trivia|conversation starters|"
    r"bookrags|supersummary|instaread|(?:a )?summary$|"
    r"critical (?:interpretations|essays|companion|perspectives|insights)|casebook|"
    r"bloom'?s (?:guides|notes|modern critical))",
    re.IGNORECASE,
)

RANK_WEIGHTS: Mapping[str, float] = {
    "title_match": 0.45,
    "author_match": 0.25,
    "provider_agreement": 0.15,
    "edition_count": 0.10,
    "has_isbn": 0.05,
}
COMPANION_PENALTY = 0.5


def is_companion_title(title: str) -> bool:
    """True for study guides, summaries, workbooks and the like (judged from the title)."""
    return bool(COMPANION_PATTERN.search(title))


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _group_key(hit: SearchHit) -> str | None:
    if not hit.title:
        return None
    author = name_key(hit.authors[0]) if hit.authors else ""
    return f"{title_key(hit.title)}|{author}"


def merge_hits(hits_by_provider: Mapping[str, Sequence[SearchHit]]) -> list[SearchHit]:
    """One hit per book, naming every provider that returned it; provider order is kept."""
    hits: list[SearchHit] = []
    for provider in [*PROVIDERS, *sorted(set(hits_by_provider) - set(PROVIDERS))]:
        hits.extend(hits_by_provider.get(provider, ()))
    groups = _UnionFind(len(hits))
    by_isbn: dict[str, int] = {}
    by_work: dict[str, int] = {}
    by_title: dict[str, int] = {}
    for index, hit in enumerate(hits):
        for isbn in hit.isbn13:
            if isbn in by_isbn:
                groups.union(index, by_isbn[isbn])
            else:
                by_isbn[isbn] = index
        work = hit.keys.get("openlibrary")
        if work:
            if work in by_work:
                groups.union(index, by_work[work])
            else:
                by_work[work] = index
    for index, hit in enumerate(hits):
        key = _group_key(hit)
        if key is None:
            continue
        if key in by_title:
            first = by_title[key]
            a_work = hits[groups.find(index)].keys.get("openlibrary")
            b_work = hits[groups.find(first)].keys.get("openlibrary")
            if not (a_work and b_work and a_work != b_work) or _same_work_anyway(
                hits, index, first
            ):
                groups.union(index, first)
        else:
            by_title[key] = index
    members: dict[int, list[SearchHit]] = {}
    for index, hit in enumerate(hits):
        members.setdefault(groups.find(index), []).append(hit)
    return [_merge_group(group) for _, group in sorted(members.items())]


def _same_work_anyway(hits: Sequence[SearchHit], a: int, b: int) -> bool:
    """Two OpenLibrary work records of one title and author are a duplicate pair: one book."""
    return hits[a].sources == ("openlibrary",) and hits[b].sources == ("openlibrary",)


def _merge_group(group: Sequence[SearchHit]) -> SearchHit:
    if len(group) == 1:
        return group[0]
    primary = group[0]
    keys: dict[str, str] = {}
    isbns: dict[str, None] = {}
    sources: set[str] = set()
    for hit in group:
        for provider, key in hit.keys.items():
            keys.setdefault(provider, key)
        isbns.update(dict.fromkeys(hit.isbn13))
        sources.update(hit.sources)
    years = [h.first_publish_year for h in group if h.first_publish_year]
    counts = [h.edition_count for h in group if h.edition_count]
    return attrs.evolve(
        primary,
        authors=primary.authors or next((h.authors for h in group if h.authors), ()),
        first_publish_year=min(years) if years else None,
        isbn13=tuple(isbns)[:40],
        keys=keys,
        sources=sources,
        cover_url=next((h.cover_url for h in group if h.cover_url), None),
        subtitle=primary.subtitle or next((h.subtitle for h in group if h.subtitle), None),
        edition_count=max(counts) if counts else None,
    )


def rank_hits(
    hits: Iterable[SearchHit],
    *,
    query: str,
    title: str | None = None,
    author: str | None = None,
    providers_answered: int = 1,
) -> list[SearchHit]:
    """Score and order hits; a companion never outranks the book it is about."""
    scored: list[SearchHit] = []
    wanted_title = title or query
    wanted_author = name_key(author) if author else None
    query_words = set(name_key(query).split())
    for hit in hits:
        parts: dict[str, float] = {}
        parts["title_match"] = title_similarity(hit.title, wanted_title) / 100.0
        if wanted_author is not None:
            parts["author_match"] = max(
                (1.0 if name_key(a) == wanted_author else 0.0 for a in hit.authors), default=0.0
            )
        else:
            author_words = _named_author_words(hit.authors, query_words)
            parts["author_match"] = (
                len(author_words & query_words) / len(author_words) if author_words else 0.0
            )
            if parts["author_match"] and parts["title_match"] < 1.0:
                residue = " ".join(w for w in name_key(query).split() if w not in author_words)
                if residue:
                    parts["title_match"] = max(
                        parts["title_match"], title_similarity(hit.title, residue) / 100.0
                    )
        parts["provider_agreement"] = len(hit.sources) / max(1, providers_answered)
        parts["edition_count"] = min(1.0, math.log1p(hit.edition_count or 0) / math.log1p(200))
        parts["has_isbn"] = 1.0 if hit.isbn13 else 0.0
        weighted = {name: round(value * RANK_WEIGHTS[name], 4) for name, value in parts.items()}
        if is_companion_title(hit.title):
            weighted["companion_penalty"] = -COMPANION_PENALTY
        scored.append(
            attrs.evolve(hit, score=round(sum(weighted.values()), 4), score_parts=weighted)
        )
    scored.sort(key=lambda h: -h.score)
    return _companions_after_subjects(scored)


def _named_author_words(authors: Sequence[str], query_words: set[str]) -> set[str]:
    """The words of the authors whose surname the query names ("weir" in "martian weir");
    a given name alone ("mary" in "project hail mary") names nobody."""
    words: set[str] = set()
    for author in authors:
        key = name_key(author).split()
        if key and key[-1] in query_words:
            words.update(key)
    return words


def _companions_after_subjects(hits: list[SearchHit]) -> list[SearchHit]:
    """Move each companion just below the first non-companion hit whose title it names."""
    result = [h for h in hits if not is_companion_title(h.title)]
    for hit in (h for h in hits if is_companion_title(h.title)):
        text = title_key_full(hit.title)
        subject = next(
            (i for i, h in enumerate(result) if title_key(h.title) and title_key(h.title) in text),
            None,
        )
        position = _position_by_score(result, hit)
        if subject is not None and position <= subject:
            position = subject + 1
        result.insert(position, hit)
    return result


def _position_by_score(hits: Sequence[SearchHit], hit: SearchHit) -> int:
    for index, other in enumerate(hits):
        if hit.score > other.score:
            return index
    return len(hits)
