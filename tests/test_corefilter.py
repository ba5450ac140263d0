"""The core-works filter: one test per exclusion reason, and what must stay core."""

from __future__ import annotations

import json
from pathlib import Path

from bookstracker.models import Edition
from bookstracker.pipeline.corefilter import CoreWorksFilter, WorkCandidate, original_language
from bookstracker.providers.openlibrary import parse_works_page

WEIR = "OL7234434A"
WHIFFLE = "The Adventures of the Princess and Mr. Whiffle"


def work(key: str, title: str, **kwargs: object) -> WorkCandidate:
    kwargs.setdefault("author_keys", (WEIR,))
    kwargs.setdefault("languages", frozenset({"en"}))
    return WorkCandidate(key=key, title=title, **kwargs)  # type: ignore[arg-type]


def run(works: list[WorkCandidate], language: str | None = "en") -> dict[str, str]:
    result = CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language=language
    ).run(works)
    decided = {w.key: "core" for w in result.core}
    decided.update({e.key or "": e.reason for e in result.excluded})
    return decided


def test_plain_novels_are_core() -> None:
    assert run([work("W1", "The Martian"), work("W2", "Artemis")]) == {"W1": "core", "W2": "core"}


def test_translation_is_excluded_when_no_edition_is_in_the_original_language() -> None:
    decided = run(
        [work("W1", "The Martian"), work("W2", "Der Marsianer", languages=frozenset({"de"}))]
    )
    assert decided == {"W1": "core", "W2": "translation"}


def test_translated_editions_of_the_original_do_not_make_it_a_translation() -> None:
    decided = run([work("W1", "The Martian", languages=frozenset({"en", "de", "fr"}))])
    assert decided == {"W1": "core"}


def test_work_without_language_data_stays_core() -> None:
    assert run([work("W1", "Lacero", languages=frozenset())]) == {"W1": "core"}


def test_box_set_is_a_collection() -> None:
    decided = run(
        [
            work("W1", "The Martian"),
            work("W2", "Andy Weir 3 Books Collection Set"),
        ]
    )
    assert decided["W2"] == "collection"


def test_title_bundling_two_listed_works_is_a_collection() -> None:
    decided = run(
        [work("W1", "The Martian"), work("W2", "Artemis"), work("W3", "The Martian / Artemis")]
    )
    assert decided["W3"] == "collection"


def test_own_story_collection_is_core() -> None:
    assert run([work("W1", "Night Shift"), work("W2", "Carrie")]) == {"W1": "core", "W2": "core"}


def test_study_guide_is_a_companion_even_when_the_author_is_listed() -> None:
    decided = run(
        [
            work("W1", "The Martian"),
            work(
                "W2",
                "Study Guide",
                subtitle="The Martian by Andy Weir",
                author_keys=("OL1SUPERA", WEIR),
            ),
            work("W3", "Summary of Project Hail Mary by Andy Weir", author_keys=("OL2A",)),
        ]
    )
    assert decided["W2"] == "companion"
    assert decided["W3"] in {"companion", "not-by-author"}


def test_foreword_only_is_not_by_author() -> None:
    decided = run(
        [work("W1", "Some Anthology", author_keys=("OL9A", WEIR), roles={WEIR: "Foreword"})]
    )
    assert decided == {"W1": "not-by-author"}


def test_book_about_the_author_by_someone_else_is_not_by_author() -> None:
    decided = run([work("W1", "Andy Weir: A Critical Look", author_keys=("OL5A", WEIR))])
    assert decided == {"W1": "not-by-author"}


def test_co_authored_work_is_core() -> None:
    assert run([work("W1", "Good Omens", author_keys=("OL25712A", WEIR))]) == {"W1": "core"}


def test_duplicate_keeps_richer_record_and_earliest_year() -> None:
    works = [
        work("W1", "The Martian", first_publish_year=2014, edition_count=40),
        work("W2", "The martian : a novel", first_publish_year=2011, edition_count=2),
    ]
    result = CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language="en"
    ).run(works)
    assert [w.key for w in result.core] == ["W1"]
    assert result.first_year["W1"] == 2011
    (excluded,) = result.excluded
    assert (excluded.key, excluded.reason, excluded.kept_under) == ("W2", "duplicate", "W1")


