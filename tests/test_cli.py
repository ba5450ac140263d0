"""Black-box tests of the command line: output, the --json documents and the exit codes.

In-process through ``main([...])`` with ``capsys`` (``--offline``, or the fakes served on
loopback and named by the BOOKSTRACKER_*_URL variables), plus a few end-to-end runs of
``python -m bookstracker`` in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina

from bookstracker.cli import main
from bookstracker.testing import (
    FakeGoogleBooks,
    FakeISBNdb,
    FakeOpenLibrary,
    FakeProvider,
    FakeRequest,
    FakeServer,
    Faults,
    sample_catalog,
)

PROVIDER_NAMES = ["openlibrary", "googlebooks", "isbndb"]
REPORT_KEYS = {"status", "elapsed_ms", "requests", "error"}
STATUSES = {"ok", "empty", "error", "cached", "skipped", "disabled"}
HIT_KEYS = {"title", "authors", "first_publish_year", "isbn13", "keys", "sources", "cover_url"}
EDITION_KEYS = {
    "isbn13",
    "isbn10",
    "title",
    "authors",
    "publisher",
    "published",
    "pages",
    "language",
    "format",
    "cover_url",
    "work_key",
    "sources",
}
WORK_KEYS = {"title", "first_publish_year", "keys", "editions", "sources", "evidence"}
REASONS = {"translation", "collection", "companion", "duplicate", "not-by-author"}
KEY = "cli-test-key"


@pytest.fixture(autouse=True)
def _wide_terminal_and_no_retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("COLUMNS", "220")
    with stamina.set_testing(True, attempts=1):
        yield


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every request any fake provider receives in this test: (provider, path)."""
    seen: list[tuple[str, str]] = []
    original = FakeProvider.handle

    def spy(self: FakeProvider, request: FakeRequest) -> Any:
        seen.append((self.name, request.path))
        return original(self, request)

    monkeypatch.setattr(FakeProvider, "handle", spy)
    return seen


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``bookstracker ARGS`` in-process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "--json", *args)
    document = json.loads(out)
    assert isinstance(document, dict)
    return code, document


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- the JSON contract --------------------------------------------------------------------------


def _no_empty_strings(value: Any, where: str = "$") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _no_empty_strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_empty_strings(item, f"{where}[{index}]")
    else:
        assert value != "", f"{where} is an empty string, not null"


def _check_providers(document: dict[str, Any]) -> None:
    providers = document["providers"]
    assert list(providers) == PROVIDER_NAMES
    for name, report in providers.items():
        assert set(report) == REPORT_KEYS, name
        assert report["status"] in STATUSES
        assert isinstance(report["elapsed_ms"], (int, float))
        assert isinstance(report["requests"], int)
        assert not isinstance(report["requests"], bool)
        assert report["error"] is None or isinstance(report["error"], str)
        if report["status"] == "error":
            assert report["error"]


def _check_year(value: Any) -> None:
    assert value is None or (isinstance(value, int) and not isinstance(value, bool))


def _check_edition(edition: dict[str, Any]) -> None:
    assert set(edition) == EDITION_KEYS
    assert edition["isbn13"] is None or re.fullmatch(r"97[89]\d{10}", edition["isbn13"])
    assert edition["isbn10"] is None or re.fullmatch(r"\d{9}[\dX]", edition["isbn10"])
    assert edition["language"] is None or re.fullmatch(r"[a-z]{2}", edition["language"])
    assert edition["work_key"] is None or re.fullmatch(r"OL\d+W", edition["work_key"])
    assert edition["pages"] is None or isinstance(edition["pages"], int)
    assert all(isinstance(a, str) for a in edition["authors"])
    assert set(edition["sources"]) <= set(PROVIDER_NAMES)


def _check_document(document: dict[str, Any]) -> None:
    _no_empty_strings(document)
    _check_providers(document)


# -- author -------------------------------------------------------------------------------------


def test_author_shows_the_core_works_their_editions_and_every_exclusion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    catalog = sample_catalog()
    code, out, err = run(capsys, "--offline", "--no-cache", "author", "Andy Weir")
    assert code == 0, err
    assert "Andy Weir (OL7234434A, born 1972)" in out
    assert "Core works (7)" in out
    for work in catalog.works_of("OL7234434A"):
        if work.truth == "core":
            assert work.id in out
            for edition in work.editions:
                if edition.isbn13:
                    assert edition.isbn13 in out, (work.title, edition.isbn13)
        else:
            row = next((line for line in out.splitlines() if work.id in line), "")
            assert work.truth in row, f"{work.title!r} is not listed as {work.truth}"
    assert "Excluded (11)" in out
    assert "completeness: 1.00" in out


