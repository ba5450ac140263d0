"""Rows read back from a mirror's database are checked against the schema's column types."""

from __future__ import annotations

import pytest

from bookstracker.mirror.store import (
    CorruptRow,
    ImportState,
    StoredRecord,
    counts_by_text,
    first_column,
    records_by_first_column,
    state_from,
    stored_records,
    summaries_from,
)

STATE_ROW = (
    "ol_dump_authors.txt.gz", "author", "2026-11-30", 10, "abc", 5, 4, 4, 1, 0,
    '[[3, "bad JSON"]]', 1, "2026-12-01T00:00:00", "2026-12-01T00:01:00",
)  # fmt: skip


def test_an_imports_row_reads_as_its_state() -> None:
    state = state_from(STATE_ROW)
    assert state == ImportState(
        source="ol_dump_authors.txt.gz",
        kind="author",
        dump_date="2026-11-30",
        size=10,
        fingerprint="abc",
        lines=5,
        records=4,
        applied=4,
        skipped=1,
        bad=0,
        bad_samples=((3, "bad JSON"),),
        complete=True,
        started="2026-12-01T00:00:00",
        updated="2026-12-01T00:01:00",
    )


@pytest.mark.parametrize(("index", "value"), [(0, None), (3, "10"), (5, True), (12, 7)])
def test_an_imports_row_with_a_mistyped_column_is_refused(index: int, value: object) -> None:
    row = list(STATE_ROW)
    row[index] = value
    with pytest.raises(CorruptRow):
        state_from(row)


def test_record_rows_read_as_stored_records() -> None:
    rows = [("OL1A", "author", 3, "{}"), ("OL2W", "work", 1, '{"title": "x"}')]
    assert stored_records(rows) == [
        StoredRecord(key="OL1A", kind="author", revision=3, data="{}"),
        StoredRecord(key="OL2W", kind="work", revision=1, data='{"title": "x"}'),
    ]
    keyed = records_by_first_column([("9780000000002", *rows[0])])
    assert keyed == {"9780000000002": stored_records(rows[:1])[0]}
    with pytest.raises(CorruptRow):
        stored_records([("OL1A", "author", "3", "{}")])


def test_summary_and_count_rows() -> None:
    (summary,) = summaries_from([("OL2W", "OL3M", "en fr", "9780000000002", None)])
    assert (summary.languages, summary.isbn13s, summary.year) == (
        ("en", "fr"),
        ("9780000000002",),
        None,
    )
    assert counts_by_text([("author", 2), ("work", 5)]) == {"author": 2, "work": 5}
    with pytest.raises(CorruptRow):
        counts_by_text([("author", 2.5)])
    assert first_column(None) is None
    assert first_column((4,)) == 4


def test_a_record_whose_json_is_not_an_object_reads_as_empty() -> None:
    assert StoredRecord(key="OL1A", kind="author", revision=1, data="[1, 2]").json() == {}
    assert StoredRecord(key="OL1A", kind="author", revision=1, data='{"a": 1}').json() == {"a": 1}
