"""The PostgreSQL mirror (psycopg 3, the ``postgres`` extra): many workers or machines share it.

The same schema as the SQLite store, in a schema of its own (``bookstracker_mirror`` unless the
URL says ``?schema=…``), applied as numbered migrations. Batches are loaded with ``COPY``;
full-text search uses GIN indexes over ``to_tsvector('simple', label)``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

__all__ = ["DEFAULT_SCHEMA", "MIGRATIONS", "PostgresStore", "split_url"]

DEFAULT_SCHEMA = "bookstracker_mirror"
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_LOCK_ID = 7_301_013  # pg_advisory_xact_lock: one batch writer at a time

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE records (
        id BIGINT PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        revision INTEGER NOT NULL,
        last_modified TEXT NOT NULL,
        label TEXT,
        data TEXT NOT NULL
    );
    CREATE TABLE author_names (
        name_key TEXT NOT NULL, author_id BIGINT NOT NULL, PRIMARY KEY (name_key, author_id)
    );
    CREATE TABLE work_authors (
        author_key TEXT NOT NULL, work_id BIGINT NOT NULL, PRIMARY KEY (author_key, work_id)
    );
    CREATE TABLE edition_works (
        work_key TEXT NOT NULL, edition_id BIGINT NOT NULL,
        languages TEXT NOT NULL, isbn13s TEXT NOT NULL, year INTEGER,
        PRIMARY KEY (work_key, edition_id)
    );
    CREATE TABLE isbns (
        isbn13 TEXT NOT NULL, edition_id BIGINT NOT NULL, PRIMARY KEY (isbn13, edition_id)
    );
    CREATE INDEX records_author_text ON records
        USING gin (to_tsvector('simple', label)) WHERE kind = 'author';
    CREATE INDEX records_work_text ON records
        USING gin (to_tsvector('simple', label)) WHERE kind = 'work';
    CREATE TABLE counts (kind TEXT PRIMARY KEY, n BIGINT NOT NULL);
    CREATE TABLE imports (
        source TEXT PRIMARY KEY, kind TEXT, dump_date TEXT, size BIGINT NOT NULL,
        fingerprint TEXT NOT NULL, lines BIGINT NOT NULL, records BIGINT NOT NULL,
        applied BIGINT NOT NULL, skipped BIGINT NOT NULL, bad BIGINT NOT NULL,
        bad_samples TEXT NOT NULL, complete BOOLEAN NOT NULL, started TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
)


def split_url(url: str) -> tuple[str, str, str]:
    """(connection URL without ``schema=``, schema name, the URL for display without password)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), DEFAULT_SCHEMA)
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ConfigurationError(f"invalid mirror schema name {schema!r} (a-z, 0-9, _)")
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    connect = urlunsplit(parts._replace(query=rest))
    host = parts.hostname or ""
    netloc = (f"{parts.username}@" if parts.username else "") + host
    if parts.port:
        netloc += f":{parts.port}"
    shown = urlunsplit((parts.scheme, netloc, parts.path, "", "")) + f" (schema {schema})"
    return connect, schema, shown


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
        state.complete,
        state.started,
        state.updated,
    )


_UPSERT_STATE = (
    "INSERT INTO imports VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
    " ON CONFLICT (source) DO UPDATE SET kind=excluded.kind, dump_date=excluded.dump_date,"
    " size=excluded.size, fingerprint=excluded.fingerprint, lines=excluded.lines,"
    " records=excluded.records, applied=excluded.applied, skipped=excluded.skipped,"
    " bad=excluded.bad, bad_samples=excluded.bad_samples, complete=excluded.complete,"
    " started=excluded.started, updated=excluded.updated"
)
_RECORD = "SELECT r.key, r.kind, r.revision, r.data FROM records r"


