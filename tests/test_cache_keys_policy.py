"""Cache keys (versioned, normalised, bounded) and the TTL policy (per kind, jittered)."""

from __future__ import annotations

import random
import unicodedata

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker.cache import (
    DEFAULT_POLICY,
    KEY_VERSION,
    SCHEMA_VERSION,
    KindTTL,
    TTLPolicy,
    cache_key,
    fingerprint,
    kind_for_error,
)
from bookstracker.cache.keys import MAX_KEY_LENGTH, normalise_part
from bookstracker.errors import (
    AllProvidersFailed,
    MalformedResponse,
    NotFound,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
)

HOUR = 3600.0
DAY = 24 * HOUR

parts_strategy = st.lists(st.text(max_size=80), max_size=4)


def test_keys_are_versioned_by_the_schema_version() -> None:
    assert KEY_VERSION == SCHEMA_VERSION
    assert cache_key("isbn", "9780441013593") == f"bt:{KEY_VERSION}:isbn:9780441013593"
    assert cache_key("isbn", "9780441013593", version="2") != cache_key("isbn", "9780441013593")


@pytest.mark.parametrize(
    ("variant", "original"),
    [
        ("  Dune   Messiah\t", "dune messiah"),
        ("DUNE MESSIAH", "dune messiah"),
        ("Cafe\u0301", "Café"),
        ("ＤＵＮＥ", "dune"),
        ("Straße", "STRASSE"),
        ("dune\u00a0messiah", "dune messiah"),
    ],
)
def test_the_same_question_lands_on_the_same_key(variant: str, original: str) -> None:
    assert cache_key("search", variant) == cache_key("search", original)


@given(st.text(max_size=60), st.sampled_from([" ", "  ", "\t", "\n ", "\u3000"]))
def test_surrounding_and_repeated_whitespace_never_changes_a_key(text: str, space: str) -> None:
    spaced = space + space.join(text.split(" ")) + space
    assert cache_key("search", spaced) == cache_key("search", text)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (("a:b", "c"), ("a", "b:c")),
        (("a",), ("a", "")),
        (("a%3Ab",), ("a:b",)),
        (("x" * 300 + "1",), ("x" * 300 + "2",)),
    ],
)
def test_different_questions_never_share_a_key(
    left: tuple[str, ...], right: tuple[str, ...]
) -> None:
    assert cache_key("search", *left) != cache_key("search", *right)


@given(parts_strategy, parts_strategy)
def test_keys_differ_whenever_the_normalised_questions_differ(
    left: list[str], right: list[str]
) -> None:
    if [normalise_part(part) for part in left] != [normalise_part(part) for part in right]:
        assert cache_key("search", *left) != cache_key("search", *right)


@given(parts_strategy)
def test_keys_are_bounded_in_length(parts: list[str]) -> None:
    assert len(cache_key("author_incomplete", *parts)) <= MAX_KEY_LENGTH


def test_a_long_key_keeps_a_readable_beginning_and_ends_with_a_digest() -> None:
    key = cache_key("search", "the lord of the rings " * 20)
    assert len(key) == MAX_KEY_LENGTH
    assert key.startswith(f"bt:{KEY_VERSION}:search:the lord of the rings")
    _, digest = key.rsplit("#", 1)
    assert len(digest) == 64
    assert int(digest, 16) >= 0


@given(st.text(max_size=40))
def test_keys_hold_no_separator_or_control_character_from_a_part(text: str) -> None:
    key = cache_key("search", text)
    tail = key[len(f"bt:{KEY_VERSION}:search:") :]
    assert ":" not in tail
    assert all(char.isprintable() for char in key)


@pytest.mark.parametrize("kind", ["", "Search", "se arch", "a:b", "1x"])
def test_cache_key_refuses_a_malformed_kind(kind: str) -> None:
    with pytest.raises(ValueError, match="kind"):
        cache_key(kind, "x")


