"""ISBN parsing, validation, conversion and extraction."""

from __future__ import annotations

import json
import random
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import isbn as stdnum_isbn

from bookstracker.errors import InvalidInput, InvalidISBN
from bookstracker.isbn import (
    ISBN,
    find_isbns,
    hyphenate,
    is_valid_isbn,
    isbn13_or_none,
    isbn_pair,
    normalize_isbn,
    to_isbn10,
    to_isbn13,
)

MARTIAN_13 = "9780553418026"
MARTIAN_10 = "0553418025"


@pytest.mark.parametrize(
    "value",
    [
        "0553418025",
        "9780553418026",
        "0-553-41802-5",
        "978-0-553-41802-6",
        "978 0 553 41802 6",
        "  0553418025\n",
        '="0553418025"',
        '="9780553418026"',
        '"0553418025"',
        "ISBN 0553418025",
        "ISBN-10: 0-553-41802-5",
        "ISBN-13: 978-0-553-41802-6",
        "ISBN13 9780553418026",
        "isbn:0553418025",
        "ISBN: 978-0553418026",
        "0‐553‐41802‐5",  # U+2010 hyphen
        "0‑553‑41802‑5",  # U+2011 non-breaking hyphen
        "978–0–553–41802–6",  # en dash
        "978—0—553—41802—6",  # em dash
        "０５５３４１８０２５",  # full-width digits
        "ＩＳＢＮ：９７８－０５５３４１８０２６",  # full-width label and digits
    ],
)
def test_normalize_accepts_the_forms_found_in_the_wild(value: str) -> None:
    assert normalize_isbn(value) == MARTIAN_13


@pytest.mark.parametrize("value", ["080442957X", "080442957x", "0-8044-2957-X"])
def test_normalize_accepts_an_x_check_digit_in_either_case(value: str) -> None:
    assert normalize_isbn(value) == "9780804429573"
    assert to_isbn10(value) == "080442957X"


def test_to_isbn13_is_normalize() -> None:
    assert to_isbn13("0-553-41802-5") == normalize_isbn("0-553-41802-5") == MARTIAN_13


def test_to_isbn10_from_isbn13() -> None:
    assert to_isbn10(MARTIAN_13) == MARTIAN_10


def test_to_isbn10_is_none_for_979_prefix() -> None:
    assert to_isbn10("979-10-323-0569-0") is None
    assert normalize_isbn("979-10-323-0569-0") == "9791032305690"


def test_isbn_pair() -> None:
    assert isbn_pair("0553418025") == (MARTIAN_13, MARTIAN_10)
    assert isbn_pair("9791032305690") == ("9791032305690", None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ('=""', "empty"),
        ("ISBN:", "empty"),
        ("055341802", "wrong length: 9"),
        ("97805534180261", "wrong length: 14"),
        ("05534l8025", "bad characters: 'l'"),
        ("0553418025 (pbk.)", "bad characters"),
        ("X553418025", "'X' may only be the last"),
        ("978055341802X", "'X' is not a valid ISBN-13 check digit"),
        ("0553418026", "bad check digit: expected 5, found 6"),
        ("9780553418027", "bad check digit: expected 6, found 7"),
        ("0804429570", "bad check digit: expected X, found 0"),
        ("4006381333931", "not a book prefix"),
        ("1234567890123", "not a book prefix"),
    ],
)
def test_invalid_isbns_say_why(value: str, reason: str) -> None:
    with pytest.raises(InvalidISBN) as info:
        normalize_isbn(value)
    assert reason in info.value.reason
    assert info.value.value == value
    assert reason in str(info.value)


def test_invalid_isbn_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="check digit"):
        to_isbn10("0553418026")
    with pytest.raises(InvalidInput):
        isbn_pair("nope")


def test_non_string_is_invalid() -> None:
    with pytest.raises(InvalidISBN, match="not a string"):
        normalize_isbn(553418025)  # type: ignore[arg-type]


def test_is_valid_isbn() -> None:
    assert is_valid_isbn("0-553-41802-5")
    assert is_valid_isbn('="9780553418026"')
    assert not is_valid_isbn("0553418026")
    assert not is_valid_isbn("")
    assert not is_valid_isbn(None)  # type: ignore[arg-type]


def test_hyphenate_uses_the_registration_ranges() -> None:
    assert hyphenate("0553418025") == "978-0-553-41802-6"
    assert hyphenate("9791032305690") == "979-10-323-0569-0"
    with pytest.raises(InvalidISBN):
        hyphenate("0553418026")


