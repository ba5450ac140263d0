"""Tests for bookstracker.library_import: formats, rejections, encodings, streaming, resolving."""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import tracemalloc
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookstracker.errors import InvalidInput
from bookstracker.isbn import isbn_pair
from bookstracker.library_import import (
    LibraryImport,
    LibraryRow,
    RejectedRow,
    detect_format,
    iter_library,
    read_library,
    resolve_rows,
)
from bookstracker.models import Edition

DATA = Path(__file__).parent / "data"
GOODREADS = DATA / "goodreads_export.csv"
STORYGRAPH = DATA / "storygraph_export.csv"
LIBRARYTHING = DATA / "librarything_export.tsv"
PLAIN = DATA / "plain_books.csv"

GOODREADS_HEADER = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13",
    "My Rating", "Average Rating", "Publisher", "Binding", "Number of Pages", "Year Published",
    "Original Publication Year", "Date Read", "Date Added", "Bookshelves",
    "Bookshelves with positions", "Exclusive Shelf", "My Review", "Spoiler", "Private Notes",
    "Read Count", "Owned Copies",
]  # fmt: skip
STORYGRAPH_HEADER = [
    "Title", "Authors", "Contributors", "ISBN/UID", "Format", "Read Status", "Date Added",
    "Last Date Read", "Dates Read", "Read Count", "Moods", "Pace", "Character- or Plot-Driven?",
    "Strong Character Development?", "Loveable Characters?", "Diverse Characters?",
    "Flawed Characters?", "Star Rating", "Review", "Content Warnings",
    "Content Warning Description", "Tags", "Owned?",
]  # fmt: skip
LIBRARYTHING_HEADER = [
    "Book Id", "Title", "Sort Character", "Primary Author", "Primary Author Role",
    "Secondary Author", "Secondary Author Roles", "Publication", "Date", "ISBNs", "Collections",
]  # fmt: skip


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _goodreads_line(
    *, book_id: str = "1", title: str = "", author: str = "", isbn13: str = "", shelf: str = "read"
) -> str:
    row = [""] * len(GOODREADS_HEADER)
    row[0], row[1], row[2], row[6], row[18] = book_id, title, author, f'="{isbn13}"', shelf
    row[5] = '=""'
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


def _goodreads_file(path: Path, *lines: str, bom: bool = False) -> Path:
    header = ",".join(GOODREADS_HEADER) + "\r\n"
    return _write(path, ("\ufeff" if bom else "") + header + "".join(lines))


# -- the hand-written sample exports ------------------------------------------------------------


def test_goodreads_sample_keeps_the_usable_rows_with_their_start_lines() -> None:
    result = read_library(GOODREADS)
    assert result.format == "goodreads"
    assert [r.line for r in result.rows] == [2, 4, 5, 6, 9, 12, 13]


def test_goodreads_row_reads_the_quoted_isbns_and_the_exclusive_shelf() -> None:
    martian = read_library(GOODREADS).rows[0]
    assert martian == LibraryRow(
        line=2,
        title="The Martian",
        authors=("Andy Weir",),
        isbn13="9780553418026",
        isbn10="0553418025",
        shelf="read",
        source="goodreads",
    )


def test_goodreads_sample_reports_each_unusable_row_with_its_line_and_reason() -> None:
    assert read_library(GOODREADS).rejected == (
        RejectedRow(line=7, reason="row has 3 fields, header has 24 fields"),
        RejectedRow(line=10, reason="no title, author or ISBN"),
        RejectedRow(
            line=11, reason="invalid ISBN '123': wrong length: 3 characters (an ISBN has 10 or 13)"
        ),
    )


def test_goodreads_sample_counts_the_blank_line() -> None:
    assert read_library(GOODREADS).blank_lines == (8,)


