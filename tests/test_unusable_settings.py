"""Unusable settings are typed errors in the library and one line with exit code 2 on the command
line, never a traceback; offline mode never touches Redis (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bookstracker import BooksClient, CacheError, ConfigurationError, DiskCache
from bookstracker.config import Settings

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


# -- Redis URLs; offline never touches Redis ---------------------------------------------------


@pytest.mark.parametrize("url", ["notaurl", "http://user:sekrit@127.0.0.1:6379/0", "redis//x"])
def test_a_redis_url_that_is_not_one_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="redis://") as raised:
        Settings.resolve(redis_url=url)
    assert "sekrit" not in str(raised.value)
    with pytest.raises(ConfigurationError):
        BooksClient(redis_url=url)


def test_a_bad_redis_url_online_is_one_line_and_exit_2() -> None:
    done = bookstracker("author", "Andy Weir", env={"BOOKSTRACKER_REDIS_URL": "notaurl"})
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "BOOKSTRACKER_REDIS_URL" in done.stderr


def test_offline_ignores_even_a_bad_redis_url(tmp_path: Path) -> None:
    done = bookstracker(
        "--offline",
        "author",
        "Andy Weir",
        env={"BOOKSTRACKER_REDIS_URL": "notaurl", "BOOKSTRACKER_CACHE_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "Project Hail Mary" in done.stdout


def test_offline_never_connects_to_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("BOOKSTRACKER_REDIS_URL", f"redis://127.0.0.1:{port}/0")
    with BooksClient(offline=True, cache_dir=tmp_path) as books:
        books.author("Andy Weir")
        tiers = set(books.stats().cache)
    assert "redis" not in tiers
    assert books.async_client.settings.redis_url is None
