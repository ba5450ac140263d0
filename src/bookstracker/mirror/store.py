"""The store interface both backends implement, and the batch plan they share.

A batch of dump records becomes a `BatchPlan` in plain Python (which records are new, which
replace an older revision, which index entries go and come); each backend only writes the plan
and the import checkpoint in one transaction. Reads return raw records (`StoredRecord`) and
per-edition summaries; turning them into models is the provider adapter's job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

import attrs

from bookstracker._json import JSONDict
from bookstracker.mirror.records import (
    KINDS,
    BadLine,
    DumpRecord,
    IndexRows,
    index_rows,
    lean_record,
)

__all__ = [
    "BatchPlan",
    "CorruptRow",
    "EditionSummary",
    "ExistingRow",
    "ImportState",
    "IndexEntries",
    "MirrorStatus",
    "MirrorStore",
    "StoredRecord",
    "column_int",
    "column_text",
    "counts_by_text",
    "first_column",
    "plan_batch",
    "records_by_first_column",
    "state_from",
    "stored_records",
    "summaries_from",
]

MAX_BAD_SAMPLES = 100
"""Bad lines remembered per dump file (line number and reason); the count covers them all."""


@attrs.frozen(kw_only=True, slots=True)
class StoredRecord:
    """A record as the mirror holds it: the raw JSON text of its latest revision."""

    key: str
    kind: str
    revision: int
    data: str

    def json(self) -> dict[str, object]:
        """The record's JSON object (empty when the stored text is not one)."""
        value: object = json.loads(self.data)
        if isinstance(value, dict) and all(type(key) is str for key in value):
            return value
        return {}


@attrs.frozen(kw_only=True, slots=True)
class EditionSummary:
    """What the works index says about one edition, without reading its record."""

    work_key: str
    edition_key: str
    languages: tuple[str, ...]
    isbn13s: tuple[str, ...]
    year: int | None


@attrs.frozen(kw_only=True)
class ImportState:
    """One dump file's import: how far it got (the resume point) and what it found."""

    source: str
    kind: str | None = None
    dump_date: str | None = None
    size: int = 0
    fingerprint: str = ""
    lines: int = 0
    records: int = 0
    applied: int = 0
    skipped: int = 0
    bad: int = 0
    bad_samples: tuple[tuple[int, str], ...] = ()
    complete: bool = False
    started: str = ""
    updated: str = ""

    def samples_json(self) -> str:
        return json.dumps([list(s) for s in self.bad_samples[:MAX_BAD_SAMPLES]])

    @staticmethod
    def samples_from(text: str | None) -> tuple[tuple[int, str], ...]:
        try:
            items = json.loads(text or "[]")
        except ValueError:
            return ()
        out = []
        for item in items if isinstance(items, list) else ():
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], int):
                out.append((item[0], str(item[1])[:200]))
        return tuple(out[:MAX_BAD_SAMPLES])


@attrs.frozen(kw_only=True)
class MirrorStatus:
    """What ``bookstracker mirror status`` shows."""

    location: str
    backend: str
    imports: tuple[ImportState, ...]
    counts: Mapping[str, int]
    bytes_on_disk: int

    @property
    def dump_dates(self) -> tuple[str, ...]:
        return tuple(sorted({i.dump_date for i in self.imports if i.dump_date and i.complete}))

    def to_dict(self) -> JSONDict:
        return {
            "location": self.location,
            "backend": self.backend,
            "dump_dates": list(self.dump_dates),
            "counts": {k: self.counts.get(k, 0) for k in KINDS},
            "bytes_on_disk": self.bytes_on_disk,
            "imports": [
                {
                    "source": i.source,
                    "kind": i.kind,
                    "dump_date": i.dump_date,
                    "complete": i.complete,
                    "lines": i.lines,
                    "records": i.records,
                    "applied": i.applied,
                    "skipped": i.skipped,
                    "bad": i.bad,
                    "bad_lines": [{"line": n, "reason": r} for n, r in i.bad_samples],
                    "updated": i.updated,
                }
                for i in self.imports
            ],
        }


@attrs.frozen(kw_only=True, slots=True)
class ExistingRow:
    """A stored record a batch may replace: its id, revision, kind and raw JSON."""

    id: int
    revision: int
    kind: str
    data: str


