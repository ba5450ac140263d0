"""Dump files in OpenLibrary's format, written from a `Catalog`, for the mirror's tests.

`write_catalog_dumps` writes ``ol_dump_{authors,works,editions}_DATE.txt.gz`` (and
``redirects``/``deletes`` when asked) with exactly the records `FakeOpenLibrary` serves for the
same catalog, so a mirror imported from them answers like the fake API. Only editions that
OpenLibrary knows are written, and nothing of a catalog's answer key (``truth``) ever is.
`write_synthetic_dump` writes a large mixed dump (a million lines for the benchmarks) quickly
and deterministically.

Run ``python -m bookstracker.testing.dumps OUT_DIR [--catalog FILE]`` to write the sample
catalog's dumps (or a labelled catalog's) into a folder.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from bookstracker.testing.catalog import Catalog, sample_catalog
from bookstracker.testing.fake_openlibrary import FakeOpenLibrary

__all__ = [
    "DEFAULT_DUMP_DATE",
    "dump_line",
    "write_catalog_dumps",
    "write_synthetic_dump",
]

DEFAULT_DUMP_DATE = "2026-10-31"
_TYPES = {"authors": "/type/author", "works": "/type/work", "books": "/type/edition"}


def dump_line(record: Mapping[str, Any]) -> bytes:
    """One dump line for a raw record: type, key, revision, last_modified, JSON (ASCII-escaped)."""
    key = str(record["key"])
    type_key = record.get("type")
    type_name = type_key.get("key") if isinstance(type_key, Mapping) else type_key
    modified = record.get("last_modified")
    stamp = modified.get("value") if isinstance(modified, Mapping) else ""
    revision = record.get("revision", 1)
    return f"{type_name}\t{key}\t{revision}\t{stamp}\t{json.dumps(record)}\n".encode("ascii")


def _revised(record: dict[str, Any], bump: int) -> dict[str, Any]:
    if bump:
        record["revision"] = record.get("revision", 1) + bump
        record["latest_revision"] = record["revision"]
    return record


def _gz(path: Path) -> IO[bytes]:
    return gzip.open(path, "wb", compresslevel=5)  # type: ignore[return-value]


def write_catalog_dumps(
    catalog: Catalog | None,
    folder: str | os.PathLike[str],
    *,
    date: str = DEFAULT_DUMP_DATE,
    revision_bump: int = 0,
    redirects: Mapping[str, str] | None = None,
    deleted: Iterable[str] = (),
) -> list[Path]:
    """Write the catalog (the sample catalog when None) as dump files in ``folder``.

    ``revision_bump`` adds to every record's revision (a "newer" dump of the same records).
    ``redirects`` (old id → new id) and ``deleted`` (ids) go into the ``redirects`` and
    ``deletes`` files, with a revision above the catalog's. Returns the files written.
    """
    catalog = catalog if catalog is not None else sample_catalog()
    fake = FakeOpenLibrary(catalog)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        part: out / f"ol_dump_{part}_{date}.txt.gz" for part in ("authors", "works", "editions")
    }
    with _gz(paths["authors"]) as handle:
        for author in catalog.authors:
            record = fake._author_record(author.id)
            if record is not None:
                handle.write(dump_line(_revised(record, revision_bump)))
    with _gz(paths["works"]) as handle:
        for work in catalog.works:
            handle.write(dump_line(_revised(fake.work_record(work), revision_bump)))
    with _gz(paths["editions"]) as handle:
        for work in catalog.works:
            for edition in work.editions:
                if "openlibrary" in edition.providers:
                    record = fake.edition_record(work, edition)
                    handle.write(dump_line(_revised(record, revision_bump)))
    written = list(paths.values())
    if redirects:
        path = out / f"ol_dump_redirects_{date}.txt.gz"
        with _gz(path) as handle:
            for old, new in redirects.items():
                handle.write(dump_line(_marker(old, "/type/redirect", revision_bump, new)))
        written.append(path)
    gone = list(deleted)
    if gone:
        path = out / f"ol_dump_deletes_{date}.txt.gz"
        with _gz(path) as handle:
            for ident in gone:
                handle.write(dump_line(_marker(ident, "/type/delete", revision_bump)))
        written.append(path)
    return written


def _path_of(ident: str) -> str:
    folder = {"A": "authors", "W": "works", "M": "books"}[ident[-1]]
    return f"/{folder}/{ident}"


def _marker(ident: str, type_key: str, bump: int, target: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"key": _path_of(ident), "type": {"key": type_key}}
    if target is not None:
        record["location"] = _path_of(target)
    record["revision"] = 100 + bump
    record["last_modified"] = {"type": "/type/datetime", "value": "2026-10-01T00:00:00.000000"}
    return record


_WORDS = (
    "river",
    "night",
    "garden",
    "stone",
    "winter",
    "letter",
    "house",
    "silver",
    "island",
    "shadow",
    "mirror",
    "orchard",
    "harbour",
    "lantern",
    "summer",
    "empire",
    "glass",
    "storm",
    "crown",
    "forest",
    "memory",
    "voyage",
    "machine",
    "ember",
)
_LANGS = ("eng", "eng", "eng", "fre", "ger", "spa", "ita", "jpn", "rus")
_PUBLISHERS = ("Penguin", "Vintage", "Gallimard", "Suhrkamp", "Anagrama", "Kodansha", "Norton")


def _isbn13(number: int) -> str:
    core = f"978{number % 10**9:09d}"
    total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core))
    return core + str((10 - total % 10) % 10)


def _isbn10(isbn13: str) -> str:
    body = isbn13[3:12]
    check = sum((i + 1) * int(d) for i, d in enumerate(body)) % 11
    return body + ("X" if check == 10 else str(check))


def _stamp(number: int) -> str:
    return f"20{10 + number % 15:02d}-{1 + number % 12:02d}-{1 + number % 28:02d}T10:00:00.000000"


def _synthetic_lines(lines: int, seed: int, prolific_works: int) -> Iterable[bytes]:
    """Authors, then works, then editions, in the proportions of the real dumps (1 : 2.6 : 3.7)
    and near their average sizes (about 250, 450 and 1,000 bytes a line: the 2020 files' gzip
    sizes per row at gzip's usual 4-5× on this text)."""
    rng = random.Random(seed)
    authors = max(1, lines * 10 // 73)
    works = max(1, lines * 26 // 73)
    editions = max(0, lines - authors - works)
    for a in range(authors):
        ident = f"OL{a + 1}A"
        name = f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()}son {a}"
        record: dict[str, Any] = {
            "name": name,
            "personal_name": name,
            "key": f"/authors/{ident}",
            "type": {"key": "/type/author"},
            "revision": 1 + a % 5,
            "last_modified": {"type": "/type/datetime", "value": _stamp(a)},
        }
        if a % 4 == 0:
            record["alternate_names"] = [f"{name.split()[1]}, {name.split()[0]}"]
        if a % 3 == 0:
            record["birth_date"] = f"{1900 + a % 100}"
        yield dump_line(record)
    for w in range(works):
        ident = f"OL{w + 1}W"
        author = 1 if w < prolific_works else 1 + rng.randrange(authors)
        title = " ".join(rng.choice(_WORDS) for _ in range(2 + w % 4)).capitalize()
        record = {
            "title": title,
            "key": f"/works/{ident}",
            "type": {"key": "/type/work"},
            "authors": [
                {"type": {"key": "/type/author_role"}, "author": {"key": f"/authors/OL{author}A"}}
            ],
            "revision": 1 + w % 7,
            "last_modified": {"type": "/type/datetime", "value": _stamp(w)},
            "subjects": [rng.choice(_WORDS).title() for _ in range(w % 4)],
            "created": {"type": "/type/datetime", "value": _stamp(w + 7)},
            "latest_revision": 1 + w % 7,
        }
        if w % 3 == 0:
            record["covers"] = [9_000_000 + w]
        if w % 2 == 0:
            record["first_publish_date"] = str(1950 + w % 70)
        yield dump_line(record)
    for e in range(editions):
        ident = f"OL{e + 1}M"
        work = (
            1 + (e % (prolific_works * 5)) // 5
            if e < prolific_works * 5
            else 1 + rng.randrange(works)
        )
        record = {
            "title": " ".join(rng.choice(_WORDS) for _ in range(3)).capitalize(),
            "key": f"/books/{ident}",
            "type": {"key": "/type/edition"},
            "works": [{"key": f"/works/OL{work}W"}],
            "authors": [{"key": f"/authors/OL{1 + rng.randrange(authors)}A"}],
            "publishers": [rng.choice(_PUBLISHERS)],
            "publish_date": str(1960 + e % 60),
            "languages": [{"key": f"/languages/{rng.choice(_LANGS)}"}],
            "number_of_pages": 100 + e % 500,
            "physical_format": "Paperback" if e % 2 else "Hardcover",
            "revision": 1 + e % 4,
            "last_modified": {"type": "/type/datetime", "value": _stamp(e)},
            "source_records": [f"bwb:{_isbn13(e)}", f"ia:{rng.choice(_WORDS)}{e}_{e % 97}"],
            "created": {"type": "/type/datetime", "value": _stamp(e + 11)},
            "latest_revision": 1 + e % 4,
            "identifiers": {"goodreads": [str(1_000_000 + e)], "librarything": [str(e * 7)]},
            "by_statement": f"by {rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()}son.",
            "publish_places": [rng.choice(("London", "New York", "Paris", "Tokyo"))],
            "pagination": f"{100 + e % 500} p. ;",
            "subjects": [f"{rng.choice(_WORDS).title()} -- Fiction" for _ in range(1 + e % 4)],
            "lc_classifications": [f"PR{6000 + e % 999}.A{e % 90} {1960 + e % 60}"],
            "covers": [8_000_000 + e],
        }
        if e % 3 == 0:
            record["notes"] = {
                "type": "/type/text",
                "value": " ".join(rng.choice(_WORDS) for _ in range(25)).capitalize() + ".",
            }
        if e % 5 != 4:
            record["isbn_13"] = [_isbn13(e)]
            if e % 3 == 0:
                record["isbn_10"] = [_isbn10(_isbn13(e))]
        yield dump_line(record)


def write_synthetic_dump(
    path: str | os.PathLike[str],
    *,
    lines: int = 1_000_000,
    seed: int = 0,
    prolific_works: int = 2000,
) -> Path:
    """A combined dump of ``lines`` synthetic records (author ``OL1A`` has ``prolific_works``
    works with five editions each). Edition ISBN-13s are ``_isbn13(n)`` for edition ``OLnM``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _gz(target) as handle:
        chunk: list[bytes] = []
        for line in _synthetic_lines(lines, seed, prolific_works):
            chunk.append(line)
            if len(chunk) >= 10_000:
                handle.write(b"".join(chunk))
                chunk.clear()
        handle.write(b"".join(chunk))
    return target


def _load_catalog(path: str) -> Catalog:
    from bookstracker.testing.labelled import load_labelled_catalog  # type: ignore[import-not-found,unused-ignore]

    labelled = load_labelled_catalog(path)
    catalog: Catalog = labelled.catalog
    return catalog


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bookstracker.testing.dumps",
        description="Write OpenLibrary dump files from the sample catalog or a labelled catalog.",
    )
    parser.add_argument("out", help="folder to write the .txt.gz files into")
    parser.add_argument("--catalog", help="a labelled catalog file (authors.json format)")
    parser.add_argument("--date", default=DEFAULT_DUMP_DATE)
    args = parser.parse_args(argv)
    catalog = _load_catalog(args.catalog) if args.catalog else None
    for path in write_catalog_dumps(catalog, args.out, date=args.date):
        print(path)


if __name__ == "__main__":
    main()
