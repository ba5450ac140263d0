"""JSON as the package writes and reads it: the value types, and readers that narrow.

A document the package builds is a :data:`JSONValue`, whose containers are read-only types
(``Mapping``, ``Sequence``), so a ``dict[str, str]`` or a ``list[dict[str, JSONValue]]`` is one
as it stands. A value the package reads (a provider's body, a cache entry, a file, a request) is
an ``object`` until one of the readers here has checked what it is: they return the value when it
has the expected shape, and ``None`` (or an empty container) when it has not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias, Union

__all__ = [
    "JSONDict",
    "JSONObject",
    "JSONScalar",
    "JSONValue",
    "as_float",
    "as_int",
    "as_list",
    "as_object",
    "as_str",
    "as_texts",
    "plain",
]

JSONScalar: TypeAlias = Union[bool, int, float, str, None]  # noqa: UP007
JSONValue: TypeAlias = Union[  # noqa: UP007
    JSONScalar, Sequence["JSONValue"], Mapping[str, "JSONValue"]
]
"""A JSON document as built: scalars, sequences of values, mappings of texts to values."""
JSONObject: TypeAlias = Mapping[str, JSONValue]
"""A JSON object as built, read-only."""
JSONDict: TypeAlias = dict[str, JSONValue]
"""A JSON object being built (``to_dict()`` documents)."""


def as_object(value: object) -> Mapping[str, object] | None:
    """``value`` if it is a JSON object (a mapping whose keys are texts), else ``None``."""
    if isinstance(value, Mapping) and all(type(key) is str for key in value):
        return value
    return None


def as_list(value: object) -> Sequence[object]:
    """``value`` if it is a JSON array (a list or a tuple), else an empty tuple."""
    if isinstance(value, (list, tuple)):
        return value
    return ()


def as_str(value: object) -> str | None:
    """``value`` if it is a text, else ``None``."""
    return value if isinstance(value, str) else None


def as_int(value: object) -> int | None:
    """``value`` if it is an integer (not a boolean), else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def as_float(value: object) -> float | None:
    """``value`` as a float if it is a number (not a boolean), else ``None``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def as_texts(value: object) -> tuple[str, ...]:
    """The texts of a JSON array (other items left out); a lone text is a one-item tuple."""
    if isinstance(value, str):
        return (value,)
    return tuple(item for item in as_list(value) if isinstance(item, str))


def plain(value: object) -> JSONValue:
    """``value`` as plain JSON: mappings as dicts with text keys, sequences as lists.

    Raises ``TypeError`` for a value JSON cannot hold.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not a JSON value")
