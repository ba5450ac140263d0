"""The parsers' fast paths give exactly what the full cleaning gives."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bookstracker._text import clean_text
from bookstracker.providers._parse import as_str

_SPACES = re.compile(r"\s+")


def _cleaned_the_long_way(text: str) -> str | None:
    return _SPACES.sub(" ", clean_text(text)).strip() or None


@given(st.text())
def test_as_str_of_any_text_is_the_full_cleaning(text: str) -> None:
    assert as_str(text) == _cleaned_the_long_way(text)


@given(st.text(alphabet=" \t\n\u00a0\u2003\u3000ab", max_size=12))
def test_as_str_of_whitespace_heavy_text_is_the_full_cleaning(text: str) -> None:
    assert as_str(text) == _cleaned_the_long_way(text)


def test_a_clean_value_is_returned_as_it_is() -> None:
    title = "The Left Hand of Darkness"
    assert as_str(title) is title
