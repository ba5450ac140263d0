"""User overrides of the core-works filter: works pinned in or out by their OpenLibrary key.

A pin is applied after the filter, whatever it decided, and the answer says the user decided
(``evidence.decided_by == "user"``). Pins come from the client's ``pins=`` argument or its
settings (``BOOKSTRACKER_PIN_IN`` / ``BOOKSTRACKER_PIN_OUT``: comma-separated work keys; a pin
out may name its reason, ``OL123W=companion``; see `WorkPins.parse`), and per call; they are
part of the cache key, so a refreshed bibliography keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import attrs

from bookstracker._patterns import LazyPattern
from bookstracker.errors import ConfigurationError
from bookstracker.models import EXCLUSION_REASONS, ExclusionReason

__all__ = ["MAX_PINS", "WorkPins"]

MAX_PINS = 1000
_WORK_KEY = LazyPattern(r"^(?:/works/)?(OL[1-9][0-9]*W)$", re.IGNORECASE)
_DEFAULT_REASON: ExclusionReason = "not-by-author"


def _work_key(value: str) -> str:
    match = _WORK_KEY.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ConfigurationError(f"a pinned work must be an OpenLibrary work key (OL…W): {value!r}")
    return match.group(1).upper()


def _reason(value: str) -> ExclusionReason:
    if value not in EXCLUSION_REASONS:
        raise ConfigurationError(
            f"unknown reason {value!r} for a pinned-out work; one of {', '.join(EXCLUSION_REASONS)}"
        )
    return value


@attrs.frozen(kw_only=True)
class WorkPins:
    """Work keys the user keeps in the bibliography (``keep``) or leaves out (``drop``, with the
    reason to report). A key in both is refused."""

    keep: frozenset[str] = frozenset()
    drop: Mapping[str, ExclusionReason] = attrs.field(factory=dict, hash=False)

    def __attrs_post_init__(self) -> None:
        both = self.keep & set(self.drop)
        if both:
            raise ConfigurationError(f"works pinned both in and out: {', '.join(sorted(both))}")
        if len(self.keep) + len(self.drop) > MAX_PINS:
            raise ConfigurationError(f"more than {MAX_PINS} pinned works")

    @classmethod
    def of(
        cls,
        pin_in: Iterable[str] = (),
        pin_out: Iterable[str] | Mapping[str, str] = (),
    ) -> WorkPins:
        """Pins from work keys; ``pin_out`` may map each key to its reason."""
        if isinstance(pin_in, str) or isinstance(pin_out, str):
            raise ConfigurationError("pins are a collection of work keys, not one string")
        keep = frozenset(_work_key(k) for k in pin_in)
        if isinstance(pin_out, Mapping):
            drop = {_work_key(k): _reason(v) for k, v in pin_out.items()}
        else:
            drop = {_work_key(k): _DEFAULT_REASON for k in pin_out}
        return cls(keep=keep, drop=drop)

    @classmethod
    def parse(cls, pin_in: str = "", pin_out: str = "") -> WorkPins:
        """Pins from the variables' text: ``"OL1W,OL2W"`` and ``"OL3W=companion,OL4W"``."""
        drop: dict[str, str] = {}
        for item in _items(pin_out):
            key, _, reason = item.partition("=")
            drop[key] = reason.strip() or _DEFAULT_REASON
        return cls.of(_items(pin_in), drop)

    def merged(self, other: WorkPins | None) -> WorkPins:
        """These pins with ``other``'s on top (a later pin of a key replaces an earlier one)."""
        if other is None or not other:
            return self
        keep = (self.keep - set(other.drop)) | other.keep
        drop = {k: v for k, v in self.drop.items() if k not in other.keep}
        drop.update(other.drop)
        return WorkPins(keep=keep, drop=drop)

    def __bool__(self) -> bool:
        return bool(self.keep or self.drop)

    def digest(self) -> str:
        """A short stable id of the pins, for cache keys ("" when there are none)."""
        if not self:
            return ""
        text = ";".join(
            [*sorted(self.keep), "|", *(f"{k}={v}" for k, v in sorted(self.drop.items()))]
        )
        import hashlib  # OpenSSL's digests load when pins are first used, not at start-up

        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _items(text: str) -> list[str]:
    if not isinstance(text, str):
        raise ConfigurationError("pins must be text")
    return [item.strip() for item in text.split(",") if item.strip()]
