"""The bundled sample_catalog.json is exactly what _sample_data.py generates."""

from __future__ import annotations

from pathlib import Path

from bookstracker.testing import sample_catalog
from bookstracker.testing._sample_builder import (
    build_sample_catalog,
    sample_catalog_path,
    write_sample_catalog,
)
from bookstracker.testing.catalog import REGENERATE_SAMPLE, dump_catalog


def test_regenerating_the_sample_catalog_gives_the_same_bytes() -> None:
    generated = dump_catalog(build_sample_catalog())
    bundled = sample_catalog_path().read_bytes()
    assert generated == bundled, (
        "sample_catalog.json is not what _sample_data.py generates: "
        f"run `{REGENERATE_SAMPLE}` and commit the file"
    )


def test_the_loaded_catalog_equals_the_built_one() -> None:
    assert sample_catalog().to_dict() == build_sample_catalog().to_dict()


def test_write_sample_catalog_writes_where_asked(tmp_path: Path) -> None:
    target = write_sample_catalog(tmp_path / "catalog.json")
    assert target.read_bytes() == sample_catalog_path().read_bytes()
