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
    Evidence,
    EvidenceSignal,
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


@pytest.mark.parametrize("where", ["title", "author", "key", "key value"])
def test_an_over_long_text_in_an_edition_is_unreadable(where: str) -> None:
    long = "x" * (MAX_TEXT_LENGTH + 1)
    edition = {
        "title": _edition(title=long),
        "author": _edition(authors=("Andy Weir", long)),
        "key": _edition(keys={long: "1"}),
        "key value": _edition(keys={"isbndb": long}),
    }[where]
    with pytest.raises(UnreadableValue, match="longer than"):
        EDITION.decode(bytes(EDITION.encode(edition)))


def _long_in(where: str, long: str) -> Bibliography:
    signal = EvidenceSignal(name="n", verdict="core", detail=long)
    return {
        "evidence": Bibliography(
            author=Author(name="A"),
            completeness=Completeness(
                author="A", score=1.0, complete=True, expected=1, found=1, evidence={"e": [long]}
            ),
        ),
        "evidence key": Bibliography(
            author=Author(name="A"),
            completeness=Completeness(
                author="A", score=1.0, complete=True, expected=1, found=1, evidence={long: 1}
            ),
        ),
        "edition of a work": Bibliography(
            author=Author(name="A"), works=(Work(title="w", editions=(_edition(title=long),)),)
        ),
        "signal detail": Bibliography(
            author=Author(name="A"),
            works=(Work(title="w", evidence=Evidence(verdict="core", signals=(signal,))),),
        ),
        "report error": Bibliography(
            author=Author(name="A"),
            providers=[ProviderReport(provider="isbndb", status="error", error=long)],
        ),
        "candidate subject": Bibliography(
            author=Author(name="A"), candidates=(AuthorCandidate(name="c", top_subjects=(long,)),)
        ),
    }[where]


@pytest.mark.parametrize(
    "where",
    [
        "evidence",
        "evidence key",
        "edition of a work",
        "signal detail",
        "report error",
        "candidate subject",
    ],
)
def test_an_over_long_text_anywhere_in_a_bibliography_is_unreadable(where: str) -> None:
    fits = _long_in(where, "x" * MAX_TEXT_LENGTH)
    assert BIBLIOGRAPHY.decode(bytes(BIBLIOGRAPHY.encode(fits))) == fits
    with pytest.raises(UnreadableValue, match="longer than"):
        BIBLIOGRAPHY.decode(
            bytes(BIBLIOGRAPHY.encode(_long_in(where, "x" * (MAX_TEXT_LENGTH + 1))))
        )


def _with_title(raw_title: bytes) -> bytes:
    """An encoded edition whose title's JSON text is ``raw_title`` (quotes included)."""
    data = bytes(EDITION.encode(_edition(title="PLACEHOLDER")))
    assert data.count(b'"PLACEHOLDER"') == 1
    return data.replace(b'"PLACEHOLDER"', raw_title)


@pytest.mark.parametrize(
    "raw_title",
    [
        b'"a\\u001b]0;pwned\\u0007"',  # escaped C0 (an escape sequence)
        b'"tab\\there"',
        b'"cr\\rhere"',
        b'"a\\u007f"',  # escaped DEL
        b'"a\\u009b31m"',  # escaped C1 CSI
        b'"a\x7f"',  # raw DEL
        b'"a\xc2\x9b31m"',  # raw C1 CSI
        b'"a\xc2\x85"',  # raw NEL
        b'"a\\\\\\t"',  # an escaped backslash, then a tab
        b'"caf\\u00e9"',  # harmless, but never written by the encoder: refused too
        b'"a\\/b"',
    ],
)
def test_a_text_holding_a_control_character_or_a_foreign_escape_is_unreadable(
    raw_title: bytes,
) -> None:
    with pytest.raises(UnreadableValue, match=r"control character|escape"):
        EDITION.decode(_with_title(raw_title))


_CLEAN_TEXTS = [
    'quotes " inside "" and \\" too',
    "a backslash \\ then \\t, \\n, \\u0001 and \\\\ as plain text",
    "ends with a backslash \\",
    "line one\nline two",
    "caf\u00e9 \u00a0nbsp \u00a9 \u00ab\u00bb \u00bf \u0100 \u2028 \U0001f600",
]


@pytest.mark.parametrize("text", _CLEAN_TEXTS)
def test_clean_texts_with_quotes_backslashes_and_new_lines_round_trip(text: str) -> None:
    edition = _edition(title=text, authors=(text,), keys={text: text})
    assert EDITION.decode(bytes(EDITION.encode(edition))) == edition


_UNSAFE = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0b\x0c\x0d\x0e\x0f" + "".join(
    map(chr, [*range(0x10, 0x20), *range(0x7F, 0xA0)])
)


@given(st.text(st.characters(blacklist_characters=_UNSAFE, blacklist_categories=("Cs",))))
def test_any_clean_text_round_trips(text: str) -> None:
    edition = _edition(title=text or "x", subtitle=text or None, authors=(text,))
    assert EDITION.decode(bytes(EDITION.encode(edition))) == edition


@given(st.text(st.sampled_from(_UNSAFE), min_size=1, max_size=3), st.text(max_size=5))
def test_any_text_with_a_control_character_is_unreadable(unsafe: str, around: str) -> None:
    data = bytes(EDITION.encode(_edition(title=around + unsafe + around)))
    with pytest.raises(UnreadableValue, match=r"control character|escape"):
        EDITION.decode(data)


@pytest.mark.parametrize("char", ["x", '"', "\\", "\n", "\u00e9", "\U0001f600"])
def test_a_text_of_the_longest_length_is_read_and_one_longer_is_not(char: str) -> None:
    # Quotes and backslashes are escaped: the bytes check must not lose track of the texts.
    longest = _edition(title=char * MAX_TEXT_LENGTH)
    assert EDITION.decode(bytes(EDITION.encode(longest))) == longest
    with pytest.raises(UnreadableValue, match="longer than"):
        EDITION.decode(bytes(EDITION.encode(_edition(title=char * (MAX_TEXT_LENGTH + 1)))))


def test_a_long_text_among_short_ones_is_unreadable_wherever_it_starts() -> None:
    long = '"x' * (MAX_TEXT_LENGTH // 2) + "y"
    for padding in range(0, 40, 7):
        bibliography = Bibliography(
            author=Author(name="A" + "b" * padding),
            works=(Work(title="w", editions=(_edition(),) * 50),),
            excluded=(Exclusion(title="e", key=None, reason="companion", detail=long),),
        )
        with pytest.raises(UnreadableValue, match="longer than"):
            BIBLIOGRAPHY.decode(bytes(BIBLIOGRAPHY.encode(bibliography)))


def test_texts_between_half_and_the_whole_bound_are_read() -> None:
    # Such a text leaves a block of the bytes without a delimiting quote: every text is measured.
    edition = _edition(title="t" * (MAX_TEXT_LENGTH - 10), publisher="p" * (MAX_TEXT_LENGTH // 2))
    assert EDITION.decode(bytes(EDITION.encode(edition))) == edition


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
