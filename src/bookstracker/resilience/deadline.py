"""A point in time by which a call must be answered, on the monotonic clock."""

from __future__ import annotations

import math
import time

import attrs

from bookstracker.errors import DeadlineExceeded

__all__ = ["Deadline", "min_timeout"]


@attrs.frozen(kw_only=True)
class Deadline:
    """The ``time.monotonic()`` instant after which the caller no longer wants an answer.

    ``None`` stands for "no deadline" wherever a ``Deadline | None`` is taken.
    """

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        if math.isnan(seconds):
            raise ValueError("a deadline needs a number of seconds, not NaN")
        return cls(at=time.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left before the deadline; zero or less once it has passed."""
        return self.at - time.monotonic()

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.remaining() <= 0

    def check(self) -> None:
        """Raise `DeadlineExceeded` when the deadline has passed."""
        if self.expired:
            raise DeadlineExceeded("the deadline passed before an answer arrived")


def min_timeout(timeout: float, deadline: Deadline | None) -> float:
    """The timeout for one operation: ``timeout``, shortened so it ends by ``deadline``.

    Raises `DeadlineExceeded` when the deadline has already passed, so no request is sent.
    """
    if deadline is None:
        return timeout
    deadline.check()
    return min(timeout, deadline.remaining())