@attrs.define
class IndexEntries:
    """Index rows to add or remove, one list per index."""

    names: list[tuple[str, int]] = attrs.field(factory=list)
    work_authors: list[tuple[str, int]] = attrs.field(factory=list)
    edition_works: list[tuple[str, int, str, str, int | None]] = attrs.field(factory=list)
    isbns: list[tuple[str, int]] = attrs.field(factory=list)
    author_text: list[tuple[int, str]] = attrs.field(factory=list)
    work_text: list[tuple[int, str]] = attrs.field(factory=list)

    def add(self, record_id: int, kind: str, rows: IndexRows) -> None:
        for name in rows.name_keys:
            self.names.append((name, record_id))
        for author in rows.author_keys:
            self.work_authors.append((author, record_id))
        if kind == "edition":
            languages = " ".join(rows.languages)
            isbns = " ".join(rows.isbn13s)
            for work in rows.work_keys:
                self.edition_works.append((work, record_id, languages, isbns, rows.year))
            for isbn in rows.isbn13s:
                self.isbns.append((isbn, record_id))
        if rows.search_text:
            target = self.author_text if kind == "author" else self.work_text
            target.append((record_id, rows.search_text))

    def __bool__(self) -> bool:
        return any(
            (
                self.names,
                self.work_authors,
                self.edition_works,
                self.isbns,
                self.author_text,
                self.work_text,
            )
        )


@attrs.define
class BatchPlan:
    """What one batch changes.

    Record rows are ``(id, key, kind, revision, last_modified, label, data)``.
    """

    inserts: list[tuple[int, str, str, int, str, str | None, str]] = attrs.field(factory=list)
    updates: list[tuple[int, str, str, int, str, str | None, str]] = attrs.field(factory=list)
    removed: IndexEntries = attrs.field(factory=IndexEntries)
    added: IndexEntries = attrs.field(factory=IndexEntries)
    count_deltas: dict[str, int] = attrs.field(factory=dict)

    @property
    def applied(self) -> int:
        return len(self.inserts) + len(self.updates)


class CorruptRow(ValueError):
    """A row read back from a mirror's database does not hold what the schema says."""


def first_column(row: Sequence[object] | None) -> object:
    """The first value of a row, or ``None`` for no row."""
    return row[0] if row else None


def column_text(value: object) -> str:
    """A TEXT column's value; `CorruptRow` when it holds something else."""
    if isinstance(value, str):
        return value
    raise CorruptRow(f"a text column holds a {type(value).__name__}")


