"""Merging one ISBN's records from several providers: one rule per field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from bookstracker.models import PROVIDERS, Edition
from bookstracker.pipeline.pairing import merge_editions

_PRIORITY = {
    "title": ("openlibrary", "isbndb", "googlebooks"),
    "subtitle": ("openlibrary", "googlebooks", "isbndb"),
    "publisher": ("isbndb", "openlibrary", "googlebooks"),
    "published": ("openlibrary", "googlebooks", "isbndb"),
    "pages": ("isbndb", "openlibrary", "googlebooks"),
    "language": ("openlibrary", "googlebooks", "isbndb"),
    "format": ("isbndb", "openlibrary", "googlebooks"),
    "cover_url": ("openlibrary", "googlebooks", "isbndb"),
    "work_key": ("openlibrary",),
    "isbn10": ("openlibrary", "isbndb", "googlebooks"),
    "authors": ("openlibrary", "isbndb", "googlebooks"),
}


def _rank(edition: Edition, order: tuple[str, ...]) -> int:
    ranks = [order.index(s) for s in edition.sources if s in order]
    return min(ranks) if ranks else len(order)


def _merged_by_the_rules(editions: Sequence[Edition]) -> Edition:
    """The rules written plainly: per field, the first non-empty value in provider priority
    (records of equal rank in their given order); the first record's other fields; every key
    and source."""
    fields: dict[str, Any] = {
        f.name: getattr(editions[0], f.name)
        for f in attrs.fields(Edition)
        if f.name not in _PRIORITY and f.name not in ("keys", "sources")
    }
    for field, order in _PRIORITY.items():
        ranked = sorted(editions, key=lambda e: _rank(e, order))
        fields[field] = next((v for v in (getattr(e, field) for e in ranked) if v), None)
    fields["title"] = fields["title"] or editions[0].title
    fields["authors"] = fields["authors"] or ()
    keys: dict[str, str] = {}
    for edition in editions:
        for provider, key in edition.keys.items():
            keys.setdefault(provider, key)
    fields["keys"] = keys
    fields["sources"] = {s for e in editions for s in e.sources}
    return Edition(**fields)


_TEXT = st.none() | st.sampled_from(["", "A", "B", "Hardcover", "2001", "en"])
_EDITION = st.builds(
    Edition,
    title=st.sampled_from(["Dune", "dune", "Dune (Deluxe)"]),
    isbn13=st.just("9780441172719"),
    isbn10=st.none() | st.just("0441172717"),
    subtitle=_TEXT,
    authors=st.lists(st.sampled_from(["Frank Herbert", "F. Herbert"]), max_size=2),
    publisher=_TEXT,
    published=_TEXT,
    pages=st.none() | st.integers(min_value=0, max_value=900),
    language=_TEXT,
    format=_TEXT,
    cover_url=_TEXT,
    work_key=st.none() | st.sampled_from(["OL1W", "OL2W"]),
    sources=st.lists(st.sampled_from([*PROVIDERS, "mirror"]), min_size=1, max_size=2),
    keys=st.dictionaries(st.sampled_from(PROVIDERS), st.sampled_from(["k1", "k2"]), max_size=2),
    translation_of=_TEXT,
)


@given(st.lists(_EDITION, min_size=2, max_size=4))
def test_a_merge_follows_the_field_rules(editions: list[Edition]) -> None:
    merged = merge_editions(editions)
    expected = _merged_by_the_rules(editions)
    assert merged == expected
    assert dict(merged.keys) == dict(expected.keys)
    for field in attrs.fields(Edition):  # what Edition's own converters make, types included
        assert type(getattr(merged, field.name)) is type(getattr(expected, field.name))


def test_one_record_is_returned_as_it_is() -> None:
    edition = Edition(title="Dune", isbn13="9780441172719", sources=("isbndb",))
    assert merge_editions([edition]) is edition


def test_each_field_comes_from_its_preferred_provider() -> None:
    openlibrary = Edition(
        title="Dune",
        isbn13="9780441172719",
        publisher="Chilton",
        pages=412,
        language="en",
        work_key="OL1W",
        sources=("openlibrary",),
        keys={"openlibrary": "OL1M"},
    )
    isbndb = Edition(
        title="DUNE",
        isbn13="9780441172719",
        publisher="Ace",
        pages=896,
        format="Paperback",
        sources=("isbndb",),
        keys={"isbndb": "9780441172719"},
    )
    merged = merge_editions([isbndb, openlibrary])
    assert (merged.title, merged.publisher, merged.pages, merged.format) == (
        "Dune",
        "Ace",
        896,
        "Paperback",
    )
    assert (merged.language, merged.work_key) == ("en", "OL1W")
    assert merged.sources == ("openlibrary", "isbndb")
    assert dict(merged.keys) == {"isbndb": "9780441172719", "openlibrary": "OL1M"}
