"""The dump importer: parsing, bad lines, resuming after a kill, newer dumps."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookstracker.errors import InvalidISBN
from bookstracker.isbn import isbn_pair
from bookstracker.mirror import (
    BadLine,
    DumpRecord,
    ImportProgress,
    dump_file_info,
    import_dump,
    import_dumps,
    open_store,
    parse_line,
)
from bookstracker.mirror import importer as importer_module
from bookstracker.mirror import records as records_module
from bookstracker.mirror.records import SKIPPED, isbn13_of
from bookstracker.mirror.sqlite import SQLiteStore
from bookstracker.names import name_key
from bookstracker.testing import sample_catalog
from bookstracker.testing.dumps import write_catalog_dumps, write_synthetic_dump
from mirror_support import line


def write_gz(path: Path, *lines: bytes) -> Path:
    with gzip.open(path, "wb") as handle:
        handle.writelines(lines)
    return path


# -- parsing ---------------------------------------------------------------------------------


def test_a_line_gives_key_kind_revision_and_raw_json() -> None:
    raw = line("author", "/authors/OL23A", 4, name="Mary Shelley")
    record = parse_line(raw)
    assert isinstance(record, DumpRecord)
    assert (record.key, record.kind, record.revision) == ("OL23A", "author", 4)
    assert record.last_modified == "2024-01-01T00:00:00.000000"
    assert '"name": "Mary Shelley"' in record.data


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"just some text\n", "5 TAB-separated columns"),
        (b"/type/work\t/works/OL1W\tx\t2020-01-01T00:00:00\t{}\n", "revision"),
        (b"/type/work\t/works/OL1W\t1\tyesterday\t{}\n", "timestamp"),
        (b"/type/work\t/works/OL1W\t1\t2020-01-01T00:00:00\t{not json\n", "does not parse"),
        (b"/type/work\t/works/OL1W\t1\t2020-01-01T00:00:00\t[1, 2]\n", "not an object"),
        (b"/type/work\t/works/OL1W\t1\t2020-01-01T00:00:00\t\xff\xfe\n", "does not parse"),
        (
            b'/type/work\t/works/OL1W\t1\t2020-01-01T00:00:00\t{"key": "/works/OL2W"}\n',
            "disagrees",
        ),
        (b"nonsense\t/works/OL1W\t1\t2020-01-01T00:00:00\t{}\n", "/type/"),
    ],
)
def test_bad_lines_raise_bad_line_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadLine, match=reason):
        parse_line(raw)


def test_other_types_and_paths_are_skipped_not_bad() -> None:
    assert parse_line(b"/type/list\t/people/x/lists/OL1L\t1\t2020-01-01T00:00:00\t{}\n") is SKIPPED
    assert parse_line(b"/type/redirect\t/subjects/foo\t1\t2020-01-01T00:00:00\t{}\n") is SKIPPED


@given(st.binary(max_size=300))
def test_any_bytes_parse_or_raise_bad_line(raw: bytes) -> None:
    with contextlib.suppress(BadLine):
        parse_line(raw)


@given(
    number=st.integers(min_value=1, max_value=10**11),
    revision=st.integers(min_value=0, max_value=10**6),
    title=st.text(max_size=200),
    names=st.lists(st.text(max_size=40), max_size=5),
)
def test_a_written_line_reads_back(
    number: int, revision: int, title: str, names: list[str]
) -> None:
    raw = line(
        "work",
        f"/works/OL{number}W",
        revision,
        title=title,
        authors=[{"author": {"key": f"/authors/OL{number + 1}A"}}],
        alternate_names=names,
    )
    record = parse_line(raw)
    assert isinstance(record, DumpRecord)
    assert (record.key, record.kind, record.revision) == (f"OL{number}W", "work", revision)
    assert json.loads(record.data)["title"] == title
    assert record.entries.author_keys == (f"OL{number + 1}A",)


@given(st.text(alphabet="0123456789X- ", min_size=8, max_size=17))
def test_the_import_isbn_check_agrees_with_the_isbn_module(text: str) -> None:
    try:
        expected: str | None = isbn_pair(text)[0]
    except (InvalidISBN, ValueError):
        expected = None
    got = isbn13_of(text)
    if len(text.replace("-", "").replace(" ", "")) == 13 and got is not None:
        # ISBN-13s are indexed without their check digit checked (see isbn13_of)
        assert expected in (None, got)
    else:
        assert got == expected


def test_index_rows_of_each_kind() -> None:
    author = parse_line(
        line("author", "/authors/OL1A", 1, name="George Orwell", alternate_names=["Eric Blair"])
    )
    work = parse_line(
        line(
            "work",
            "/works/OL2W",
            1,
            title="Animal Farm",
            subtitle="A Fairy Story",
            authors=[{"author": {"key": "/authors/OL1A"}}, {"key": "/authors/OL3A"}],
            first_publish_date="August 1945",
        )
    )
    edition = parse_line(
        line(
            "edition",
            "/books/OL3M",
            1,
            title="Animal Farm",
            works=[{"key": "/works/OL2W"}],
            isbn_10=["0451526341", "not an isbn"],
            isbn_13=["978-0-451-52634-2"],
            languages=[{"key": "/languages/eng"}],
            publish_date="1996",
        )
    )
    moved = parse_line(line("redirect", "/works/OL9W", 2, location="/works/OL2W"))
    assert isinstance(author, DumpRecord)
    assert isinstance(work, DumpRecord)
    assert isinstance(edition, DumpRecord)
    assert isinstance(moved, DumpRecord)
    rows = author.entries
    assert rows.name_keys == (name_key("George Orwell"), name_key("Eric Blair"))
    assert rows.search_text == "George Orwell Eric Blair"
    rows = work.entries
    assert (rows.author_keys, rows.year) == (("OL1A", "OL3A"), 1945)
    assert rows.search_text == "Animal Farm A Fairy Story"
    rows = edition.entries
    assert (rows.work_keys, rows.isbn13s, rows.languages, rows.year) == (
        ("OL2W",),
        ("9780451526342",),
        ("eng",),
        1996,
    )
    assert moved.entries.location == "OL2W"


def test_dump_file_names() -> None:
    info = dump_file_info("/data/ol_dump_editions_2024-01-31.txt.gz")
    assert (info.kind, info.dump_date) == ("editions", "2024-01-31")
    combined = dump_file_info("ol_dump_2024-01-31.txt.gz")
    assert (combined.kind, combined.dump_date) == (None, "2024-01-31")
    assert dump_file_info("ol_dump_authors_latest.txt.gz").dump_date is None
    assert dump_file_info("mine.txt").kind is None


@pytest.mark.shared
def test_every_real_dump_line_imports(shared_fixtures: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    results = import_dumps(
        store, sorted((shared_fixtures / "openlibrary" / "dump_samples").iterdir())
    )
    assert all(r.state.bad == 0 and r.state.complete for r in results)
    assert sum(r.state.records for r in results) == sum(
        len(
            (shared_fixtures / "openlibrary" / "dump_samples" / r.state.source)
            .read_bytes()
            .splitlines()
        )
        for r in results
    )
    orwell = store.authors_named(name_key("Eric Arthur Blair"), 5)
    assert [a.key for a in orwell] == ["OL118077A"]
    store.close()


# -- importing -------------------------------------------------------------------------------


def test_bad_lines_are_counted_with_line_numbers_and_never_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer_module, "MAX_LINE_BYTES", 200)
    monkeypatch.setattr(records_module, "MAX_LINE_BYTES", 200)
    path = write_gz(
        tmp_path / "ol_dump_works_2024-01-31.txt.gz",
        line("work", "/works/OL1W", 1, title="One", authors=[]),
        b"garbage line\n",
        line("work", "/works/OL2W", 1, title="x" * 300, authors=[]),
        b"/type/work\t/works/OL3W\t1\t2024-01-01T00:00:00\t{broken\n",
        line("work", "/works/OL4W", 1, title="Four", authors=[]),
    )
    store = open_store(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    result = import_dump(store, path)
    state = result.state
    assert (state.lines, state.records, state.applied, state.bad) == (5, 2, 2, 3)
    assert [n for n, _ in state.bad_samples] == [2, 3, 4]
    assert "longer than 200 bytes" in state.bad_samples[1][1]
    assert set(store.records(["OL1W", "OL4W"])) == {"OL1W", "OL4W"}
    assert state.dump_date == "2024-01-31"
    assert state.kind == "works"
    store.close()


def test_progress_reports_bytes_records_and_rate(tmp_path: Path) -> None:
    path = write_synthetic_dump(tmp_path / "ol_dump_2024-01-31.txt.gz", lines=3000)
    store = open_store(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    seen: list[ImportProgress] = []
    import_dump(store, path, batch_size=500, on_progress=seen.append)
    last = seen[-1]
    assert last.bytes_read == last.bytes_total == path.stat().st_size
    assert last.records == last.lines == 3000
    assert last.records_per_second > 0
    store.close()


def test_a_finished_file_is_not_imported_twice(tmp_path: Path) -> None:
    files = write_catalog_dumps(sample_catalog(), tmp_path / "dumps")
    store = open_store(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    first = import_dumps(store, files)
    again = import_dumps(store, files)
    assert all(not r.already_done for r in first)
    assert all(r.already_done for r in again)
    store.close()


def test_a_newer_dump_updates_in_place_and_honours_redirects_and_deletes(
    tmp_path: Path,
) -> None:
    catalog = sample_catalog()
    old = write_catalog_dumps(catalog, tmp_path / "old", date="2024-01-31")
    store = open_store(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    import_dumps(store, old)
    before = store.status().counts
    work = catalog.works[0]
    edition = next(e for e in work.editions if "openlibrary" in e.providers and e.isbn13)
    other = catalog.works[1]
    newer = write_catalog_dumps(
        catalog,
        tmp_path / "new",
        date="2024-02-29",
        revision_bump=1,
        redirects={other.id: work.id},
        deleted=[edition.id],
    )
    results = import_dumps(store, newer)
    applied = {r.state.kind: r.state.applied for r in results}
    assert applied["works"] == len(catalog.works)  # every revision is newer
    assert applied["redirects"] == 1
    assert applied["deletes"] == 1
    after = store.status()
    assert after.dump_dates == ("2024-01-31", "2024-02-29")
    assert after.counts["work"] == before["work"] - 1
    assert after.counts["edition"] == before["edition"] - 1
    assert store.records([other.id])[other.id].kind == "redirect"
    assert edition.isbn13 is not None
    assert edition.isbn13 not in store.editions_by_isbn([edition.isbn13]) or (
        store.editions_by_isbn([edition.isbn13])[edition.isbn13].key != edition.id
    )
    # importing the old dump again changes nothing: its revisions are older
    for path in old:
        os.utime(path)
    store2 = SQLiteStore(tmp_path / "m.sqlite3")
    assert store2.status().counts == after.counts
    store.close()
    store2.close()


_IMPORT_SCRIPT = """
import sys
from bookstracker.mirror import import_dump, open_store
import_dump(open_store(sys.argv[1]), sys.argv[2], batch_size=200)
"""


def test_an_import_killed_with_sigkill_resumes_after_its_last_batch(tmp_path: Path) -> None:
    dump = write_synthetic_dump(tmp_path / "ol_dump_2024-01-31.txt.gz", lines=20_000)
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    child = subprocess.Popen([sys.executable, "-c", _IMPORT_SCRIPT, url, str(dump)])
    store = open_store(url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            saved = store.import_state(dump.name)
            if saved is not None and saved.lines >= 600:
                break
            if child.poll() is not None:
                pytest.fail("the import ended before it could be killed")
            time.sleep(0.05)
        else:
            pytest.fail("the import made no progress")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    killed = store.import_state(dump.name)
    assert killed is not None
    assert not killed.complete
    assert 0 < killed.lines < 20_000
    result = import_dump(store, dump)
    assert result.resumed_from == killed.lines > 0
    assert result.state.complete
    assert result.state.lines == result.state.records == 20_000
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    import_dump(fresh, dump)
    assert store.status().counts == fresh.status().counts
    assert result.state.applied == sum(store.status().counts.values())
    store.close()
    fresh.close()