def test_author_json_is_one_contract_document(capsys: pytest.CaptureFixture[str]) -> None:
    catalog = sample_catalog()
    code, document = run_json(capsys, "--offline", "--no-cache", "author", "Andy Weir")
    assert code == 0
    _check_document(document)
    assert set(document) == {
        "author",
        "candidates",
        "works",
        "excluded",
        "completeness",
        "providers",
    }
    assert document["author"] == {"name": "Andy Weir", "keys": {"openlibrary": "OL7234434A"}}
    for candidate in document["candidates"]:
        assert set(candidate) == {"name", "keys", "work_count", "birth_date", "top_subjects"}
    assert len(document["works"]) == 7
    for work in document["works"]:
        assert set(work) == WORK_KEYS
        _check_year(work["first_publish_year"])
        assert re.fullmatch(r"OL\d+W", work["keys"]["openlibrary"])
        for edition in work["editions"]:
            _check_edition(edition)
    truth = {w.id: w.truth for w in catalog.works_of("OL7234434A") if w.truth != "core"}
    assert {e["key"]: e["reason"] for e in document["excluded"]} == truth
    for item in document["excluded"]:
        assert set(item) == {"title", "key", "reason", "detail", "kept_under", "evidence"}
        assert item["detail"]
        assert item["evidence"]["verdict"] == item["reason"]
        assert item["reason"] in REASONS
    completeness = document["completeness"]
    assert set(completeness) == {"author", "score", "complete", "expected", "found", "evidence"}
    assert completeness["complete"] is True
    assert isinstance(completeness["expected"], int)
    assert {r["status"] for r in document["providers"].values()} == {"ok"}


def test_homonyms_name_the_chosen_one_and_list_the_other(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--offline", "--no-cache", "author", "David Mitchell")
    assert code == 0
    assert "David Mitchell (OL70000056A, born 1969)" in out
    assert "other candidates" in out
    assert "David Mitchell (OL70000057A, born 1974, 4 works, best known for Back Story)" in out
    assert "Cloud Atlas" in out
    code, document = run_json(capsys, "--offline", "--no-cache", "author", "OL70000057A")
    assert code == 0
    assert document["author"]["keys"] == {"openlibrary": "OL70000057A"}
    assert {w["title"] for w in document["works"]} == {
        "Back Story",
        "Thinking About It Only Makes It Worse",
        "Dishonesty Is the Second-Best Policy",
        "Unruly",
    }


def test_completeness_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = run_json(capsys, "--offline", "--no-cache", "completeness", "Andy Weir")
    assert code == 0
    assert {"author", "score", "complete", "expected", "found", "evidence"} <= set(document)
    assert document["author"] == "Andy Weir"
    assert 0.0 <= document["score"] <= 1.0
    assert document["expected"] == document["found"] == 18


# -- search and isbn ----------------------------------------------------------------------------


def test_search_json_is_one_contract_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = run_json(capsys, "--offline", "--no-cache", "search", "the martian")
    assert code == 0
    _check_document(document)
    assert set(document) == {"query", "results", "providers"}
    assert document["query"] == "the martian"
    first = document["results"][0]
    assert first["title"] == "The Martian"
    assert first["sources"] == PROVIDER_NAMES
    for hit in document["results"]:
        assert set(hit) == HIT_KEYS
        _check_year(hit["first_publish_year"])
        assert all(re.fullmatch(r"97[89]\d{10}", i) for i in hit["isbn13"])
        assert set(hit["keys"]) <= set(hit["sources"])


def test_search_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = run_json(
        capsys, "--offline", "--no-cache", "search", "harry potter", "--limit", "3"
    )
    assert code == 0
    assert len(document["results"]) == 3


def test_isbn_json_is_one_contract_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = run_json(
        capsys, "--offline", "--no-cache", "isbn", "0553418025", "978-0-553-41802-6"
    )
    assert code == 0
    _check_document(document)
    assert set(document) == {"results", "invalid", "providers"}
    assert list(document["results"]) == ["0553418025", "978-0-553-41802-6"]
    for edition in document["results"].values():
        _check_edition(edition)
        assert edition["isbn13"] == "9780553418026"
        assert edition["isbn10"] == "0553418025"
    assert document["invalid"] == []


def test_providers_option_disables_the_others(
    capsys: pytest.CaptureFixture[str], upstream: list[tuple[str, str]]
) -> None:
    code, document = run_json(
        capsys, "--offline", "--no-cache", "--providers", "openlibrary", "search", "artemis"
    )
    assert code == 0
    statuses = {name: r["status"] for name, r in document["providers"].items()}
    assert statuses == {"openlibrary": "ok", "googlebooks": "disabled", "isbndb": "disabled"}
    assert {name for name, _ in upstream} == {"openlibrary"}


def test_stats_go_into_the_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, document = run_json(capsys, "--offline", "--no-cache", "--stats", "search", "the martian")
    assert code == 0
    assert set(document) == {"query", "results", "providers", "stats"}
    assert {"providers", "cache"} <= set(document["stats"])


# -- exit codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["isbn", "9780000000002"],
        ["search", "zzqxw vvvkj"],
        ["author", "Zyxwv Qqqq"],
    ],
    ids=["isbn-nobody-has", "search-no-hits", "author-unknown"],
)
def test_nothing_found_exits_1(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, _, _ = run(capsys, "--offline", "--no-cache", *args)
    assert code == 1
    code, document = run_json(capsys, "--offline", "--no-cache", *args)
    assert code == 1
    _check_document(document)
    answered = [r for r in document["providers"].values() if r["status"] in ("ok", "empty")]
    assert answered
    assert all(r["status"] == "empty" for r in answered)


@pytest.mark.parametrize(
    "args",
    [
        ["isbn", "123"],
        ["isbn", "9780553418027"],
        ["isbn", "0553418025", "not-an-isbn"],
        ["search", ""],
        ["search", "ab"],
        ["search", "the"],
        ["search", "x" * 151],
        ["search", "the martian", "--limit", "0"],
        ["--providers", "nosuch", "search", "the martian"],
        ["--providers", "", "author", "Andy Weir"],
        ["author", ""],
        ["author", "   "],
        ["search"],
        ["nosuch"],
    ],
    ids=[
        "isbn-too-short",
        "isbn-bad-checksum",
        "isbn-one-bad",
        "empty-query",
        "short-query",
        "the",
        "long-query",
        "limit-0",
        "unknown-provider",
        "no-provider",
        "empty-author",
        "blank-author",
        "missing-query",
        "unknown-command",
    ],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_invalid_input_exits_2_with_one_line_and_no_request(
    capsys: pytest.CaptureFixture[str],
    upstream: list[tuple[str, str]],
    args: list[str],
    as_json: bool,
) -> None:
    flags = ["--json"] if as_json else []
    code, out, err = run(capsys, *flags, "--offline", "--no-cache", *args)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("bookstracker: ")
    assert upstream == []


def test_every_provider_unreachable_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"http://127.0.0.1:{_closed_port()}"
    for name in ("OPENLIBRARY", "GOOGLEBOOKS", "ISBNDB"):
        monkeypatch.setenv(f"BOOKSTRACKER_{name}_URL", closed)
    monkeypatch.setenv("BOOKSTRACKER_ISBNDB_API_KEY", KEY)
    for args in (["search", "the martian"], ["author", "Andy Weir"], ["isbn", "0553418025"]):
        code, document = run_json(capsys, "--no-cache", *args)
        assert code == 3, args
        assert set(document) == {"error", "providers"}
        _check_document(document)
        assert {r["status"] for r in document["providers"].values()} == {"error"}
        assert all("unavailable" in r["error"] for r in document["providers"].values())
    code, out, err = run(capsys, "--no-cache", "search", "the martian")
    assert code == 3
    assert out == ""
    assert err.startswith("bookstracker: no provider could answer")
    assert "stamina" not in err


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, FakeProvider]]:
    """The fakes on loopback, named by the environment as a user would (not --offline)."""
    fakes: dict[str, FakeProvider] = {
        "openlibrary": FakeOpenLibrary(),
        "googlebooks": FakeGoogleBooks(),
        "isbndb": FakeISBNdb(api_key=KEY),
    }
    with FakeServer(*fakes.values()) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
            monkeypatch.setenv(name.replace("_URL", "_RATE"), "1000")
        monkeypatch.setenv("BOOKSTRACKER_ISBNDB_API_KEY", KEY)
        yield fakes


