"""What an author argument may be: a name of up to 150 characters with letters to search for,
or an OpenLibrary author key (``OL7234434A``)."""

from __future__ import annotations

import re

from bookstracker._text import text_problem
from bookstracker.errors import InvalidQuery
from bookstracker.names import name_key

__all__ = ["AUTHOR_KEY", "MAX_NAME_LENGTH", "validate_author_name"]

AUTHOR_KEY = re.compile(r"^(?:/authors/)?(OL[1-9][0-9]*A)$", re.IGNORECASE)
MAX_NAME_LENGTH = 150


def validate_author_name(name: str) -> str:
    """``name`` with its spacing collapsed; raises `InvalidQuery` when it cannot name anybody."""
    if not isinstance(name, str):
        raise InvalidQuery(f"author name must be a string, got {type(name).__name__}")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidQuery("author name is empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidQuery(f"author name is longer than {MAX_NAME_LENGTH} characters")
    problem = text_problem(name)
    if problem is not None:
        raise InvalidQuery(f"author name {problem}")
    if not name_key(cleaned):
        raise InvalidQuery(f"author name {cleaned!r} has no letters to search for")
    return cleaned
