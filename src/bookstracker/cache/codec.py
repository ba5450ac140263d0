"""How answers become cache bytes and back: msgspec JSON, versioned, validated on the way in.

A value is ``\\xffbt`` (never the first byte of JSON), a format version byte, a kind byte (``v``
an answer, ``n`` a cached not-found) and the body. The body of an answer is the msgspec JSON of
the model itself, and it is decoded straight back into the model class: msgspec checks every
field's type and shape as it reads (``"title": 7`` is refused), the document's nesting is
bounded by the model's types, and an over-deep unknown field stops at the interpreter's recursion
limit, which is reported like any other bad value. Before decoding,
:func:`~bookstracker.cache.bounds.check_encoded` rules out control characters and over-long texts
on the bytes themselves; after it, :func:`~bookstracker.cache.bounds.check_answer` bounds the
nesting of free-form values (and measures texts when the bytes could not rule a long one out),
and makes the mappings read-only again (msgspec builds plain dicts), so a decoded answer is as
immutable as a computed one.

Anything else (the plain JSON entries of earlier releases, another format version, a truncated or
tampered body) is :class:`UnreadableValue`: the caller drops it and refetches, so an entry is
read or dropped, never misread.

:class:`Encoded` bytes also hold the answer they were made from, and a
:class:`~bookstracker.cache.base.CacheEntry` made from them keeps it: the memory tier answers with
that object and never decodes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Generic, Protocol, TypeVar

import msgspec

from bookstracker._gc import collector_paused
from bookstracker.cache.bounds import BoundExceeded, check_answer, check_encoded

__all__ = [
    "FORMAT_VERSION",
    "HEADER_SIZE",
    "MAX_VALUE_BYTES",
    "CachedNotFound",
    "Decoder",
    "Encoded",
    "UnreadableValue",
    "ValueCodec",
    "holds_answer",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

FORMAT_VERSION = 1
MAX_VALUE_BYTES = 256 * 2**20

_MAGIC = b"\xffbt"
_ANSWER = _MAGIC + bytes([FORMAT_VERSION]) + b"v"
_NOT_FOUND = _MAGIC + bytes([FORMAT_VERSION]) + b"n"
HEADER_SIZE = len(_ANSWER)
"""The bytes before the body of a value (what a bare decode skips)."""
_HEADER_SIZE = HEADER_SIZE
_MAX_NOT_FOUND = 4096


class UnreadableValue(ValueError):
    """Cached bytes that are not a valid value of the expected type (or of this format)."""


class CachedNotFound(Exception):
    """The value is a cached not-found, with the message the providers gave."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Encoded(bytes):
    """Encoded bytes that also hold the answer they encode (kept by the memory tier)."""

    codec: Decoder[object] | None
    answer: object


def _unwrap(value: object) -> object:
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


_ENCODER = msgspec.json.Encoder(enc_hook=_unwrap)


class ValueCodec(Generic[T]):
    """Encodes answers of one type (a model class, or ``Edition | None``) and decodes them back.

    ``decode`` raises :class:`CachedNotFound` for a cached not-found and :class:`UnreadableValue`
    for anything that is not a valid value of this type in this format.
    """

    def __init__(self, kind: object, *, name: str | None = None) -> None:
        """``kind``: the class of the answers, or a typing form (``Optional[Edition]``)."""
        self.name = name or getattr(kind, "__name__", repr(kind))
        self._kind = kind

    @functools.cached_property
    def _decoder(self) -> msgspec.json.Decoder[T]:
        """Made on the first decode: building it walks every type the answer holds."""
        return msgspec.json.Decoder(self._kind)

    def __repr__(self) -> str:
        return f"ValueCodec({self.name})"

    def encode(self, answer: T) -> Encoded:
        """The bytes for ``answer``; they hold ``answer`` itself for the memory tier."""
        buffer = bytearray(_ANSWER)
        _ENCODER.encode_into(answer, buffer, _HEADER_SIZE)
        encoded = Encoded(buffer)
        encoded.codec = self
        encoded.answer = answer
        return encoded

    @staticmethod
    def encode_not_found(message: str) -> Encoded:
        """The bytes of a cached not-found with the providers' ``message``."""
        encoded = Encoded(_NOT_FOUND + message[:_MAX_NOT_FOUND].encode("utf-8", "replace"))
        encoded.codec = None
        encoded.answer = None
        return encoded

    def decode(self, data: bytes) -> T:
        """The answer held in ``data``, validated; see the class docstring for the errors."""
        if len(data) > MAX_VALUE_BYTES:
            raise UnreadableValue(f"the value is larger than {MAX_VALUE_BYTES} bytes")
        header = bytes(data[:_HEADER_SIZE])
        if header == _NOT_FOUND:
            if len(data) > _HEADER_SIZE + _MAX_NOT_FOUND:
                raise UnreadableValue("the not-found message is too long")
            raise CachedNotFound(bytes(data[_HEADER_SIZE:]).decode("utf-8", "replace"))
        if header != _ANSWER:
            if header.startswith(_MAGIC):
                raise UnreadableValue(f"unknown cache value format {header[len(_MAGIC) :]!r}")
            raise UnreadableValue("not a bookstracker cache value (an older release's format?)")
        # Decoding a large answer makes hundreds of thousands of objects (and no cycles), which
        # would otherwise set off full collections that cost more than the decoding.
        with collector_paused():
            try:
                lengths = check_encoded(data, _HEADER_SIZE)
                answer = self._decoder.decode(memoryview(data)[_HEADER_SIZE:])
                if answer is not None:
                    check_answer(answer, lengths=lengths)
            except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
                raise UnreadableValue(str(exc)) from None
            except RecursionError:
                raise UnreadableValue("the value is nested too deeply") from None
            except BoundExceeded as exc:
                raise UnreadableValue(str(exc)) from None
            except (TypeError, ValueError) as exc:  # raised by a model's own validator
                raise UnreadableValue(f"{type(exc).__name__}: {exc}") from None
        return answer


def holds_answer(value: bytes) -> bool:
    """Whether ``value`` is an encoded answer (which an entry will keep decoded, too)."""
    return value[:_HEADER_SIZE] == _ANSWER


class Decoder(Protocol[T_co]):
    """Anything that turns cache bytes into an answer (a :class:`ValueCodec`)."""

    def decode(self, data: bytes) -> T_co: ...


def remembered(value: bytes) -> Mapping[object, object]:
    """The answer ``value`` was encoded from, keyed by its codec (empty for plain bytes)."""
    if type(value) is Encoded and value.codec is not None:
        return {value.codec: value.answer}
    return {}


def decoded_with(memo: dict[object, object], value: bytes, codec: Decoder[T]) -> T:
    """``codec.decode(value)``, computed once per ``memo`` (one entry's) and codec."""
    known = memo.get(codec, memo)
    if known is not memo:
        result: T = known  # type: ignore[assignment]
        return result
    answer = codec.decode(value)
    memo[codec] = answer
    return answer
