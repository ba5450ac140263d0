"""How long each kind of answer is cached, per tier, and for how long it may be served stale.

===================== ======== ======== ======================
kind                  hot      cold     grace (stale on error)
===================== ======== ======== ======================
``search``            1 h      7 d      7 d
``isbn``              24 h     30 d     30 d
``author``            24 h     24 h     7 d
``author_incomplete`` 10 min   10 min   1 d
``not_found``         1 h      6 h      6 h
``completeness``      24 h     24 h     7 d
===================== ======== ======== ======================

``author`` is a bibliography judged complete; ``author_incomplete`` one that is not, kept briefly so
that a later request can complete it.

Each TTL is jittered by ±10% so that entries written together do not all expire together; the
grace period is not. Errors are never cached as data: of all the exceptions only
:class:`~bookstracker.errors.NotFound` has a kind (``not_found``, see :func:`kind_for_error`); a
429, a spent quota or any other failure has none. The client should cache a ``NotFound`` only
when every provider it asked actually answered.
"""

from __future__ import annotations

import random
from typing import Literal, get_args

import attrs

from bookstracker.errors import NotFound

__all__ = [
    "DEFAULT_POLICY",
    "KINDS",
    "CacheKind",
    "KindTTL",
    "TTLPolicy",
    "Tier",
    "kind_for_error",
]

CacheKind = Literal["search", "isbn", "author", "author_incomplete", "not_found", "completeness"]
Tier = Literal["hot", "cold"]
KINDS: tuple[CacheKind, ...] = get_args(CacheKind)

_MINUTE = 60.0
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative")


@attrs.frozen(kw_only=True)
class KindTTL:
    """The lifetimes of one kind of answer, in seconds."""

    hot: float = attrs.field(validator=_non_negative)
    cold: float = attrs.field(validator=_non_negative)
    grace: float = attrs.field(default=0.0, validator=_non_negative)


def _jitter_fraction(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 <= value < 1:
        raise ValueError("jitter must be at least 0 and below 1")


@attrs.frozen(kw_only=True)
class TTLPolicy:
    """Per-kind lifetimes with jitter; ``rng`` may be seeded for reproducible TTLs."""

    search: KindTTL = KindTTL(hot=_HOUR, cold=7 * _DAY, grace=7 * _DAY)
    isbn: KindTTL = KindTTL(hot=24 * _HOUR, cold=30 * _DAY, grace=30 * _DAY)
    author: KindTTL = KindTTL(hot=24 * _HOUR, cold=24 * _HOUR, grace=7 * _DAY)
    author_incomplete: KindTTL = KindTTL(hot=10 * _MINUTE, cold=10 * _MINUTE, grace=_DAY)
    not_found: KindTTL = KindTTL(hot=_HOUR, cold=6 * _HOUR, grace=6 * _HOUR)
    completeness: KindTTL = KindTTL(hot=24 * _HOUR, cold=24 * _HOUR, grace=7 * _DAY)
    jitter: float = attrs.field(default=0.1, validator=_jitter_fraction)
    rng: random.Random = attrs.field(factory=random.Random, eq=False, hash=False, repr=False)

    def lifetimes(self, kind: CacheKind) -> KindTTL:
        """The configured (unjittered) lifetimes of ``kind``."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}; expected one of {', '.join(KINDS)}")
        lifetimes: KindTTL = getattr(self, kind)
        return lifetimes

    def ttl_for(self, kind: CacheKind, tier: Tier) -> float:
        """The TTL of ``kind`` in ``tier``, jittered by up to ±``jitter`` of itself."""
        lifetimes = self.lifetimes(kind)
        if tier == "hot":
            base = lifetimes.hot
        elif tier == "cold":
            base = lifetimes.cold
        else:
            raise ValueError(f"tier is 'hot' or 'cold', not {tier!r}")
        if not self.jitter:
            return base
        return base * (1.0 + self.rng.uniform(-self.jitter, self.jitter))

    def grace_for(self, kind: CacheKind) -> float:
        """How long past its TTL an answer of ``kind`` may be served, marked stale."""
        return self.lifetimes(kind).grace


DEFAULT_POLICY = TTLPolicy()


def kind_for_error(error: BaseException) -> Literal["not_found"] | None:
    """The cache kind of a failed question: ``not_found`` for NotFound, else ``None`` (uncached)."""
    return "not_found" if isinstance(error, NotFound) else None
