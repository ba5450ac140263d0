"""OpenLibrary searches and works lists read through the wire form give what plain JSON gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker._http import MockTransport, RawRequest, RawResponse
from bookstracker.providers.openlibrary import (
    OpenLibrary,
    decode_search,
    decode_works_page,
    parse_search,
    parse_work_signals,
    parse_works_page,
)
from bookstracker.resilience import RetryPolicy

_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_KEY = _SCALAR | st.sampled_from(["/works/OL1W", "OL2W", "/works/OL3M", "ia:x", "/authors/OL9A"])
_ISBN = st.sampled_from(["9780441172719", "0441172717", "978-0-441-17271-9", "123", ""])
_STRINGS = (
    _SCALAR
    | st.lists(_SCALAR | _ISBN, max_size=4)
    | st.dictionaries(st.sampled_from(["0", "1", "x"]), _SCALAR, max_size=2)
)
_REF = _KEY | st.fixed_dictionaries({}, optional={"key": _KEY, "value": _SCALAR})
_NESTED = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)
_DOC = st.fixed_dictionaries(
    {},
    optional={
        "key": _KEY,
        "title": _SCALAR,
        "subtitle": _SCALAR,
        "author_name": _STRINGS,
        "author_key": _STRINGS | st.just(["OL9A", "/authors/OL8A"]),
        "first_publish_year": _SCALAR | st.sampled_from([1965, "1965"]),
        "edition_count": _SCALAR,
        "cover_i": _STRINGS,
        "language": _STRINGS | st.just(["eng", "fre"]),
        "isbn": _STRINGS,
        "edition_key": _STRINGS | st.just(["OL1M", "ol2m", "x"]),
        "ratings_average": _NESTED,
    },
)
_SEARCH = st.fixed_dictionaries(
    {},
    optional={
        "numFound": _SCALAR,
        "num_found": _SCALAR,
        "start": _SCALAR,
        "docs": st.none() | st.lists(_DOC, max_size=4),
    },
)
_AUTHOR_ROLE = st.fixed_dictionaries(
    {}, optional={"author": _REF, "key": _KEY, "role": _SCALAR, "type": _REF}
)
_WORK = st.fixed_dictionaries(
    {},
    optional={
        "key": _KEY,
        "type": _REF | st.sampled_from(["/type/redirect", "/type/delete"]),
        "title": _SCALAR,
        "subtitle": _SCALAR,
        "authors": _SCALAR | st.lists(_AUTHOR_ROLE, max_size=3),
        "first_publish_date": _SCALAR | st.just("May 1965"),
        "subjects": _STRINGS,
        "description": _REF,
        "covers": _STRINGS,
        "location": _KEY,
        "created": _NESTED,
    },
)
_WORKS_PAGE = st.fixed_dictionaries(
    {},
    optional={
        "size": _SCALAR,
        "links": _SCALAR
        | st.fixed_dictionaries({}, optional={"next": st.just("/x?offset=50"), "self": _SCALAR}),
        "entries": st.none() | st.lists(_WORK, max_size=4),
    },
)


@given(_SEARCH)
def test_a_search_in_the_wire_form_reads_as_plain_json(body: dict[str, Any]) -> None:
    content = json.dumps(body).encode()
    wire = decode_search(content)
    assert wire is not None
    plain = json.loads(content)
    assert parse_search(wire) == parse_search(plain)
    assert parse_work_signals(wire) == parse_work_signals(plain)


@given(_WORKS_PAGE)
def test_a_works_page_in_the_wire_form_reads_as_plain_json(body: dict[str, Any]) -> None:
    content = json.dumps(body).encode()
    wire = decode_works_page(content)
    assert wire is not None
    assert parse_works_page(wire) == parse_works_page(json.loads(content))


@pytest.mark.parametrize(
    "content",
    [
        b"[]",
        b"<html></html>",
        b'{"docs": ["OL1W"]}',
        b'{"docs": [{"key": {"a": {"b": 1}}}]}',
        b'{"docs": [{"isbn": [["9780441172719"]]}]}',
        b'{"docs": [{"title": "\\ud800"}]}',
    ],
)
def test_a_search_off_the_wire_form_is_left_to_the_plain_reader(content: bytes) -> None:
    assert decode_search(content) is None


@pytest.mark.parametrize(
    "content",
    [b"{", b'{"entries": {"0": {"key": "OL1W"}}}', b'{"entries": [{"authors": [[1]]}]}'],
)
def test_a_works_page_off_the_wire_form_is_left_to_the_plain_reader(content: bytes) -> None:
    assert decode_works_page(content) is None


_ENTRY = {
    "key": "/works/OL1W",
    "title": "Dune",
    "authors": [{"author": {"key": "/authors/OL9A"}, "type": {"key": "/type/author_role"}}],
}
_DOC_DUNE = {
    "key": "/works/OL1W",
    "title": "Dune",
    "language": ["eng"],
    "isbn": ["9780441172719"],
    "author_key": ["OL9A"],
    "author_name": ["Frank Herbert"],
}


@pytest.mark.anyio
@pytest.mark.parametrize("base_url", ["https://openlibrary.org", "http://127.0.0.1:9/ol"])
@pytest.mark.parametrize("odd", [False, True], ids=["wire", "plain"])
async def test_the_adapter_reads_works_and_signals_whatever_their_shape(
    base_url: str, odd: bool
) -> None:
    entries: object = {"0": _ENTRY} if odd else [_ENTRY]
    docs = [_DOC_DUNE, "junk"] if odd else [_DOC_DUNE]

    def handler(request: RawRequest) -> RawResponse:
        path = request.url.path
        if path.endswith("/authors/OL9A/works.json"):
            return RawResponse(200, json={"size": 1, "links": {}, "entries": entries})
        assert path.endswith("/search.json")
        return RawResponse(200, json={"numFound": 1, "docs": docs})

    adapter = OpenLibrary(
        transport=MockTransport(handler),
        base_url=base_url,
        rate=1000.0,
        retry=RetryPolicy(attempts=1),
    )
    async with adapter:
        works = await adapter.author_works("OL9A")
        signals = await adapter.author_work_signals("OL9A")
    assert [(w.key, w.title, w.author_keys) for w in works.works] == [("OL1W", "Dune", ("OL9A",))]
    assert works.total == 1
    assert signals["OL1W"].isbns == ("9780441172719",)
    assert signals["OL1W"].languages == ("en",)
    assert signals["OL1W"].authors == ("Frank Herbert",)