def test_every_exclusion_has_a_detail() -> None:
    works = [
        work("W1", "The Martian"),
        work("W2", "Der Marsianer", languages=frozenset({"de"})),
        work("W3", "Box Set"),
    ]
    result = CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language="en"
    ).run(works)
    assert all(e.detail for e in result.excluded)


def test_original_language_is_each_works_earliest_edition_weighted_by_edition_count() -> None:
    works = [
        work("W1", "Norwegian Wood", edition_count=60),
        work("W2", "Norwegian Wood (English)", edition_count=3),
    ]
    editions = [
        Edition(title="Norwegian Wood", published="2000", language="en", work_key="W1"),
        Edition(title="ノルウェイの森", published="1987", language="ja", work_key="W1"),
        Edition(title="Norwegian Wood", published="2000", language="en", work_key="W2"),
    ]
    assert original_language(editions, works) == "ja"


def test_one_early_translation_does_not_decide_the_original_language() -> None:
    works = [work(f"W{i}", f"Book {i}", edition_count=5) for i in range(3)]
    editions = [
        Edition(title="Book 0 (it)", published="2001", language="it", work_key="W0"),
        Edition(title="Book 0", published="2005", language=None, work_key="W0"),
        Edition(title="Book 1", published="2010", language="en", work_key="W1"),
        Edition(title="Book 2", published="2012", language="en", work_key="W2"),
    ]
    assert original_language(editions, works) == "en"


def test_original_language_without_dates_prefers_non_english_among_multilingual_works() -> None:
    works = [
        work("W1", "A", languages=frozenset({"ja", "en"})),
        work("W2", "B", languages=frozenset({"en"})),
    ]
    assert original_language([], works) == "ja"


def test_translation_is_kept_under_the_original_it_names() -> None:
    works = [
        work("W1", "The Martian"),
        work("W2", "Der Marsianer", languages=frozenset({"de"}), translation_of=("The Martian",)),
        work("W3", "Seul sur Mars", languages=frozenset({"fr"})),
    ]
    result = CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language="en"
    ).run(works)
    kept = {e.key: e.kept_under for e in result.excluded}
    assert kept == {"W2": "W1", "W3": None}
    assert result.kept_under["W2"] == "W1"


def test_two_books_of_one_series_title_are_not_duplicates() -> None:
    decided = run(
        [
            work("W1", "The Adventures of the Princess and Mr. Whiffle - The Dark of Deep Below"),
            work(
                "W2", "The Adventures of the Princess and Mr. Whiffle - The Thing Beneath the Bed"
            ),
        ]
    )
    assert decided == {"W1": "core", "W2": "core"}


def test_a_generic_subtitle_does_not_make_another_work() -> None:
    decided = run(
        [
            work("W1", "The Martian", edition_count=30),
            work("W2", "The martian", subtitle="a novel"),
            work("W3", "The Martian: A Thriller"),
        ]
    )
    assert decided == {"W1": "core", "W2": "duplicate", "W3": "duplicate"}


def test_an_anthology_of_many_authors_is_a_collection() -> None:
    others = tuple(f"OL{i}A" for i in range(10, 20))
    decided = run([work("W1", "Unfettered", author_keys=(*others[:1], WEIR, *others[1:]))])
    assert decided == {"W1": "collection"}


def test_the_recorded_rothfuss_works_list(shared_fixtures: Path) -> None:
    """OpenLibrary's real list for Patrick Rothfuss: a box set, a book split in two records,
    an anthology of 47 authors, two picture books sharing a series title (both core)."""
    body = json.loads(
        (
            shared_fixtures / "openlibrary/authors_OL2830895A_works_limit1000_rothfuss.json"
        ).read_text()
    )
    works = [
        WorkCandidate(
            key=w.key,
            title=w.title,
            subtitle=w.subtitle,
            author_keys=w.author_keys,
            roles=dict(w.roles),
            subjects=w.subjects,
            description=w.description,
        )
        for w in parse_works_page(body).works
    ]
    result = CoreWorksFilter(
        author_keys=["OL2830895A"], author_names=["Patrick Rothfuss"], original_language="en"
    ).run(works)
    reasons = {e.key: e.reason for e in result.excluded}
    assert reasons == {
        "OL19335978W": "collection",
        "OL24343635W": "collection",
        "OL16817144W": "duplicate",
        "OL16817145W": "duplicate",
    }
    core = {w.key for w in result.core}
    assert {"OL8479867W", "OL8479869W", "OL17067388W", "OL20814127W", "OL15678246W"} <= core


