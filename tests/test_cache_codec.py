"""The cache value codec: answers round-trip, bad bytes are refused, memory keeps objects."""

from __future__ import annotations

import contextlib
import json
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker import AsyncBooksClient
from bookstracker.cache import MemoryCache, cache_key
from bookstracker.cache.base import CacheEntry
from bookstracker.cache.bounds import MAX_NESTING, MAX_TEXT_LENGTH
from bookstracker.cache.codec import (
    CachedNotFound,
    UnreadableValue,
    ValueCodec,
)
from bookstracker.cache.model_codecs import BIBLIOGRAPHY, EDITION, SEARCH_RESULT
from bookstracker.models import (
    Author,
    AuthorCandidate,
    Bibliography,
    Completeness,
    Edition,
    Exclusion,
    ProviderReport,
    SearchHit,
    SearchResult,
    Work,
)
from support import Fakes

pytestmark = pytest.mark.anyio

MARTIAN = "9780553418026"
HEADER = b"\xffbt\x01v"


def _edition(isbn13: str = MARTIAN, **changes: object) -> Edition:
    fields: dict[str, object] = {
        "title": "The Martian",
        "isbn13": isbn13,
        "isbn10": "0553418025",
        "subtitle": "A Novel",
        "authors": ("Andy Weir",),
        "publisher": "Crown",
        "published": "2014-02-11",
        "pages": 387,
        "language": "en",
        "format": "Paperback",
        "cover_url": "https://covers.example/1.jpg",
        "work_key": "OL17091839W",
        "sources": ("openlibrary", "isbndb"),
        "keys": {"openlibrary": "OL1M", "isbndb": isbn13},
        "translation_of": None,
    }
    fields.update(changes)
    return Edition(**fields)  # type: ignore[arg-type]


def _bibliography() -> Bibliography:
    report = ProviderReport(provider="openlibrary", status="ok", elapsed_ms=12.5, requests=3)
    return Bibliography(
        author=Author(
            name="Andy Weir",
            keys={"openlibrary": "OL7234434A"},
            alternate_names=("Andrew Weir",),
            birth_date="1972",
            work_count=12,
            top_work="The Martian",
            top_subjects=("Fiction",),
        ),
        works=(
            Work(
                title="The Martian",
                first_publish_year=2011,
                keys={"openlibrary": "OL17091839W"},
                editions=(_edition(),),
                sources=("openlibrary",),
                authors=("Andy Weir",),
                author_keys=("OL7234434A",),
                edition_count=40,
            ),
        ),
        excluded=(
            Exclusion(title="Study Guide", key="OL1W", reason="companion", detail="a guide"),
        ),
        candidates=(AuthorCandidate(name="Andy Weir", keys={"openlibrary": "OL7234434A"}),),
        completeness=Completeness(
            author="Andy Weir",
            score=0.9,
            complete=True,
            expected=12,
            found=12,
            evidence={"parts": {"works_listed": 0.35}, "providers_answered": ["openlibrary"]},
        ),
        providers=[report],
    )


def test_every_answer_type_round_trips_through_plain_bytes() -> None:
    bibliography = _bibliography()
    search = SearchResult(
        query="martian",
        hits=(SearchHit(title="The Martian", isbn13=(MARTIAN,), score=2.5, score_parts={"t": 1}),),
        providers=[ProviderReport(provider="isbndb", status="empty")],
    )
    for codec, answer in (
        (BIBLIOGRAPHY, bibliography),
        (SEARCH_RESULT, search),
        (EDITION, _edition()),
        (EDITION, None),
    ):
        data = bytes(codec.encode(answer))  # plain bytes, as disk and Redis give them back
        assert codec.decode(data) == answer


def test_decoded_mappings_are_read_only_like_computed_ones() -> None:
    decoded = BIBLIOGRAPHY.decode(bytes(BIBLIOGRAPHY.encode(_bibliography())))
    edition = decoded.works[0].editions[0]
    assert isinstance(edition.keys, MappingProxyType)
    assert isinstance(decoded.providers, MappingProxyType)
    assert decoded.completeness is not None
    assert isinstance(decoded.completeness.evidence, MappingProxyType)
    with pytest.raises(TypeError):
        edition.keys["isbndb"] = "x"  # type: ignore[index]


def test_an_entry_made_from_encoded_bytes_answers_with_the_object_itself() -> None:
    bibliography = _bibliography()
    entry = CacheEntry(value=BIBLIOGRAPHY.encode(bibliography), fresh_until=1.0, stale_until=2.0)
    assert entry.decoded(BIBLIOGRAPHY) is bibliography


def test_an_entry_of_plain_bytes_is_decoded_once() -> None:
    entry = CacheEntry(value=bytes(EDITION.encode(_edition())), fresh_until=1.0, stale_until=2.0)
    first = entry.decoded(EDITION)
    assert first == _edition()
    assert entry.decoded(EDITION) is first


