"""Bounds on a cached answer that msgspec's typed decoding does not check.

msgspec checks every field's type while decoding into the model classes (and refuses lone
surrogates and raw control characters in JSON texts). What is left: no text may hold a control
character (C0 but the new line, DEL, C1), no text (or mapping key) may be longer than
:data:`MAX_TEXT_LENGTH`, free-form values (``Mapping[str, Any]``) may be nested at most
:data:`MAX_NESTING` deep, and the mappings, which msgspec builds as plain dicts, are made
read-only, as the models' own converters would have.

The first two are checked on the encoded bytes, before decoding, by scans that run at C speed
(:func:`check_encoded`), so a hit costs little more than the decode:

- Control characters: msgspec escapes only ``"``, ``\\`` and C0 controls, and a clean text holds
  no C0 control but the new line, so the bytes an answer encodes to hold no escape but ``\\"``,
  ``\\\\`` and ``\\n``, and no DEL or C1 character (raw ``7f`` and ``c2 80``-``c2 9f``). Any other
  escape (``\\u001b``, ``\\t``, even an innocent ``\\u00e9``) or such a byte means the value was
  not written by this codec from a clean answer: it is refused.
- Lengths: a text of more than :data:`MAX_TEXT_LENGTH` characters takes more bytes than that
  between its two quotes, so it covers a whole block of half that size (counted from the start
  of the document) in which every quote is escaped. A search for an unescaped quote in each
  block (it stops at the first, a few bytes in) rules long texts out; only when a block has none
  (a text over 32 KB, or a tampered value) does :func:`check_answer` measure every text.

:func:`check_answer` then walks the decoded answer for the rest. msgspec guarantees each value's
class (a ``tuple[Edition, ...]`` holds only editions), so the objects of one class are handled
together, field by field (every edition's ``keys`` at once), and only the fields that need it.
"""

from __future__ import annotations

import collections
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from operator import attrgetter
from types import MappingProxyType, MemberDescriptorType, NoneType, UnionType
from typing import Literal

import attrs

__all__ = ["MAX_NESTING", "MAX_TEXT_LENGTH", "BoundExceeded", "check_answer", "check_encoded"]

MAX_TEXT_LENGTH = 65_536
MAX_NESTING = 16
_PLAIN = (int, float, bool, NoneType)
_consume: Callable[[Iterable[object]], None] = collections.deque[object](maxlen=0).extend

_BLOCK = MAX_TEXT_LENGTH // 2
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_ODD_ESCAPE = re.compile(rb'\\[^"n]')
"""An escape other than ``\\"`` and ``\\n`` (``\\\\`` among them: see `_check_escapes`)."""
_UNESCAPED_QUOTE = re.compile(rb'[^\\]"')


class BoundExceeded(ValueError):
    """A cached answer holds a text that is too long or holds a control character, or a value
    nested too deeply."""


def _check_escapes(data: bytes, start: int) -> None:
    first = data.find(b"\\", start)
    if first == -1:
        return
    found = _ODD_ESCAPE.search(data, first)
    if found is None:
        return
    if found[0] == b"\\\\":
        # An escaped backslash: without the escaped ones, every backslash left starts an escape.
        found = _ODD_ESCAPE.search(data[start:].replace(b"\\\\", b""))
        if found is None:
            return
    raise BoundExceeded(f"a text holds the escape {found[0]!r}, which no clean text encodes to")


def _may_hold_long_text(data: bytes, start: int) -> bool:
    end = len(data)
    if end - start <= MAX_TEXT_LENGTH:
        return False
    for block in range(start, end - _BLOCK + 1, _BLOCK):
        if _UNESCAPED_QUOTE.search(data, block, block + _BLOCK) is None:
            return True
    return False


def check_encoded(data: bytes, start: int) -> bool:
    """Check the JSON document in ``data[start:]`` for control characters in its texts.

    Raises :class:`BoundExceeded`. Returns whether a text in it may be longer than
    :data:`MAX_TEXT_LENGTH` (then the decoded answer's texts must be measured:
    ``check_answer(answer, lengths=True)``).
    """
    if data.find(b"\x7f", start) != -1:
        raise BoundExceeded("a text holds a control character (DEL) the providers' parsers remove")
    c1 = data.find(b"\xc2", start)
    if c1 != -1 and _C1.search(data, c1) is not None:
        raise BoundExceeded("a text holds a C1 control character the providers' parsers remove")
    _check_escapes(data, start)
    return _may_hold_long_text(data, start)