def test_goodreads_empty_isbn_quotes_mean_no_isbn() -> None:
    solitude = next(r for r in read_library(GOODREADS).rows if r.line == 5)
    assert (solitude.isbn13, solitude.isbn10, solitude.notes) == (None, None, ())
    assert solitude.authors == ("Gabriel García Márquez", "Gregory Rabassa")
    assert solitude.shelf == "to-read"


def test_goodreads_falls_back_to_author_l_f() -> None:
    darkness = next(r for r in read_library(GOODREADS).rows if r.line == 6)
    assert darkness.authors == ("Ursula K. Le Guin",)


def test_goodreads_additional_authors_are_split_on_commas_after_the_primary() -> None:
    iliad = next(r for r in read_library(GOODREADS).rows if r.line == 9)
    assert iliad.authors == ("Homer", "Robert Fagles", "Bernard Knox")
    assert iliad.shelf == "currently-reading"


def test_invalid_isbn_beside_a_title_is_dropped_with_a_note() -> None:
    handmaid = next(r for r in read_library(GOODREADS).rows if r.line == 12)
    assert (handmaid.title, handmaid.isbn13, handmaid.isbn10) == ("The Handmaid's Tale", None, None)
    assert handmaid.notes == (
        "ignored invalid ISBN '0385490819': bad check digit: expected X, found 9",
    )


def test_authors_are_distinct_by_name_key_primary_authors_first() -> None:
    assert read_library(GOODREADS).authors() == [
        "Andy Weir",
        "Terry Pratchett",
        "Gabriel García Márquez",
        "Ursula K. Le Guin",
        "Homer",
        "Margaret Atwood",
        "Neil Gaiman",
        "Gregory Rabassa",
        "Robert Fagles",
        "Bernard Knox",
    ]


def test_isbns_are_the_distinct_isbn13s_in_order() -> None:
    assert read_library(GOODREADS).isbns() == [
        "9780553418026",
        "9780060853983",
        "9780441013593",
        "9780140275360",
    ]


def test_storygraph_sample_splits_authors_and_reads_the_status() -> None:
    result = read_library(STORYGRAPH)
    assert result.format == "storygraph"
    omens = result.rows[0]
    assert omens.authors == ("Neil Gaiman", "Terry Pratchett")
    assert (omens.isbn13, omens.isbn10, omens.shelf) == ("9780060853983", "0060853980", "read")


def test_storygraph_uid_that_is_not_an_isbn_leaves_the_isbn_empty() -> None:
    kindred = read_library(STORYGRAPH).rows[1]
    assert (kindred.title, kindred.authors) == ("Kindred", ("Octavia E. Butler",))
    assert (kindred.isbn13, kindred.notes) == (None, ())


def test_storygraph_keeps_a_generational_suffix_with_its_name() -> None:
    strength = next(r for r in read_library(STORYGRAPH).rows if r.line == 7)
    assert strength.authors == ("Martin Luther King Jr.",)


def test_storygraph_sample_rejections() -> None:
    assert read_library(STORYGRAPH).rejected == (
        RejectedRow(
            line=5,
            reason="no title, author or ISBN "
            "('a1b2c3d4-0000-4e5f-9abc-def012345678' is not an ISBN)",
        ),
        RejectedRow(line=6, reason="row has 25 fields, header has 23 fields"),
        RejectedRow(
            line=8,
            reason="invalid ISBN '97805534180': wrong length: 11 characters (an ISBN has 10 or 13)",
        ),
    )


def test_librarything_sample_is_decoded_from_windows_1252() -> None:
    first = read_library(LIBRARYTHING).rows[0]
    assert first.title == "Cien años de soledad"
    assert first.authors == ("Gabriel García Márquez",)


def test_librarything_bracketed_isbns_and_collections() -> None:
    first = read_library(LIBRARYTHING).rows[0]
    assert (first.isbn13, first.isbn10, first.shelf) == (
        "9780307474728",
        "0307474720",
        "Your library",
    )