def test_find_isbns_in_a_catalogue_note() -> None:
    text = "ISBN 978-0-553-41802-6 (pbk.); 0553418025"
    assert find_isbns(text) == [MARTIAN_13]


def test_find_isbns_keeps_order_of_first_appearance() -> None:
    text = 'Copies: [080442957X] ="0553418025" and 9791032305690, again 0-553-41802-5'
    assert find_isbns(text) == ["9780804429573", MARTIAN_13, "9791032305690"]


def test_find_isbns_skips_invalid_numbers() -> None:
    assert find_isbns("call 0553418026 or 9780553418027") == []


def test_find_isbns_ignores_numbers_inside_longer_digit_runs() -> None:
    assert find_isbns("order 99780553418026") == []
    assert find_isbns("order 97805534180261") == []
    assert find_isbns("ref 12-0553418025") == []
    assert find_isbns("ref 0553418025-7") == []


def test_find_isbns_reads_space_separated_isbns() -> None:
    assert find_isbns("ISBN 0 553 41802 5.") == [MARTIAN_13]
    assert find_isbns("0553418025 9780804429573") == [MARTIAN_13, "9780804429573"]


def test_find_isbns_reads_full_width_and_unicode_dashes() -> None:
    assert find_isbns("ＩＳＢＮ ９７８‐０‐５５３‐４１８０２‐６") == [MARTIAN_13]


def test_find_isbns_on_nothing() -> None:
    assert find_isbns("") == []
    assert find_isbns("no numbers here") == []


def test_isbn_value_parses_and_prints() -> None:
    parsed = ISBN.parse("0-553-41802-5")
    assert parsed == ISBN(isbn13=MARTIAN_13, isbn10=MARTIAN_10)
    assert str(parsed) == MARTIAN_13
    assert parsed.hyphenated() == "978-0-553-41802-6"
    assert ISBN.parse("9791032305690").isbn10 is None


def test_isbn_value_normalises_and_derives_isbn10() -> None:
    assert ISBN(isbn13="0553418025") == ISBN(isbn13=MARTIAN_13, isbn10=MARTIAN_10)
    assert ISBN(isbn13="978-0-8044-2957-3", isbn10="0-8044-2957-x").isbn10 == "080442957X"


def test_isbn_value_rejects_inconsistent_or_invalid_parts() -> None:
    with pytest.raises(InvalidISBN):
        ISBN(isbn13=MARTIAN_13, isbn10="080442957X")
    with pytest.raises(InvalidISBN):
        ISBN.parse("0553418026")


def test_isbn_value_is_frozen_and_hashable() -> None:
    parsed = ISBN.parse(MARTIAN_10)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        parsed.isbn13 = "x"  # type: ignore[misc]
    assert len({parsed, ISBN.parse(MARTIAN_13)}) == 1


# Property tests ------------------------------------------------------------------------------

twelve_digits = st.text(alphabet="0123456789", min_size=9, max_size=9).map(lambda s: "978" + s)


def _complete(first_twelve: str) -> str:
    weights = [1, 3] * 6
    check = (10 - sum(w * int(d) for w, d in zip(weights, first_twelve, strict=True)) % 10) % 10
    return first_twelve + str(check)


isbn13s = st.one_of(
    twelve_digits, st.text(alphabet="0123456789", min_size=9, max_size=9).map(lambda s: "979" + s)
).map(_complete)
isbn13s_978 = twelve_digits.map(_complete)


@given(isbn13s_978)
def test_isbn13_to_isbn10_and_back(isbn13: str) -> None:
    isbn10 = to_isbn10(isbn13)
    assert isbn10 is not None
    assert len(isbn10) == 10
    assert normalize_isbn(isbn10) == isbn13


@given(isbn13s)
def test_normalize_is_idempotent(isbn13: str) -> None:
    assert normalize_isbn(normalize_isbn(isbn13)) == isbn13


@given(isbn13s, st.lists(st.sampled_from(["-", " ", "‐", "–", ""]), min_size=13, max_size=13))
def test_separators_do_not_matter(isbn13: str, separators: list[str]) -> None:
    spaced = "".join(d + s for d, s in zip(isbn13, separators, strict=True)).strip("-‐– ")
    assert normalize_isbn(spaced) == isbn13
    assert normalize_isbn(hyphenate(isbn13)) == isbn13


@given(isbn13s, st.integers(min_value=0, max_value=12), st.integers(min_value=1, max_value=9))
def test_a_changed_digit_is_rejected(isbn13: str, position: int, delta: int) -> None:
    digit = (int(isbn13[position]) + delta) % 10
    changed = isbn13[:position] + str(digit) + isbn13[position + 1 :]
    assert not is_valid_isbn(changed)


