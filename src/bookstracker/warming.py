"""Cache warming: fill the cache with the bibliographies of many authors, resumably.

Authors come from a list of names, the bundled popular-authors list, or a reading-library export.
They are de-duplicated by normalised name; authors whose cached bibliography is still fresh are
skipped (read from the cache, no request; a cached "no such author" is reported as a failure
again); at most ``concurrency`` authors are built at once (each provider's own rate limiter and
quota still apply to every request). Progress is appended to a journal file as each author
finishes, so a run killed at any point and started again never repeats a finished author.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import anyio
import attrs

from bookstracker._json import JSONDict
from bookstracker._logging import emit
from bookstracker.errors import (
    AllProvidersFailed,
    BooksTrackerError,
    InvalidInput,
    NotFound,
    error_summary,
)
from bookstracker.models import Bibliography
from bookstracker.names import name_key
from bookstracker.progress import WarmProgress
from bookstracker.resilience.scope import RequestTally, call_scope

if TYPE_CHECKING:
    from bookstracker.library_import import RejectedRow

__all__ = [
    "WarmFailure",
    "WarmProgress",
    "WarmReport",
    "WarmTarget",
    "popular_authors",
    "unique_authors",
    "warm_authors",
]

_log = logging.getLogger(__name__)


def popular_authors() -> list[str]:
    """The bundled list of popular authors (``bookstracker/data/popular_authors.txt``)."""
    text = resources.files("bookstracker.data").joinpath("popular_authors.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def unique_authors(names: Iterable[str]) -> list[str]:
    """Names de-duplicated by normalised name, first spelling kept, order kept."""
    seen: dict[str, str] = {}
    for name in names:
        cleaned = " ".join(str(name).split())
        key = name_key(cleaned)
        if key and key not in seen:
            seen[key] = cleaned
    return list(seen.values())


@attrs.frozen(kw_only=True)
class WarmFailure:
    name: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "error": self.error}


@attrs.frozen(kw_only=True)
class WarmReport:
    """What a warm run did."""

    authors: int
    warmed: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: tuple[WarmFailure, ...]
    rejected_rows: tuple[RejectedRow, ...] = ()
    requests: dict[str, int] = attrs.field(factory=dict, hash=False)
    elapsed_s: float = 0.0
    resumed: int = 0

    def to_dict(self) -> JSONDict:
        return {
            "authors": self.authors,
            "warmed": len(self.warmed),
            "skipped": len(self.skipped),
            "failed": [f.to_dict() for f in self.failed],
            "rejected_rows": [r.to_dict() for r in self.rejected_rows],
            "requests": dict(self.requests),
            "elapsed_s": round(self.elapsed_s, 3),
        }


class _Journal:
    """An append-only record of finished authors for one list of authors."""

    def __init__(self, folder: Path, names: Sequence[str], namespace: str) -> None:
        digest = hashlib.sha256(
            "\x1f".join([namespace, *sorted(name_key(n) for n in names)]).encode("utf-8")
        ).hexdigest()[:20]
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = folder / f"warm-{digest}.jsonl"

    def finished(self) -> dict[str, str]:
        done: dict[str, str] = {}
        try:
            with self.path.open("r", encoding="utf-8") as handle:
                for line in handle:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(record, dict) and isinstance(record.get("key"), str):
                        done[record["key"]] = str(record.get("outcome", "warmed"))
        except FileNotFoundError:
            pass
        return done

    def record(self, name: str, outcome: str) -> None:
        line = json.dumps({"key": name_key(name), "name": name, "outcome": outcome}) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class WarmTarget(Protocol):
    """What warming needs of a client (an :class:`AsyncBooksClient` is one)."""

    @property
    def namespace(self) -> str:
        """Names the client's cache, so that journals of different clients never mix."""
        ...

    @property
    def enabled_providers(self) -> tuple[str, ...]: ...

    async def is_author_fresh(self, name: str) -> bool:
        """True when the author's bibliography is cached and fresh."""
        ...

    async def author(self, name: str) -> Bibliography: ...


