"""Language codes: ISO 639-1 from any common form, and back to MARC 21 / ISO 639-2/T."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker.languages import to_iso639_1, to_iso639_2t, to_marc

# MARC 21 (ISO 639-2/B), ISO 639-2/T and ISO 639-1 for the languages whose B and T codes differ.
BIBLIOGRAPHIC = [
    ("fre", "fra", "fr"),
    ("ger", "deu", "de"),
    ("chi", "zho", "zh"),
    ("dut", "nld", "nl"),
    ("cze", "ces", "cs"),
    ("gre", "ell", "el"),
    ("per", "fas", "fa"),
    ("rum", "ron", "ro"),
    ("slo", "slk", "sk"),
    ("wel", "cym", "cy"),
    ("arm", "hye", "hy"),
    ("baq", "eus", "eu"),
    ("bur", "mya", "my"),
    ("geo", "kat", "ka"),
    ("ice", "isl", "is"),
    ("mac", "mkd", "mk"),
    ("mao", "mri", "mi"),
    ("may", "msa", "ms"),
    ("tib", "bod", "bo"),
    ("alb", "sqi", "sq"),
]

# The most common book languages, with their MARC code.
COMMON = {
    "en": "eng", "es": "spa", "it": "ita", "pt": "por", "ru": "rus", "ja": "jpn", "ko": "kor",
    "ar": "ara", "he": "heb", "hi": "hin", "bn": "ben", "ur": "urd", "tr": "tur", "pl": "pol",
    "uk": "ukr", "sv": "swe", "da": "dan", "no": "nor", "nb": "nob", "nn": "nno", "fi": "fin",
    "hu": "hun", "bg": "bul", "hr": "hrv", "sr": "srp", "sl": "slv", "lt": "lit", "lv": "lav",
    "et": "est", "ca": "cat", "gl": "glg", "la": "lat", "ga": "gle", "gd": "gla", "th": "tha",
    "vi": "vie", "id": "ind", "tl": "tgl", "sw": "swa", "ta": "tam", "te": "tel", "mr": "mar",
    "pa": "pan", "gu": "guj", "kn": "kan", "ml": "mal", "af": "afr", "eo": "epo", "be": "bel",
    "kk": "kaz", "az": "aze", "uz": "uzb", "mn": "mon", "ne": "nep", "si": "sin", "km": "khm",
    "lo": "lao", "am": "amh", "yi": "yid", "lb": "ltz", "mt": "mlt", "bs": "bos", "fo": "fao",
}  # fmt: skip


@pytest.mark.parametrize(("marc", "term", "iso1"), BIBLIOGRAPHIC)
def test_bibliographic_and_terminology_codes(marc: str, term: str, iso1: str) -> None:
    assert to_iso639_1(marc) == iso1
    assert to_iso639_1(term) == iso1
    assert to_iso639_1(f"/languages/{marc}") == iso1
    assert to_marc(iso1) == marc
    assert to_iso639_2t(iso1) == term


@pytest.mark.parametrize(("iso1", "marc"), sorted(COMMON.items()))
def test_common_languages_round_trip(iso1: str, marc: str) -> None:
    assert to_iso639_1(iso1) == iso1
    assert to_iso639_1(marc) == iso1
    assert to_marc(iso1) == marc
    assert to_iso639_1(to_iso639_2t(iso1)) == iso1


def test_at_least_sixty_languages_are_covered() -> None:
    covered = {*COMMON, *(iso1 for _, _, iso1 in BIBLIOGRAPHIC)}
    assert len(covered) >= 60
    assert all(to_marc(code) for code in covered)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        (" en ", "en"),
        ("eng", "en"),
        ("ENG", "en"),
        ("Eng", "en"),
        ("/languages/eng", "en"),
        ("/languages/fre", "fr"),
        ("English", "en"),
        ("english", "en"),
        ("ENGLISH", "en"),
        ("french", "fr"),
        ("German", "de"),
        ("Portuguese", "pt"),
        ("Português", "pt"),
        ("portugues", "pt"),
        ("Français", "fr"),
        ("Deutsch", "de"),
        ("Español", "es"),
        ("Chinese (Simplified)", "zh"),
        ("Serbo-Croatian", "sh"),
        ("en_US", "en"),
        ("en-GB", "en"),
        ("pt-BR", "pt"),
        ("zh-Hans-CN", "zh"),
        ("iw", "he"),
        ("scr", "sh"),
        ("/languages/scr", "sh"),
        ("scc", "sr"),
    ],
)
def test_to_iso639_1_accepts_common_forms(value: str, expected: str) -> None:
    assert to_iso639_1(value) == expected


@pytest.mark.parametrize("value", [None, "", "  ", "xx", "zzz", "mul", "und", "Klingon", "/"])
def test_unknown_languages_are_none(value: str | None) -> None:
    assert to_iso639_1(value) is None
    assert to_marc(value) is None
    assert to_iso639_2t(value) is None


def test_serbo_croatian_has_a_marc_code_but_no_639_2t() -> None:
    assert to_marc("sh") == "scr"
    assert to_iso639_2t("sh") is None


def test_to_marc_accepts_what_to_iso639_1_accepts() -> None:
    assert to_marc("French") == "fre"
    assert to_marc("fra") == "fre"
    assert to_iso639_2t("/languages/ger") == "deu"


@given(st.text())
def test_never_raises(text: str) -> None:
    result = to_iso639_1(text)
    assert result is None or (len(result) == 2 and result.isascii() and result.islower())
    assert to_marc(text) is None or result is not None
    assert to_iso639_2t(text) is None or result is not None


@given(st.sampled_from(sorted(COMMON)), st.sampled_from([str.upper, str.lower, str.title]))
def test_codes_ignore_case(code: str, case: Callable[[str], str]) -> None:
    assert to_iso639_1(case(code)) == code
    assert to_iso639_1(case(COMMON[code])) == code


# Recorded provider bodies ---------------------------------------------------------------------


@pytest.mark.shared
def test_openlibrary_language_codes_map(shared_fixtures: Path) -> None:
    body = (shared_fixtures / "openlibrary" / "search_q_candide_author_voltaire.json").read_text(
        encoding="utf-8"
    )
    codes = {code for doc in json.loads(body)["docs"] for code in doc.get("language", [])}
    assert len(codes) > 10
    no_iso639_1 = {"bal"}  # Baluchi has only a three-letter code
    for code in codes - no_iso639_1:
        iso1 = to_iso639_1(code)
        assert iso1 is not None, code
        assert to_marc(iso1) == code
    assert all(to_iso639_1(code) is None for code in no_iso639_1 & codes)
