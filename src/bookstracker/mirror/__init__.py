"""A local mirror of OpenLibrary's monthly dumps: SQLite by default, PostgreSQL when shared.

``bookstracker mirror import FILE...`` loads dump files (`import_dumps`); the
`~bookstracker.providers.openlibrary_mirror.OpenLibraryMirror` adapter answers OpenLibrary's
part of every call from the store. See docs/mirror.md.
"""

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
