"""Helpers for the mirror's tests: dump lines, and a store of each backend."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bookstracker.errors import ConfigurationError
from bookstracker.mirror import MirrorStore, open_store

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def line(kind: str, key: str, revision: int, **fields: Any) -> bytes:
    """A dump line for a record of ``kind`` (author, work, edition, redirect, delete)."""
    type_key = {"edition": "/type/edition"}.get(kind, f"/type/{kind}")
    record = {"key": key, "type": {"key": type_key}, "revision": revision, **fields}
    stamp = "2024-01-01T00:00:00.000000"
    return f"{type_key}\t{key}\t{revision}\t{stamp}\t{json.dumps(record)}\n".encode()


def postgres_url() -> str:
    return os.environ.get("BOOKSTRACKER_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def open_backend(backend: str, tmp_path: Path) -> Iterator[MirrorStore]:
    """A fresh store; PostgreSQL in a schema of its own, dropped afterwards (skips when no server
    answers or psycopg is missing)."""
    if backend == "sqlite":
        store = open_store(f"sqlite:///{tmp_path / 'mirror.sqlite3'}")
        yield store
        store.close()
        return
    schema = f"mirror_test_{uuid.uuid4().hex[:12]}"
    url = postgres_url()
    url += ("&" if "?" in url else "?") + f"schema={schema}"
    try:
        store = open_store(url)
    except ConfigurationError as exc:
        pytest.skip(f"no PostgreSQL for the mirror tests: {exc}")
    try:
        yield store
    finally:
        store.drop()  # type: ignore[attr-defined]
        store.close()
