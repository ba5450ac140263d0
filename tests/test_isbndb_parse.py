"""ISBNdb bodies -> models: the recorded bodies, the documented envelopes, odd field types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker.errors import MalformedResponse
from bookstracker.models import Edition
from bookstracker.providers.isbndb import (
    decode_book_list,
    is_book_binding,
    normalize_binding,
    parse_authors_response,
    parse_book,
    parse_book_page,
    parse_book_response,
    parse_date_published,
    parse_key_response,
    to_search_hit,
)

HP = "book_9781338878929_harry_potter.json"
DUMP = "dump_sample_lines_openlibrary_tests.jsonl"
LEGACY_BOOK = "LEGACY_isbndb_com_api_v2_json_book_0804720991.json"
LEGACY_ERROR = "LEGACY_isbndb_com_api_v2_json_book_invalid_error.json"


def _load(shared: Path, name: str) -> Any:
    return json.loads((shared / "isbndb" / name).read_bytes())


def _dump_lines(shared: Path) -> list[dict[str, Any]]:
    text = (shared / "isbndb" / DUMP).read_bytes().decode("utf-8-sig")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _book(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"title": "Dune", "isbn13": "9780441172719"}
    base.update(fields)
    return base


# -- recorded bodies -----------------------------------------------------------------------


@pytest.mark.shared
def test_every_current_api_fixture_parses(shared_fixtures: Path) -> None:
    names = sorted(p.name for p in (shared_fixtures / "isbndb").iterdir())
    current = [n for n in names if not n.startswith("LEGACY_")]
    assert current == [HP, DUMP]
    assert isinstance(parse_book_response(_load(shared_fixtures, HP)), Edition)
    assert all(isinstance(parse_book(line), Edition) for line in _dump_lines(shared_fixtures))


@pytest.mark.shared
def test_harry_potter_book_fields(shared_fixtures: Path) -> None:
    edition = parse_book_response(_load(shared_fixtures, HP))
    assert edition == Edition(
        title="Harry Potter and the Sorcerer's Stone",
        isbn13="9781338878929",
        isbn10="1338878921",
        authors=("J.K. Rowling",),
        publisher="Scholastic",
        published="1998-09",
        pages=309,
        language="en",
        format="Paperback",
        cover_url="https://images.isbndb.com/covers/19044733482664.jpg",
        sources=("isbndb",),
        keys={"isbndb": "9781338878929"},
    )
    assert dict(edition.keys) == {"isbndb": "9781338878929"}


@pytest.mark.shared
def test_dump_line_with_integer_date_and_capital_https(shared_fixtures: Path) -> None:
    edition = parse_book(_dump_lines(shared_fixtures)[0])
    assert edition is not None
    assert edition.published == "2015"
    assert edition.cover_url == "https://images.isbndb.com/covers/15/66/9780000001566.jpg"
    assert edition.authors == ("Orvig", "Glen Martin", "Ron Jenson")
    assert edition.pages is None  # "dimensions": "97 p." is not a page count
    assert edition.format == "Mass Market Paperback"
    assert edition.language == "en"  # as ISBNdb says, although the title is Japanese


@pytest.mark.shared
def test_dump_line_with_autofilled_author_and_few_fields(shared_fixtures: Path) -> None:
    edition = parse_book(_dump_lines(shared_fixtures)[1])
    assert edition is not None
    assert edition.authors == ("田中 卓也",)
    assert edition.isbn13 == "9780000002259"
    assert edition.isbn10 == "0000002259"
    assert (edition.published, edition.format, edition.cover_url, edition.pages) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.shared
def test_dump_line_calendar_bound_as_hardcover(shared_fixtures: Path) -> None:
    line = _dump_lines(shared_fixtures)[2]
    edition = parse_book(line)
    assert edition is not None
    assert edition.authors == ("Nelson, Bob, Ph.D.",)
    assert edition.pages == 8
    assert edition.published == "2002"
    assert edition.format == "Hardcover"
    # A calendar sold as "Hardcover" passes the binding test: only the binding is checked.
    assert is_book_binding(line["binding"])


@pytest.mark.shared
@pytest.mark.parametrize("key", ["books", "data"])
def test_recorded_books_in_list_envelopes(shared_fixtures: Path, key: str) -> None:
    books = [_load(shared_fixtures, HP)["book"], *_dump_lines(shared_fixtures)]
    page = parse_book_page({"total": len(books), key: books})
    assert page.total == 4
    assert page.count == 4
    assert [e.isbn13 for e in page.editions] == [
        "9781338878929",
        "9780000001566",
        "9780000002259",
        "9780000000101",
    ]


@pytest.mark.shared
def test_recorded_books_in_bulk_envelope_and_indexed_object(shared_fixtures: Path) -> None:
    books = [_load(shared_fixtures, HP)["book"], *_dump_lines(shared_fixtures)]
    bulk = parse_book_page({"total": 4, "requested": 5, "data": books})
    indexed = parse_book_page({"total": 4, "books": {str(i): b for i, b in enumerate(books)}})
    assert bulk.editions == indexed.editions
    assert len(bulk.editions) == 4


@pytest.mark.shared
def test_legacy_book_body_is_refused(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, LEGACY_BOOK)
    with pytest.raises(MalformedResponse, match="discontinued"):
        parse_book_response(body)
    with pytest.raises(MalformedResponse, match="discontinued"):
        parse_book_page(body)
    with pytest.raises(MalformedResponse, match="discontinued"):
        parse_book(body["data"][0])


@pytest.mark.shared
def test_legacy_error_body_is_refused(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, LEGACY_ERROR)
    with pytest.raises(MalformedResponse, match="no 'book'"):
        parse_book_response(body)
    with pytest.raises(MalformedResponse):
        parse_book_page(body)


# -- hand-written bodies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2015, "2015"),
        (2015.0, "2015"),
        ("2015", "2015"),
        ("1998-09", "1998-09"),
        ("1998-9", "1998-09"),
        ("1998-09-05", "1998-09-05"),
        ("1998-09-05T00:00:00Z", "1998-09-05"),
        ("1998-13", "1998"),
        ("1998-09-00", "1998-09"),
        ("c1990", "c1990"),
        ("0000", None),
        (0, None),
        ("", None),
        (None, None),
        (True, None),
        ([], None),
    ],
)
def test_date_published_forms(value: Any, expected: str | None) -> None:
    assert parse_date_published(value) == expected


@pytest.mark.parametrize(
    ("pages", "expected"),
    [(309, 309), ("309", 309), ("309 pages", 309), (309.0, 309), (0, None), ("abc", None)],
)
def test_pages_forms(pages: Any, expected: int | None) -> None:
    edition = parse_book(_book(pages=pages))
    assert edition is not None
    assert edition.pages == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "en"), ("Eng", "en"), ("English", "en"), ("fre", "fr"), ("en_US", "en"), ("xx?", None)],
)
def test_language_forms(language: str, expected: str | None) -> None:
    edition = parse_book(_book(language=language))
    assert edition is not None
    assert edition.language == expected


@pytest.mark.parametrize(
    ("binding", "expected"),
    [
        ("Paperback", "Paperback"),
        ("paperback", "Paperback"),
        ("Trade Paperback", "Paperback"),
        ("Hardcover", "Hardcover"),
        ("Library Binding", "Hardcover"),
        ("Mass Market Paperback", "Mass Market Paperback"),
        ("eBook", "eBook"),
        ("Kindle Edition", "eBook"),
        ("Audio CD", "Audio"),
        ("MP3 CD", "Audio"),
        ("Audio Cassette", "Audio"),
        ("Audible Audiobook", "Audio"),
        ("CD-ROM", "CD-ROM"),
        ("Calendar", "Calendar"),
        ("Board book", "Board book"),
        ("", None),
        (None, None),
    ],
)
def test_binding_normalised(binding: Any, expected: str | None) -> None:
    assert normalize_binding(binding) == expected


@pytest.mark.parametrize(
    ("binding", "is_book"),
    [
        ("Paperback", True),
        ("Hardcover", True),
        ("Kindle Edition", True),
        (None, True),
        ("", True),
        ("DVD", False),
        ("Audio CD", False),
        ("CD-ROM", False),
        ("Audio Cassette", False),
        ("Calendar", False),
        ("Wall Calendar", False),
        ("Sheet music", False),
        ("VHS Tape", False),
    ],
)
def test_book_bindings(binding: str | None, is_book: bool) -> None:
    assert is_book_binding(binding) is is_book


def test_authors_as_index_keyed_object_string_and_junk() -> None:
    indexed = parse_book(_book(authors={"0": "Frank Herbert", "1": "Brian Herbert ~autofilled~"}))
    single = parse_book(_book(authors="Frank Herbert"))
    junk = parse_book(_book(authors=[None, "", "Frank Herbert", "Frank Herbert", {"x": 1}]))
    assert indexed is not None
    assert single is not None
    assert junk is not None
    assert indexed.authors == ("Frank Herbert", "Brian Herbert")
    assert single.authors == ("Frank Herbert",)
    assert junk.authors == ("Frank Herbert",)


def test_isbn_field_holds_the_isbn10() -> None:
    edition = parse_book({"title": "Dune", "isbn": "0441172717"})
    assert edition is not None
    assert (edition.isbn13, edition.isbn10) == ("9780441172719", "0441172717")
    assert dict(edition.keys) == {"isbndb": "9780441172719"}


def test_979_isbn_has_no_isbn10() -> None:
    edition = parse_book({"title": "X", "isbn13": "9798886451740", "isbn": "9798886451740"})
    assert edition is not None
    assert (edition.isbn13, edition.isbn10) == ("9798886451740", None)


def test_bad_isbn13_falls_back_to_isbn10_field() -> None:
    edition = parse_book({"title": "Dune", "isbn13": "9780441172710", "isbn10": "0441172717"})
    assert edition is not None
    assert edition.isbn13 == "9780441172719"


def test_title_long_fallback_and_subtitle() -> None:
    long_only = parse_book({"title_long": "Dune: Deluxe Edition", "isbn13": "9780441172719"})
    both = parse_book(_book(title_long="Dune: Deluxe Edition"))
    same = parse_book(_book(title_long="Dune"))
    assert long_only is not None
    assert both is not None
    assert same is not None
    assert (long_only.title, long_only.subtitle) == ("Dune: Deluxe Edition", None)
    assert (both.title, both.subtitle) == ("Dune", "Deluxe Edition")
    assert same.subtitle is None


@pytest.mark.parametrize(
    "book",
    [{}, {"title": "Dune"}, {"isbn13": "9780441172719"}, {"title": "  ", "isbn13": "x"}],
)
def test_unusable_book_is_none(book: dict[str, Any]) -> None:
    assert parse_book(book) is None


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("http://images.isbndb.com/covers/1.jpg", "https://images.isbndb.com/covers/1.jpg"),
        ("Https://images.isbndb.com/covers/1.jpg", "https://images.isbndb.com/covers/1.jpg"),
        ("HTTPS://images.isbndb.com/covers/1.jpg", "https://images.isbndb.com/covers/1.jpg"),
        ("//images.isbndb.com/covers/1.jpg", "https://images.isbndb.com/covers/1.jpg"),
        ("not a url", None),
        ("", None),
    ],
)
def test_cover_urls_forced_to_https(image: str, expected: str | None) -> None:
    edition = parse_book(_book(image=image))
    assert edition is not None
    assert edition.cover_url == expected


def test_odd_types_in_other_fields_are_ignored() -> None:
    edition = parse_book(
        _book(
            msrp="0.00",
            dewey_decimal="813.54",
            publisher=["not", "a", "string"],
            subjects={"0": "Fiction"},
            binding=12,
            dimensions_structured=[],
        )
    )
    assert edition is not None
    assert edition.publisher is None
    assert edition.format == "12"


@pytest.mark.parametrize(
    "body", [{}, {"book": None}, {"book": []}, [], {"book": {"title": "no isbn"}}]
)
def test_book_response_without_book_object_is_malformed(body: Any) -> None:
    with pytest.raises(MalformedResponse):
        parse_book_response(body)


def test_list_reply_without_list_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="no 'books' or 'data'"):
        parse_book_page({"total": 3})


def test_list_reply_with_null_list_is_empty() -> None:
    page = parse_book_page({"total": 0, "books": None})
    assert (page.editions, page.total, page.count) == ((), 0, 0)


def test_list_count_includes_unusable_items() -> None:
    page = parse_book_page({"books": [_book(), {"title": "no isbn"}, _book()]})
    assert page.count == 3
    assert len(page.editions) == 1
    assert page.total is None


def test_books_key_wins_over_data() -> None:
    page = parse_book_page({"books": [_book()], "data": []})
    assert len(page.editions) == 1


def test_authors_reply_names_only() -> None:
    names = parse_authors_response(
        {"name": "tolkien", "authors": ["J.R.R. Tolkien", "Tolkien ~autofilled~"], "total": 2}
    )
    assert names == ["J.R.R. Tolkien", "Tolkien"]
    assert parse_authors_response({"authors": {"0": "A", "1": "B"}}) == ["A", "B"]
    with pytest.raises(MalformedResponse):
        parse_authors_response({"data": []})


def test_key_reply() -> None:
    body = {
        "api_host": "api2.isbndb.com",
        "plan_name": "Basic",
        "plan_limit": {"total": 7500, "spent": "12", "left": 7488},
    }
    assert parse_key_response(body) == {
        "api_host": "api2.isbndb.com",
        "plan_name": "Basic",
        "total": 7500,
        "spent": 12,
        "left": 7488,
    }
    with pytest.raises(MalformedResponse):
        parse_key_response({"api_host": "x"})


def test_search_hit_from_edition() -> None:
    edition = parse_book(_book(authors=["Frank Herbert"], date_published="1990-09"))
    assert edition is not None
    hit = to_search_hit(edition)
    assert hit.to_dict() == {
        "title": "Dune",
        "authors": ["Frank Herbert"],
        "first_publish_year": 1990,
        "isbn13": ["9780441172719"],
        "keys": {"isbndb": "9780441172719"},
        "sources": ["isbndb"],
        "cover_url": None,
    }


_FIELDS = st.sampled_from(
    [
        "title",
        "title_long",
        "isbn",
        "isbn13",
        "isbn10",
        "authors",
        "publisher",
        "date_published",
        "pages",
        "language",
        "binding",
        "image",
        "msrp",
        "subjects",
    ]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(_FIELDS, _JSON))
def test_parse_book_never_raises_on_odd_types(book: dict[str, Any]) -> None:
    edition = parse_book(book)
    if edition is not None:
        assert edition.title
        assert edition.isbn13 is not None
        assert len(edition.isbn13) == 13
        assert edition.sources == ("isbndb",)
        assert edition.cover_url is None or edition.cover_url.startswith("https://")


def _as_the_converters_make_it(edition: Edition) -> None:
    """Every field is what `Edition`'s own converters would make of it."""
    fields = {f.name: getattr(edition, f.name) for f in attrs.fields(Edition)}
    rebuilt = Edition(**fields)
    for name, value in fields.items():
        assert getattr(rebuilt, name) == value, name
        assert type(getattr(rebuilt, name)) is type(value), name


@given(
    st.dictionaries(_FIELDS, _JSON),
    st.text(),
    st.sampled_from(["9781338878929", "1338878921", " 978-1-338-87892-9 "]),
)
def test_a_parsed_book_holds_what_the_edition_converters_would_make(
    book: dict[str, Any], title: str, isbn: str
) -> None:
    book = {**book, "title": title, "isbn13": isbn}
    editions = [parse_book(book)]
    wire = decode_book_list(json.dumps({"books": [book]}).encode())
    if wire is not None:
        editions.extend(parse_book_page(wire).editions or [None])
    for edition in editions:
        if edition is not None:
            _as_the_converters_make_it(edition)
