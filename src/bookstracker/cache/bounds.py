"""Bounds on a decoded answer that msgspec's typed decoding does not check, checked column-wise.

msgspec has already checked every field's type while decoding into the model classes. What is
left: the length of every text (and mapping key), the nesting of free-form values
(``Mapping[str, Any]``), the absence of control characters and escape sequences in texts, and
the mappings themselves, which msgspec builds as plain dicts and
which are made read-only here, as the models' own converters would have.

msgspec guarantees each value's class (a ``tuple[Edition, ...]`` holds only editions), so for
speed the objects of one class are checked together, field by field (every edition's title
at once, through ``map``/``max``), which keeps the per-object Python work small: the whole pass
costs a fraction of the decoding.
"""

from __future__ import annotations

import collections
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from itertools import chain, repeat
from operator import attrgetter
from types import MappingProxyType, NoneType, UnionType
from typing import Literal

import attrs

__all__ = ["MAX_NESTING", "MAX_TEXT_LENGTH", "BoundExceeded", "check_answer"]

MAX_TEXT_LENGTH = 65_536
MAX_NESTING = 16
_PLAIN = (int, float, bool, NoneType)
_consume: Callable[[Iterable[object]], None] = collections.deque[object](maxlen=0).extend


_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""What no computed text holds (`bookstracker._text.clean_text` removes it at the parse
boundary; a description keeps its new lines): found in a cached one, the entry was tampered."""


class BoundExceeded(ValueError):
    """A decoded answer holds a text that is too long or a value nested too deeply."""


def _longest(texts: Iterable[str]) -> int:
    return max(map(len, texts), default=0)


def _check_texts(texts: Iterable[str], what: str) -> None:
    items = texts if type(texts) is list else list(texts)
    joined = "".join(items)
    if len(joined) > MAX_TEXT_LENGTH and _longest(items) > MAX_TEXT_LENGTH:
        raise BoundExceeded(f"{what} is longer than {MAX_TEXT_LENGTH} characters")
    if _UNSAFE.search(joined):
        raise BoundExceeded(f"{what} holds a control character the providers' parsers remove")


def _check_free(value: object, depth: int, what: str) -> None:
    """A free-form JSON-shaped value: texts bounded, nesting at most ``MAX_NESTING``."""
    if depth > MAX_NESTING:
        raise BoundExceeded(f"{what} is nested too deeply")
    if type(value) is str:
        if len(value) > MAX_TEXT_LENGTH:
            raise BoundExceeded(f"{what} is longer than {MAX_TEXT_LENGTH} characters")
        if _UNSAFE.search(value):
            raise BoundExceeded(f"{what} holds a control character the parsers remove")
    elif type(value) is dict:
        _check_texts(value, what)
        for item in value.values():
            _check_free(item, depth + 1, what)
    elif type(value) is list or type(value) is tuple:
        for item in value:
            _check_free(item, depth + 1, what)
    elif type(value) not in _PLAIN:
        raise BoundExceeded(f"{what} holds an unexpected {type(value).__name__}")


def _args(hint: object) -> tuple[object, ...]:
    return typing.get_args(hint)


def _optional(hint: object) -> object:
    """``X`` for ``X | None`` (or ``X``), else ``hint`` unchanged."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is UnionType:
        rest = [arg for arg in _args(hint) if arg is not NoneType]
        if len(rest) == 1:
            return rest[0]
    return hint


def _is_text(hint: object) -> bool:
    return _optional(hint) is str


def _is_plain(hint: object) -> bool:
    hint = _optional(hint)
    if typing.get_origin(hint) is Literal:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is UnionType:
        return all(arg in _PLAIN for arg in _args(hint))
    return hint in _PLAIN


_Step = Callable[[list[object], int], None]


