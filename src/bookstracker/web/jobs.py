"""Warming jobs: ``client.warm()`` runs in the background, its state kept in files.

Each job is a JSON record in the jobs folder (``<id>.json``), rewritten atomically as it
progresses, so every worker process sharing the folder can answer ``GET /warm/{job}``. The process
running a job holds an exclusive lock on ``<id>.lock``; a job left unfinished by a stopped server
is taken up again by the next one to start (the warm journal, in ``journal/``, skips the authors
already done). Deleting a job removes its record; its runner notices and stops.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import anyio
import attrs
from anyio.abc import TaskGroup

from bookstracker._json import JSONDict, JSONValue, as_float, as_object, as_str, plain
from bookstracker.errors import BooksTrackerError, ConfigurationError, error_summary
from bookstracker.warming import WarmProgress, WarmReport

__all__ = ["JOB_ID", "JobRecord", "JobStore", "WarmClient"]

JOB_ID = re.compile(r"^[0-9a-f]{16}$")
ACTIVE = ("queued", "running")
MAX_SHOWN_REJECTED = 500
KEEP_FINISHED = 100
_WRITE_EVERY_S = 0.25
_log = logging.getLogger("bookstracker.web")


class WarmClient(Protocol):
    """What the jobs need from the client."""

    async def warm(
        self,
        names: list[str] | None = None,
        *,
        concurrency: int = 4,
        progress: Callable[[WarmProgress], None] | None = None,
        state_dir: str | os.PathLike[str] | None = None,
    ) -> WarmReport: ...


class _Lock:
    """An exclusive, non-blocking lock on a file, released when its process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def take(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        self._fd = fd
        return True

    def release(self) -> None:
        # The file stays (removed with its job): unlinking it here would let a process that
        # opened it just before lock an orphan while another locks a new file of that name.
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@attrs.define(kw_only=True)
class JobRecord:
    """One job as its file holds it (``to_dict()``); changed in place as the job runs."""

    id: str
    state: str
    source: str
    names: list[str]
    created_at: float
    progress: JSONValue
    rejected_count: int = 0
    rejected_rows: JSONValue = attrs.field(factory=list)
    finished_at: float | None = None
    resumed: bool = False
    error: str | None = None
    report: JSONValue = None

    def to_dict(self) -> JSONDict:
        """The file's JSON object (its keys in the order the files have always had)."""
        return {
            "id": self.id,
            "state": self.state,
            "source": self.source,
            "names": self.names,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "progress": self.progress,
            "rejected_count": self.rejected_count,
            "rejected_rows": self.rejected_rows,
            "resumed": self.resumed,
            "error": self.error,
            "report": self.report,
        }

    def summary(self) -> JSONDict:
        """The record as ``GET /warm/{job}`` shows it: no report (that is ``/results``) and not
        the list of names (a progress event stays small however long the list)."""
        document = self.to_dict()
        del document["report"], document["names"]
        return document

    @classmethod
    def from_json(cls, value: object) -> JobRecord | None:
        """The record a job file's decoded JSON holds, or None when it is not one."""
        data = as_object(value)
        if data is None:
            return None
        job_id, state, source = (as_str(data.get(k)) for k in ("id", "state", "source"))
        names = data.get("names")
        created_at = as_float(data.get("created_at"))
        count = data.get("rejected_count", 0)
        if (
            job_id is None
            or state is None
            or source is None
            or created_at is None
            or not isinstance(names, list)
            or not all(isinstance(name, str) for name in names)
            or not isinstance(count, int)
        ):
            return None
        error = data.get("error")
        try:
            return cls(
                id=job_id,
                state=state,
                source=source,
                names=names,
                created_at=created_at,
                finished_at=as_float(data.get("finished_at")),
                progress=plain(data.get("progress")),
                rejected_count=count,
                rejected_rows=plain(data.get("rejected_rows", [])),
                resumed=data.get("resumed") is True,
                error=None if error is None else str(error),
                report=plain(data.get("report")),
            )
        except TypeError:
            return None


def _write_atomic(path: Path, record: JSONDict) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, ensure_ascii=False)
    os.replace(temporary, path)


