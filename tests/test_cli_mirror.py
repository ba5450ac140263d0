"""``bookstracker mirror import`` and ``bookstracker mirror status``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from bookstracker.cli import main
from bookstracker.testing import sample_catalog
from bookstracker.testing.dumps import write_catalog_dumps
from mirror_support import line


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), captured.out, captured.err


@pytest.fixture
def mirror_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
    monkeypatch.setenv("BOOKSTRACKER_MIRROR_URL", url)
    return url


def test_import_then_status(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mirror_url: str
) -> None:
    files = write_catalog_dumps(sample_catalog(), tmp_path / "dumps", date="2026-09-30")
    code, out, err = run(capsys, "mirror", "import", *map(str, files))
    assert code == 0
    assert out == ""
    assert "ol_dump_works_2026-09-30.txt.gz:" in err
    assert "0 bad" in err
    code, out, _ = run(capsys, "mirror", "status")
    assert code == 0
    assert "dump dates loaded: 2026-09-30" in out
    assert "size on disk:" in out
    code, out, _ = run(capsys, "--json", "mirror", "status")
    document: dict[str, Any] = json.loads(out)
    assert document["dump_dates"] == ["2026-09-30"]
    assert document["counts"]["work"] == len(sample_catalog().works)
    assert document["backend"] == "sqlite"
    code, out, err = run(capsys, "mirror", "import", str(files[0]))
    assert "already imported" in err


def test_bad_lines_are_listed_with_their_numbers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mirror_url: str
) -> None:
    dump = tmp_path / "ol_dump_works_2024-01-31.txt.gz"
    with gzip.open(dump, "wb") as handle:
        handle.write(line("work", "/works/OL1W", 1, title="One", authors=[]))
        handle.write(b"not a dump line\n")
        handle.write(line("work", "/works/OL2W", 1, title="Two", authors=[]))
    code, _, err = run(capsys, "mirror", "import", str(dump))
    assert code == 0
    assert "1 bad" in err
    assert "line 2: expected 5 TAB-separated columns" in err
    code, out, _ = run(capsys, "--json", "mirror", "import", str(dump))
    assert json.loads(out)["imports"][0]["already_done"] is True


def test_an_unusable_mirror_url_is_bad_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOKSTRACKER_MIRROR_URL", "mysql://somewhere/db")
    code, _, err = run(capsys, "mirror", "status")
    assert code == 2
    assert "unknown mirror URL scheme" in err
    code, _, err = run(capsys, "mirror", "import", str(tmp_path / "missing.txt.gz"))
    assert code == 2


def test_author_over_the_mirror_answers_like_the_sample_catalog_with_no_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    mirror_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = write_catalog_dumps(sample_catalog(), tmp_path / "dumps")
    assert run(capsys, "mirror", "import", *map(str, files))[0] == 0
    args = ("--json", "--no-cache", "--providers", "openlibrary", "author", "Ursula K. Le Guin")
    code, out, _ = run(capsys, "--offline", *args)
    assert code == 0
    offline = json.loads(out)
    monkeypatch.setenv("BOOKSTRACKER_OPENLIBRARY_SOURCE", "mirror")
    code, out, _ = run(capsys, *args)
    assert code == 0
    mirrored = json.loads(out)
    assert mirrored["providers"]["openlibrary"]["requests"] == 0
    assert mirrored["providers"]["openlibrary"]["status"] == "ok"
    assert mirrored["works"] == offline["works"]
    assert mirrored["excluded"] == offline["excluded"]


def test_offline_keeps_the_sample_catalog_whatever_the_source(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOKSTRACKER_OPENLIBRARY_SOURCE", "mirror")
    monkeypatch.setenv("BOOKSTRACKER_MIRROR_URL", "mysql://never/opened")
    code, out, _ = run(
        capsys,
        "--offline",
        "--json",
        "--no-cache",
        "--providers",
        "openlibrary",
        "author",
        "Terry Pratchett",
    )
    assert code == 0
    assert json.loads(out)["works"]


def test_an_unknown_openlibrary_source_is_bad_usage(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOKSTRACKER_OPENLIBRARY_SOURCE", "local")
    code, _, err = run(capsys, "--json", "author", "Terry Pratchett")
    assert code == 2
    assert "api, mirror or mirror-first" in err
