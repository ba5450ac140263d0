"""Fault injection, CSV import (issue 10, case 10): binary noise, newlines, numbered names."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookstracker.library_import import read_library

REAL_NAMES = [
    "Gabriel García Márquez",
    "Þórbergur Þórðarson",
    "J.R.R. Tolkien",
    "Ursula K. Le Guin",
    "李白",
    "カズオ・イシグロ",
    "Фёдор Достоевский",
    "Ngũgĩ wa Thiong'o",
    "Antoine de Saint-Exupéry",
    "Ian McEwan",
    "DeLillo, Don",
    "O'Brien, Patrick",
    "Jo Nesbø",
    "bell hooks",
    "ALEXANDRE DUMAS",
    "Ta-Nehisi Coates",
    "Nguyễn Du",
]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("seed", range(8))
def test_binary_noise_after_a_valid_header_sends_no_author(tmp_path: Path, seed: int) -> None:
    noise = random.Random(seed).randbytes(20_000)
    result = read_library(_write(tmp_path / "noise.csv", b"Title,Author\n" + noise))
    authors = [row.authors for row in result.rows if row.authors]
    assert authors == []
    lines = [row.line for row in result.rejected]
    assert lines == sorted(lines)
    assert all(line >= 2 for line in lines)


def test_an_implausible_author_is_rejected_with_its_line(tmp_path: Path) -> None:
    data = ("Title,Author\nGood Book,Ann Author\nNoise,xQ=7¤Ã©Â®z\nAlso Good,Bob Writer\n").encode()
    result = read_library(_write(tmp_path / "mixed.csv", data))
    assert [row.authors for row in result.rows] == [("Ann Author",), ("Bob Writer",)]
    assert [row.line for row in result.rejected] == [3]
    assert "not plausible" in result.rejected[0].reason


@pytest.mark.parametrize("fmt", ["plain", "goodreads"])
def test_an_embedded_newline_stays_in_one_name(tmp_path: Path, fmt: str) -> None:
    if fmt == "plain":
        data = 'Title,Author\n"The Martian","Andy\nWeir"\n'
    else:
        data = 'Title,Author,Author l-f,Additional Authors\n"The Martian","Andy\nWeir","",""\n'
    result = read_library(_write(tmp_path / "newline.csv", data.encode()))
    assert [row.authors for row in result.rows] == [("Andy Weir",)]
    assert result.rows[0].line == 2


def test_names_keep_their_digits_and_stay_distinct(tmp_path: Path) -> None:
    rows = "".join(f"Book {n},Author {n}\n" for n in range(1, 10_001))
    result = read_library(_write(tmp_path / "numbered.csv", ("Title,Author\n" + rows).encode()))
    assert len(result.rows) == 10_000
    assert len(result.authors()) == 10_000
    assert result.rows[9].authors == ("Author 10",)


def test_dates_after_a_name_are_still_dropped(tmp_path: Path) -> None:
    data = 'Title,Author\nThe Hobbit,"Tolkien, J. R. R., 1892-1973"\n'
    result = read_library(_write(tmp_path / "dated.csv", data.encode()))
    assert result.rows[0].authors == ("J. R. R. Tolkien",)


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_from_many_scripts_are_kept(tmp_path: Path, name: str) -> None:
    data = f'Title,Author\nA Book,"{name}"\n'
    result = read_library(_write(tmp_path / "real.csv", data.encode()))
    assert result.rejected == ()
    assert len(result.rows[0].authors) == 1


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_any_author_text_gives_a_rejection_or_clean_names(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("h") / "any.csv"
    field = '"' + text.replace('"', '""') + '"'
    path.write_bytes(("Title,Author\nA Book," + field + "\n").encode("utf-8", "surrogatepass"))
    result = read_library(path)
    for row in result.rows:
        for author in row.authors:
            assert author == author.strip()
            assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in author)
            assert "\ufffd" not in author
    for rejected in result.rejected:
        assert rejected.line == 2


def test_warming_from_binary_noise_sends_nothing(tmp_path: Path) -> None:
    from hostile import HostileServer, Reply, assert_clean_output, run_measured

    export = _write(tmp_path / "noise.csv", b"Title,Author\n" + random.Random(3).randbytes(20_000))
    with HostileServer(lambda request: Reply(200, b"{}")) as server:
        run = run_measured(
            ["--json", "warm", "--csv", str(export)], env=server.env(), tmp=str(tmp_path)
        )
        sent = len(server.requests)
    assert run.code == 2, run.output
    assert "nothing to warm" in run.stderr
    assert sent == 0
    assert_clean_output(run)