@given(st.text(max_size=20), isbn13s, st.text(max_size=20), st.booleans())
def test_find_isbns_finds_an_isbn_embedded_in_random_text(
    before: str, isbn13: str, after: str, hyphenated: bool
) -> None:
    shown = hyphenate(isbn13) if hyphenated else isbn13
    assert isbn13 in find_isbns(f"{before} {shown} {after}")


@given(
    st.text(alphabet="([{<;:,.=\"'/", max_size=3),
    isbn13s,
    st.text(alphabet=")]}>;:,.\"'/", max_size=3),
)
def test_find_isbns_reads_punctuation_as_a_boundary(before: str, isbn13: str, after: str) -> None:
    assert find_isbns(f"{before}{isbn13}{after}") == [isbn13]


@given(st.text())
def test_nothing_raises_anything_but_invalid_isbn(text: str) -> None:
    assert isinstance(find_isbns(text), list)
    valid = is_valid_isbn(text)
    try:
        normalize_isbn(text)
    except InvalidISBN:
        assert not valid
    else:
        assert valid


# Recorded provider bodies ---------------------------------------------------------------------


@pytest.mark.shared
def test_google_books_isbn10_and_isbn13_pair_up(shared_fixtures: Path) -> None:
    pairs = 0
    for path in sorted((shared_fixtures / "googlebooks").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8-sig")).get("items", []):
            ids = {
                i["type"]: i["identifier"]
                for i in item.get("volumeInfo", {}).get("industryIdentifiers", [])
            }
            if "ISBN_10" in ids and "ISBN_13" in ids:
                assert isbn_pair(ids["ISBN_10"]) == (ids["ISBN_13"], ids["ISBN_10"].upper())
                pairs += 1
    assert pairs >= 5


@pytest.mark.shared
def test_openlibrary_isbns_are_valid_or_rejected_with_a_reason(shared_fixtures: Path) -> None:
    body = (shared_fixtures / "openlibrary" / "search_q_candide_author_voltaire.json").read_text(
        encoding="utf-8"
    )
    values = [isbn for doc in json.loads(body)["docs"] for isbn in doc.get("isbn", [])]
    rejected = []
    for value in values:
        try:
            normalize_isbn(value)
        except InvalidISBN as exc:
            rejected.append(exc.reason)
    assert len(values) > 1000
    assert 0 < len(rejected) < 10
    assert all(reason for reason in rejected)


_ISBN_LIKE = st.one_of(
    st.from_regex(r"97[89][0-9]{10}", fullmatch=True),
    st.from_regex(r"[0-9]{9}[0-9Xx]", fullmatch=True),
    st.from_regex(r"[0-9]{13}", fullmatch=True),
)


def _assert_read_as_python_stdnum_reads(written: str, bare: str) -> None:
    """``written`` (a form of the bare ``bare``) is read as python-stdnum reads ``bare``."""
    if not stdnum_isbn.is_valid(bare):
        assert not is_valid_isbn(written)
        return
    isbn13 = stdnum_isbn.to_isbn13(bare)
    isbn10 = None if isbn13.startswith("979") else stdnum_isbn.to_isbn10(isbn13)
    assert isbn_pair(written) == (isbn13, isbn10)


@given(_ISBN_LIKE)
def test_the_bare_fast_path_agrees_with_python_stdnum(value: str) -> None:
    _assert_read_as_python_stdnum_reads(value, value)


@given(_ISBN_LIKE, st.lists(st.sampled_from(["-", " ", "\u2010"]), max_size=4), st.randoms())
def test_separated_forms_agree_with_python_stdnum(
    value: str, separators: list[str], rng: random.Random
) -> None:
    spaced = list(value)
    for separator in separators:
        spaced.insert(rng.randrange(1, len(spaced)), separator)
    _assert_read_as_python_stdnum_reads("".join(spaced), value)


@given(
    st.one_of(
        _ISBN_LIKE, st.text(max_size=20), st.sampled_from(["978-0-441-17271-9", "ISBN 0441172717"])
    )
)
def test_isbn13_or_none_is_normalize_isbn_without_the_exception(value: str) -> None:
    expected = normalize_isbn(value) if is_valid_isbn(value) else None
    assert isbn13_or_none(value) == expected


@pytest.mark.parametrize("value", [None, 9780441172719, b"9780441172719", ["9780441172719"]])
def test_isbn13_or_none_of_a_non_string_is_none(value: object) -> None:
    assert isbn13_or_none(value) is None  # type: ignore[arg-type]
