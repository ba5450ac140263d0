"""A warming job's file is read back checked: a record that is not one counts as no job."""

from __future__ import annotations

import json

import pytest

from bookstracker.web.jobs import JobRecord

RECORD = JobRecord(
    id="0123456789abcdef",
    state="done",
    source="names",
    names=["Ursula K. Le Guin"],
    created_at=1764720000.5,
    progress={"total": 1, "done": 1},
    rejected_count=1,
    rejected_rows=[{"line": 3, "reason": "no author"}],
    finished_at=1764720001.0,
    report={"authors": 1, "warmed": 1, "failed": []},
)


def test_a_record_reads_back_from_its_file() -> None:
    text = json.dumps(RECORD.to_dict())
    assert JobRecord.from_json(json.loads(text)) == RECORD


def test_the_summary_leaves_out_the_names_and_the_report() -> None:
    summary = RECORD.summary()
    assert "names" not in summary
    assert "report" not in summary
    assert summary["progress"] == {"total": 1, "done": 1}


@pytest.mark.parametrize(
    "change",
    [
        {"id": 7},
        {"state": None},
        {"names": "Le Guin"},
        {"names": ["Le Guin", 2]},
        {"created_at": "yesterday"},
        {"rejected_count": "1"},
    ],
)
def test_a_file_with_a_mistyped_field_is_no_record(change: dict[str, object]) -> None:
    assert JobRecord.from_json({**RECORD.to_dict(), **change}) is None


def test_a_file_that_is_not_an_object_is_no_record() -> None:
    assert JobRecord.from_json([RECORD.to_dict()]) is None
