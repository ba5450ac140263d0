"""CompletenessScorer: named parts, and `complete` only on full evidence."""

from __future__ import annotations

from bookstracker.models import ProviderReport
from bookstracker.pipeline.completeness import CompletenessInputs, CompletenessScorer

OK = {
    name: ProviderReport(provider=name, status="ok")
    for name in ("openlibrary", "googlebooks", "isbndb")
}


def inputs(**changes: object) -> CompletenessInputs:
    values: dict[str, object] = {
        "author": "Andy Weir",
        "openlibrary_work_count": 18,
        "works_fetched": 18,
        "all_pages_fetched": True,
        "signals_fetched": True,
        "core_works": 7,
        "core_works_with_editions": 7,
        "excluded": 11,
        "providers": OK,
    }
    values.update(changes)
    return CompletenessInputs(**values)  # type: ignore[arg-type]


def test_full_evidence_is_complete_with_score_one() -> None:
    result = CompletenessScorer().score(inputs())
    assert result.complete
    assert result.score == 1.0
    assert (result.expected, result.found) == (18, 18)
    assert set(result.evidence["parts"]) == {
        "works_listed",
        "all_pages",
        "signals",
        "providers",
        "editions",
    }


def test_missing_pages_are_not_complete() -> None:
    result = CompletenessScorer().score(
        inputs(works_fetched=1000, all_pages_fetched=False, openlibrary_work_count=2000)
    )
    assert not result.complete
    assert result.score < 0.7


def test_openlibrary_failing_is_never_complete() -> None:
    reports = dict(OK)
    reports["openlibrary"] = ProviderReport(provider="openlibrary", status="error", error="x")
    result = CompletenessScorer().score(inputs(providers=reports))
    assert not result.complete
    assert result.evidence["providers_failed"] == {"openlibrary": "x"}


def test_a_failing_edition_provider_lowers_the_score_only() -> None:
    reports = dict(OK)
    reports["isbndb"] = ProviderReport(provider="isbndb", status="error", error="quota")
    result = CompletenessScorer().score(inputs(providers=reports))
    assert result.complete
    assert result.score < 1.0


def test_complete_needs_the_answer_of_the_provider_that_listed_the_works() -> None:
    mirror = {"works-mirror": ProviderReport(provider="works-mirror", status="ok")}
    listed_by_mirror = CompletenessScorer().score(
        inputs(providers=mirror, works_source="works-mirror")
    )
    assert listed_by_mirror.complete
    no_listing = CompletenessScorer().score(inputs(works_source=None))
    assert not no_listing.complete
    failed = {**OK, "openlibrary": ProviderReport(provider="openlibrary", status="error")}
    assert not CompletenessScorer().score(inputs(providers=failed)).complete