def _check_lengths(texts: Iterable[str], what: str) -> None:
    if max(map(len, texts), default=0) > MAX_TEXT_LENGTH:
        raise BoundExceeded(f"{what} is longer than {MAX_TEXT_LENGTH} characters")


_LEAVES = frozenset(_PLAIN)


def _check_free_text(text: str, what: str) -> None:
    if len(text) > MAX_TEXT_LENGTH:
        raise BoundExceeded(f"{what} is longer than {MAX_TEXT_LENGTH} characters")


def _check_free(value: object, depth: int, what: str) -> None:
    """A free-form JSON-shaped value: nesting at most ``MAX_NESTING``, texts bounded."""
    if depth > MAX_NESTING:
        raise BoundExceeded(f"{what} is nested too deeply")
    items: Iterable[object]
    if type(value) is dict:
        for key in value:
            _check_free_text(key, what)
        items = value.values()
    elif type(value) is list or type(value) is tuple:
        items = value
    else:
        items = (value,)
        depth -= 1
    for item in items:
        if type(item) is str:
            _check_free_text(item, what)
        elif type(item) is dict or type(item) is list or type(item) is tuple:
            _check_free(item, depth + 1, what)
        elif type(item) not in _LEAVES:
            raise BoundExceeded(f"{what} holds an unexpected {type(item).__name__}")


def _optional(hint: object) -> object:
    """``X`` for ``X | None`` (or ``X``), else ``hint`` unchanged."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is UnionType:
        rest = [arg for arg in typing.get_args(hint) if arg is not NoneType]
        if len(rest) == 1:
            return rest[0]
    return hint


def _is_text(hint: object) -> bool:
    return _optional(hint) is str


def _is_plain(hint: object) -> bool:
    hint = _optional(hint)
    origin = typing.get_origin(hint)
    if origin is Literal:
        return True
    if origin is typing.Union or origin is UnionType:
        return all(arg in _PLAIN for arg in typing.get_args(hint))
    return hint in _PLAIN


def _is_model(hint: object) -> bool:
    return isinstance(hint, type) and attrs.has(hint)


def _model_items(hint: object) -> type | None:
    """The model class of ``tuple[Model, ...]``, else ``None``."""
    inner = _optional(hint)
    args = typing.get_args(inner)
    if typing.get_origin(inner) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        return item if isinstance(item, type) and _is_model(item) else None
    return None


def _mapping_values(hint: object) -> object | None:
    """The value type of ``Mapping[str, V]`` (or a dict), else ``None``."""
    inner = _optional(hint)
    args: tuple[object, ...] = typing.get_args(inner)
    if typing.get_origin(inner) in (Mapping, dict, collections.abc.Mapping) and len(args) == 2:
        return args[1]
    return None


def _values(mappings: list[dict[str, object]]) -> Iterable[object]:
    return chain.from_iterable(map(dict.values, mappings))


def _setter(cls: type, name: str) -> Callable[[object, object], None]:
    """Sets field ``name`` of a (frozen) ``cls`` object: its slot's own setter when it has one."""
    slot = cls.__dict__.get(name)
    if type(slot) is MemberDescriptorType:
        set_slot: Callable[[object, object], None] = slot.__set__
        return set_slot
    return lambda obj, value: object.__setattr__(obj, name, value)


_Step = Callable[[list[object], int, bool], None]