def test_fingerprint_is_short_stable_and_ignores_order_and_repeats() -> None:
    value = fingerprint("openlibrary", "isbndb")
    assert len(value) == 16
    assert int(value, 16) >= 0
    assert value == fingerprint("isbndb", "OpenLibrary", "isbndb")
    assert value != fingerprint("openlibrary")
    assert fingerprint() != fingerprint("")


def test_a_fingerprint_does_not_reveal_its_inputs() -> None:
    secret_like = "AIzaSyD-example-key-0123456789"
    key = cache_key("search", "dune", fingerprint("googlebooks", secret_like))
    assert secret_like.casefold() not in key


def test_default_policy_matches_the_issue() -> None:
    policy = attrs.evolve(DEFAULT_POLICY, jitter=0.0)
    assert (policy.ttl_for("search", "hot"), policy.ttl_for("search", "cold")) == (HOUR, 7 * DAY)
    assert (policy.ttl_for("isbn", "hot"), policy.ttl_for("isbn", "cold")) == (24 * HOUR, 30 * DAY)
    assert policy.ttl_for("author", "hot") == 24 * HOUR
    assert policy.ttl_for("author_incomplete", "hot") == 10 * 60
    assert (policy.ttl_for("not_found", "hot"), policy.ttl_for("not_found", "cold")) == (
        HOUR,
        6 * HOUR,
    )
    assert policy.ttl_for("completeness", "hot") > 0
    assert policy.grace_for("search") > 0


@given(st.integers(min_value=0, max_value=2**32))
def test_jitter_stays_within_ten_percent(seed: int) -> None:
    policy = TTLPolicy(rng=random.Random(seed))
    ttl = policy.ttl_for("isbn", "cold")
    assert 0.9 * 30 * DAY <= ttl <= 1.1 * 30 * DAY


def test_jitter_spreads_expiries() -> None:
    policy = TTLPolicy(rng=random.Random(7))
    ttls = {policy.ttl_for("search", "hot") for _ in range(50)}
    assert len(ttls) == 50
    assert max(ttls) - min(ttls) > 0.1 * HOUR


def test_a_seeded_policy_is_reproducible() -> None:
    first = TTLPolicy(rng=random.Random(1))
    second = TTLPolicy(rng=random.Random(1))
    assert [first.ttl_for("author", "hot") for _ in range(3)] == [
        second.ttl_for("author", "hot") for _ in range(3)
    ]


def test_a_policy_can_override_one_kind() -> None:
    policy = TTLPolicy(search=KindTTL(hot=5, cold=50, grace=7), jitter=0)
    assert (policy.ttl_for("search", "hot"), policy.ttl_for("search", "cold")) == (5, 50)
    assert policy.grace_for("search") == 7
    assert policy.ttl_for("isbn", "hot") == 24 * HOUR


def test_unknown_kinds_and_tiers_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown cache kind"):
        DEFAULT_POLICY.ttl_for("error", "hot")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tier"):
        DEFAULT_POLICY.ttl_for("search", "warm")  # type: ignore[arg-type]


@pytest.mark.parametrize("build", [lambda: KindTTL(hot=-1, cold=1), lambda: TTLPolicy(jitter=1.0)])
def test_invalid_lifetimes_are_refused(build: object) -> None:
    with pytest.raises(ValueError, match="must"):
        build()  # type: ignore[operator]


def test_only_not_found_is_cached_among_errors() -> None:
    assert kind_for_error(NotFound("nothing")) == "not_found"
    refused = [
        RateLimited("slow down", provider="isbndb"),
        QuotaExceeded("daily quota", provider="isbndb"),
        ProviderUnavailable("refused", provider="openlibrary"),
        MalformedResponse("html", provider="googlebooks"),
        AllProvidersFailed("all failed", reports={}),
        TimeoutError(),
    ]
    assert [kind_for_error(error) for error in refused] == [None] * len(refused)


def test_normalisation_is_unicode_aware() -> None:
    composed = unicodedata.normalize("NFC", "Émile Zola")
    decomposed = unicodedata.normalize("NFD", "Émile Zola")
    assert composed != decomposed
    assert normalise_part(composed) == normalise_part(decomposed) == "émile zola"