async def warm_authors(
    client: WarmTarget,
    names: Iterable[str],
    *,
    concurrency: int = 4,
    progress: Callable[[WarmProgress], None] | None = None,
    state_dir: str | os.PathLike[str] | None = None,
    rejected_rows: Sequence[RejectedRow] = (),
) -> WarmReport:
    """Build and cache the bibliography of every author in ``names``; see the module doc.

    ``progress`` is called with a :class:`WarmProgress` before the first author, after each
    one, and once more when the run ends (``finished=True``). With ``state_dir``, finished
    authors are journaled there and skipped by a later run over the same list.
    """
    if concurrency < 1:
        raise InvalidInput("concurrency must be at least 1")
    authors = unique_authors(names)
    journal = _Journal(Path(state_dir), authors, client.namespace) if state_dir else None
    finished = journal.finished() if journal else {}
    started = time.perf_counter()
    warmed: list[str] = []
    skipped: list[str] = []
    failed: list[WarmFailure] = []
    tally = RequestTally()
    resumed = 0
    pending = iter(authors)

    def state(current: str | None, *, done: bool = False) -> WarmProgress:
        return WarmProgress(
            total=len(authors),
            done=len(warmed) + len(skipped) + len(failed),
            warmed=len(warmed),
            skipped=len(skipped),
            failed=len(failed),
            current=current,
            elapsed_s=time.perf_counter() - started,
            requests={p: tally.get(p) for p in client.enabled_providers},
            finished=done,
        )

    def report_progress(current: str | None, *, done: bool = False) -> WarmProgress:
        now = state(current, done=done)
        if progress is not None:
            progress(now)
        return now

    async def worker() -> None:
        nonlocal resumed
        for name in pending:
            outcome, error = (
                ("resumed", None) if name_key(name) in finished else await _warm_one(client, name)
            )
            if outcome == "warmed":
                warmed.append(name)
            elif outcome == "failed":
                failed.append(WarmFailure(name=name, error=error or "failed"))
            else:
                skipped.append(name)
                resumed += outcome == "resumed"
            if journal is not None and outcome in ("warmed", "skipped"):
                journal.record(name, outcome)
            now = report_progress(name)
            emit(
                "warm.author",
                logging.INFO,
                author=name,
                outcome=outcome,
                error=error,
                **_figures(now),
            )

    emit("warm.start", logging.INFO, **_figures(report_progress(None)))
    with call_scope(tally=tally):
        async with anyio.create_task_group() as group:
            for _ in range(min(concurrency, len(authors))):
                group.start_soon(worker)
    if journal is not None and not failed:
        journal.remove()
    emit("warm.finish", logging.INFO, **_figures(report_progress(None, done=True)))
    return WarmReport(
        authors=len(authors),
        warmed=tuple(warmed),
        skipped=tuple(skipped),
        failed=tuple(failed),
        rejected_rows=tuple(rejected_rows),
        requests={p: tally.get(p) for p in client.enabled_providers},
        elapsed_s=time.perf_counter() - started,
        resumed=resumed,
    )


async def _warm_one(client: WarmTarget, name: str) -> tuple[str, str | None]:
    """Build one author's bibliography: ``warmed``, ``skipped`` (it was fresh) or ``failed``
    with the reason."""
    fresh = await client.is_author_fresh(name)
    try:
        bibliography = await client.author(name)
    except BooksTrackerError as exc:
        return "failed", _reason(exc)
    except Exception as exc:
        _log.exception("warming %s failed unexpectedly", name)
        return "failed", f"internal error: {error_summary(exc)}"
    if bibliography.stale:
        return "failed", "every provider failed; only a stale cached answer is kept"
    return ("skipped" if fresh else "warmed"), None


def _reason(exc: BooksTrackerError) -> str:
    """The error, with each provider's own error when every provider failed."""
    text = error_summary(exc)
    reports = exc.reports if isinstance(exc, (AllProvidersFailed, NotFound)) else {}
    errors = [f"{name}: {r.error}" for name, r in reports.items() if r.error]
    return f"{text} ({'; '.join(errors)})" if errors else text


def _figures(progress: WarmProgress) -> JSONDict:
    eta = progress.eta_s
    return {
        "total": progress.total,
        "done": progress.done,
        "warmed": progress.warmed,
        "skipped": progress.skipped,
        "failed": progress.failed,
        "elapsed_s": round(progress.elapsed_s, 3),
        "eta_s": None if eta is None else round(eta, 3),
    }
