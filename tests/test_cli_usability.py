"""The frictions a newcomer met on the command line, each pinned by a test (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import stamina

from bookstracker.cli import main

GLOBAL_FLAGS = ("--json", "--offline", "--providers", "--no-cache", "--cache-dir", "--stats", "-v")


@pytest.fixture(autouse=True)
def _wide_terminal_and_no_retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COLUMNS", "220")
    with stamina.set_testing(True, attempts=1):
        yield


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


# -- global options after the command -----------------------------------------------------------


def test_global_options_are_accepted_after_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "author", "Andy Weir", "--offline", "--no-cache")
    assert code == 0, err
    assert "Project Hail Mary" in out


def test_json_after_the_command_prints_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "search", "the martian", "--limit", "2", "--json", "--offline", "--no-cache"
    )
    assert code == 0
    document: dict[str, Any] = json.loads(out)
    assert document["query"] == "the martian"
    assert len(document["results"]) <= 2


def test_global_options_mix_before_and_after(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--offline", "isbn", "0553418025", "--json", "--no-cache")
    assert code == 0
    assert json.loads(out)["results"]["0553418025"]["title"] == "The Martian"


def test_global_options_after_a_cache_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cache", "stats", "--no-cache", "--offline", "--json")
    assert code == 0
    assert json.loads(out)["cache"] == {}


def test_a_bad_provider_list_after_the_command_is_bad_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "search", "x", "--providers", "amazon", "--offline")
    assert code == 2
    assert "amazon" in err


@pytest.mark.parametrize("command", [["author"], ["search"], ["cache", "clear"], ["warm"]])
def test_subcommand_help_lists_the_global_options(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    main([*command, "--help"])
    out = capsys.readouterr().out
    assert "Global options" in out
    for flag in GLOBAL_FLAGS:
        assert flag in out, flag


# -- retries: one readable line, only with -v ----------------------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _unreachable_env(tmp_path: Any) -> dict[str, str]:
    import os

    dead = f"http://127.0.0.1:{_closed_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSTRACKER_")}
    env.update(
        BOOKSTRACKER_OPENLIBRARY_URL=dead,
        BOOKSTRACKER_GOOGLEBOOKS_URL=dead,
        BOOKSTRACKER_CACHE_DIR=str(tmp_path / "cache"),
    )
    return env


_LIBRARY_SNIPPET = """
import stamina
stamina.set_testing(True, attempts=2)
from bookstracker import BooksClient, AllProvidersFailed
with BooksClient(timeout=0.5) as books:
    try:
        books.author("Andy Weir")
    except AllProvidersFailed as exc:
        print(exc)
"""


def test_the_library_prints_no_bare_stamina_lines_on_stderr(tmp_path: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _LIBRARY_SNIPPET],
        env=_unreachable_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "stamina.retry_scheduled" not in done.stderr
    assert done.stderr == ""
    assert "openlibrary" in done.stdout


def test_cli_retries_are_one_readable_line_each_only_with_verbose(tmp_path: Any) -> None:
    env = _unreachable_env(tmp_path)
    command = [sys.executable, "-m", "bookstracker", "--providers", "openlibrary", "author", "X"]
    quiet = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 3
    assert "retry" not in quiet.stderr
    verbose = subprocess.run([*command, "-v"], env=env, capture_output=True, text=True, timeout=60)
    assert verbose.returncode == 3
    assert "stamina" not in verbose.stderr
    retries = [line for line in verbose.stderr.splitlines() if "retry" in line]
    assert retries, verbose.stderr
    assert all("openlibrary" in line and "attempt" in line for line in retries)


def test_all_providers_failed_names_each_cause_in_its_message() -> None:
    from bookstracker import AllProvidersFailed, ProviderReport

    reports = {
        "googlebooks": ProviderReport(
            provider="googlebooks", status="error", error="http 503: Service Unavailable"
        ),
        "openlibrary": ProviderReport(
            provider="openlibrary", status="error", error="unavailable: connection refused"
        ),
        "isbndb": ProviderReport(provider="isbndb", status="disabled"),
    }
    exc = AllProvidersFailed("no provider could answer for the author 'X'", reports=reports)
    assert str(exc) == (
        "no provider could answer for the author 'X': "
        "openlibrary: unavailable: connection refused; googlebooks: http 503: Service Unavailable; "
        "isbndb: disabled"
    )
    assert exc.message == "no provider could answer for the author 'X'"


# -- what the tables show ------------------------------------------------------------------------


def test_other_candidates_show_their_birth_year(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--offline", "--no-cache", "author", "David Mitchell")
    assert code == 0
    assert "born 1969" in out.splitlines()[0]
    candidates = next(line for line in out.splitlines() if "other candidates" in line)
    assert "OL70000057A" in candidates
    assert "born 1974" in candidates


def test_the_readme_isbn_example_finds_both_isbns_offline_without_truncating(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "--offline", "--no-cache", "isbn", "0553418025", "978-0-7475-3269-9")
    assert code == 0
    assert "not found" not in out
    assert "978-0-7475-3269-9" in out
    assert "0553418025" in out
    assert "…" not in out


def test_edition_lines_align_when_a_publisher_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--offline", "--no-cache", "author", "David Mitchell")
    assert code == 0
    lines = out.splitlines()
    start = lines.index("Ghostwritten editions:") + 1
    editions = lines[start : start + 4]
    assert any("Mass Market Paperback" in line for line in editions)
    assert len({line.index("[") for line in editions}) == 1, "\n".join(editions)


# -- --no-cache says what it does ----------------------------------------------------------------


def test_warm_with_no_cache_is_refused_rather_than_claiming_warmed(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    code, out, err = run(
        capsys, "--offline", "--no-cache", "--cache-dir", str(tmp_path), "warm", "Andy Weir"
    )
    assert code == 2
    assert "warmed" not in out
    assert "--no-cache" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "warm-state").exists()


def test_no_cache_says_so_in_cache_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--offline", "--no-cache", "cache", "clear")
    assert code == 0
    assert "the cache is off" in out


def test_no_cache_still_takes_the_cache_dir_as_the_folder_of_state(tmp_path: Any) -> None:
    from bookstracker.cli import Options

    options = Options(
        as_json=False,
        offline=True,
        providers=None,
        no_cache=True,
        cache_dir=str(tmp_path),
        stats=False,
        verbose=0,
    )
    client = options.client()
    assert client.cache is None
    assert client.settings.cache_dir == str(tmp_path)


def test_commands_added_from_other_modules_take_the_global_options_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOKSTRACKER_MIRROR_URL", f"sqlite:///{tmp_path / 'mirror.sqlite3'}")
    main(["mirror", "status", "--help"])
    assert "--offline" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["mirror", "status", "--json"])
    assert exited.value.code in (0, 1)
    json.loads(capsys.readouterr().out)


def test_unreachable_providers_point_at_offline_mode() -> None:
    from bookstracker import AllProvidersFailed, ProviderReport

    reports = {
        "openlibrary": ProviderReport(
            provider="openlibrary", status="error", error="unavailable: ConnectError"
        ),
        "googlebooks": ProviderReport(provider="googlebooks", status="error", error="timeout"),
    }
    exc = AllProvidersFailed("no provider could answer the search 'x'", reports=reports)
    assert "offline=True or BOOKSTRACKER_OFFLINE=1" in str(exc)
    refused = {
        "openlibrary": ProviderReport(provider="openlibrary", status="error", error="http 500")
    }
    assert "offline" not in str(AllProvidersFailed("m", reports=refused))