class JobStore:
    """The warming jobs in ``folder``; ``publish(event, data)`` hears of every change."""

    def __init__(
        self,
        folder: Path,
        client: WarmClient,
        *,
        publish: Callable[[str, JSONDict], None],
        max_active: int = 64,
        concurrency: int = 4,
    ) -> None:
        self.folder = folder
        self.client = client
        self.publish = publish
        self.max_active = max_active
        self.concurrency = concurrency
        self._group: TaskGroup | None = None
        self._scopes: dict[str, anyio.CancelScope] = {}
        self._last_write: dict[str, float] = {}
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if sys.platform != "win32" and folder.stat().st_mode & 0o022:
            raise ConfigurationError(
                "the jobs folder can be written by other users; make it 700 "
                "(BOOKSTRACKER_WEB_JOBS_DIR)"
            )
        (folder / "journal").mkdir(exist_ok=True, mode=0o700)

    # -- records ---------------------------------------------------------------------------------

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def get(self, job_id: str) -> JobRecord | None:
        """The job's record, or None (also for an id that is not one of ours, or a file that
        does not hold a job's record)."""
        if not JOB_ID.match(job_id):
            return None
        try:
            data = json.loads(self._path(job_id).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return JobRecord.from_json(data)

    def all(self) -> list[JobRecord]:
        """Every job, newest first."""
        records = []
        for path in self.folder.glob("*.json"):
            record = self.get(path.stem)
            if record is not None:
                records.append(record)
        records.sort(key=lambda r: r.created_at, reverse=True)
        return records

    def _save(self, record: JobRecord, *, force: bool = True) -> None:
        job_id = record.id
        now = time.monotonic()
        if not force and now - self._last_write.get(job_id, 0.0) < _WRITE_EVERY_S:
            return
        self._last_write[job_id] = now
        if not self._path(job_id).exists() and record.state != "queued":
            raise _Deleted
        _write_atomic(self._path(job_id), record.to_dict())

    # -- running ---------------------------------------------------------------------------------

    def attach(self, group: TaskGroup) -> None:
        """Run jobs in ``group`` and take up the unfinished ones no other process holds."""
        self._group = group
        for record in self.all():
            if record.state in ACTIVE:
                self._launch(record, resumed=True)

    def create(
        self,
        names: list[str],
        *,
        source: str,
        rejected_rows: list[JSONDict] | None = None,
    ) -> JobRecord | None:
        """A new job warming ``names``, started at once; None when too many are active."""
        if self._group is None:
            raise BooksTrackerError("the jobs are not running (the app's lifespan did not start)")
        records = self.all()
        active = sum(1 for r in records if r.state in ACTIVE)
        if active >= self.max_active:
            return None
        finished = [r for r in records if r.state not in ACTIVE]
        for old in finished[KEEP_FINISHED - 1 :]:  # newest first: forget the oldest
            self._forget(old.id)
        rejected = rejected_rows or []
        record = JobRecord(
            id=secrets.token_hex(8),
            state="queued",
            source=source,
            names=names,
            created_at=round(time.time(), 3),
            progress={"total": len(names), "done": 0, "warmed": 0, "skipped": 0, "failed": 0},
            rejected_count=len(rejected),
            rejected_rows=rejected[:MAX_SHOWN_REJECTED],
        )
        self._save(record)
        self._launch(record, resumed=False)
        return record

    def _launch(self, record: JobRecord, *, resumed: bool) -> None:
        assert self._group is not None
        lock = _Lock(self.folder / f"{record.id}.lock")
        if not lock.take():
            return
        scope = anyio.CancelScope()
        self._scopes[record.id] = scope
        self._group.start_soon(self._run, record, lock, scope, resumed)

    async def _run(
        self, record: JobRecord, lock: _Lock, scope: anyio.CancelScope, resumed: bool
    ) -> None:
        job_id = record.id

        def progress(state: WarmProgress) -> None:
            record.progress = state.to_dict()
            try:
                self._save(record, force=state.finished or state.done == 0)
            except _Deleted:
                scope.cancel()
                return
            self.publish("warm", record.summary())

        try:
            with scope:
                await self._warm(record, progress, resumed)
        except _Deleted:
            pass
        finally:
            self._scopes.pop(job_id, None)
            self._last_write.pop(job_id, None)
            lock.release()
            if not self._path(job_id).exists():
                self.publish("warm", {"id": job_id, "state": "cancelled"})

    async def _warm(
        self, record: JobRecord, progress: Callable[[WarmProgress], None], resumed: bool
    ) -> None:
        job_id = record.id
        record.state = "running"
        record.resumed = resumed
        self._save(record)
        self.publish("warm", record.summary())
        try:
            report = await self.client.warm(
                list(record.names),
                concurrency=self.concurrency,
                progress=progress,
                state_dir=self.folder / "journal",
            )
        except BooksTrackerError as exc:
            record.state, record.error = "failed", error_summary(exc)
        except Exception as exc:
            _log.exception("warming job %s failed", job_id)
            record.state, record.error = "failed", f"internal error: {type(exc).__name__}"
        else:
            document = report.to_dict()
            document["rejected_rows"] = record.rejected_rows
            record.state, record.report = "done", document
        record.finished_at = round(time.time(), 3)
        with contextlib.suppress(_Deleted):
            self._save(record)
        self.publish("warm", record.summary())

    def delete(self, job_id: str) -> bool:
        """Stop the job (in whichever process runs it) and forget it; False if unknown."""
        if self.get(job_id) is None:
            return False
        self._forget(job_id)
        scope = self._scopes.get(job_id)
        if scope is not None:
            scope.cancel()
        else:
            self.publish("warm", {"id": job_id, "state": "cancelled"})
        return True

    def _forget(self, job_id: str) -> None:
        self._path(job_id).unlink(missing_ok=True)
        (self.folder / f"{job_id}.lock").unlink(missing_ok=True)

    def upload_path(self) -> Path:
        """A fresh file name in the jobs folder for an upload being received."""
        return self.folder / f"upload-{secrets.token_hex(8)}.tmp"

    def iter_active(self) -> Iterator[JSONDict]:
        for record in self.all():
            if record.state in ACTIVE:
                yield record.summary()


class _Deleted(Exception):
    """The job's record was removed while it ran."""
