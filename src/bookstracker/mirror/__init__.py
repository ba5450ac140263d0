"""A local mirror of OpenLibrary's monthly dumps: SQLite by default, PostgreSQL when shared.

``bookstracker mirror import FILE...`` loads dump files (`import_dumps`); the
`~bookstracker.providers.openlibrary_mirror.OpenLibraryMirror` adapter answers OpenLibrary's
part of every call from the store. See docs/mirror.md. Names are imported on first use, so the
command line starts without loading the importer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bookstracker.mirror.importer import (
        ImportProgress,
        ImportResult,
        dump_file_info,
        import_dump,
        import_dumps,
    )
    from bookstracker.mirror.location import MIRROR_URL_ENV, default_sqlite_path, open_store
    from bookstracker.mirror.records import BadLine, DumpRecord, parse_line
    from bookstracker.mirror.store import (
        EditionSummary,
        ImportState,
        MirrorStatus,
        MirrorStore,
        StoredRecord,
    )

_WHERE = {
    "ImportProgress": "importer",
    "ImportResult": "importer",
    "dump_file_info": "importer",
    "import_dump": "importer",
    "import_dumps": "importer",
    "MIRROR_URL_ENV": "location",
    "default_sqlite_path": "location",
    "open_store": "location",
    "BadLine": "records",
    "DumpRecord": "records",
    "parse_line": "records",
    "EditionSummary": "store",
    "ImportState": "store",
    "MirrorStatus": "store",
    "MirrorStore": "store",
    "StoredRecord": "store",
}

__all__ = [
    "MIRROR_URL_ENV",
    "BadLine",
    "DumpRecord",
    "EditionSummary",
    "ImportProgress",
    "ImportResult",
    "ImportState",
    "MirrorStatus",
    "MirrorStore",
    "StoredRecord",
    "default_sqlite_path",
    "dump_file_info",
    "import_dump",
    "import_dumps",
    "open_store",
    "parse_line",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'bookstracker.mirror' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"bookstracker.mirror.{module}"), name)
    globals()[name] = value
    return value