def test_librarything_reads_the_older_isbn_column() -> None:
    zauberberg = next(r for r in read_library(LIBRARYTHING).rows if r.title == "Der Zauberberg")
    assert (zauberberg.isbn13, zauberberg.isbn10) == ("9783596294312", "3596294312")


def test_librarything_secondary_authors_follow_the_primary() -> None:
    miserables = next(r for r in read_library(LIBRARYTHING).rows if r.line == 4)
    assert miserables.authors == ("Victor Hugo", "Lee Fahnestock", "Norman MacAfee")


def test_librarything_tab_file_keeps_quotes_literally() -> None:
    feynman = next(r for r in read_library(LIBRARYTHING).rows if r.line == 7)
    assert feynman.title == (
        '"Surely You\'re Joking, Mr. Feynman!": Adventures of a Curious Character'
    )


def test_librarything_sample_rejections() -> None:
    assert read_library(LIBRARYTHING).rejected == (
        RejectedRow(line=5, reason="row has 2 fields, header has 20 fields"),
        RejectedRow(line=6, reason="no title, author or ISBN"),
    )


def test_plain_sample_with_semicolons_and_aliased_columns() -> None:
    result = read_library(PLAIN)
    assert result.format == "plain"
    assert [(r.line, r.title, r.authors, r.isbn13) for r in result.rows] == [
        (2, "The Dispossessed", ("Ursula K. Le Guin",), "9780060512750"),
        (3, "Norwegian Wood", ("Haruki Murakami",), "9780375704024"),
        (4, "Good Omens", ("Neil Gaiman", "Terry Pratchett"), None),
        (6, None, (), "9780553418026"),
        (7, "Some Pamphlet", (), None),
    ]


def test_plain_sample_counts_a_row_of_empty_fields_as_blank() -> None:
    result = read_library(PLAIN)
    assert result.blank_lines == (5,)
    assert [r.line for r in result.rejected] == [8]
    assert result.rejected[0].reason.startswith("invalid ISBN 'not an isbn': bad characters")


# -- format detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (GOODREADS_HEADER, "goodreads"),
        (["\ufeffBook Id", *GOODREADS_HEADER[1:]], "goodreads"),
        (STORYGRAPH_HEADER, "storygraph"),
        (LIBRARYTHING_HEADER, "librarything"),
        (["Title", "Author", "ISBN"], "plain"),
        (["book_title", "WRITER"], "plain"),
        (["ISBN-13"], "plain"),
    ],
)
def test_detect_format(header: list[str], expected: str) -> None:
    assert detect_format(header) == expected


def test_detect_format_names_the_expected_columns() -> None:
    with pytest.raises(InvalidInput, match="unrecognised library export") as caught:
        detect_format(["Date", "Amount", "Payee"])
    message = str(caught.value)
    for part in ("'Payee'", "Author l-f", "ISBN/UID", "Primary Author", "ISBN column"):
        assert part in message


