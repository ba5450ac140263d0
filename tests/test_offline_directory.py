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


# -- offline misses ------------------------------------------------------------------------------


def test_an_offline_miss_names_the_sample_catalog_and_the_nearest_author() -> None:
    from bookstracker import BooksClient, NotFound

    with BooksClient(offline=True, cache=None) as books, pytest.raises(NotFound) as missed:
        books.author("andy wier")
    message = str(missed.value)
    assert "sample catalog" in message
    assert "OpenLibrary" not in message
    assert "did you mean 'Andy Weir'?" in message
    assert missed.value.suggestions == ("Andy Weir",)


def test_an_offline_miss_far_from_everyone_suggests_nothing() -> None:
    from bookstracker import BooksClient, NotFound

    with BooksClient(offline=True, cache=None) as books, pytest.raises(NotFound) as missed:
        books.author("Cormac McCarthy")
    assert (
        str(missed.value)
        == "the sample catalog (offline mode) has no author named 'Cormac McCarthy'"
    )
    assert missed.value.suggestions == ()


def test_the_command_line_miss_points_at_the_authors_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--offline", "--no-cache", "author", "andy wier")
    assert code == 1
    assert "did you mean 'Andy Weir'?" in err
    assert "bookstracker --offline authors" in err
    code, out, _ = run(capsys, "--offline", "--no-cache", "--json", "author", "andy wier")
    assert code == 1
    assert json.loads(out)["suggestions"] == ["Andy Weir"]


def test_a_cached_offline_miss_keeps_its_suggestions(tmp_path: object) -> None:
    from bookstracker import BooksClient, NotFound

    with BooksClient(offline=True, cache_dir=str(tmp_path)) as books:
        for _ in range(2):
            with pytest.raises(NotFound) as missed:
                books.author("andy wier")
            assert missed.value.suggestions == ("Andy Weir",)
        assert books.stats().cache["memory"].hits >= 1