class PostgresStore:
    """A mirror in PostgreSQL; ``url`` is ``postgresql://user@host:port/db[?schema=name]``."""

    backend = "postgresql"

    def __init__(self, url: str, *, connect_timeout: float = 5.0) -> None:
        try:
            import psycopg
        except ImportError:
            raise ConfigurationError(
                "a PostgreSQL mirror needs psycopg: pip install 'bookstracker[postgres]'"
            ) from None
        connect, self.schema, self.location = split_url(url)
        try:
            self._db = psycopg.connect(
                connect, autocommit=True, connect_timeout=str(connect_timeout)
            )
        except psycopg.Error as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigurationError(
                f"cannot connect to the mirror at {self.location}: {reason}"
            ) from None
        self._lock = threading.RLock()
        self._migrate()

    def __repr__(self) -> str:
        return f"PostgresStore({self.location!r})"

    def _migrate(self) -> None:
        with self._lock, self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            self._db.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self._db.execute(f'SET search_path TO "{self.schema}"')
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"
            )
            row = self._db.execute("SELECT max(version) FROM schema_migrations").fetchone()
            version = column_int(first_column(row) or 0)
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute("INSERT INTO schema_migrations VALUES (%s)", (number,))
        self._db.execute(f'SET search_path TO "{self.schema}"')

    def drop(self) -> None:
        """Remove the mirror's schema and everything in it."""
        with self._lock:
            self._db.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    @contextmanager
    def _write(self) -> Iterator[psycopg.Connection[TupleRow]]:
        with self._lock, self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            yield self._db

    # -- writing -------------------------------------------------------------------------------

    def import_state(self, source: str) -> ImportState | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM imports WHERE source = %s", (source,)).fetchone()
        return state_from(row) if row else None

    def save_state(self, state: ImportState) -> None:
        with self._write() as db:
            db.execute(_UPSERT_STATE, _state_row(state))

    def apply(self, records: Sequence[DumpRecord], state: ImportState) -> int:
        with self._write() as db:
            keys = list(dict.fromkeys(r.key for r in records))
            existing = {
                key: ExistingRow(id=rid, revision=revision, kind=kind, data=data)
                for key, rid, revision, kind, data in db.execute(
                    "SELECT key, id, revision, kind, data FROM records WHERE key = ANY(%s)",
                    (keys,),
                )
            }
            next_id = column_int(
                first_column(db.execute("SELECT coalesce(max(id), 0) + 1 FROM records").fetchone())
            )
            plan = plan_batch(records, existing, next_id)
            self._write_plan(db, plan)
            state = attrs.evolve(state, applied=state.applied + plan.applied)
            db.execute(_UPSERT_STATE, _state_row(state))
        return plan.applied

    @staticmethod
    def _copy(
        db: psycopg.Connection[TupleRow], table: str, columns: str, rows: Iterable[Sequence[object]]
    ) -> None:
        rows = list(rows)
        if not rows:
            return
        with (
            db.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def _write_plan(self, db: psycopg.Connection[TupleRow], plan: BatchPlan) -> None:
        gone = plan.removed
        with db.cursor() as cursor:
            if gone:
                cursor.executemany(
                    "DELETE FROM author_names WHERE name_key = %s AND author_id = %s", gone.names
                )
                cursor.executemany(
                    "DELETE FROM work_authors WHERE author_key = %s AND work_id = %s",
                    gone.work_authors,
                )
                cursor.executemany(
                    "DELETE FROM edition_works WHERE work_key = %s AND edition_id = %s",
                    [row[:2] for row in gone.edition_works],
                )
                cursor.executemany(
                    "DELETE FROM isbns WHERE isbn13 = %s AND edition_id = %s", gone.isbns
                )
            if plan.updates:
                cursor.executemany(
                    "UPDATE records SET key=%s, kind=%s, revision=%s, last_modified=%s,"
                    " label=%s, data=%s WHERE id=%s",
                    [(*row[1:], row[0]) for row in plan.updates],
                )
        self._copy(
            db, "records", "id, key, kind, revision, last_modified, label, data", plan.inserts
        )
        new = plan.added
        self._copy(db, "author_names", "name_key, author_id", new.names)
        self._copy(db, "work_authors", "author_key, work_id", new.work_authors)
        self._copy(
            db, "edition_works", "work_key, edition_id, languages, isbn13s, year", new.edition_works
        )
        self._copy(db, "isbns", "isbn13, edition_id", new.isbns)
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO counts VALUES (%s, %s)"
                " ON CONFLICT (kind) DO UPDATE SET n = counts.n + excluded.n",
                list(plan.count_deltas.items()),
            )

    # -- reading -------------------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[Sequence[object]]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    def records(self, keys: Sequence[str]) -> dict[str, StoredRecord]:
        rows = self._query(_RECORD + " WHERE r.key = ANY(%s)", (list(keys),))
        return {r.key: r for r in stored_records(rows)}

    def authors_named(self, name_key: str, limit: int) -> list[StoredRecord]:
        return stored_records(
            self._query(
                _RECORD + " JOIN author_names n ON r.id = n.author_id"
                " WHERE n.name_key = %s AND r.kind = 'author' ORDER BY r.id LIMIT %s",
                (name_key, limit),
            )
        )

    def _search(self, kind: str, text: str, limit: int) -> list[StoredRecord]:
        if not re.search(r"\w", text):
            return []
        return stored_records(
            self._query(
                _RECORD + " WHERE r.kind = %s"
                " AND to_tsvector('simple', r.label) @@ plainto_tsquery('simple', %s)"
                " ORDER BY r.id LIMIT %s",
                (kind, text[:500], limit),
            )
        )

    def search_authors(self, text: str, limit: int) -> list[StoredRecord]:
        return self._search("author", text, limit)

    def search_works(self, text: str, limit: int) -> list[StoredRecord]:
        return self._search("work", text, limit)

    def works_of(self, author_key: str, limit: int) -> list[StoredRecord]:
        return stored_records(
            self._query(
                _RECORD + " JOIN work_authors w ON r.id = w.work_id"
                " WHERE w.author_key = %s AND r.kind = 'work' ORDER BY w.work_id LIMIT %s",
                (author_key, limit),
            )
        )

    def work_counts(self, author_keys: Sequence[str]) -> dict[str, int]:
        out = dict.fromkeys(author_keys, 0)
        for key, count in self._query(
            "SELECT author_key, count(*) FROM work_authors WHERE author_key = ANY(%s)"
            " GROUP BY author_key",
            (list(out),),
        ):
            out[column_text(key)] = column_int(count)
        return out

    def edition_summaries(self, work_keys: Sequence[str]) -> list[EditionSummary]:
        rows = self._query(
            "SELECT e.work_key, r.key, e.languages, e.isbn13s, e.year FROM edition_works e"
            " JOIN records r ON r.id = e.edition_id WHERE e.work_key = ANY(%s)"
            " ORDER BY e.work_key, e.edition_id",
            (list(dict.fromkeys(work_keys)),),
        )
        return summaries_from(rows)

    def editions_of(self, work_keys: Sequence[str], limit: int) -> list[StoredRecord]:
        return stored_records(
            self._query(
                _RECORD + " JOIN edition_works e ON r.id = e.edition_id"
                " WHERE e.work_key = ANY(%s) ORDER BY e.work_key, e.edition_id LIMIT %s",
                (list(dict.fromkeys(work_keys)), limit),
            )
        )

    def editions_by_isbn(self, isbn13s: Sequence[str]) -> dict[str, StoredRecord]:
        rows = self._query(
            "SELECT DISTINCT ON (i.isbn13) i.isbn13, r.key, r.kind, r.revision, r.data"
            " FROM isbns i JOIN records r ON r.id = i.edition_id WHERE i.isbn13 = ANY(%s)"
            " ORDER BY i.isbn13, i.edition_id",
            (list(dict.fromkeys(isbn13s)),),
        )
        return records_by_first_column(rows)

    def status(self) -> MirrorStatus:
        with self._lock:
            imports = [
                state_from(r)
                for r in self._db.execute(
                    "SELECT * FROM imports ORDER BY started, source"
                ).fetchall()
            ]
            counts = counts_by_text(self._db.execute("SELECT kind, n FROM counts").fetchall())
            size_row = self._db.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
                (self.schema,),
            ).fetchone()
            size = first_column(size_row)
        return MirrorStatus(
            location=self.location,
            backend=self.backend,
            imports=tuple(imports),
            counts={k: int(counts.get(k, 0)) for k in KINDS},
            bytes_on_disk=int(size) if isinstance(size, (int, Decimal)) else 0,
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()