def test_a_not_found_is_its_own_kind_of_value() -> None:
    data = bytes(ValueCodec.encode_not_found("nobody knows it"))
    with pytest.raises(CachedNotFound, match="nobody knows it"):
        BIBLIOGRAPHY.decode(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (json.dumps(_edition().to_cache_dict()).encode(), "older release"),
        (b"\xffbt\x02v" + json.dumps({"title": "x"}).encode(), "unknown cache value format"),
        (HEADER + b'{"title": 7}', "Expected `str`"),
        (HEADER + b'{"title": "x", "pages": "many"}', "Expected `int | null`"),
        (HEADER + b'{"title": "x", "keys": {"a": ["b"]}}', "Expected `str`"),
        (HEADER + b'{"title": "x"', r"truncated|malformed|Input data"),
        (HEADER, r"truncated|Input data"),
        (b"", "older release"),
    ],
)
def test_a_value_of_the_wrong_shape_or_format_is_unreadable(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableValue, match=reason):
        EDITION.decode(data)


def test_a_deeply_nested_value_is_unreadable_not_a_recursion_error() -> None:
    depth = 200_000
    nested = b"[" * depth + b"]" * depth
    for data in (
        HEADER + b'{"title": "x", "unknown": ' + nested + b"}",
        HEADER + b'{"title": ' + nested + b"}",
    ):
        with pytest.raises(UnreadableValue, match=r"nest|Expected"):
            EDITION.decode(data)


def test_free_form_evidence_nested_past_the_bound_is_unreadable() -> None:
    deep: object = "leaf"
    for _ in range(MAX_NESTING + 2):
        deep = {"k": deep}
    bibliography = Bibliography(
        author=Author(name="A"),
        completeness=Completeness(
            author="A", score=1.0, complete=True, expected=1, found=1, evidence={"deep": deep}
        ),
    )
    with pytest.raises(UnreadableValue, match="nested too deeply"):
        BIBLIOGRAPHY.decode(bytes(BIBLIOGRAPHY.encode(bibliography)))


@pytest.mark.parametrize("where", ["title", "author", "key", "evidence"])
def test_an_over_long_text_is_unreadable(where: str) -> None:
    long = "x" * (MAX_TEXT_LENGTH + 1)
    edition = {
        "title": _edition(title=long),
        "author": _edition(authors=("Andy Weir", long)),
        "key": _edition(keys={long: "1"}),
    }.get(where)
    if edition is not None:
        data = bytes(EDITION.encode(edition))
        with pytest.raises(UnreadableValue, match="longer than"):
            EDITION.decode(data)
        return
    bibliography = Bibliography(
        author=Author(name="A"),
        completeness=Completeness(
            author="A", score=1.0, complete=True, expected=1, found=1, evidence={"e": [long]}
        ),
    )
    with pytest.raises(UnreadableValue, match="longer than"):
        BIBLIOGRAPHY.decode(bytes(BIBLIOGRAPHY.encode(bibliography)))


@given(st.binary(max_size=200))
def test_arbitrary_bytes_after_the_header_are_an_answer_or_unreadable(tail: bytes) -> None:
    for codec in (EDITION, SEARCH_RESULT, BIBLIOGRAPHY):
        with contextlib.suppress(UnreadableValue):
            codec.decode(HEADER + tail)


async def test_the_memory_tier_answers_with_the_same_bibliography_object() -> None:
    fakes = Fakes()
    async with fakes.client(cache=MemoryCache()) as client:
        first = await client.author("Andy Weir")
        second = await client.author("Andy Weir")
    assert second.works is first.works
    assert second.providers["openlibrary"].status == "cached"


async def test_the_memory_tier_answers_with_the_same_edition_object() -> None:
    fakes = Fakes()
    async with fakes.client(cache=MemoryCache()) as client:
        first = await client.isbn(MARTIAN)
        assert await client.isbn(MARTIAN) is first


@pytest.mark.parametrize(
    "bad",
    [
        json.dumps({"title": "old plain JSON", "isbn13": MARTIAN}).encode(),
        HEADER + b'{"title": 7}',
        HEADER + b'{"title": "x", "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
async def test_a_bad_cached_value_is_deleted_and_refetched(bad: bytes) -> None:
    fakes = Fakes()
    cache = MemoryCache()
    async with fakes.client(cache=cache) as client:
        key = cache_key("isbn", client.namespace, MARTIAN)
        await cache.set(key, bad, ttl=3600)
        edition = await client.isbn(MARTIAN)
    assert edition is not None
    assert edition.title != "old plain JSON"
    assert fakes.openlibrary.log, "the bad entry was not refetched"
    entry = await cache.get(key)
    assert entry is not None
    assert entry.decoded(EDITION) == edition


async def test_the_memory_tier_counts_a_decoded_answer_toward_its_byte_bound() -> None:
    value = EDITION.encode(_edition())
    cache = MemoryCache(max_bytes=1_000_000)
    await cache.set("answer", value, ttl=60)
    await cache.set("plain", b"x" * len(value), ttl=60)
    stats = await cache.stats()
    assert stats.bytes >= 5 * len(value)


@pytest.mark.parametrize("name", ["Stephen King", "Andy Weir", "Agatha Christie"])
async def test_a_real_bibliography_round_trips_with_every_field(name: str) -> None:
    # Guards the codec against model changes: every field the pipeline fills comes back.
    async with AsyncBooksClient(offline=True, cache=None) as client:
        bibliography = await client.author(name)
    decoded = BIBLIOGRAPHY.decode(bytes(BIBLIOGRAPHY.encode(bibliography)))
    assert decoded == bibliography
    assert decoded.to_dict() == bibliography.to_dict()
    assert [w.evidence for w in decoded.works] == [w.evidence for w in bibliography.works]
