"""What a newcomer checks before adopting the package: the licence and where the project lives."""

from __future__ import annotations

from importlib.metadata import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_mit_licence_the_metadata_claims_is_shipped() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text
    meta = metadata("bookstracker")
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in (meta.get_all("License-File") or [])


def test_the_metadata_names_the_project_urls() -> None:
    urls = dict(
        entry.split(", ", 1) for entry in metadata("bookstracker").get_all("Project-URL") or []
    )
    assert {"Homepage", "Documentation", "Source", "Changelog", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