def test_a_title_column_alone_is_not_a_plain_export() -> None:
    with pytest.raises(InvalidInput):
        detect_format(["Title", "Rating"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\r\n  \r\n", "only blank lines"),
        (bytes(range(256)) * 4, "not a text file"),
        (b"x" * 70_000, "no line break"),
        (b"Date,Amount\r\n2024-01-01,3\r\n", "unrecognised library export"),
    ],
    ids=["empty", "blank", "binary", "no-newline", "unknown-csv"],
)
def test_unusable_files_raise_invalid_input(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        read_library(path)


def test_an_explicit_format_overrides_detection() -> None:
    result = read_library(GOODREADS, format="plain")
    assert result.format == "plain"
    assert result.rows[0].source == "plain"
    assert result.rows[0].isbn13 == "9780553418026"


def test_an_explicit_format_the_header_lacks_raises() -> None:
    with pytest.raises(InvalidInput, match="not a Goodreads export: the header lacks Author"):
        read_library(STORYGRAPH, format="goodreads")


def test_iter_library_checks_the_header_before_iterating(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "Date,Amount\r\n")
    with pytest.raises(InvalidInput):
        iter_library(path)


def test_iter_library_yields_rows_and_rejections_in_file_order() -> None:
    items = list(iter_library(GOODREADS))
    result = read_library(GOODREADS)
    assert [i.line for i in items] == [2, 4, 5, 6, 7, 9, 10, 11, 12, 13]
    assert {i for i in items if isinstance(i, LibraryRow)} == set(result.rows)


def test_rejected_row_to_dict() -> None:
    assert RejectedRow(line=7, reason="no title, author or ISBN").to_dict() == {
        "line": 7,
        "reason": "no title, author or ISBN",
    }


# -- encodings and damaged bytes ----------------------------------------------------------------


def test_a_file_without_bom_falls_back_to_windows_1252_per_line(tmp_path: Path) -> None:
    line = _goodreads_line(title="Cien años de soledad", author="Gabriel García Márquez")
    path = tmp_path / "legacy.csv"
    path.write_bytes((",".join(GOODREADS_HEADER) + "\r\n").encode() + line.encode("cp1252"))
    row = read_library(path).rows[0]
    assert (row.title, row.authors) == ("Cien años de soledad", ("Gabriel García Márquez",))


def test_undecodable_bytes_in_a_bom_file_reject_only_that_row(tmp_path: Path) -> None:
    good = _goodreads_line(title="Dune", author="Frank Herbert")
    bad = _goodreads_line(title="Cien años", author="Gabriel García Márquez").encode("cp1252")
    path = tmp_path / "mixed.csv"
    head = ("\ufeff" + ",".join(GOODREADS_HEADER) + "\r\n").encode()
    path.write_bytes(head + good.encode() + bad + good.encode())
    result = read_library(path)
    assert [r.line for r in result.rows] == [2, 4]
    assert result.rejected == (
        RejectedRow(
            line=3,
            reason="undecodable byte 0xf1 on line 3 "
            "(not UTF-8, although the file starts with a UTF-8 byte-order mark)",
        ),
    )


def test_bytes_neither_utf8_nor_windows_1252_reject_the_row(tmp_path: Path) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes(b"title,author\r\nDune,Frank Herbert\r\nBad\x81Title,Someone\r\n")
    result = read_library(path)
    assert [r.line for r in result.rows] == [2]
    assert result.rejected == (
        RejectedRow(
            line=3, reason="undecodable byte 0x81 on line 3 (neither UTF-8 nor Windows-1252)"
        ),
    )


def test_a_nul_byte_rejects_its_record(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "nul.csv",
        'title,author\r\nDune,Frank Herbert\r\n"Two\r\nli\x00nes",X\r\nEmma,Jane Austen\r\n',
    )
    result = read_library(path)
    assert [r.line for r in result.rows] == [2, 5]
    assert result.rejected == (RejectedRow(line=3, reason="NUL byte on line 4"),)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.txt"
    text = "Title\tAuthor\r\nLes Misérables\tVictor Hugo\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    row = read_library(path).rows[0]
    assert (row.title, row.authors, row.line) == ("Les Misérables", ("Victor Hugo",), 2)


# -- records over several lines, and broken ones ------------------------------------------------


def test_bare_carriage_returns_end_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mac.csv", 'title,author\r"Two\rlines",A B\rshort\rDune,Frank Herbert\r'
    )
    result = read_library(path)
    assert [r.line for r in result.rows] == [2, 5]
    assert result.rows[0].title == "Two lines"
    assert result.rejected == (RejectedRow(line=4, reason="row has 1 field, header has 2 fields"),)


def test_an_unclosed_quote_is_reported_with_the_lines_it_swallowed(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "quote.csv", 'title,author\r\nDune,Frank Herbert\r\n"Broken\r\nEmma\r\n'
    )
    result = read_library(path)
    assert [r.line for r in result.rows] == [2]
    assert result.rejected == (
        RejectedRow(
            line=3, reason="row has 1 field, header has 2 fields (the record runs over lines 3-4)"
        ),
    )


