"""Subject headings parsed into person, dates and subdivisions; the author's profile."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bookstracker.models import Author
from bookstracker.pipeline.evidence import AuthorProfile, birth_year, parse_heading


def test_a_dated_personal_heading_with_a_form_subdivision() -> None:
    heading = parse_heading("Du Maurier, Daphne, Dame, 1907-1989 -- Criticism and interpretation")
    assert heading.person == "Daphne Du Maurier"
    assert (heading.born, heading.died) == (1907, 1989)
    assert heading.subdivisions == ("Criticism and interpretation",)


def test_topical_headings_name_nobody() -> None:
    for text in (
        "Short stories, Japanese -- Translations into English",
        "Cornwall (England : County)",
        "Bond, James (Fictitious character)",
        "Haiti -- History -- Revolution, 1791-1804",
    ):
        assert parse_heading(text).person is None, text


def test_a_living_persons_open_date() -> None:
    heading = parse_heading("Okafor, Adaeze, 1961-")
    assert heading.person == "Adaeze Okafor"
    assert (heading.born, heading.died) == (1961, None)


@given(st.text(max_size=400))
def test_any_text_parses_without_error(text: str) -> None:
    heading = parse_heading(text)
    assert heading.text == text[:300]
    assert all(part for part in heading.subdivisions)


def test_birth_years_from_free_text() -> None:
    assert birth_year("January 12, 1949") == 1949
    assert birth_year("13 May 1907") == 1907
    assert birth_year("unknown") is None
    assert birth_year(None) is None


def profile(**kwargs: object) -> AuthorProfile:
    author = Author(name="Adaeze Okafor", keys={"openlibrary": "OL1A"}, **kwargs)  # type: ignore[arg-type]
    return AuthorProfile.build([author])


def test_a_heading_names_the_author_only_with_a_compatible_birth_year() -> None:
    known = profile(birth_date="4 June 1961")
    assert known.names_heading(parse_heading("Okafor, Adaeze, 1961-")) is True
    assert known.names_heading(parse_heading("Okafor, Adaeze")) is True
    assert known.names_heading(parse_heading("Okafor, Adaeze, 1902-1970")) is False
    assert known.names_heading(parse_heading("Okafor, Chidi, 1955-")) is False
    assert known.names_heading(parse_heading("Mbeki, Thabo, 1942-")) is None


def test_the_death_year_comes_from_the_headings_when_the_record_has_none() -> None:
    author = Author(name="Adaeze Okafor", birth_date="1961", keys={"openlibrary": "OL1A"})
    found = AuthorProfile.build(
        [author], subjects=["Okafor, Adaeze, 1961-2019 -- Homes and haunts"]
    )
    assert found.death_year == 2019
