"""Docstrings stand alone: they never send a user to documents that ship with neither the package
nor its documentation site (the team's contract, the provider notes, an earlier backend)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "bookstracker"
ELSEWHERE = re.compile(
    # "see the contract" meant the team's document; the provider contract
    # (providers/contract.py, "the contract's operations") is code users have.
    r"\bsee the contract\b|\bof the contract\b|CONTRACT\.md"
    r"|PROVIDERS\.md|STYLE\.md|\bshared/|old backend",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "path", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(SOURCE))
)
def test_no_docstring_or_comment_points_at_a_document_users_do_not_have(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if ELSEWHERE.search(line)
    ]
    assert not found, "\n".join(found)


DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: p.name)
def test_no_docs_page_points_at_a_document_users_do_not_have(page: Path) -> None:
    found = [
        f"{page.name}:{number}: {line.strip()}"
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        if ELSEWHERE.search(line)
    ]
    assert not found, "\n".join(found)
