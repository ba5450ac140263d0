"""Provider bodies that begin with a UTF-8 byte-order mark are read like any other body.

JSON forbids a BOM, but files and proxies add one; the recorded Google Books volumes start with
one. Every adapter decodes the body bytes, so a leading BOM is dropped and the text after it is
read as UTF-8, in answers and in error envelopes alike.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from typing import Any

import pytest

from bookstracker._http import MockTransport, RawRequest, RawResponse
from bookstracker.errors import MalformedResponse, QuotaExceeded, RateLimited
from bookstracker.providers.googlebooks import GoogleBooks
from bookstracker.providers.isbndb import ISBNdb
from bookstracker.providers.openlibrary import OpenLibrary
from bookstracker.resilience import RetryPolicy

BOM = codecs.BOM_UTF8
ONE_TRY = RetryPolicy(attempts=1)
ISBN = "9780140446043"

VOLUME: dict[str, Any] = {
    "kind": "books#volume",
    "id": "bomVolume001",
    "volumeInfo": {
        "title": "Les Essais de Montaigne, édition préparée à Bordeaux",
        "authors": ["Michel de Montaigne", "Zoë Éditrice"],
        "language": "fr",
        "publishedDate": "2004-03-25",
        "industryIdentifiers": [{"type": "ISBN_13", "identifier": ISBN}],
    },
}


def _bom(body: Any) -> bytes:
    return BOM + json.dumps(body, ensure_ascii=False).encode("utf-8")


def _transport(status: int, content: bytes, seen: list[str] | None = None) -> MockTransport:
    def handler(request: RawRequest) -> RawResponse:
        if seen is not None:
            seen.append(request.url.path)
        return RawResponse(
            status, headers={"Content-Type": "application/json; charset=UTF-8"}, content=content
        )

    return MockTransport(handler)


def _google(status: int, content: bytes) -> GoogleBooks:
    return GoogleBooks(transport=_transport(status, content), rate=1000, retry=ONE_TRY)


def _openlibrary(status: int, content: bytes) -> OpenLibrary:
    return OpenLibrary(transport=_transport(status, content), rate=1000, retry=ONE_TRY)


def _isbndb(status: int, content: bytes) -> ISBNdb:
    return ISBNdb(transport=_transport(status, content), api_key="k", rate=1000, retry=ONE_TRY)


@pytest.mark.anyio
async def test_google_volume_with_a_bom() -> None:
    edition = await _google(200, _bom(VOLUME)).volume("bomVolume001")
    assert edition is not None
    assert edition.title == "Les Essais de Montaigne, édition préparée à Bordeaux"
    assert edition.authors == ("Michel de Montaigne", "Zoë Éditrice")
    assert edition.isbn13 == ISBN
    assert edition.keys == {"googlebooks": "bomVolume001"}


@pytest.mark.anyio
async def test_google_list_with_a_bom() -> None:
    body = {"kind": "books#volumes", "totalItems": 1, "items": [VOLUME]}
    page = await _google(200, _bom(body)).search("montaigne")
    assert page.total == 1
    (hit,) = page.hits
    assert hit.title.startswith("Les Essais")
    assert hit.isbn13 == (ISBN,)


@pytest.mark.anyio
async def test_google_error_envelope_with_a_bom_keeps_its_meaning() -> None:
    message = (
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service "
        "'books.googleapis.com' for consumer 'project_number:1'."
    )
    inner = {"message": message, "domain": "global", "reason": "rateLimitExceeded"}
    envelope = {
        "error": {
            "code": 429,
            "message": message,
            "errors": [inner],
            "status": "RESOURCE_EXHAUSTED",
        }
    }
    with pytest.raises(QuotaExceeded) as caught:
        await _google(429, _bom(envelope)).search("montaigne")
    assert "Queries per day" in str(caught.value)


@pytest.mark.anyio
async def test_openlibrary_search_and_edition_with_a_bom() -> None:
    search = {
        "numFound": 1,
        "docs": [
            {
                "key": "/works/OL1W",
                "title": "Über die Freiheit",
                "author_name": ["Jürgen Müller"],
                "language": ["ger"],
                "edition_count": 2,
            }
        ],
    }
    page = await _openlibrary(200, _bom(search)).search("freiheit")
    (hit,) = page.hits
    assert (hit.title, hit.authors, hit.language) == ("Über die Freiheit", ("Jürgen Müller",), "de")
    record = {"key": "/books/OL1M", "title": "Œuvres complètes", "isbn_13": [ISBN]}
    edition = await _openlibrary(200, _bom(record)).edition("OL1M")
    assert edition is not None
    assert (edition.title, edition.isbn13) == ("Œuvres complètes", ISBN)


@pytest.mark.anyio
async def test_openlibrary_429_with_a_bom_keeps_its_message() -> None:
    body = {"status": 429, "message": "Too Many Requests. Slow down, s'il vous plaît."}
    with pytest.raises(RateLimited) as caught:
        await _openlibrary(429, _bom(body)).search("freiheit")
    assert "s'il vous plaît" in str(caught.value)


@pytest.mark.anyio
async def test_isbndb_book_with_a_bom() -> None:
    body = {"book": {"isbn13": ISBN, "title": "Essais — Livre I", "authors": ["Montaigne"]}}
    edition = await _isbndb(200, _bom(body)).book(ISBN)
    assert edition is not None
    assert (edition.title, edition.isbn13) == ("Essais — Livre I", ISBN)


Make = Callable[[int, bytes], Any]


async def _ask_each(make: Make, content: bytes) -> None:
    adapter = make(200, content)
    if isinstance(adapter, GoogleBooks):
        await adapter.volume("bomVolume001")
    elif isinstance(adapter, OpenLibrary):
        await adapter.edition("OL1M")
    else:
        await adapter.book(ISBN)


@pytest.mark.anyio
@pytest.mark.parametrize("make", [_google, _openlibrary, _isbndb])
@pytest.mark.parametrize(
    "content",
    [BOM, BOM + b"   ", BOM + b"<html><body>Service Unavailable</body></html>", BOM + BOM + b"{}"],
)
async def test_a_bom_before_nothing_or_not_json_is_malformed(make: Make, content: bytes) -> None:
    with pytest.raises(MalformedResponse):
        await _ask_each(make, content)
