"""The fakes build what a request needs when it comes: answers do not depend on what was asked
before (a look-up by ISBN needs no full index; a search afterwards finds the same records)."""

from __future__ import annotations

import json

from bookstracker.testing import FakeISBNdb, FakeRequest, sample_catalog
from bookstracker.testing.catalog import Catalog, dump_catalog

KEY = "k"
ISBNS = ("0553418025", "9780553418026", "9780804139021", "9780593135204", "0000000000")


def _get(fake: FakeISBNdb, path: str) -> tuple[int, object]:
    request = FakeRequest.from_url(
        "GET", f"https://isbndb.test{path}", headers={"Authorization": KEY}
    )
    response = fake.route(request)
    return response.status, json.loads(response.body)


def test_books_by_isbn_are_the_same_before_and_after_a_search() -> None:
    catalog = sample_catalog()
    isbns = [*ISBNS, *(e.isbn13 for _, e in list(catalog.editions())[:200] if e.isbn13)]
    cold = FakeISBNdb(api_key=KEY)
    first = [_get(cold, f"/book/{isbn}") for isbn in isbns]
    searched = FakeISBNdb(api_key=KEY)
    _get(searched, "/author/andy_weir")
    assert [_get(searched, f"/book/{isbn}") for isbn in isbns] == first
    assert [_get(cold, f"/book/{isbn}") for isbn in isbns] == first


def test_a_search_by_isbn_after_a_look_up_finds_the_looked_up_book() -> None:
    fake = FakeISBNdb(api_key=KEY)
    status, body = _get(fake, "/book/0553418025")
    assert status == 200
    assert isinstance(body, dict)
    found = _get(fake, "/search/books?isbn13=9780553418026")[1]
    assert isinstance(found, dict)
    assert found["data"] == [body["book"]]


def test_a_look_up_by_isbn_builds_no_record_it_does_not_need() -> None:
    broken = Catalog.from_json(b'{"authors":[{"id":"OL1A","name":"A","language":"english"}]}')
    fake = FakeISBNdb(broken, api_key=KEY)
    assert _get(fake, "/key")[0] == 200
    assert _get(fake, "/book/0553418025")[0] == 404


def test_the_sample_file_read_on_demand_equals_the_sample_built_eagerly() -> None:
    data = dump_catalog(sample_catalog())
    assert Catalog.from_dict(json.loads(data)).to_dict() == Catalog.from_json(data).to_dict()
