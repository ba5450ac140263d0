"""ISBNdb list replies read through the typed wire form give exactly what plain JSON gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker._http import MockTransport, RawRequest, RawResponse
from bookstracker.errors import MalformedResponse
from bookstracker.providers.isbndb import (
    ISBNdb,
    decode_book_list,
    parse_book_page,
)
from bookstracker.resilience import RetryPolicy

_VALID = ["9780441172719", "0441172717", "978-0-441-17271-9", "9798886451740", "123"]
_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(_VALID)
)
_NESTED = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_BOOK_FIELDS = {
    "title": _SCALAR | st.sampled_from(["Dune", " Dune  ", "Dune\u0000"]),
    "title_long": _SCALAR | st.sampled_from(["Dune: Deluxe", "Dune - Part 1", "Dune"]),
    "isbn13": _SCALAR,
    "isbn": _SCALAR,
    "isbn10": _SCALAR,
    "authors": _SCALAR
    | st.lists(_SCALAR, max_size=4)
    | st.dictionaries(st.sampled_from(["0", "1", "2"]), _SCALAR),
    "publisher": _SCALAR,
    "date_published": _SCALAR | st.sampled_from(["2003-09", "1998", "2001-13-40", "0000"]),
    "pages": _SCALAR | st.sampled_from(["369 p.", "0"]),
    "language": _SCALAR | st.sampled_from(["en", "English", "fre", "xx"]),
    "binding": _SCALAR | st.sampled_from(["Paperback", "Audio CD", "Kindle Edition"]),
    "image": _SCALAR | st.sampled_from(["http://x/a.jpg", "//x/a.jpg", "ftp://x"]),
    "other_isbns": _NESTED,
    "dimensions_structured": _NESTED,
}
_BOOK = st.fixed_dictionaries({}, optional=_BOOK_FIELDS)
_ENVELOPE = st.fixed_dictionaries(
    {},
    optional={
        "books": st.none() | st.lists(_BOOK, max_size=4),
        "data": st.none() | st.lists(_BOOK, max_size=4),
        "total": _SCALAR,
        "page": _SCALAR,
    },
)


def _outcome(read: Any) -> Any:
    try:
        page = read()
    except MalformedResponse as exc:
        return ("malformed", str(exc))
    return (page.total, page.count, [e.to_dict() for e in page.editions])


@given(_ENVELOPE)
def test_the_wire_form_reads_as_plain_json(body: dict[str, Any]) -> None:
    content = json.dumps(body).encode()
    wire = decode_book_list(content)
    assert wire is not None
    assert _outcome(lambda: parse_book_page(wire)) == _outcome(
        lambda: parse_book_page(json.loads(content))
    )


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"books": {"0": {"title": "Dune", "isbn13": "9780441172719"}}}',
        b'{"books": ["Dune"]}',
        b'{"books": [{"title": {"value": "Dune"}, "isbn13": "9780441172719"}]}',
        b'{"books": [{"authors": [["Frank Herbert"]]}]}',
        b'{"books": [{"title": "Dune", "isbn13": "\\ud800"}]}',
    ],
)
def test_a_reply_off_the_wire_form_is_left_to_the_lenient_reader(content: bytes) -> None:
    assert decode_book_list(content) is None


def test_the_discontinued_api_is_refused_in_the_wire_form_too() -> None:
    envelope = decode_book_list(b'{"index_searched": "isbn", "data": []}')
    legacy_book = decode_book_list(b'{"data": [{"book_id": null, "title": "x"}]}')
    assert envelope is not None
    assert legacy_book is not None
    with pytest.raises(MalformedResponse, match="discontinued"):
        parse_book_page(envelope)
    with pytest.raises(MalformedResponse, match="discontinued"):
        parse_book_page(legacy_book)


def test_a_list_reply_without_books_or_data_is_refused() -> None:
    wire = decode_book_list(b'{"total": 3}')
    assert wire is not None
    with pytest.raises(MalformedResponse, match="no 'books' or 'data'"):
        parse_book_page(wire)


_DUNE = {"title": "Dune", "isbn13": "9780441172719", "authors": ["Frank Herbert"]}
_MESSIAH = {"title": "Dune Messiah", "isbn13": "9780441172696", "authors": {"0": "F. Herbert"}}


@pytest.mark.anyio
@pytest.mark.parametrize("base_url", ["https://api2.isbndb.com", "http://127.0.0.1:9/isbndb"])
@pytest.mark.parametrize(
    "books",
    [[_DUNE, _MESSIAH], {"0": _DUNE, "1": _MESSIAH}, [_DUNE, "junk", _MESSIAH]],
    ids=["array", "index-keyed", "junk item"],
)
async def test_the_adapter_reads_a_listing_whatever_its_shape(base_url: str, books: object) -> None:
    def handler(request: RawRequest) -> RawResponse:
        assert str(request.url).startswith(base_url + "/author/")
        return RawResponse(200, json={"total": 2, "books": books})

    adapter = ISBNdb(
        transport=MockTransport(handler),
        base_url=base_url,
        api_key="test-key",
        rate=1000.0,
        retry=RetryPolicy(attempts=1),
    )
    async with adapter:
        page = await adapter.author_editions("Frank Herbert")
    assert [(e.title, e.authors) for e in page.editions] == [
        ("Dune", ("Frank Herbert",)),
        ("Dune Messiah", ("F. Herbert",)),
    ]
    assert page.total == 2