class _Plan:
    """How to check a list of objects of one attrs class, field by field.

    ``always`` are the steps every decoded answer needs (read-only mappings, free-form values,
    and the classes below that hold any); ``lengths`` measure texts, for a value whose bytes
    could not rule out an over-long one.
    """

    def __init__(self, cls: type, plans: dict[type, _Plan]) -> None:
        self.cls = cls
        self._plans = plans
        self._built = False
        plans[cls] = self
        hints = typing.get_type_hints(cls)
        texts: list[str] = []
        self.always: list[_Step] = []
        self.lengths: list[_Step] = []
        for field in attrs.fields(cls):
            hint = hints.get(field.name, object)
            if _is_text(hint):
                texts.append(field.name)
            elif not _is_plain(hint):
                self._add(field.name, hint)
        if texts:
            self.lengths.insert(0, self._texts(texts))
        self._built = True

    def needs_walk(self) -> bool:
        """Whether decoded objects of this class need steps besides measuring texts (a class
        whose plan is being built, one that holds itself, is taken to need them)."""
        return bool(self.always) or not self._built

    def check(self, objects: list[object], depth: int, lengths: bool) -> None:
        if depth > MAX_NESTING:
            raise BoundExceeded(f"{self.cls.__name__} is nested too deeply")
        for step in self.always:
            step(objects, depth, lengths)
        if lengths:
            for step in self.lengths:
                step(objects, depth, lengths)

    def _add(self, name: str, hint: object) -> None:
        get = attrgetter(name)
        what = f"{self.cls.__name__}.{name}"
        inner = _optional(hint)
        items = _model_items(hint)
        values = _mapping_values(hint)
        if isinstance(inner, type) and _is_model(inner):
            self._nested(self._children_of(get), inner)
        elif items is not None:
            self._nested(self._items_of(get), items)
        elif typing.get_origin(inner) is tuple and typing.get_args(inner) == (str, Ellipsis):
            self.lengths.append(
                lambda objects, depth, lengths: _check_lengths(
                    chain.from_iterable(map(get, objects)), what
                )
            )
        elif values is not None:
            self.always.append(self._mapping(name, get, values, what))
        else:
            self.always.append(self._free(get, what))

    def _plan_of(self, cls: type) -> _Plan:
        return self._plans.get(cls) or _Plan(cls, self._plans)

    @staticmethod
    def _children_of(get: attrgetter[object]) -> Callable[[list[object]], list[object]]:
        return lambda objects: [child for child in map(get, objects) if child is not None]

    @staticmethod
    def _items_of(get: attrgetter[Iterable[object]]) -> Callable[[list[object]], list[object]]:
        return lambda objects: list(chain.from_iterable(map(get, objects)))

    def _nested(self, gather: Callable[[list[object]], list[object]], cls: type) -> None:
        def step(objects: list[object], depth: int, lengths: bool) -> None:
            children = gather(objects)
            if children:
                self._plan_of(cls).check(children, depth + 1, lengths)

        (self.always if self._plan_of(cls).needs_walk() else self.lengths).append(step)

    def _mapping(
        self, name: str, get: attrgetter[dict[str, object]], value_hint: object, what: str
    ) -> _Step:
        set_field = _setter(self.cls, name)
        model = value_hint if isinstance(value_hint, type) and _is_model(value_hint) else None
        free = model is None and not _is_text(value_hint) and not _is_plain(value_hint)

        def step(objects: list[object], depth: int, lengths: bool) -> None:
            mappings: list[dict[str, object]] = list(map(get, objects))  # msgspec's dicts
            if lengths and not free:
                _check_lengths(chain.from_iterable(mappings), f"a key of {what}")
            if model is not None:
                children = list(_values(mappings))
                if children:
                    self._plan_of(model).check(children, depth + 1, lengths)
            elif free:
                for mapping in mappings:
                    _check_free(mapping, depth, what)
            elif lengths and _is_text(value_hint):
                _check_lengths(filter(None, _values(mappings)), what)  # type: ignore[arg-type]
            _consume(map(set_field, objects, map(MappingProxyType, mappings)))

        return step

    def _texts(self, names: list[str]) -> _Step:
        what = f"a text of {self.cls.__name__}"
        if len(names) == 1:
            one: attrgetter[str | None] = attrgetter(names[0])
            return lambda objects, depth, lengths: _check_lengths(
                filter(None, map(one, objects)), what
            )
        many: attrgetter[tuple[str | None, ...]] = attrgetter(*names)
        return lambda objects, depth, lengths: _check_lengths(
            filter(None, chain.from_iterable(map(many, objects))), what
        )

    @staticmethod
    def _free(get: attrgetter[object], what: str) -> _Step:
        def step(objects: list[object], depth: int, lengths: bool) -> None:
            for value in map(get, objects):
                _check_free(value, depth + 1, what)

        return step


_PLANS: dict[type, _Plan] = {}


def check_answer(answer: object, *, lengths: bool = True) -> None:
    """Make a decoded answer's (an attrs model's) mappings read-only, bound its free-form values'
    nesting and texts, and with ``lengths`` every text's length.

    Control characters are not looked for here: :func:`check_encoded` rules them out in the
    bytes. Raises :class:`BoundExceeded`.
    """
    cls = type(answer)
    plan = _PLANS.get(cls) or _Plan(cls, _PLANS)
    plan.check([answer], 0, lengths)