class _Plan:
    """How to check a list of objects of one attrs class, field by field."""

    def __init__(self, cls: type, plans: dict[type, _Plan]) -> None:
        self.cls = cls
        self._plans = plans
        hints = typing.get_type_hints(cls)
        texts: list[str] = []
        self.steps: list[_Step] = []
        for field in attrs.fields(cls):
            hint = hints.get(field.name, object)
            if _is_text(hint):
                texts.append(field.name)
            elif not _is_plain(hint):
                self.steps.append(self._step(field.name, hint))
        if texts:
            self.steps.insert(0, self._texts(texts))

    def check(self, objects: list[object], depth: int) -> None:
        if depth > MAX_NESTING:
            raise BoundExceeded(f"{self.cls.__name__} is nested too deeply")
        for step in self.steps:
            step(objects, depth)

    def _texts(self, names: list[str]) -> _Step:
        what = f"a text of {self.cls.__name__}"
        if len(names) == 1:
            one: attrgetter[str | None] = attrgetter(names[0])
            return lambda objects, depth: _check_texts(filter(None, map(one, objects)), what)
        many: attrgetter[tuple[str | None, ...]] = attrgetter(*names)
        return lambda objects, depth: _check_texts(
            filter(None, chain.from_iterable(map(many, objects))), what
        )

    def _step(self, name: str, hint: object) -> _Step:
        get = attrgetter(name)
        what = f"{self.cls.__name__}.{name}"
        inner = _optional(hint)
        origin = typing.get_origin(inner)
        args = _args(inner)
        if isinstance(inner, type) and attrs.has(inner):
            return self._nested(get, inner)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = args[0]
            if item is str:
                return lambda objects, depth: _check_texts(
                    chain.from_iterable(filter(None, map(get, objects))), what
                )
            if isinstance(item, type) and attrs.has(item):
                return self._nested_many(get, item)
        if origin in (Mapping, dict, collections.abc.Mapping) and len(args) == 2:
            return self._mapping(name, get, args[1], what)
        return self._free(get, what)

    def _plan_of(self, cls: type) -> _Plan:
        plan = self._plans.get(cls)
        if plan is None:
            plan = self._plans[cls] = _Plan(cls, self._plans)
        return plan

    def _nested(self, get: attrgetter[object], cls: type) -> _Step:
        def step(objects: list[object], depth: int) -> None:
            children = [child for child in map(get, objects) if child is not None]
            if children:
                self._plan_of(cls).check(children, depth + 1)

        return step

    def _nested_many(self, get: attrgetter[Iterable[object]], cls: type) -> _Step:
        def step(objects: list[object], depth: int) -> None:
            children = list(chain.from_iterable(map(get, objects)))
            if children:
                self._plan_of(cls).check(children, depth + 1)

        return step

    def _mapping(
        self, name: str, get: attrgetter[Mapping[str, object]], value_hint: object, what: str
    ) -> _Step:
        def step(objects: list[object], depth: int) -> None:
            mappings = [m if type(m) is dict else dict(m) for m in map(get, objects)]
            _check_texts(chain.from_iterable(mappings), f"a key of {what}")
            values = chain.from_iterable(map(dict.values, mappings))
            if _is_text(value_hint):
                _check_texts(filter(None, values), what)
            elif isinstance(value_hint, type) and attrs.has(value_hint):
                children = list(values)
                if children:
                    self._plan_of(value_hint).check(children, depth + 1)
            elif not _is_plain(value_hint):
                for value in values:
                    _check_free(value, depth + 1, what)
            _consume(
                map(object.__setattr__, objects, repeat(name), map(MappingProxyType, mappings))
            )

        return step

    @staticmethod
    def _free(get: attrgetter[object], what: str) -> _Step:
        def step(objects: list[object], depth: int) -> None:
            for value in map(get, objects):
                _check_free(value, depth + 1, what)

        return step


_PLANS: dict[type, _Plan] = {}


def check_answer(answer: object) -> None:
    """Check the bounds of a decoded answer (an attrs model) and make its mappings read-only.

    Raises :class:`BoundExceeded`.
    """
    cls = type(answer)
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls, _PLANS)
    plan.check([answer], 0)
