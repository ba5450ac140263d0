"""Streaming import of OpenLibrary dump files into a `MirrorStore`, resumable at any batch.

The file is read line by line through ``gzip`` (never whole in memory); records are written in
batches, each in one transaction with the file's checkpoint (lines read, counts, bad lines), so
a killed import starts again after the last committed batch. A resumed file is recognised by
its name, size and a hash of its first 64 KB; the lines already done are skipped without being
parsed, and records already stored at the same revision change nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import gzip
import hashlib
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Final

import attrs

from bookstracker.errors import ConfigurationError
from bookstracker.mirror.records import MAX_LINE_BYTES, SKIPPED, BadLine, DumpRecord, parse_line
from bookstracker.mirror.store import MAX_BAD_SAMPLES, ImportState, MirrorStore

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DumpFileInfo",
    "ImportProgress",
    "ImportResult",
    "dump_file_info",
    "import_dump",
    "import_dumps",
]

DEFAULT_BATCH_SIZE: Final = 5000
_BATCH_BYTES: Final = 32 * 1024 * 1024
_NAME: Final = re.compile(
    r"ol_c?dump(?:_(?P<kind>[a-z-]+))?_(?P<date>\d{4}-\d{2}-\d{2}|latest)\.txt(?:\.gz)?"
)


@attrs.frozen(kw_only=True)
class DumpFileInfo:
    """What a dump file's name says: its part (``authors``… or None for the combined dump)."""

    kind: str | None
    dump_date: str | None


def dump_file_info(path: str | os.PathLike[str]) -> DumpFileInfo:
    """``ol_dump_works_2024-01-31.txt.gz`` → ``works``, ``2024-01-31``; other names → None."""
    match = _NAME.fullmatch(Path(path).name)
    if match is None:
        return DumpFileInfo(kind=None, dump_date=None)
    date = match.group("date")
    return DumpFileInfo(kind=match.group("kind"), dump_date=None if date == "latest" else date)


@attrs.frozen(kw_only=True)
class ImportProgress:
    """Where an import stands, for a progress bar."""

    source: str
    bytes_read: int
    bytes_total: int
    lines: int
    records: int
    applied: int
    bad: int
    elapsed: float
    resumed_from: int
    records_before: int = 0
    """Records an interrupted import of the file had already committed (not counted in rate)."""

    @property
    def records_per_second(self) -> float:
        done = self.records - self.records_before
        return done / self.elapsed if self.elapsed > 0 else 0.0


@attrs.frozen(kw_only=True)
class ImportResult:
    """One file's import: its final state, whether it resumed, and whether it was already done."""

    state: ImportState
    resumed_from: int
    already_done: bool
    seconds: float
    records_before: int = 0


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def fingerprint(path: Path) -> str:
    """Size and a hash of the first 64 KB: enough to tell one dump file from another."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    return f"{path.stat().st_size}:{hashlib.sha256(head).hexdigest()[:32]}"


def _open(raw: IO[bytes], path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Lines of at most `MAX_LINE_BYTES`; a longer line is drained and given as None."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


class _Writer:
    """Writes batches on a thread of its own, so SQLite's and PostgreSQL's work (which releases
    the GIL) overlaps the parsing; at most two batches wait, which bounds the memory."""

    def __init__(self, store: MirrorStore, applied_before: int) -> None:
        self.store = store
        self.applied_before = applied_before
        self.applied = 0
        self.error: BaseException | None = None
        self._queue: queue.Queue[tuple[list[DumpRecord], ImportState] | None] = queue.Queue(2)
        self._thread = threading.Thread(target=self._run, name="mirror-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            try:
                batch, state = item
                state = attrs.evolve(state, applied=self.applied_before + self.applied)
                self.applied += self.store.apply(batch, state)
            except BaseException as exc:
                self.error = exc

    def put(self, batch: list[DumpRecord], state: ImportState) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put((batch, state))

    def close(self) -> int:
        """Wait for every batch; raise what the writer raised; the records applied."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.applied


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic collector off for the import: a batch holds tens of thousands of fresh
    containers (none in cycles), which made it run every few hundred records."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_dump(
    store: MirrorStore,
    path: str | os.PathLike[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[ImportProgress], None] | None = None,
    progress_every: float = 0.25,
) -> ImportResult:
    """Import one dump file (gzip or plain text), resuming a started import of the same file.

    Bad lines are counted, with their line numbers and reasons (the first `MAX_BAD_SAMPLES`),
    and skipped. Raises `ConfigurationError` when the file cannot be read.
    """
    with _no_cyclic_gc():
        return _import_dump(store, path, batch_size, on_progress, progress_every)