def test_a_field_over_the_csv_limit_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    huge = '"' + "x" * 200_000 + '"'
    path = _write(tmp_path / "huge.csv", f"title,author\r\n{huge},A\r\nDune,Frank Herbert\r\n")
    result = read_library(path)
    assert [r.line for r in result.rows] == [3]
    assert result.rejected == (
        RejectedRow(line=2, reason="unreadable row: field larger than field limit (131072)"),
    )


def test_an_author_without_letters_is_noted_and_the_row_kept_for_its_title(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "x.csv", "title,author\r\nDune,1965\r\n,1966\r\n")
    result = read_library(path)
    assert result.rows[0].authors == ()
    assert result.rows[0].notes == ("author '1965' ignored: it has no letters",)
    assert result.rejected == (
        RejectedRow(
            line=3,
            reason="no usable title, author or ISBN: author '1966' ignored: it has no letters",
        ),
    )


# -- property: every generated row is kept, rejected or counted blank, on its own line -----------

NAMES = [
    "Margaret Atwood",
    "Gabriel García Márquez",
    "Ursula K. Le Guin",
    "Chimamanda Ngozi Adichie",
    "Haruki Murakami",
    "Octavia E. Butler",
    "Terry Pratchett",
]
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"\r\n|\r|\n")

_chars = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"),
    st.sampled_from([",", '"', "\n", "\r", "=", "\t", " ", ";"]),
)
_free_text = st.text(alphabet=_chars, max_size=20)
_titles = _free_text.filter(lambda t: bool(_CONTROL.sub(" ", t).split()))


def _shown(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


@st.composite
def _isbn13s(draw: st.DrawFn) -> str:
    body = "978" + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    total = sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


_bad_isbns = st.sampled_from([3, 5, 9, 11, 12]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)


@st.composite
def _records(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """One record's text as csv.writer writes it, and what the import should make of it."""
    kind = draw(
        st.sampled_from(["valid", "short", "long", "empty", "bad-isbn", "bad-isbn-kept", "blank"])
    )
    if kind == "blank":
        return draw(st.sampled_from(["\r\n", "   \r\n", "\n"])), {"kind": kind}
    row = [""] * len(GOODREADS_HEADER)
    row[0] = str(draw(st.integers(1, 10**8)))
    row[5] = row[6] = '=""'
    row[18] = "read"
    row[19] = draw(_free_text)
    expected: dict[str, Any] = {"kind": kind}
    if kind in ("valid", "short", "long"):
        names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
        title = draw(st.one_of(st.just(""), _titles))
        isbn13 = draw(st.one_of(st.just(""), _isbn13s()))
        if not (title or names or isbn13):
            title = "Untitled"
        row[1], row[6] = title, f'="{isbn13}"'
        if names:
            row[2], row[4] = names[0], ", ".join(names[1:])
        if isbn13 and draw(st.booleans()):
            row[5] = f'="{isbn_pair(isbn13)[1]}"'
        expected.update(
            title=_shown(title) or None,
            authors=tuple(names),
            isbn13=isbn13 or None,
            isbn10=isbn_pair(isbn13)[1] if isbn13 else None,
        )
    elif kind == "bad-isbn":
        row[6] = f'="{draw(_bad_isbns)}"'
    elif kind == "bad-isbn-kept":
        row[1], row[2], row[6] = draw(_titles), draw(st.sampled_from(NAMES)), '="1234"'
        expected.update(title=_shown(row[1]), authors=(row[2],))
    else:
        row[7] = "3"
    if kind == "short":
        expected["width"] = draw(st.integers(1, len(row) - 1))
        row = row[: expected["width"]]
    elif kind == "long":
        row.extend(["x"] * draw(st.integers(1, 3)))
        expected["width"] = len(row)
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue(), expected


def _check_record(result: LibraryImport, line: int, expected: dict[str, Any]) -> None:
    kind = expected["kind"]
    rows = {r.line: r for r in result.rows}
    rejected = {r.line: r.reason for r in result.rejected}
    if kind == "blank":
        assert line in result.blank_lines
    elif kind == "valid":
        row = rows[line]
        assert (row.title, row.authors, row.isbn13, row.isbn10) == (
            expected["title"],
            expected["authors"],
            expected["isbn13"],
            expected["isbn10"],
        )
        assert (row.shelf, row.source, row.notes) == ("read", "goodreads", ())
    elif kind == "bad-isbn-kept":
        row = rows[line]
        assert (row.title, row.authors, row.isbn13) == (
            expected["title"],
            expected["authors"],
            None,
        )
        assert row.notes[0].startswith("ignored invalid ISBN '1234'")
    elif kind in ("short", "long"):
        assert rejected[line].startswith(f"row has {expected['width']} field")
    elif kind == "bad-isbn":
        assert rejected[line].startswith("invalid ISBN '")
    else:
        assert rejected[line] == "no title, author or ISBN"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(_records(), max_size=25), bom=st.booleans())
def test_every_generated_row_is_kept_rejected_or_blank_at_its_line(
    records: list[tuple[str, dict[str, Any]]], bom: bool
) -> None:
    header = ",".join(GOODREADS_HEADER) + "\r\n"
    starts: list[int] = []
    line = 2
    for text, _ in records:
        starts.append(line)
        line += len(_BREAKS.findall(text))
    content = ("\ufeff" if bom else "") + header + "".join(text for text, _ in records)
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "goodreads.csv", content)
        result = read_library(path)
    assert result.format == "goodreads"
    assert len(result.rows) + len(result.rejected) + len(result.blank_lines) == len(records)
    for start, (_, expected) in zip(starts, records, strict=True):
        _check_record(result, start, expected)