@pytest.mark.parametrize("failing", PROVIDER_NAMES)
def test_one_provider_failing_still_exits_0_and_says_so(
    capsys: pytest.CaptureFixture[str], served: dict[str, FakeProvider], failing: str
) -> None:
    served[failing].set_faults(Faults.always("503"))
    code, document = run_json(capsys, "--no-cache", "search", "the martian")
    assert code == 0
    _check_document(document)
    report = document["providers"][failing]
    assert report["status"] == "error"
    assert "503" in report["error"]
    assert report["requests"] == served[failing].count()
    assert document["results"][0]["title"] == "The Martian"
    code, document = run_json(capsys, "--no-cache", "author", "Andy Weir")
    assert code == 0
    assert document["providers"][failing]["status"] == "error"
    assert {"The Martian", "Artemis"} <= {w["title"] for w in document["works"]}


def test_requests_in_the_report_are_those_the_server_received(
    capsys: pytest.CaptureFixture[str], served: dict[str, FakeProvider]
) -> None:
    code, document = run_json(capsys, "--no-cache", "author", "Andy Weir")
    assert code == 0
    for name, fake in served.items():
        assert document["providers"][name]["requests"] == fake.count(), name


# -- end to end ---------------------------------------------------------------------------------


def _python_m(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSTRACKER_")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "bookstracker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_python_m_bookstracker_author_json() -> None:
    done = _python_m("--offline", "--no-cache", "--json", "author", "Andy Weir")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    _check_document(document)
    assert [w["title"] for w in document["works"]][:2] == ["The Egg", "The Martian"]
    assert len(document["works"]) == 7
    assert len(document["excluded"]) == 11


def test_python_m_bookstracker_bad_input() -> None:
    done = _python_m("--offline", "--no-cache", "isbn", "9780553418027")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "9780553418027" in done.stderr


def test_an_unsafe_cache_folder_is_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(SystemExit) as exited:
        main(["--offline", "--cache-dir", str(shared), "author", "Andy Weir"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "other users" in captured.err
