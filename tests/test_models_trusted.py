"""`_trusted_edition`: the same `Edition` the public constructor makes from clean values."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import attrs

from bookstracker.models import Edition, _trusted_edition

CLEAN: dict[str, Any] = {
    "title": "The Left Hand of Darkness",
    "isbn13": "9780441478125",
    "isbn10": "0441478123",
    "subtitle": "50th Anniversary Edition",
    "authors": ("Ursula K. Le Guin",),
    "publisher": "Ace",
    "published": "1976-09",
    "pages": 304,
    "language": "en",
    "format": "Paperback",
    "cover_url": "https://covers.openlibrary.org/b/id/1-M.jpg",
    "work_key": "OL59857W",
    "sources": ("openlibrary", "isbndb"),
    "translation_of": "Original",
}


def test_it_sets_every_field_as_the_public_constructor_does() -> None:
    keys = {"openlibrary": "OL1M", "isbndb": "9780441478125"}
    trusted = _trusted_edition(**CLEAN, keys=dict(keys))
    public = Edition(**CLEAN, keys=keys)
    for field in attrs.fields(Edition):
        assert getattr(trusted, field.name) == getattr(public, field.name), field.name
    assert trusted == public
    assert hash(trusted) == hash(public)
    assert isinstance(trusted.keys, MappingProxyType)


def test_its_defaults_are_the_public_constructors() -> None:
    trusted = _trusted_edition(title="Untitled")
    public = Edition(title="Untitled")
    for field in attrs.fields(Edition):
        assert getattr(trusted, field.name) == getattr(public, field.name), field.name
    assert isinstance(trusted.keys, MappingProxyType)