def column_int(value: object) -> int:
    """An INTEGER column's value; `CorruptRow` when it holds something else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise CorruptRow(f"an integer column holds a {type(value).__name__}")


def _column_text_or_none(value: object) -> str | None:
    return None if value is None else column_text(value)


def state_from(row: Sequence[object]) -> ImportState:
    """An ``imports`` row (``SELECT *``) as an `ImportState`."""
    samples = row[10]
    return ImportState(
        source=column_text(row[0]),
        kind=_column_text_or_none(row[1]),
        dump_date=_column_text_or_none(row[2]),
        size=column_int(row[3]),
        fingerprint=column_text(row[4]),
        lines=column_int(row[5]),
        records=column_int(row[6]),
        applied=column_int(row[7]),
        skipped=column_int(row[8]),
        bad=column_int(row[9]),
        bad_samples=ImportState.samples_from(samples if isinstance(samples, str) else None),
        complete=bool(row[11]),
        started=column_text(row[12]),
        updated=column_text(row[13]),
    )


def stored_records(rows: Iterable[Sequence[object]]) -> list[StoredRecord]:
    """``(key, kind, revision, data)`` rows as `StoredRecord` values."""
    out: list[StoredRecord] = []
    for key, kind, revision, data in rows:
        if type(key) is str and type(kind) is str and type(revision) is int and type(data) is str:
            out.append(StoredRecord(key=key, kind=kind, revision=revision, data=data))
        else:  # the slow path: checks each column, naming the one that is wrong
            out.append(
                StoredRecord(
                    key=column_text(key),
                    kind=column_text(kind),
                    revision=column_int(revision),
                    data=column_text(data),
                )
            )
    return out


def records_by_first_column(rows: Iterable[Sequence[object]]) -> dict[str, StoredRecord]:
    """``(name, key, kind, revision, data)`` rows as records by name (a later row wins)."""
    return {column_text(row[0]): stored_records([row[1:]])[0] for row in rows}


def summaries_from(rows: Iterable[Sequence[object]]) -> list[EditionSummary]:
    """``(work_key, edition_key, languages, isbn13s, year)`` rows of the ``edition_works``
    index as `EditionSummary` values."""
    return [
        EditionSummary(
            work_key=column_text(work),
            edition_key=column_text(key),
            languages=tuple(column_text(languages).split()),
            isbn13s=tuple(column_text(isbns).split()),
            year=None if year is None else column_int(year),
        )
        for work, key, languages, isbns, year in rows
    ]


def counts_by_text(rows: Iterable[Sequence[object]]) -> dict[str, int]:
    """``(text, count)`` rows as a mapping."""
    return {column_text(text): column_int(count) for text, count in rows}


def _old_rows(kind: str, data: str) -> IndexRows:
    try:
        return index_rows(kind, lean_record(data))
    except BadLine:
        return IndexRows()


def newest_per_key(records: Iterable[DumpRecord]) -> list[DumpRecord]:
    """One record per key: the highest revision (the later line on a tie)."""
    best: dict[str, DumpRecord] = {}
    for record in records:
        current = best.get(record.key)
        if current is None or record.revision >= current.revision:
            best[record.key] = record
    return list(best.values())


def plan_batch(
    records: Sequence[DumpRecord], existing: Mapping[str, ExistingRow], next_id: int
) -> BatchPlan:
    """The changes ``records`` make over the stored ``existing`` rows of their keys.

    A record replaces a stored one only with a higher revision; the same or an older revision
    changes nothing (re-importing a dump, or resuming one, is harmless). New records get ids
    from ``next_id`` on, in the batch's order.
    """
    plan = BatchPlan()
    for record in newest_per_key(records):
        rows = record.entries
        label = rows.search_text if record.kind in ("author", "work") else rows.location
        old = existing.get(record.key)
        if old is None:
            record_id = next_id
            next_id += 1
            plan.inserts.append(
                (
                    record_id,
                    record.key,
                    record.kind,
                    record.revision,
                    record.last_modified,
                    label,
                    record.data,
                )
            )
        elif record.revision > old.revision:
            record_id = old.id
            plan.removed.add(old.id, old.kind, _old_rows(old.kind, old.data))
            plan.count_deltas[old.kind] = plan.count_deltas.get(old.kind, 0) - 1
            plan.updates.append(
                (
                    record_id,
                    record.key,
                    record.kind,
                    record.revision,
                    record.last_modified,
                    label,
                    record.data,
                )
            )
        else:
            continue
        plan.count_deltas[record.kind] = plan.count_deltas.get(record.kind, 0) + 1
        plan.added.add(record_id, record.kind, rows)
    return plan


@runtime_checkable
class MirrorStore(Protocol):
    """A mirror of the OpenLibrary dumps: SQLite (`SQLiteStore`) or PostgreSQL (`PostgresStore`).

    Implementations are thread-safe: the provider adapter calls them from worker threads.
    """

    backend: str
    location: str
    """Where the data lives, for people (never a password)."""

    def import_state(self, source: str) -> ImportState | None:
        """The saved progress of a dump file's import, if it was started."""
        ...

    def apply(self, records: Sequence[DumpRecord], state: ImportState) -> int:
        """Write a batch and the import checkpoint in one transaction; the records applied.

        The checkpoint is saved with ``applied`` raised by the records this batch applied.
        """
        ...

    def save_state(self, state: ImportState) -> None:
        """Write the import checkpoint alone (at the end of a file)."""
        ...

    def records(self, keys: Sequence[str]) -> dict[str, StoredRecord]:
        """The stored records of these bare keys (redirects and deletes included)."""
        ...

    def authors_named(self, name_key: str, limit: int) -> list[StoredRecord]:
        """Authors whose name or an alternate name has this `names.name_key`."""
        ...

    def search_authors(self, text: str, limit: int) -> list[StoredRecord]:
        """Authors whose names hold every word of ``text`` (full-text index)."""
        ...

    def search_works(self, text: str, limit: int) -> list[StoredRecord]:
        """Works whose title holds every word of ``text`` (full-text index)."""
        ...

    def works_of(self, author_key: str, limit: int) -> list[StoredRecord]:
        """The author's works, in dump order."""
        ...

    def work_counts(self, author_keys: Sequence[str]) -> dict[str, int]:
        """How many works list each author."""
        ...

    def edition_summaries(self, work_keys: Sequence[str]) -> list[EditionSummary]:
        """Every edition of these works, as summaries, in dump order per work."""
        ...

    def editions_of(self, work_keys: Sequence[str], limit: int) -> list[StoredRecord]:
        """The editions' records of these works (by work key, then in dump order), at most
        ``limit``."""
        ...

    def editions_by_isbn(self, isbn13s: Sequence[str]) -> dict[str, StoredRecord]:
        """For each ISBN-13 held, the first edition (in dump order) carrying it."""
        ...

    def status(self) -> MirrorStatus: ...

    def close(self) -> None: ...
