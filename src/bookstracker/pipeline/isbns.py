"""Editions by ISBN from every provider that has them, merged into one edition per ISBN.

The providers that answer in batches (``Capability.EDITIONS``) are asked at once; those that
take one request per ISBN (``Capability.EDITIONS_ONE_BY_ONE``, Google Books) only for the
ISBNs the others did not know, within what remains of the deadline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bookstracker.cache.answers import Fetched
from bookstracker.cache.policy import CacheKind
from bookstracker.errors import AllProvidersFailed
from bookstracker.models import Edition, ProviderReport, ProviderStatus
from bookstracker.pipeline.edition_merge import merge_editions
from bookstracker.pipeline.fanout import fan_out, seconds_left
from bookstracker.providers.contract import Capability, Provider
from bookstracker.resilience import Deadline

__all__ = ["EditionLookup"]


def _is_empty(answer: Mapping[str, Edition]) -> bool:
    return not answer


class EditionLookup:
    """Looks ISBN-13s up at ``providers`` (by name) and merges each ISBN's records."""

    def __init__(self, providers: Mapping[str, Provider], *, deadline: float | None = None) -> None:
        self.providers = dict(providers)
        self.deadline = deadline

    def _able(self, capability: Capability) -> list[Provider]:
        return [p for p in self.providers.values() if capability in p.capabilities]

    async def lookup(self, isbn13s: Sequence[str]) -> Fetched[Edition | None]:
        """Every ISBN's merged edition (None when nobody has it), how to cache each, and a
        report per provider. Raises ``AllProvidersFailed`` when no provider could be asked or none
        asked answered."""
        stop = Deadline.after(self.deadline) if self.deadline is not None else None
        batch = [p for p in self._able(Capability.EDITIONS) if p.enabled]
        outcome = await fan_out(
            {p.name: (lambda p=p: p.editions(isbn13s)) for p in batch},  # type: ignore[misc]
            deadline=self.deadline,
            is_empty=_is_empty,
        )
        reports = dict(outcome.reports)
        answers: dict[str, dict[str, Edition]] = dict(outcome.answers)
        missing = [i for i in isbn13s if not any(i in a for a in answers.values())]
        for provider in self._able(Capability.EDITIONS_ONE_BY_ONE):
            if missing and provider.enabled:
                more = await fan_out(
                    {provider.name: lambda p=provider: p.editions(missing)},  # type: ignore[misc]
                    deadline=seconds_left(stop),
                    is_empty=_is_empty,
                )
                reports.update(more.reports)
                answers.update(more.answers)
            else:
                status: ProviderStatus = "skipped" if provider.enabled else "disabled"
                reports[provider.name] = ProviderReport(provider=provider.name, status=status)
        for name in self.providers:
            if name not in reports:
                reports[name] = ProviderReport(provider=name, status="disabled")
        asked = [r for r in reports.values() if r.status not in ("disabled", "skipped")]
        if not asked:
            raise AllProvidersFailed(
                "no provider could be asked: every one able to look up ISBNs is disabled",
                reports=reports,
            )
        if not any(r.answered for r in asked):
            raise AllProvidersFailed("no provider could look up the ISBNs", reports=reports)
        every_answered = all(r.answered for r in asked)  # "not found" is cached only then
        values: dict[str, Edition | None] = {}
        kinds: dict[str, CacheKind] = {}
        for isbn in isbn13s:
            records = [a[isbn] for a in answers.values() if isbn in a]
            edition = merge_editions(records) if records else None
            values[isbn] = edition
            if edition is not None:
                kinds[isbn] = "isbn"
            elif every_answered:
                kinds[isbn] = "not_found"
        return Fetched(values, kinds, reports)
