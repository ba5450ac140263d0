"""Every example in the README and in docs/ runs as written, offline (issue 14).

- ``python`` blocks run in order, one namespace per page, so a guide can build on its earlier
  blocks; ``BOOKSTRACKER_OFFLINE=1`` stands in for the network and the cache is a fresh folder.
- In ``sh`` blocks, every line that runs ``bookstracker`` runs in-process (``main([...])``) and
  must exit 0; other lines (installing, serving the docs, curl) are not run.
- A block preceded by ``<!-- not run: why -->`` is skipped, with why as the reason; blocks in
  any other language (``text``, ``json``, ``console``) are output samples, not examples.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

from bookstracker import set_event_hook
from bookstracker._logging import get_event_hook
from bookstracker.cli import main
from bookstracker.testing.dumps import write_catalog_dumps

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(
    r"(?P<before>^[^\n]*\n)?^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<why>.+?)\s*-->")


def blocks(page: Path) -> Iterator[tuple[str, str, str | None, int]]:
    """(language, code, reason not to run or None, line) of each fenced block of ``page``."""
    text = page.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        skip = NOT_RUN.search(match.group("before") or "")
        line = text.count("\n", 0, match.start("body"))
        yield match.group("lang"), match.group("body"), skip.group("why") if skip else None, line


def commands(code: str) -> Iterator[list[str]]:
    """The ``bookstracker`` command lines of a shell block, as argument lists."""
    for raw in code.replace("\\\n", " ").splitlines():
        words = shlex.split(raw, comments=True)
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words.pop(0)
        if words and words[0] == "bookstracker":
            redirect = [i for i, w in enumerate(words) if w in (">", ">>", "|", "2>")]
            yield words[1 : redirect[0] if redirect else None]


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


DUMP_DATE = "2026-10-31"
"""The date of the OpenLibrary dump files the mirror's examples import (written from the sample
catalog by ``bookstracker.testing.dumps``)."""

EXPORTS = {"goodreads_library_export.csv": ROOT / "tests" / "data" / "goodreads_export.csv"}
"""The files the examples name, as a reader would have them in the current folder."""


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BOOKSTRACKER_OFFLINE", "1")
    monkeypatch.setenv("BOOKSTRACKER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)
    for name, source in EXPORTS.items():
        (tmp_path / name).write_bytes(source.read_bytes())
    monkeypatch.setenv("BOOKSTRACKER_MIRROR_URL", f"sqlite:///{tmp_path / 'mirror.sqlite3'}")

    root, events = logging.getLogger(), logging.getLogger("bookstracker.events")
    saved = (root.handlers[:], root.level, events.level, get_event_hook())
    try:
        with stamina.set_testing(True, attempts=1):
            yield tmp_path
    finally:
        root.handlers[:], _, _, _ = saved
        root.setLevel(saved[1])
        events.setLevel(saved[2])
        set_event_hook(saved[3])


def files_for(page: Path, folder: Path) -> None:
    """The OpenLibrary dump files a page's examples import, when it names them."""
    if "ol_dump_" in page.read_text(encoding="utf-8"):
        write_catalog_dumps(
            None, folder, date=DUMP_DATE, redirects={"OL1A": "OL7234434A"}, deleted=["OL2W"]
        )


def test_the_pages_have_examples() -> None:
    found = {_page_id(p): [lang for lang, *_ in blocks(p)] for p in PAGES}
    assert "python" in found["README.md"]
    assert "sh" in found["README.md"]


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_the_python_examples_run(page: Path, offline: Path) -> None:
    files_for(page, offline)
    namespace: dict[str, object] = {"__name__": "__main__"}
    ran = 0
    for lang, code, skip, line in blocks(page):
        if lang != "python" or skip:
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{_page_id(page)}:{line}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"{_page_id(page)} line {line}: {type(exc).__name__}: {exc}\n{code}")
        ran += 1
    if not ran:
        pytest.skip("no python example on this page")
    closer = namespace.get("books")
    with contextlib.suppress(Exception):
        closer.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_the_command_line_examples_run(
    page: Path, offline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files_for(page, offline)
    ran = 0
    for lang, code, skip, line in blocks(page):
        if lang not in ("sh", "bash", "shell") or skip:
            continue
        for argv in commands(code):
            with pytest.raises(SystemExit) as exited:
                main(argv)
            out, err = capsys.readouterr()
            assert exited.value.code == 0, f"{_page_id(page)} line {line}: {argv}\n{out}\n{err}"
            ran += 1
    if not ran:
        pytest.skip("no bookstracker command on this page")


def test_skipped_examples_say_why() -> None:
    for page in PAGES:
        for _lang, _code, skip, line in blocks(page):
            assert skip is None or len(skip) > 10, f"{_page_id(page)} line {line}"


def test_offline_stands_in_for_the_network() -> None:
    assert "BOOKSTRACKER_OFFLINE" not in os.environ
