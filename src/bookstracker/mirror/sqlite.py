"""The SQLite mirror: one file, WAL, FTS5 over author names and work titles.

Schema (migration 1): ``records`` holds every kept record (raw JSON, revision, kind, and a
``label``: the searchable names/title, or a redirect's target); the indexes are ``WITHOUT
ROWID`` tables keyed for their look-ups (name key → author, author key → works, work key →
editions with their languages/ISBNs/year, ISBN-13 → editions); ``author_fts``/``work_fts`` are
external-content FTS5 tables over ``records.label``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import attrs

from bookstracker.errors import ConfigurationError
from bookstracker.mirror.records import KINDS, DumpRecord
from bookstracker.mirror.store import (
    BatchPlan,
    EditionSummary,
    ExistingRow,
    ImportState,
    MirrorStatus,
    StoredRecord,
    column_int,
    column_text,
    counts_by_text,
    first_column,
    plan_batch,
    records_by_first_column,
    state_from,
    stored_records,
    summaries_from,
)

__all__ = ["MIGRATIONS", "SQLiteStore"]

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        revision INTEGER NOT NULL,
        last_modified TEXT NOT NULL,
        label TEXT,
        data TEXT NOT NULL
    );
    CREATE TABLE author_names (
        name_key TEXT NOT NULL, author_id INTEGER NOT NULL, PRIMARY KEY (name_key, author_id)
    ) WITHOUT ROWID;
    CREATE TABLE work_authors (
        author_key TEXT NOT NULL, work_id INTEGER NOT NULL, PRIMARY KEY (author_key, work_id)
    ) WITHOUT ROWID;
    CREATE TABLE edition_works (
        work_key TEXT NOT NULL, edition_id INTEGER NOT NULL,
        languages TEXT NOT NULL, isbn13s TEXT NOT NULL, year INTEGER,
        PRIMARY KEY (work_key, edition_id)
    ) WITHOUT ROWID;
    CREATE TABLE isbns (
        isbn13 TEXT NOT NULL, edition_id INTEGER NOT NULL, PRIMARY KEY (isbn13, edition_id)
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE author_fts USING fts5(
        label, content='records', content_rowid='id', detail='none',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE work_fts USING fts5(
        label, content='records', content_rowid='id', detail='none',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TABLE counts (kind TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE imports (
        source TEXT PRIMARY KEY, kind TEXT, dump_date TEXT, size INTEGER NOT NULL,
        fingerprint TEXT NOT NULL, lines INTEGER NOT NULL, records INTEGER NOT NULL,
        applied INTEGER NOT NULL, skipped INTEGER NOT NULL, bad INTEGER NOT NULL,
        bad_samples TEXT NOT NULL, complete INTEGER NOT NULL, started TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
)

_CHUNK = 5000 if sqlite3.sqlite_version_info >= (3, 32) else 900
"""Values bound in one ``IN (…)``: SQLite 3.32 raised the limit from 999 to 32,766."""
_WORD = re.compile(r"\w+", re.UNICODE)


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fts_query(text: str) -> str | None:
    """An FTS5 query matching every word of ``text`` (each word quoted: no operators)."""
    words = _WORD.findall(text)[:16]
    return " ".join(f'"{w}"' for w in words) or None


def _state_row(state: ImportState) -> tuple[object, ...]:
    return (
        state.source,
        state.kind,
        state.dump_date,
        state.size,
        state.fingerprint,
        state.lines,
        state.records,
        state.applied,
        state.skipped,
        state.bad,
        state.samples_json(),
        int(state.complete),
        state.started,
        state.updated,
    )


class SQLiteStore:
    """A mirror in one SQLite file (created with its folder when missing)."""

    backend = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, cache_mb: int = 64) -> None:
        self.path = Path(path).expanduser()
        self.location = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise ConfigurationError(f"cannot open the mirror at {self.path}: {exc}") from None
        self._lock = threading.RLock()
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
        db.execute("PRAGMA temp_store=MEMORY")
        db.execute("PRAGMA wal_autocheckpoint=16384")
        self._migrate()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.location!r})"

    def _migrate(self) -> None:
        with self._lock:
            version = column_int(first_column(self._db.execute("PRAGMA user_version").fetchone()))
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in script.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version={number}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- writing -------------------------------------------------------------------------------

    def import_state(self, source: str) -> ImportState | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM imports WHERE source = ?", (source,)).fetchone()
        return state_from(row) if row else None

    def save_state(self, state: ImportState) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO imports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                _state_row(state),
            )

    def apply(self, records: Sequence[DumpRecord], state: ImportState) -> int:
        with self._write() as db:
            existing: dict[str, ExistingRow] = {}
            keys = list(dict.fromkeys(r.key for r in records))
            for chunk in _chunks(keys):
                marks = ",".join("?" * len(chunk))
                for key, rid, revision, kind, data in db.execute(
                    f"SELECT key, id, revision, kind, data FROM records WHERE key IN ({marks})",  # noqa: S608
                    chunk,
                ):
                    existing[key] = ExistingRow(id=rid, revision=revision, kind=kind, data=data)
            next_id = (
                column_int(first_column(db.execute("SELECT max(id) FROM records").fetchone()) or 0)
                + 1
            )
            plan = plan_batch(records, existing, next_id)
            self._write_plan(db, plan)
            state = attrs.evolve(state, applied=state.applied + plan.applied)
            db.execute(
                "INSERT OR REPLACE INTO imports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                _state_row(state),
            )
        return plan.applied

    @staticmethod
    def _write_plan(db: sqlite3.Connection, plan: BatchPlan) -> None:
        gone = plan.removed
        if gone:
            db.executemany(
                "INSERT INTO author_fts(author_fts, rowid, label) VALUES('delete', ?, ?)",
                gone.author_text,
            )
            db.executemany(
                "INSERT INTO work_fts(work_fts, rowid, label) VALUES('delete', ?, ?)",
                gone.work_text,
            )
            db.executemany(
                "DELETE FROM author_names WHERE name_key = ? AND author_id = ?", gone.names
            )
            db.executemany(
                "DELETE FROM work_authors WHERE author_key = ? AND work_id = ?", gone.work_authors
            )
            db.executemany(
                "DELETE FROM edition_works WHERE work_key = ? AND edition_id = ?",
                [row[:2] for row in gone.edition_works],
            )
            db.executemany("DELETE FROM isbns WHERE isbn13 = ? AND edition_id = ?", gone.isbns)
        db.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?)", plan.inserts)
        db.executemany(
            "UPDATE records SET key=?2, kind=?3, revision=?4, last_modified=?5, label=?6, data=?7"
            " WHERE id=?1",
            plan.updates,
        )
        new = plan.added
        db.executemany("INSERT OR IGNORE INTO author_names VALUES (?, ?)", new.names)
        db.executemany("INSERT OR IGNORE INTO work_authors VALUES (?, ?)", new.work_authors)
        db.executemany("INSERT OR IGNORE INTO edition_works VALUES (?,?,?,?,?)", new.edition_works)
        db.executemany("INSERT OR IGNORE INTO isbns VALUES (?, ?)", new.isbns)
        db.executemany("INSERT INTO author_fts(rowid, label) VALUES (?, ?)", new.author_text)
        db.executemany("INSERT INTO work_fts(rowid, label) VALUES (?, ?)", new.work_text)
        db.executemany(
            "INSERT INTO counts VALUES (?, ?) ON CONFLICT(kind) DO UPDATE SET n = n + excluded.n",
            list(plan.count_deltas.items()),
        )

    # -- reading -------------------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Sequence[object]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def records(self, keys: Sequence[str]) -> dict[str, StoredRecord]:
        out: dict[str, StoredRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(keys))):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT key, kind, revision, data FROM records WHERE key IN ({marks})",  # noqa: S608
                chunk,
            )
            out.update((r.key, r) for r in stored_records(rows))
        return out

    def authors_named(self, name_key: str, limit: int) -> list[StoredRecord]:
        return stored_records(
            self._query(
                "SELECT r.key, r.kind, r.revision, r.data FROM author_names n"
                " JOIN records r ON r.id = n.author_id WHERE n.name_key = ? AND r.kind = 'author'"
                " ORDER BY r.id LIMIT ?",
                (name_key, limit),
            )
        )

    def search_authors(self, text: str, limit: int) -> list[StoredRecord]:
        return self._search("author_fts", "author", text, limit)

    def search_works(self, text: str, limit: int) -> list[StoredRecord]:
        return self._search("work_fts", "work", text, limit)

    def _search(self, table: str, kind: str, text: str, limit: int) -> list[StoredRecord]:
        query = fts_query(text)
        if query is None:
            return []
        return stored_records(
            self._query(
                f"SELECT r.key, r.kind, r.revision, r.data FROM {table} f"  # noqa: S608
                f" JOIN records r ON r.id = f.rowid WHERE {table} MATCH ? AND r.kind = ?"
                " ORDER BY r.id LIMIT ?",
                (query, kind, limit),
            )
        )

    def works_of(self, author_key: str, limit: int) -> list[StoredRecord]:
        return stored_records(
            self._query(
                "SELECT r.key, r.kind, r.revision, r.data FROM work_authors w"
                " JOIN records r ON r.id = w.work_id WHERE w.author_key = ? AND r.kind = 'work'"
                " ORDER BY w.work_id LIMIT ?",
                (author_key, limit),
            )
        )

    def work_counts(self, author_keys: Sequence[str]) -> dict[str, int]:
        out = dict.fromkeys(author_keys, 0)
        for chunk in _chunks(list(out)):
            marks = ",".join("?" * len(chunk))
            for key, count in self._query(
                f"SELECT author_key, count(*) FROM work_authors"  # noqa: S608
                f" WHERE author_key IN ({marks}) GROUP BY author_key",
                chunk,
            ):
                out[column_text(key)] = column_int(count)
        return out

    def edition_summaries(self, work_keys: Sequence[str]) -> list[EditionSummary]:
        out: list[EditionSummary] = []
        for chunk in _chunks(list(dict.fromkeys(work_keys))):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                "SELECT e.work_key, r.key, e.languages, e.isbn13s, e.year FROM edition_works e"  # noqa: S608
                f" JOIN records r ON r.id = e.edition_id WHERE e.work_key IN ({marks})"
                " ORDER BY e.work_key, e.edition_id",
                chunk,
            )
            out.extend(summaries_from(rows))
        return out

    def editions_of(self, work_keys: Sequence[str], limit: int) -> list[StoredRecord]:
        out: list[StoredRecord] = []
        for chunk in _chunks(sorted(set(work_keys))):
            marks = ",".join("?" * len(chunk))
            out.extend(
                stored_records(
                    self._query(
                        "SELECT r.key, r.kind, r.revision, r.data FROM edition_works e"  # noqa: S608
                        f" JOIN records r ON r.id = e.edition_id WHERE e.work_key IN ({marks})"
                        " ORDER BY e.work_key, e.edition_id LIMIT ?",
                        [*chunk, limit - len(out)],
                    )
                )
            )
            if len(out) >= limit:
                break
        return out[:limit]

    def editions_by_isbn(self, isbn13s: Sequence[str]) -> dict[str, StoredRecord]:
        out: dict[str, StoredRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(isbn13s))):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                "SELECT i.isbn13, r.key, r.kind, r.revision, r.data FROM isbns i"  # noqa: S608
                f" JOIN records r ON r.id = i.edition_id WHERE i.isbn13 IN ({marks})"
                " ORDER BY i.edition_id DESC",
                chunk,
            )
            out.update(records_by_first_column(rows))  # the lowest id is written last
        return out

    def status(self) -> MirrorStatus:
        with self._lock:
            imports = [
                state_from(r)
                for r in self._db.execute("SELECT * FROM imports ORDER BY started, source")
            ]
            counts = counts_by_text(self._db.execute("SELECT kind, n FROM counts").fetchall())
        size = 0
        for suffix in ("", "-wal", "-shm"):
            with suppress(OSError):
                size += os.path.getsize(str(self.path) + suffix)
        return MirrorStatus(
            location=self.location,
            backend=self.backend,
            imports=tuple(imports),
            counts={k: int(counts.get(k, 0)) for k in KINDS},
            bytes_on_disk=size,
        )

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (after a large import)."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            self._db.close()