# -- streaming ----------------------------------------------------------------------------------


def test_a_ten_megabyte_export_streams_in_constant_memory(tmp_path: Path) -> None:
    review = "A long review. " * 60 + "\n" + "Second paragraph. " * 60
    block = io.StringIO()
    writer = csv.writer(block)
    writer.writerow(
        ["1", "The Martian", "Andy Weir", "", "", '=""', '="9780553418026"']
        + [""] * 11
        + ["read", review, "", "", "1", "0"]
    )
    writer.writerow(["2", "Broken"])
    chunk = block.getvalue()
    repeats = 10 * 1024 * 1024 // len(chunk.encode()) + 1
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(GOODREADS_HEADER) + "\r\n")
        for _ in range(repeats):
            out.write(chunk)
    assert path.stat().st_size >= 10 * 1024 * 1024
    kept = rejected = 0
    last_line = 0
    tracemalloc.start()
    try:
        for item in iter_library(path):
            if isinstance(item, LibraryRow):
                kept += 1
            else:
                rejected += 1
            last_line = item.line
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (kept, rejected) == (repeats, repeats)
    assert last_line == 1 + 3 * repeats
    assert peak < 2 * 1024 * 1024


# -- resolution ---------------------------------------------------------------------------------


def _row(
    line: int, *, title: str | None = None, author: str | None = None, isbn: str = ""
) -> LibraryRow:
    isbn13, isbn10 = isbn_pair(isbn) if isbn else (None, None)
    return LibraryRow(
        line=line,
        title=title,
        authors=(author,) if author else (),
        isbn13=isbn13,
        isbn10=isbn10,
        shelf=None,
        source="plain",
    )


class _FakeCatalogue:
    """Async lookups over a fixed set of editions, recording every call."""

    def __init__(self, editions: Sequence[Edition], titles: Mapping[tuple[str, str], Edition]):
        self.by_isbn = {e.isbn13: e for e in editions if e.isbn13}
        self.titles = titles
        self.lookups: list[list[str]] = []
        self.searches: list[tuple[str, str]] = []

    async def lookup(self, isbns: list[str]) -> Mapping[str, Edition | None]:
        self.lookups.append(isbns)
        return {i: self.by_isbn.get(i) for i in isbns if i in self.by_isbn}

    async def search(self, title: str, author: str) -> Edition | None:
        self.searches.append((title, author))
        return self.titles.get((title, author))


