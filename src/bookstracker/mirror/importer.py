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
    try:
        total = file.stat().st_size
        print_ = fingerprint(file)
    except OSError as exc:
        raise ConfigurationError(f"cannot read the dump file {file}: {exc.strerror}") from None
    info = dump_file_info(file)
    source = file.name
    started = time.perf_counter()
    saved = store.import_state(source)
    if saved is not None and saved.fingerprint == print_ and saved.complete:
        return ImportResult(state=saved, resumed_from=saved.lines, already_done=True, seconds=0.0)
    if saved is not None and saved.fingerprint == print_:
        state = saved
    else:
        stamp = _now()
        state = ImportState(
            source=source,
            kind=info.kind,
            dump_date=info.dump_date,
            size=total,
            fingerprint=print_,
            started=stamp,
            updated=stamp,
        )
    resumed_from = state.lines
    lines, records, applied, skipped, bad = (
        state.lines,
        state.records,
        state.applied,
        state.skipped,
        state.bad,
    )
    samples = list(state.bad_samples)
    batch: list[DumpRecord] = []
    batch_bytes = 0
    last_report = 0.0

    def checkpoint(done: bool, applied_so_far: int) -> ImportState:
        return attrs.evolve(
            state,
            lines=lines,
            records=records,
            applied=applied_so_far,
            skipped=skipped,
            bad=bad,
            bad_samples=tuple(samples),
            complete=done,
            updated=_now(),
        )

    def report(raw: IO[bytes], applied_so_far: int) -> None:
        if on_progress is not None:
            on_progress(
                ImportProgress(
                    source=source,
                    bytes_read=raw.tell(),
                    bytes_total=total,
                    lines=lines,
                    records=records,
                    applied=applied_so_far,
                    bad=bad,
                    elapsed=time.perf_counter() - started,
                    resumed_from=resumed_from,
                    records_before=state.records,
                )
            )

    writer = _Writer(store, applied)
    try:
        with file.open("rb") as raw:
            stream = _open(raw, file)
            numbered = _lines(stream)
            for _ in range(resumed_from):
                if next(numbered, b"") == b"":
                    break
            for line in numbered:
                lines += 1
                try:
                    if line is None:
                        raise BadLine(f"line longer than {MAX_LINE_BYTES} bytes")
                    parsed = parse_line(line)
                except BadLine as exc:
                    bad += 1
                    if len(samples) < MAX_BAD_SAMPLES:
                        samples.append((lines, str(exc)))
                    continue
                if parsed is SKIPPED:
                    skipped += 1
                    continue
                assert isinstance(parsed, DumpRecord)
                batch.append(parsed)
                records += 1
                batch_bytes += len(parsed.data)
                if len(batch) >= batch_size or batch_bytes >= _BATCH_BYTES:
                    writer.put(batch, checkpoint(False, applied + writer.applied))
                    batch = []
                    batch_bytes = 0
                    now = time.perf_counter()
                    if now - last_report >= progress_every:
                        last_report = now
                        report(raw, applied + writer.applied)
            if batch:
                writer.put(batch, checkpoint(False, applied + writer.applied))
    finally:
        done = writer.close()
    applied += done
    final = checkpoint(True, applied)
    store.save_state(final)
    report_final = ImportProgress(
        source=source,
        bytes_read=total,
        bytes_total=total,
        lines=lines,
        records=records,
        applied=applied,
        bad=bad,
        elapsed=time.perf_counter() - started,
        resumed_from=resumed_from,
        records_before=state.records,
    )
    if on_progress is not None:
        on_progress(report_final)
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