def _starting_state(store: MirrorStore, file: Path) -> tuple[ImportState, int]:
    """The state to go on from (the saved one of this very file, else a fresh one) and the
    file's size; `ConfigurationError` when the file cannot be read."""
    try:
        total = file.stat().st_size
        print_ = fingerprint(file)
    except OSError as exc:
        raise ConfigurationError(f"cannot read the dump file {file}: {exc.strerror}") from None
    info = dump_file_info(file)
    saved = store.import_state(file.name)
    if saved is not None and saved.fingerprint == print_:
        return saved, total
    stamp = _now()
    fresh = ImportState(
        source=file.name,
        kind=info.kind,
        dump_date=info.dump_date,
        size=total,
        fingerprint=print_,
        started=stamp,
        updated=stamp,
    )
    return fresh, total


@attrs.define
class _Counts:
    """The running counts of an import, taken over from its starting state."""

    lines: int
    records: int
    skipped: int
    bad: int
    samples: list[tuple[int, str]]

    @classmethod
    def of(cls, state: ImportState) -> _Counts:
        return cls(state.lines, state.records, state.skipped, state.bad, list(state.bad_samples))

    def take(self, line: bytes | None) -> DumpRecord | None:
        """The line's record; None for a skipped or bad line (counted, a bad one sampled)."""
        self.lines += 1
        try:
            if line is None:
                raise BadLine(f"line longer than {MAX_LINE_BYTES} bytes")
            parsed = parse_line(line)
        except BadLine as exc:
            self.bad += 1
            if len(self.samples) < MAX_BAD_SAMPLES:
                self.samples.append((self.lines, str(exc)))
            return None
        if parsed is SKIPPED:
            self.skipped += 1
            return None
        assert isinstance(parsed, DumpRecord)
        self.records += 1
        return parsed

    def state(self, start: ImportState, *, applied: int, done: bool) -> ImportState:
        """The checkpoint to commit with a batch (or at the end)."""
        return attrs.evolve(
            start,
            lines=self.lines,
            records=self.records,
            applied=applied,
            skipped=self.skipped,
            bad=self.bad,
            bad_samples=tuple(self.samples),
            complete=done,
            updated=_now(),
        )


def _batches(
    numbered: Iterator[bytes | None], counts: _Counts, batch_size: int
) -> Iterator[tuple[list[DumpRecord], bool]]:
    """The records in batches of ``batch_size`` (or `_BATCH_BYTES`), each with whether it is
    full (the last one may not be)."""
    batch: list[DumpRecord] = []
    batch_bytes = 0
    for line in numbered:
        record = counts.take(line)
        if record is None:
            continue
        batch.append(record)
        batch_bytes += len(record.data)
        if len(batch) >= batch_size or batch_bytes >= _BATCH_BYTES:
            yield batch, True
            batch = []
            batch_bytes = 0
    if batch:
        yield batch, False


def _import_dump(
    store: MirrorStore,
    path: str | os.PathLike[str],
    batch_size: int,
    on_progress: Callable[[ImportProgress], None] | None,
    progress_every: float,
) -> ImportResult:
    if batch_size < 1:
        raise ConfigurationError("batch_size must be at least 1")
    file = Path(path)
    started = time.perf_counter()
    state, total = _starting_state(store, file)
    if state.complete:
        return ImportResult(state=state, resumed_from=state.lines, already_done=True, seconds=0.0)
    resumed_from = state.lines
    counts = _Counts.of(state)

    def report(bytes_read: int, applied: int) -> None:
        if on_progress is not None:
            on_progress(
                ImportProgress(
                    source=state.source,
                    bytes_read=bytes_read,
                    bytes_total=total,
                    lines=counts.lines,
                    records=counts.records,
                    applied=applied,
                    bad=counts.bad,
                    elapsed=time.perf_counter() - started,
                    resumed_from=resumed_from,
                    records_before=state.records,
                )
            )

    writer = _Writer(store, state.applied)
    last_report = 0.0
    try:
        with file.open("rb") as raw:
            numbered = _lines(_open(raw, file))
            for _ in range(resumed_from):
                if next(numbered, b"") == b"":
                    break
            for batch, full in _batches(numbered, counts, batch_size):
                applied = state.applied + writer.applied
                writer.put(batch, counts.state(state, applied=applied, done=False))
                now = time.perf_counter()
                if full and now - last_report >= progress_every:
                    last_report = now
                    report(raw.tell(), state.applied + writer.applied)
    finally:
        done = writer.close()
    final = counts.state(state, applied=state.applied + done, done=True)
    store.save_state(final)
    report(total, final.applied)
    return ImportResult(
        state=final,
        resumed_from=resumed_from,
        already_done=False,
        seconds=time.perf_counter() - started,
        records_before=state.records,
    )


def import_dumps(
    store: MirrorStore,
    paths: Iterable[str | os.PathLike[str]],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[ImportProgress], None] | None = None,
) -> list[ImportResult]:
    """Import several dump files in turn (see `import_dump`)."""
    files: Sequence[str | os.PathLike[str]] = list(paths)
    return [
        import_dump(store, path, batch_size=batch_size, on_progress=on_progress) for path in files
    ]