# -- the known defects of issue 8 and the evidence ---------------------------------------------


def test_the_same_work_key_listed_twice_is_decided_once() -> None:
    result = CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language="en"
    ).run([work("W1", "The Martian"), work("W1", "The Martian")])
    assert [w.key for w in result.core] == ["W1"]
    assert result.excluded == ()


def test_a_book_is_not_merged_into_its_screenplay() -> None:
    decided = run(
        [
            work("W1", "Fantastic Beasts and Where to Find Them", first_publish_year=2001),
            work(
                "W2",
                "Fantastic Beasts and Where to Find Them",
                subtitle="The Original Screenplay",
                first_publish_year=2016,
            ),
        ]
    )
    assert decided == {"W1": "core", "W2": "core"}


def test_a_tie_in_edition_record_is_still_a_duplicate() -> None:
    decided = run(
        [
            work("W1", "The Martian", edition_count=20),
            work("W2", "The Martian", subtitle="Movie Tie-In Edition", edition_count=1),
        ]
    )
    assert decided == {"W1": "core", "W2": "duplicate"}


def test_a_foreign_language_omnibus_is_a_collection_not_a_translation() -> None:
    decided = run(
        [
            work("W1", "The Martian"),
            work(
                "W2",
                "Der Marsianer und andere Romane",
                languages=frozenset({"de"}),
                subjects=("Omnibus volumes",),
            ),
        ]
    )
    assert decided["W2"] == "collection"


def test_a_companion_credited_to_the_author_alone_is_found_by_its_heading() -> None:
    decided = run(
        [
            work("W1", "The Martian"),
            work("W2", "Surviving Mars", subjects=("Weir, Andy -- Criticism and interpretation",)),
        ]
    )
    assert decided == {"W1": "core", "W2": "companion"}


def test_split_volumes_and_series_titles_are_records_of_the_whole() -> None:
    decided = run(
        [
            work("W1", "The Martian", edition_count=9, subjects=("Ares Cycle",)),
            work("W2", "The Martian: Part One"),
            work("W3", "Ares Cycle: The Martian"),
        ]
    )
    assert decided == {"W1": "core", "W2": "duplicate", "W3": "duplicate"}


def test_conflicting_evidence_keeps_the_work_and_marks_it_uncertain() -> None:
    result = CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language="en"
    ).run(
        [
            work(
                "W1",
                "Andy Weir",
                subtitle="Growing Up Nerd",
                subjects=("Weir, Andy -- Childhood and youth", "Autobiography"),
            )
        ]
    )
    (kept,) = result.core
    evidence = result.evidence[kept.key]
    assert evidence.uncertain
    assert {s.name for s in evidence.signals} == {"own_life", "title_is_author_name"}


def test_every_verdict_carries_named_signals() -> None:
    works = [
        work("W1", "The Martian"),
        work("W2", "Der Marsianer", languages=frozenset({"de"})),
        work("W3", "Launch Window", subjects=("Anthologies",)),
    ]
    result = CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language="en"
    ).run(works)
    assert result.evidence["W1"].signals
    for exclusion in result.excluded:
        assert exclusion.evidence is not None
        assert exclusion.evidence.verdict == exclusion.reason
        assert exclusion.evidence.signals


def test_bundles_named_in_other_languages_or_by_their_format() -> None:
    decided = run(
        [
            work("W1", "The Martian"),
            work("W2", "El marciano", subtitle="La trilogía", languages=frozenset({"es"})),
            work("W3", "Mars Stories", edition_formats=("Box Set",)),
            work("W4", "Wind/Pinball", subtitle="Two Novels"),
        ]
    )
    assert decided == {"W1": "core", "W2": "collection", "W3": "collection", "W4": "collection"}


def test_collected_stories_and_a_named_encyclopedia() -> None:
    decided = run(
        [
            work("W1", "The Martian"),
            work("W2", "The Collected Stories of Andy Weir"),
            work("W3", "The Andy Weir Encyclopedia"),
        ]
    )
    assert decided == {"W1": "core", "W2": "collection", "W3": "companion"}
