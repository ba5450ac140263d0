"""What start-up loads: a command imports only what its answer needs (no disk tier without a
cache, no httpx offline, no mirror, web server or Redis client unless asked for)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import bookstracker.cache

_RUN_CLI = """
import runpy, sys
sys.argv = ["bookstracker", *sys.argv[1:]]
try:
    runpy.run_module("bookstracker", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print(sorted(name for name in WATCHED if name in sys.modules))
"""

_WATCHED = (
    "diskcache",
    "sqlite3",
    "httpx",
    "redis",
    "bookstracker.mirror",
    "bookstracker.web",
    "bookstracker.pipeline.corefilter",
    "bookstracker.pipeline.enhance",
    "bookstracker.pipeline.pairing",
    "bookstracker.testing.fake_googlebooks",
    "bookstracker.testing._sample_builder",
    "aiolimiter",
    "importlib.metadata",
    "email.utils",
    "rapidfuzz",
    "stamina",
    "stdnum",
    "anyascii",
    "rich.console",
    "bookstracker.pipeline.resolve",
    "bookstracker.pipeline.evidence",
)


def _loaded_by(*cli_args: str, cache_home: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSTRACKER_")}
    if cache_home is not None:
        env["BOOKSTRACKER_CACHE_DIR"] = str(cache_home)
    program = f"WATCHED = {_WATCHED!r}\n" + _RUN_CLI
    done = subprocess.run(
        [sys.executable, "-c", program, *cli_args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def test_offline_isbn_without_cache_loads_only_what_the_look_up_needs() -> None:
    assert _loaded_by("--offline", "--no-cache", "--json", "isbn", "0553418025") == "[]"


def test_a_cached_offline_answer_makes_no_fake(tmp_path: Path) -> None:
    first = _loaded_by("--offline", "--json", "author", "Andy Weir", cache_home=tmp_path)
    assert "bookstracker.testing.fake_googlebooks" in first
    again = _loaded_by("--offline", "--json", "author", "Andy Weir", cache_home=tmp_path)
    assert again == "['diskcache', 'sqlite3']"


def test_help_lists_the_commands_imported_on_demand() -> None:
    from click.testing import CliRunner

    from bookstracker.cli import cli

    shown = CliRunner().invoke(cli, ["--help"]).output
    assert "mirror " in shown
    assert "serve " in shown


def test_disk_cache_is_still_importable_from_the_cache_package() -> None:
    from bookstracker.cache import DiskCache
    from bookstracker.cache.disk import DiskCache as Defined

    assert DiskCache is Defined
    assert bookstracker.DiskCache is Defined


def test_an_unknown_cache_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchCache"):
        bookstracker.cache.NoSuchCache  # noqa: B018
