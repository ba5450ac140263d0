"""Each evidence rule on its own: what it reads, what it decides, what it leaves alone."""

from __future__ import annotations

from bookstracker.models import Author
from bookstracker.pipeline.evidence import AuthorProfile
from bookstracker.pipeline.rules import (
    WorkSignals,
    anthology,
    heading_about_author,
    homonym_profile,
    namesake_heading,
    printed_music,
    selection_title,
    tie_in,
    title_names_author,
    translated_by_author,
)

OKAFOR = Author(
    name="Adaeze Okafor",
    keys={"openlibrary": "OL1A"},
    birth_date="1961",
    alternate_names=("Okafor, Adaeze",),
    top_subjects=("Lagos (Nigeria)", "Fiction"),
)
PROFILE = AuthorProfile.build([OKAFOR])


def signals(title: str, *subjects: str, subtitle: str | None = None) -> WorkSignals:
    return WorkSignals.of("OL1W", title, subtitle, subjects)


def verdicts(found: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f.verdict, f.signal) for f in found]


def test_criticism_heading_naming_the_author_is_a_companion() -> None:
    work = signals("The Salt Roads", "Okafor, Adaeze, 1961- -- Criticism and interpretation")
    assert verdicts(heading_about_author(work, PROFILE)) == [("companion", "heading_names_author")]


def test_a_life_by_someone_else_versus_their_own() -> None:
    life = signals("Okafor", "Okafor, Adaeze, 1961-", "Biography", subtitle="A Life")
    assert verdicts(heading_about_author(life, PROFILE)) == [
        ("not-by-author", "biography_of_author")
    ]
    own = signals(
        "Growing Up in Yaba", "Okafor, Adaeze, 1961- -- Childhood and youth", "Autobiography"
    )
    assert verdicts(heading_about_author(own, PROFILE)) == [("core", "own_life")]


def test_a_heading_for_another_person_is_not_about_the_author() -> None:
    work = signals("Father", "Okafor, Emeka, 1930-1994", "Biography")
    assert heading_about_author(work, PROFILE) == []
    assert namesake_heading(work, PROFILE) == []  # a biography she wrote of a relative


def test_a_near_namesakes_novel() -> None:
    work = signals("Blue Harmattan", "Okafor, Chidi, 1955-", "Fiction")
    assert verdicts(namesake_heading(work, PROFILE)) == [("not-by-author", "namesake_heading")]


def test_another_writers_book_in_her_translation() -> None:
    work = signals("Things", "Achebe, Chinua, 1930-2013 -- Translations into Igbo")
    assert verdicts(translated_by_author(work, PROFILE)) == [
        ("not-by-author", "translated_by_author")
    ]
    assert (
        translated_by_author(signals("Salt", "Fiction", "Translations into German"), PROFILE) == []
    )


def test_anthologies() -> None:
    assert verdicts(anthology(signals("New Nigerian Voices", "Anthologies"), PROFILE)) == [
        ("not-by-author", "anthology")
    ]
    own = signals("The Adaeze Okafor Reader", "Anthologies")
    assert verdicts(anthology(own, PROFILE)) == [("collection", "anthology_of_author")]


def test_printed_music_games_and_sequels() -> None:
    assert printed_music(signals("Carol", "Choruses", "Scores"), PROFILE)
    assert tie_in(signals("The Salt Roads Game", "Role playing"), PROFILE)
    assert tie_in(signals("Return to the Salt Roads", "Sequels", "Fiction"), PROFILE)
    assert tie_in(signals("Board Meeting", "Board games", "Fiction"), PROFILE) == []


def test_selection_titles() -> None:
    assert selection_title(signals("The Best of the Harmattan"), PROFILE)
    assert selection_title(signals("Selected Stories"), PROFILE)
    assert selection_title(signals("Nocturnes: Five Stories of Music and Nightfall"), PROFILE) == []


def test_title_naming_the_author() -> None:
    assert verdicts(title_names_author(signals("Adaeze Okafor"), PROFILE)) == [
        ("companion", "title_is_author_name")
    ]
    assert title_names_author(signals("The Salt Roads"), PROFILE) == []


def test_homonym_profile_reads_subjects_only_the_other_person_has() -> None:
    economist = Author(
        name="Adaeze Okafor",
        keys={"openlibrary": "OL2A"},
        birth_date="1921",
        top_subjects=("Monetary policy", "Capital movements"),
    )
    both = AuthorProfile.build([OKAFOR], homonyms=[economist])
    theirs = signals("Capital Flight", "Capital movements", "Monetary policy")
    assert verdicts(homonym_profile(theirs, both, frozenset())) == [
        ("not-by-author", "homonym_profile")
    ]
    mine = signals("Capital Flight", "Lagos (Nigeria)", "Fiction")
    assert homonym_profile(mine, both, frozenset()) == []


def test_the_same_title_under_a_same_named_person_with_richer_subjects_is_theirs() -> None:
    from bookstracker.pipeline.rules import homonym_same_title

    economist = Author(name="Adaeze Okafor", keys={"openlibrary": "OL2A"}, birth_date="1921")
    both = AuthorProfile.build(
        [OKAFOR],
        homonyms=[economist],
        homonym_works={
            "OL2A": [("Capital Flight", ["Capital movements", "Monetary policy", "Banks"])]
        },
    )
    thin_copy = signals("Capital Flight", "Capital movements", "Monetary policy")
    assert verdicts(homonym_same_title(thin_copy, both)) == [
        ("not-by-author", "homonym_same_title")
    ]
    her_novel = signals("Capital Flight", "Lagos (Nigeria)", "Money laundering", "Fiction")
    assert homonym_same_title(her_novel, both) == []


def test_a_childhood_heading_is_a_life_only_beside_a_biography_heading() -> None:
    by_another = signals(
        "Young Adaeze",
        "Okafor, Adaeze, 1961- -- Childhood and youth",
        "Authors, Nigerian -- 20th century -- Biography",
    )
    assert verdicts(heading_about_author(by_another, PROFILE)) == [
        ("not-by-author", "biography_of_author")
    ]
    her_places = signals("My Lagos", "Okafor, Adaeze, 1961- -- Homes and haunts", "Nonfiction")
    assert heading_about_author(her_places, PROFILE) == []
    study = signals("The Sea in Okafor", "Okafor, Adaeze, 1961- -- Symbolism")
    assert verdicts(heading_about_author(study, PROFILE)) == [("companion", "heading_names_author")]


def test_a_name_title_heading_is_about_one_of_the_authors_works() -> None:
    guide = signals("Salt Roads Kitchen", "Okafor, Adaeze, 1961-. Salt roads", "Cooking, Nigerian")
    assert verdicts(heading_about_author(guide, PROFILE)) == [("companion", "heading_names_work")]


def test_titles_of_her_own_life_and_others_tie_ins() -> None:
    own = signals("Adaeze Okafor", subtitle="An Autobiography")
    assert verdicts(title_names_author(own, PROFILE)) == [("core", "own_words_title")]
    tie_in = signals("Adaeze Okafor's The Salt Roads Return")
    assert verdicts(title_names_author(tie_in, PROFILE)) == [("companion", "possessive_title")]
    life = signals("Adaeze Okafor", subtitle="A Life")
    assert verdicts(title_names_author(life, PROFILE)) == [
        ("not-by-author", "title_is_author_name")
    ]
