"""Unusable settings are typed errors in the library and one line with exit code 2 on the command
line, never a traceback; offline mode never touches Redis (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bookstracker import BooksClient, CacheError, DiskCache

UNUSABLE_FOLDER = "/proc/bookstracker-cannot-be-here"


def bookstracker(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSTRACKER_")}
    return subprocess.run(
        [sys.executable, "-m", "bookstracker", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs a /proc that refuses new folders")
def test_a_folder_that_cannot_be_made_is_a_cache_error() -> None:
    with pytest.raises(CacheError, match="cannot-be-here"):
        DiskCache(UNUSABLE_FOLDER)
    with pytest.raises(CacheError, match="cannot-be-here"):
        BooksClient(cache_dir=UNUSABLE_FOLDER)


def test_a_file_where_the_folder_should_be_is_a_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CacheError):
        DiskCache(blocker / "cache")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs a /proc that refuses new folders")
def test_an_unusable_cache_dir_is_one_line_and_exit_2() -> None:
    done = bookstracker("--cache-dir", UNUSABLE_FOLDER, "--offline", "author", "Andy Weir")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("bookstracker: ")
    assert UNUSABLE_FOLDER in done.stderr