def _isbn13(n: int) -> str:
    body = f"978{n:09d}"
    total = sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@pytest.mark.anyio
async def test_resolve_rows_looks_isbns_up_in_batches() -> None:
    isbns = [_isbn13(n) for n in range(250)]
    catalogue = _FakeCatalogue([Edition(title=f"Book {i}", isbn13=i) for i in isbns], {})
    rows = [_row(n + 2, isbn=isbn) for n, isbn in enumerate(isbns)]
    resolved = await resolve_rows(rows, catalogue.lookup, batch_size=100)
    assert [len(call) for call in catalogue.lookups] == [100, 100, 50]
    assert [how for _, _, how in resolved] == ["isbn13"] * 250
    assert [edition.isbn13 for _, edition, _ in resolved if edition] == isbns


@pytest.mark.anyio
async def test_resolve_rows_tries_isbn13_then_isbn10_then_title_and_author() -> None:
    martian = Edition(title="The Martian", isbn13="9780553418026")
    iliad = Edition(title="The Iliad", isbn13="9780140275360")
    dune = Edition(title="Dune")
    catalogue = _FakeCatalogue([martian, iliad], {("Dune", "Frank Herbert"): dune})
    disagreeing = LibraryRow(
        line=3,
        title="The Iliad",
        authors=("Homer",),
        isbn13="9780547928227",
        isbn10="0140275363",
        shelf=None,
        source="goodreads",
    )
    rows = [
        _row(2, isbn="9780553418026"),
        disagreeing,
        _row(4, title="Dune", author="Frank Herbert"),
        _row(5, title="Unknown", author="Nobody"),
        _row(6, title="No author"),
    ]
    resolved = await resolve_rows(rows, catalogue.lookup, catalogue.search)
    assert [(row.line, edition, how) for row, edition, how in resolved] == [
        (2, martian, "isbn13"),
        (3, iliad, "isbn10"),
        (4, dune, "title+author"),
        (5, None, "unresolved"),
        (6, None, "unresolved"),
    ]
    assert catalogue.searches == [("Dune", "Frank Herbert"), ("Unknown", "Nobody")]


@pytest.mark.anyio
async def test_resolve_rows_without_search_leaves_isbn_misses_unresolved() -> None:
    catalogue = _FakeCatalogue([], {})
    rows = [_row(2, isbn="9780553418026"), _row(3, title="Dune", author="Frank Herbert")]
    resolved = await resolve_rows(rows, catalogue.lookup)
    assert [how for _, _, how in resolved] == ["unresolved", "unresolved"]


@pytest.mark.anyio
async def test_resolve_rows_asks_once_per_distinct_isbn_and_search() -> None:
    catalogue = _FakeCatalogue([], {})
    rows = [_row(2, isbn="0553418025"), _row(3, isbn="9780553418026")]
    rows += [_row(4, title="Dune", author="Frank Herbert")] * 2
    await resolve_rows(rows, catalogue.lookup, catalogue.search)
    assert catalogue.lookups == [["9780553418026"]]
    assert catalogue.searches == [("Dune", "Frank Herbert")]


@pytest.mark.anyio
async def test_resolve_rows_without_isbns_makes_no_lookup() -> None:
    catalogue = _FakeCatalogue([], {})
    await resolve_rows([_row(2, title="Dune", author="Frank Herbert")], catalogue.lookup)
    assert catalogue.lookups == []


@pytest.mark.anyio
async def test_resolve_rows_rejects_a_batch_size_below_one() -> None:
    catalogue = _FakeCatalogue([], {})
    with pytest.raises(InvalidInput, match="batch_size"):
        await resolve_rows([], catalogue.lookup, batch_size=0)
