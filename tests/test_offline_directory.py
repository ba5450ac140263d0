"""Offline mode names what it answers from: the sample catalog's authors, and the nearest one
when a name is not in it (issue 14)."""

from __future__ import annotations

import json

import pytest

from bookstracker.cli import main
from bookstracker.testing import sample_catalog
from bookstracker.testing.directory import catalog_authors, suggest_authors


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("andy wier", "Andy Weir"),
        ("ANDY WEIR", "Andy Weir"),
        ("Weir, Andy", "Andy Weir"),
        ("margret atwood", "Margaret Atwood"),
        ("Terry Pratchet", "Terry Pratchett"),
        ("ursula le guin", "Ursula K. Le Guin"),
        ("Gabriel Garcia Marquez", "Gabriel García Márquez"),
    ],
)
def test_a_misspelt_name_suggests_the_sample_author_meant(typed: str, meant: str) -> None:
    assert suggest_authors(typed)[0] == meant


@pytest.mark.parametrize("typed", ["Cormac McCarthy", "Zadie Smith", "xq"])
def test_a_name_far_from_every_sample_author_suggests_nothing(typed: str) -> None:
    assert suggest_authors(typed) == []


def test_the_directory_lists_every_author_of_the_sample_with_their_works() -> None:
    authors = catalog_authors()
    catalog = sample_catalog()
    assert len(authors) == len(catalog.authors)
    weir = next(a for a in authors if a.name == "Andy Weir")
    assert weir.key == "OL7234434A"
    assert weir.birth_year == 1972
    assert weir.works == len(catalog.works_of("OL7234434A"))
    assert [a.name for a in authors] == sorted((a.name for a in authors), key=str.casefold)


def test_offline_authors_lists_the_sample_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--offline", "authors")
    assert code == 0
    assert "Andy Weir" in out
    assert "OL7234434A" in out
    assert out.count("David Mitchell") == 2


def test_offline_authors_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "authors", "--offline", "--json")
    assert code == 0
    document = json.loads(out)
    weir = next(a for a in document["authors"] if a["name"] == "Andy Weir")
    assert weir == {
        "name": "Andy Weir",
        "key": "OL7234434A",
        "birth_date": "16 June 1972",
        "works": weir["works"],
    }
    assert set(document["providers"]) == {"openlibrary", "googlebooks", "isbndb"}


def test_authors_without_offline_says_what_it_lists(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "authors")
    assert code == 2
    assert out == ""
    assert "--offline authors" in err
