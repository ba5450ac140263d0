"""The models' JSON documents read back, and the JSON readers that narrow decoded values."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker._json import as_float, as_int, as_list, as_object, as_str, as_texts, plain
from bookstracker.models import (
    Author,
    AuthorCandidate,
    Bibliography,
    Completeness,
    Edition,
    Evidence,
    EvidenceSignal,
    Exclusion,
    ProviderReport,
    SearchHit,
    SearchResult,
    Work,
)

EDITION = Edition(
    title="Dune",
    isbn13="9780441172719",
    authors=("Frank Herbert",),
    pages=604,
    sources=("isbndb", "openlibrary"),
    keys={"openlibrary": "OL1M"},
    subtitle="Deluxe",
)
EVIDENCE = Evidence(
    verdict="core",
    confidence=0.75,
    uncertain=True,
    signals=(EvidenceSignal(name="title", verdict="core", detail="same", weight=0.5),),
)
BIBLIOGRAPHY = Bibliography(
    author=Author(name="Frank Herbert", keys={"openlibrary": "OL79034A"}, top_subjects=("sf",)),
    works=(
        Work(
            title="Dune",
            first_publish_year=1965,
            keys={"openlibrary": "OL893415W"},
            editions=(EDITION,),
            sources=("openlibrary",),
            authors=("Frank Herbert",),
            evidence=EVIDENCE,
        ),
    ),
    excluded=(Exclusion(title="Dune (fr)", key="OL2W", reason="translation", evidence=EVIDENCE),),
    candidates=(AuthorCandidate(name="Frank Herbert", score=0.9, work_count=40),),
    completeness=Completeness(
        author="Frank Herbert",
        score=0.8,
        complete=False,
        expected=40,
        found=38,
        evidence={"parts": {"works": 0.5}, "providers_answered": ["openlibrary"]},
    ),
    providers=[ProviderReport(provider="openlibrary", status="ok", requests=3, elapsed_ms=12.5)],
)


def _through_json(document: object) -> object:
    return json.loads(json.dumps(document))


def test_a_bibliography_reads_back_from_its_cache_document() -> None:
    document = _through_json(BIBLIOGRAPHY.to_cache_dict())
    assert isinstance(document, dict)
    assert Bibliography.from_cache_dict(document) == BIBLIOGRAPHY


def test_a_search_result_reads_back_from_its_cache_document() -> None:
    result = SearchResult(
        query="dune",
        hits=(SearchHit(title="Dune", isbn13=("9780441172719",), score=1.5, score_parts={"t": 1}),),
        providers=[ProviderReport(provider="googlebooks", status="empty")],
    )
    document = _through_json(result.to_cache_dict())
    assert isinstance(document, dict)
    assert SearchResult.from_cache_dict(document) == result


def test_an_edition_reads_back_from_its_cache_document() -> None:
    document = _through_json(EDITION.to_cache_dict())
    assert isinstance(document, dict)
    assert Edition.from_dict(document) == EDITION


@pytest.mark.parametrize(
    ("model", "document"),
    [
        (Edition, {"title": 7}),
        (Author, {"name": None}),
        (Work, {"title": "Dune", "editions": ["not an object"]}),
        (ProviderReport, {"provider": "openlibrary", "status": "ok", "requests": [1]}),
    ],
)
def test_a_mis_typed_document_is_refused(model: type[Edition], document: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        model.from_dict(document)


@pytest.mark.parametrize(
    ("model", "document"),
    [
        (ProviderReport, {"provider": "openlibrary", "status": "fine"}),
        (Exclusion, {"title": "x", "reason": "boring"}),
    ],
)
def test_an_unknown_status_or_reason_is_refused(
    model: type[ProviderReport], document: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="unknown"):
        model.from_dict(document)


def test_items_of_the_wrong_type_in_text_lists_and_keys_are_left_out() -> None:
    edition = Edition.from_dict(
        {"title": "Dune", "authors": ["Frank Herbert", 3, None], "keys": {"ol": "OL1M", "n": 2}}
    )
    assert edition.authors == ("Frank Herbert",)
    assert dict(edition.keys) == {"ol": "OL1M"}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(JSON)
def test_plain_keeps_a_json_value_as_it_is(value: object) -> None:
    assert plain(value) == value


@given(st.one_of(JSON, st.tuples(st.integers()), st.sets(st.integers(), min_size=1)))
def test_the_readers_return_only_what_they_name(value: object) -> None:
    assert as_str(value) is None or isinstance(as_str(value), str)
    number = as_int(value)
    assert number is None or (type(number) is int and number == value)
    real = as_float(value)
    assert real is None or (type(real) is float and not isinstance(value, bool))
    assert all(isinstance(text, str) for text in as_texts(value))
    assert isinstance(as_list(value), (list, tuple))
    mapping = as_object(value)
    assert mapping is None or all(isinstance(key, str) for key in mapping)


def test_plain_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="set"):
        plain({"a": {1, 2}})


def test_as_object_refuses_a_mapping_with_other_keys() -> None:
    assert as_object({1: "a"}) is None
    assert as_object({"a": 1}) == {"a": 1}
