"""What start-up loads: a command that needs no disk tier does not import diskcache."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import bookstracker.cache

_RUN_CLI = """
import runpy, sys
sys.argv = ["bookstracker", *sys.argv[1:]]
try:
    runpy.run_module("bookstracker", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print(sorted(name for name in ("diskcache", "sqlite3") if name in sys.modules))
"""


def _loaded_by(*cli_args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSTRACKER_")}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_CLI, *cli_args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def test_offline_isbn_without_cache_loads_no_disk_cache() -> None:
    assert _loaded_by("--offline", "--no-cache", "--json", "isbn", "0553418025") == "[]"


def test_disk_cache_is_still_importable_from_the_cache_package() -> None:
    from bookstracker.cache import DiskCache
    from bookstracker.cache.disk import DiskCache as Defined

    assert DiskCache is Defined
    assert bookstracker.DiskCache is Defined


def test_an_unknown_cache_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchCache"):
        bookstracker.cache.NoSuchCache  # noqa: B018
