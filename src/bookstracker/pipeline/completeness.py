"""CompletenessScorer: how sure we are that a bibliography is complete, with the evidence.

The score is a weighted sum of named parts, each between 0 and 1:

- ``works_listed``: works fetched against OpenLibrary's own work count (``size``);
- ``all_pages``: every page of the works list was fetched;
- ``signals``: the per-work language and edition signals arrived (what the filter decides on);
- ``providers``: the share of enabled providers that answered;
- ``editions``: the share of core works that got at least one edition.

``complete`` is true only when the works source (OpenLibrary) answered, every page was
fetched, the fetched count matches its count, and the signals arrived: nothing that could hide
a work is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from bookstracker.models import Completeness, ProviderReport

__all__ = ["COMPLETENESS_WEIGHTS", "CompletenessInputs", "CompletenessScorer"]

COMPLETENESS_WEIGHTS: Mapping[str, float] = {
    "works_listed": 0.35,
    "all_pages": 0.15,
    "signals": 0.15,
    "providers": 0.15,
    "editions": 0.20,
}


@attrs.frozen(kw_only=True)
class CompletenessInputs:
    """What the enhancement pipeline observed for one author."""

    author: str
    openlibrary_work_count: int | None
    works_fetched: int
    all_pages_fetched: bool
    signals_fetched: bool
    core_works: int
    core_works_with_editions: int
    excluded: int
    providers: Mapping[str, ProviderReport] = attrs.field(factory=dict, hash=False)
    works_source: str | None = "openlibrary"
    """The provider that listed the works (None: none did); ``complete`` needs its answer."""


class CompletenessScorer:
    """Turns :class:`CompletenessInputs` into a :class:`~bookstracker.models.Completeness`."""

    def __init__(self, weights: Mapping[str, float] | None = None) -> None:
        self.weights = dict(weights or COMPLETENESS_WEIGHTS)

    def score(self, inputs: CompletenessInputs) -> Completeness:
        expected = inputs.openlibrary_work_count
        if expected:
            listed = min(1.0, inputs.works_fetched / expected)
        else:
            listed = 1.0 if expected == 0 and inputs.works_fetched == 0 else 0.0
        reports = [r for r in inputs.providers.values() if r.status not in ("disabled", "skipped")]
        answered = [r.provider for r in reports if r.answered]
        failed = {r.provider: r.error for r in reports if not r.answered}
        providers_part = len(answered) / len(reports) if reports else 0.0
        editions_part = (
            inputs.core_works_with_editions / inputs.core_works if inputs.core_works else 0.0
        )
        parts = {
            "works_listed": listed,
            "all_pages": 1.0 if inputs.all_pages_fetched else 0.0,
            "signals": 1.0 if inputs.signals_fetched else 0.0,
            "providers": providers_part,
            "editions": editions_part,
        }
        weighted = {name: round(value * self.weights[name], 4) for name, value in parts.items()}
        complete = bool(
            inputs.works_source in answered
            and inputs.all_pages_fetched
            and inputs.signals_fetched
            and expected is not None
            and inputs.works_fetched >= expected
        )
        evidence = {
            "openlibrary_work_count": expected,
            "works_fetched": inputs.works_fetched,
            "all_pages_fetched": inputs.all_pages_fetched,
            "signals_fetched": inputs.signals_fetched,
            "core_works": inputs.core_works,
            "excluded": inputs.excluded,
            "core_works_with_editions": inputs.core_works_with_editions,
            "providers_answered": answered,
            "providers_failed": failed,
            "parts": weighted,
        }
        return Completeness(
            author=inputs.author,
            score=round(sum(weighted.values()), 4),
            complete=complete,
            expected=expected,
            found=inputs.works_fetched,
            evidence=evidence,
        )
