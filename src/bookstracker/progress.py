"""Progress of a long job (a warm run), at the bottom layer so that metrics and the CLI can
show it without importing the job itself."""

from __future__ import annotations

import attrs

from bookstracker._json import JSONDict

__all__ = ["WarmProgress"]


@attrs.frozen(kw_only=True)
class WarmProgress:
    """Where a warm run stands; passed to the progress callback before the first author and
    after each one. ``current`` is the author just finished; ``finished`` is True once the run
    has ended (its report is ready)."""

    total: int
    done: int
    warmed: int
    skipped: int
    failed: int
    current: str | None
    elapsed_s: float
    requests: dict[str, int] = attrs.field(factory=dict, hash=False)
    finished: bool = False

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the pace so far; None until an author is done, 0.0 when all are."""
        if self.done >= self.total:
            return 0.0
        if not self.done:
            return None
        return self.elapsed_s / self.done * (self.total - self.done)

    def to_dict(self) -> JSONDict:
        eta = self.eta_s
        return {
            "total": self.total,
            "done": self.done,
            "warmed": self.warmed,
            "skipped": self.skipped,
            "failed": self.failed,
            "current": self.current,
            "elapsed_s": round(self.elapsed_s, 3),
            "eta_s": None if eta is None else round(eta, 3),
            "requests": dict(self.requests),
            "finished": self.finished,
        }
