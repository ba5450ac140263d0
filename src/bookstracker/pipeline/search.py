"""ParallelSearcher: one query to every enabled provider at once, merged into one ranked list."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping

from bookstracker._text import text_problem
from bookstracker.errors import AllProvidersFailed, InvalidQuery
from bookstracker.models import ProviderReport, SearchResult
from bookstracker.pipeline.fanout import fan_out
from bookstracker.pipeline.merge import merge_hits, rank_hits
from bookstracker.providers.contract import Capability, Provider, SearchPage

__all__ = ["MAX_QUERY_LENGTH", "ParallelSearcher", "validate_query"]

MAX_QUERY_LENGTH = 150  # ISBNdb refuses longer path parameters
MAX_LIMIT = 100


def validate_query(query: str, *, limit: int = 20) -> str:
    """The query stripped and checked; ``InvalidQuery`` says what is wrong."""
    if not isinstance(query, str):
        raise InvalidQuery(f"query must be a string, got {type(query).__name__}")
    cleaned = " ".join(query.split())
    if len(cleaned) < 3:
        raise InvalidQuery("query must be at least 3 characters long")
    if cleaned.lower() == "the":
        raise InvalidQuery("query 'the' alone is too common to search for")
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise InvalidQuery(f"query is longer than {MAX_QUERY_LENGTH} characters")
    problem = text_problem(query)
    if problem is not None:
        raise InvalidQuery(f"query {problem}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return cleaned


def _no_hits(page: SearchPage) -> bool:
    return not page.hits


class ParallelSearcher:
    """Fans a query out to the providers that search (``Capability.SEARCH``) and merges the
    answers. ``deadline`` (seconds) bounds every call unless the call gives its own.
    """

    def __init__(self, providers: Mapping[str, Provider], *, deadline: float | None = None) -> None:
        self.providers = {
            name: p for name, p in providers.items() if Capability.SEARCH in p.capabilities
        }
        self.deadline = deadline

    async def search(
        self,
        query: str,
        *,
        limit: int = 20,
        title: str | None = None,
        author: str | None = None,
        deadline: float | None = None,
        skipped: Mapping[str, ProviderReport] | None = None,
    ) -> SearchResult:
        """Merged, ranked hits and a report per provider; raises when no provider answered."""
        cleaned = validate_query(query, limit=limit)
        enabled = {name: p for name, p in self.providers.items() if p.enabled}
        calls: dict[str, Callable[[], Awaitable[SearchPage]]] = {
            name: functools.partial(provider.search, cleaned, limit=limit)
            for name, provider in enabled.items()
            if not skipped or name not in skipped
        }
        outcome = await fan_out(
            calls,
            deadline=deadline if deadline is not None else self.deadline,
            is_empty=_no_hits,
        )
        reports: dict[str, ProviderReport] = dict(skipped or {})
        reports.update(outcome.reports)
        for name in self.providers:
            if name not in enabled:
                reports[name] = ProviderReport(provider=name, status="disabled")
        if not outcome.answered:
            why = "could answer" if calls else "is enabled for"
            raise AllProvidersFailed(f"no provider {why} the search {cleaned!r}", reports=reports)
        merged = merge_hits({name: list(page.hits) for name, page in outcome.answers.items()})
        ranked = rank_hits(
            merged,
            query=cleaned,
            title=title,
            author=author,
            providers_answered=max(1, len(outcome.answered)),
        )
        return SearchResult(query=cleaned, hits=ranked[:limit], providers=reports)
