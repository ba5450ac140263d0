"""The catalog behind the fake providers: the "truth" of which authors, works and editions exist.

Each fake server (OpenLibrary, Google Books, ISBNdb) renders the same `Catalog` in its own wire
format. `CatalogWork.truth` records what the core-works filter should decide about a work; it is
there for tests and the fakes never serve it. `sample_catalog` is the bundled sample behind
``bookstracker --offline``; `Catalog.synthetic` makes large deterministic catalogs for pagination
tests and benchmarks.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pkgutil
import random
import re
import threading
from base64 import urlsafe_b64encode
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs
import msgspec

from bookstracker.isbn import _isbn10_check_digit, _isbn13_check_digit

__all__ = [
    "ALL_PROVIDERS",
    "Catalog",
    "CatalogAuthor",
    "CatalogEdition",
    "CatalogWork",
    "ProviderName",
    "Truth",
    "sample_catalog",
]

ProviderName = Literal["openlibrary", "googlebooks", "isbndb"]
ALL_PROVIDERS: frozenset[str] = frozenset({"openlibrary", "googlebooks", "isbndb"})
Truth = Literal["core", "translation", "collection", "companion", "duplicate", "not-by-author"]

_TRUTHS = frozenset(
    {"core", "translation", "collection", "companion", "duplicate", "not-by-author"}
)
_AUTHOR_ID = re.compile(r"OL[1-9][0-9]*A")
_WORK_ID = re.compile(r"OL[1-9][0-9]*W")
_EDITION_ID = re.compile(r"OL[1-9][0-9]*M")
_GOOGLE_ID = re.compile(r"[A-Za-z0-9_-]{12}")
_ISBN13 = re.compile(r"97[89][0-9]{10}")
_ISBN10 = re.compile(r"[0-9]{9}[0-9X]")
_LANGUAGE = re.compile(r"[a-z]{2}")


class _Roles(Mapping[str, str]):
    """An immutable, hashable author-id -> role mapping."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, str] = dict(items)

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"{self._items!r}"


_NO_ROLES = _Roles()


def _roles(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> Mapping[str, str]:
    if isinstance(value, _Roles):
        return value
    items = value.items() if isinstance(value, Mapping) else value
    roles = _Roles(items)
    return roles if roles else _NO_ROLES


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return value if type(value) is tuple else tuple(value)


def _providers(value: Iterable[str]) -> frozenset[str]:
    if type(value) is frozenset:
        return value
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _editions(value: Iterable[CatalogEdition]) -> tuple[CatalogEdition, ...]:
    return value if type(value) is tuple else tuple(value)


@attrs.frozen(kw_only=True)
class CatalogEdition:
    """One edition (an OpenLibrary "book") of a work, as the providers that know it hold it."""

    id: str
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """Names as printed on this edition; ``()`` means the work's authors' names."""
    isbn13: str | None = None
    isbn10: str | None = None
    publisher: str | None = None
    publish_date: str | None = None
    """Free text as OpenLibrary holds it: ``"2014"``, ``"February 11, 2014"``, ``"2011-09"``."""
    pages: int | None = None
    language: str | None = None
    """ISO 639-1; ``None`` when the record has no language."""
    format: str | None = None
    google_id: str | None = None
    providers: frozenset[str] = attrs.field(default=ALL_PROVIDERS, converter=_providers)
    cover_id: int | None = None
    translation_of: str | None = None
    """The original's title, which OpenLibrary records on some translated editions."""


@attrs.frozen(kw_only=True)
class CatalogWork:
    """An OpenLibrary work with its editions, and (for tests only) what the filter should say."""

    id: str
    title: str
    subtitle: str | None = None
    author_ids: tuple[str, ...] = attrs.field(converter=_strings)
    """OpenLibrary author ids; the first is the primary author."""
    roles: Mapping[str, str] = attrs.field(default=_NO_ROLES, converter=_roles)
    """Author id -> role, for credits that are not plain authorship ("Foreword", "Editor", ...)."""
    first_publish_year: int | None = None
    subjects: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    description: str | None = None
    editions: tuple[CatalogEdition, ...] = attrs.field(default=(), converter=_editions)
    cover_id: int | None = None
    truth: Truth = "core"
    """Ground truth for tests, never served by the fakes: what the core-works filter should decide
    for the author whose list this record pollutes (the study guide's subject, not its writer;
    the original author, not the translator). Co-authored works are core for each author."""
    truth_of: str | None = None
    """The core work this one translates, duplicates, bundles or studies, when there is one."""
    note: str | None = None


@attrs.frozen(kw_only=True)
class CatalogAuthor:
    """An OpenLibrary author record."""

    id: str
    name: str
    alternate_names: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    birth_date: str | None = None
    death_date: str | None = None
    bio: str | None = None
    language: str = "en"
    """ISO 639-1 code of the language the author writes in."""
    pseudonym_of: str | None = None
    """The real person's author id when this record is a pen name."""
    top_subjects: tuple[str, ...] = attrs.field(default=(), converter=_strings)


def _bad(message: str) -> ValueError:
    return ValueError(f"invalid catalog: {message}")


def _check_isbn13(value: str, where: str) -> None:
    if not _ISBN13.fullmatch(value) or _isbn13_check_digit(value[:12]) != value[12]:
        raise _bad(f"{where} has isbn13 {value!r}, not a valid bare ISBN-13")


def _check_isbn10(value: str, where: str) -> None:
    if not _ISBN10.fullmatch(value) or _isbn10_check_digit(value[:9]) != value[9]:
        raise _bad(f"{where} has isbn10 {value!r}, not a valid bare ISBN-10")


def _isbn10_to_13(value: str) -> str:
    core = "978" + value[:9]
    return core + _isbn13_check_digit(core)


def _check_author(author: CatalogAuthor) -> None:
    if not _AUTHOR_ID.fullmatch(author.id):
        raise _bad(f"author id {author.id!r} is not an OpenLibrary author id (OL…A)")
    if not author.name:
        raise _bad(f"author {author.id} has no name")
    if not _LANGUAGE.fullmatch(author.language):
        raise _bad(f"author {author.id} has language {author.language!r}, not ISO 639-1")


def _check_work(work: CatalogWork) -> None:
    """What one work must be on its own (its authors and editions are checked elsewhere)."""
    if not _WORK_ID.fullmatch(work.id):
        raise _bad(f"work id {work.id!r} is not an OpenLibrary work id (OL…W)")
    if not work.author_ids:
        raise _bad(f"work {work.id} has no author")
    if len(set(work.author_ids)) != len(work.author_ids):
        raise _bad(f"work {work.id} lists an author twice")
    if work.truth not in _TRUTHS:
        raise _bad(f"work {work.id} has unknown truth {work.truth!r}")


def _check_roles(work: CatalogWork) -> None:
    for author_id in work.roles:
        if author_id not in work.author_ids:
            raise _bad(f"work {work.id} gives a role to {author_id}, not one of its authors")


def _check_edition(work: CatalogWork, edition: CatalogEdition) -> str | None:
    """Checks what one edition must be on its own; its ISBN-13 (from its ISBN-10 when it has
    only that), or None."""
    where = f"edition {edition.id} of work {work.id}"
    if not _EDITION_ID.fullmatch(edition.id):
        raise _bad(f"edition id {edition.id!r} is not an OpenLibrary edition id (OL…M)")
    if not edition.providers or not edition.providers <= ALL_PROVIDERS:
        raise _bad(f"{where} has providers {sorted(edition.providers)}")
    if edition.language is not None and not _LANGUAGE.fullmatch(edition.language):
        raise _bad(f"{where} has language {edition.language!r}, not ISO 639-1")
    isbn13 = edition.isbn13
    if isbn13 is not None:
        _check_isbn13(isbn13, where)
    if edition.isbn10 is not None:
        _check_isbn10(edition.isbn10, where)
        from_10 = _isbn10_to_13(edition.isbn10)
        if isbn13 is None:
            isbn13 = from_10
        elif isbn13 != from_10:
            raise _bad(f"{where} has isbn10 {edition.isbn10} and isbn13 {isbn13}, which differ")
    if edition.google_id is not None and not _GOOGLE_ID.fullmatch(edition.google_id):
        raise _bad(f"{where} has google_id {edition.google_id!r}, not 12 [A-Za-z0-9_-]")
    return isbn13


class _Index:
    """Every record of a catalog, checked, and the look-up tables over them."""

    __slots__ = (
        "author_by_id",
        "authors",
        "by_google",
        "by_isbn13",
        "editions",
        "work_by_id",
        "works",
        "works_of",
    )

    def __init__(self, authors: tuple[CatalogAuthor, ...], works: tuple[CatalogWork, ...]) -> None:
        self.authors = authors
        self.works = works
        self.author_by_id: dict[str, CatalogAuthor] = {}
        self.work_by_id: dict[str, CatalogWork] = {}
        self.works_of: dict[str, list[CatalogWork]] = {}
        self.editions: dict[str, tuple[CatalogWork, CatalogEdition]] = {}
        self.by_isbn13: dict[str, list[CatalogEdition]] = {}
        self.by_google: dict[str, CatalogEdition] = {}
        for author in authors:
            self._add_author(author)
        for author in authors:
            if author.pseudonym_of is not None and author.pseudonym_of not in self.author_by_id:
                raise _bad(
                    f"author {author.id} is a pen name of unknown author {author.pseudonym_of}"
                )
        for work in works:
            self._add_work(work)
        for work in works:
            if work.truth_of is not None and work.truth_of not in self.work_by_id:
                raise _bad(f"work {work.id} relates to unknown work {work.truth_of}")

    def _add_author(self, author: CatalogAuthor) -> None:
        _check_author(author)
        if author.id in self.author_by_id:
            raise _bad(f"duplicate author id {author.id}")
        self.author_by_id[author.id] = author
        self.works_of[author.id] = []

    def _add_work(self, work: CatalogWork) -> None:
        _check_work(work)
        if work.id in self.work_by_id:
            raise _bad(f"duplicate work id {work.id}")
        for author_id in work.author_ids:
            if author_id not in self.author_by_id:
                raise _bad(f"work {work.id} names unknown author {author_id}")
        _check_roles(work)
        self.work_by_id[work.id] = work
        for author_id in work.author_ids:
            self.works_of[author_id].append(work)
        for edition in work.editions:
            self._add_edition(work, edition)

    def _add_edition(self, work: CatalogWork, edition: CatalogEdition) -> None:
        if edition.id in self.editions:
            raise _bad(f"duplicate edition id {edition.id}")
        isbn13 = _check_edition(work, edition)
        if edition.google_id is not None:
            if edition.google_id in self.by_google:
                where = f"edition {edition.id} of work {work.id}"
                raise _bad(f"duplicate google_id {edition.google_id} ({where})")
            self.by_google[edition.google_id] = edition
        self.editions[edition.id] = (work, edition)
        if isbn13 is not None:
            self.by_isbn13.setdefault(isbn13, []).append(edition)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise _bad(f"{what} is {value!r}, not a string")
    return value


class _Facts(msgspec.Struct):
    """The fields of a record that the index reads, decoded without the rest."""

    def get(self, name: str, default: object = None) -> object:
        return getattr(self, name, default)


class _EditionFacts(_Facts):
    id: object = None
    isbn13: object = None
    isbn10: object = None
    google_id: object = None


class _WorkFacts(_Facts):
    id: object = None
    author_ids: object = None
    truth_of: object = None
    editions: list[_EditionFacts] = msgspec.field(default_factory=list)


class _DocumentFacts(msgspec.Struct):
    authors: object = msgspec.UNSET
    works: list[msgspec.Raw] = msgspec.field(default_factory=list)


_DOCUMENT_FACTS = msgspec.json.Decoder(_DocumentFacts)
_WORK_FACTS = msgspec.json.Decoder(_WorkFacts)


class _Deferred:
    """A catalog document indexed by id and ISBN without building its records.

    Building it checks the ids (none repeats) and the references between records (authors,
    pen names, related works); each record is built and checked when first asked for, once.
    """

    @classmethod
    def from_json(cls, data: bytes | str) -> _Deferred:
        """The index of a JSON document; each work's JSON is decoded in full only when the
        work is first built (the index reads ids and ISBNs and skips the rest)."""
        try:
            shape = _DOCUMENT_FACTS.decode(data)
            works = [(_WORK_FACTS.decode(raw), raw) for raw in shape.works]
        except msgspec.ValidationError:  # not the expected shape: the full decode says where
            return cls(_decoded(data))
        except msgspec.DecodeError as exc:
            raise _bad(f"not JSON ({exc})") from None
        authors = [] if shape.authors is msgspec.UNSET else shape.authors
        return cls({"authors": authors}, works)

    def __init__(
        self,
        document: object,
        facts: Iterable[tuple[_WorkFacts, msgspec.Raw]] | None = None,
    ) -> None:
        if not isinstance(document, Mapping):
            raise _bad("the document is not a mapping")
        self._author_docs: dict[str, Mapping[str, Any]] = {}
        self._work_docs: dict[str, Mapping[str, Any] | msgspec.Raw] = {}
        self._truth_of: dict[str, object] = {}
        self._works_of: dict[str, list[str]] = {}
        self._editions: dict[str, tuple[str, int]] = {}
        self._by_isbn13: dict[str, list[tuple[str, int]]] = {}
        self._by_google: dict[str, tuple[str, int]] = {}
        self._authors: dict[str, CatalogAuthor] = {}
        self._works: dict[str, CatalogWork] = {}
        for doc in _items(document, "authors"):
            author_id = _text(doc.get("id"), "an author id")
            if author_id in self._author_docs:
                raise _bad(f"duplicate author id {author_id}")
            self._author_docs[author_id] = doc
            self._works_of[author_id] = []
        for author_id, doc in self._author_docs.items():
            real = doc.get("pseudonym_of")
            if real is not None and real not in self._author_docs:
                raise _bad(f"author {author_id} is a pen name of unknown author {real}")
        if facts is None:
            for doc in _items(document, "works"):
                self._index_work(doc, doc)
        else:
            for work, raw in facts:
                self._index_work(work, raw)
        for work_id, related in self._truth_of.items():
            if related is not None and related not in self._work_docs:
                raise _bad(f"work {work_id} relates to unknown work {related}")

    def _index_work(
        self, doc: Mapping[str, Any] | _WorkFacts, stored: Mapping[str, Any] | msgspec.Raw
    ) -> None:
        work_id = _text(doc.get("id"), "a work id")
        if work_id in self._work_docs:
            raise _bad(f"duplicate work id {work_id}")
        author_ids = doc.get("author_ids")
        if not isinstance(author_ids, list) or not author_ids:
            raise _bad(f"work {work_id} has no author")
        for author_id in dict.fromkeys(author_ids):
            if author_id not in self._works_of:
                raise _bad(f"work {work_id} names unknown author {author_id}")
            self._works_of[author_id].append(work_id)
        self._work_docs[work_id] = stored
        self._truth_of[work_id] = doc.get("truth_of")
        editions = doc.get("editions", [])
        if not isinstance(editions, list):
            raise _bad(f"work {work_id!r}: 'editions' is not a list")
        for position, edition in enumerate(editions):
            if not isinstance(edition, (Mapping, _EditionFacts)):
                raise _bad(f"work {work_id!r}: an edition is not an object")
            where = (work_id, position)
            edition_id = _text(edition.get("id"), "an edition id")
            if edition_id in self._editions:
                raise _bad(f"duplicate edition id {edition_id}")
            self._editions[edition_id] = where
            google_id = edition.get("google_id")
            if google_id is not None:
                if not isinstance(google_id, str):
                    raise _bad(f"edition {edition_id} has google_id {google_id!r}, not a string")
                if google_id in self._by_google:
                    raise _bad(
                        f"duplicate google_id {google_id} (edition {edition_id} of work {work_id})"
                    )
                self._by_google[google_id] = where
            isbn13 = edition.get("isbn13")
            if isbn13 is None:
                isbn10 = edition.get("isbn10")
                if isinstance(isbn10, str) and _ISBN10.fullmatch(isbn10):
                    isbn13 = _isbn10_to_13(isbn10)
            if isinstance(isbn13, str):
                self._by_isbn13.setdefault(isbn13, []).append(where)

    def author(self, author_id: str) -> CatalogAuthor | None:
        author = self._authors.get(author_id)
        if author is None:
            doc = self._author_docs.get(author_id)
            if doc is None:
                return None
            author = _record(CatalogAuthor, doc)
            _check_author(author)
            author = self._authors.setdefault(author_id, author)
        return author

    def work(self, work_id: str) -> CatalogWork | None:
        work = self._works.get(work_id)
        if work is None:
            doc = self._work_docs.get(work_id)
            if doc is None:
                return None
            fields = dict(_decoded(doc) if isinstance(doc, msgspec.Raw) else doc)
            fields["editions"] = [_record(CatalogEdition, e) for e in fields.get("editions", [])]
            work = _record(CatalogWork, fields)
            _check_work(work)
            _check_roles(work)
            for edition in work.editions:
                _check_edition(work, edition)
            work = self._works.setdefault(work_id, work)
        return work

    def _at(self, where: tuple[str, int]) -> tuple[CatalogWork, CatalogEdition]:
        work = self.work(where[0])
        assert work is not None
        return work, work.editions[where[1]]

    def works_of(self, author_id: str) -> tuple[CatalogWork, ...]:
        works = (self.work(work_id) for work_id in self._works_of.get(author_id, ()))
        return tuple(work for work in works if work is not None)

    def edition(self, edition_id: str) -> tuple[CatalogWork, CatalogEdition] | None:
        where = self._editions.get(edition_id)
        return None if where is None else self._at(where)

    def editions_by_isbn13(self, isbn13: str) -> tuple[CatalogEdition, ...]:
        return tuple(self._at(where)[1] for where in self._by_isbn13.get(isbn13, ()))

    def edition_by_google_id(self, volume_id: str) -> CatalogEdition | None:
        where = self._by_google.get(volume_id)
        return None if where is None else self._at(where)[1]

    def all_authors(self) -> tuple[CatalogAuthor, ...]:
        authors = (self.author(author_id) for author_id in self._author_docs)
        return tuple(author for author in authors if author is not None)

    def all_works(self) -> tuple[CatalogWork, ...]:
        works = (self.work(work_id) for work_id in self._work_docs)
        return tuple(work for work in works if work is not None)


class Catalog:
    """Authors and works (with their editions), validated and indexed once for O(1) lookups.

    Raises `ValueError` when ids repeat, a work names an unknown author, an ISBN is invalid, or
    a record is otherwise unusable. One ISBN may sit on two editions (OpenLibrary has such
    duplicates); Google volume ids are unique.

    A catalog read with `from_json` builds its records when first asked for: a look-up by id or
    ISBN builds only the records it returns (checked then), and the first use of the whole
    (``authors``, ``works``, ``editions()``...) builds and checks every record.
    """

    __slots__ = ("_deferred", "_full", "_lock")

    def __init__(self, authors: Iterable[CatalogAuthor], works: Iterable[CatalogWork]) -> None:
        self._full: _Index | None = _Index(tuple(authors), tuple(works))
        self._deferred: _Deferred | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_json(cls, data: bytes | str) -> Catalog:
        """The catalog in `dump_catalog`'s JSON, its records built and checked on first use.

        Ids that repeat and references to unknown authors or works are `ValueError` at once; a
        record's own fields (id forms, ISBNs, languages...) when the record is first built.
        """
        catalog = cls.__new__(cls)
        catalog._full = None
        catalog._deferred = _Deferred.from_json(data)
        catalog._lock = threading.Lock()
        return catalog

    def _index(self) -> _Index:
        """The full index, built from the deferred records on first use."""
        full = self._full
        if full is not None:
            return full
        with self._lock:
            if self._full is None:
                deferred = self._deferred
                assert deferred is not None
                self._full = _Index(deferred.all_authors(), deferred.all_works())
                self._deferred = None
            return self._full

    @property
    def authors(self) -> tuple[CatalogAuthor, ...]:
        """Every author, in catalog order."""
        return self._index().authors

    @property
    def works(self) -> tuple[CatalogWork, ...]:
        """Every work, in catalog order."""
        return self._index().works

    def __repr__(self) -> str:
        full = self._index()
        return (
            f"Catalog({len(full.authors)} authors, {len(full.works)} works, "
            f"{len(full.editions)} editions)"
        )

    def author(self, author_id: str) -> CatalogAuthor | None:
        """The author with this OpenLibrary id, or ``None``."""
        deferred = self._deferred
        if deferred is not None:
            return deferred.author(author_id)
        return self._index().author_by_id.get(author_id)

    def works_of(self, author_id: str) -> tuple[CatalogWork, ...]:
        """Every work that lists this author id (in any role), in catalog order."""
        deferred = self._deferred
        if deferred is not None:
            return deferred.works_of(author_id)
        return tuple(self._index().works_of.get(author_id, ()))

    def work(self, work_id: str) -> CatalogWork | None:
        """The work with this OpenLibrary id, or ``None``."""
        deferred = self._deferred
        if deferred is not None:
            return deferred.work(work_id)
        return self._index().work_by_id.get(work_id)

    def _edition_entry(self, edition_id: str) -> tuple[CatalogWork, CatalogEdition] | None:
        deferred = self._deferred
        if deferred is not None:
            return deferred.edition(edition_id)
        return self._index().editions.get(edition_id)

    def edition(self, edition_id: str) -> CatalogEdition | None:
        """The edition with this OpenLibrary id, or ``None``."""
        found = self._edition_entry(edition_id)
        return found[1] if found else None

    def work_of_edition(self, edition_id: str) -> CatalogWork | None:
        """The work an edition belongs to, or ``None`` for an unknown edition id."""
        found = self._edition_entry(edition_id)
        return found[0] if found else None

    def editions_by_isbn(self, isbn: str) -> tuple[CatalogEdition, ...]:
        """The editions carrying this ISBN-10 or ISBN-13 (bare digits); ``()`` for none or junk."""
        value = isbn.strip().upper()
        if len(value) == 10:
            if not _ISBN10.fullmatch(value) or _isbn10_check_digit(value[:9]) != value[9]:
                return ()
            value = _isbn10_to_13(value)
        deferred = self._deferred
        if deferred is not None:
            return deferred.editions_by_isbn13(value)
        return tuple(self._index().by_isbn13.get(value, ()))

    def edition_by_google_id(self, volume_id: str) -> CatalogEdition | None:
        """The edition Google Books knows under this volume id, or ``None``."""
        deferred = self._deferred
        if deferred is not None:
            return deferred.edition_by_google_id(volume_id)
        return self._index().by_google.get(volume_id)

    def author_names(self, work: CatalogWork) -> tuple[str, ...]:
        """The display names of the work's authors, in the work's order."""
        names = []
        for author_id in work.author_ids:
            author = self.author(author_id)
            if author is None:
                raise KeyError(author_id)
            names.append(author.name)
        return tuple(names)

    def editions(self) -> Iterator[tuple[CatalogWork, CatalogEdition]]:
        """Every (work, edition) pair, in catalog order."""
        for work in self.works:
            for edition in work.editions:
                yield work, edition

    def merged(self, other: Catalog) -> Catalog:
        """A catalog holding both; a record of ``other`` replaces this one's with the same id."""
        authors = {author.id: author for author in self.authors}
        authors.update((author.id, author) for author in other.authors)
        works = {work.id: work for work in self.works}
        works.update((work.id, work) for work in other.works)
        return Catalog(authors.values(), works.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form; fields at their default value are left out."""
        return {
            "authors": [_record_to_dict(author) for author in self.authors],
            "works": [_record_to_dict(work) for work in self.works],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalog:
        """The catalog `to_dict` described; `ValueError` for a malformed document."""
        if not isinstance(data, Mapping):
            raise _bad("the document is not a mapping")
        authors = [_record(CatalogAuthor, item) for item in _items(data, "authors")]
        works = []
        for item in _items(data, "works"):
            fields = dict(item)
            editions = fields.get("editions", [])
            if not isinstance(editions, list):
                raise _bad(f"work {fields.get('id')!r}: 'editions' is not a list")
            fields["editions"] = [_record(CatalogEdition, edition) for edition in editions]
            works.append(_record(CatalogWork, fields))
        return cls(authors, works)

    @classmethod
    def synthetic(
        cls,
        *,
        author_id: str = "OL9999999A",
        name: str = "Prolific Author",
        works: int = 2000,
        editions_per_work: int = 10,
        seed: int = 0,
    ) -> Catalog:
        """A large, deterministic catalog for one author, for pagination tests and benchmarks.

        About 80% of the works are core; the rest are translations, duplicates (sharing an ISBN
        with the work they repeat), study guides, box sets and critical studies. Every edition
        has a valid ISBN-13 (978 ones also an ISBN-10), unique except for the duplicates' shares.
        """
        return _synthetic(
            author_id=author_id,
            name=name,
            works=works,
            editions_per_work=editions_per_work,
            seed=seed,
        )


def _decoded(data: bytes | str | msgspec.Raw) -> Any:
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise _bad(f"not JSON ({exc})") from None


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise _bad(f"{key!r} is not a list of objects")
    return items


def _record(kind: type[Any], fields: Mapping[str, Any]) -> Any:
    known = {field.name for field in attrs.fields(kind)}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise _bad(f"{kind.__name__} {fields.get('id')!r} has unknown fields {unknown}")
    try:
        return kind(**fields)
    except TypeError as exc:
        raise _bad(f"{kind.__name__} {fields.get('id')!r}: {exc}") from exc


def _record_to_dict(record: CatalogAuthor | CatalogWork | CatalogEdition) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        if field.default is not attrs.NOTHING and value == field.default:
            continue
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        elif isinstance(value, tuple):
            value = [
                _record_to_dict(item) if isinstance(item, CatalogEdition) else item
                for item in value
            ]
        out[field.name] = value
    return out


SAMPLE_CATALOG_FILE = "sample_catalog.json"
REGENERATE_SAMPLE = "python -m bookstracker.testing write-sample-catalog"


def dump_catalog(catalog: Catalog) -> bytes:
    """The catalog as JSON, one record per line (so that a change shows as a readable diff)."""

    def lines(records: Iterable[Mapping[str, Any]]) -> str:
        return ",\n".join(
            json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            for r in records
        )

    data = catalog.to_dict()
    text = (
        '{"authors":[\n' + lines(data["authors"]) + '\n],\n"works":[\n' + lines(data["works"])
    ) + "\n]}\n"
    return text.encode("utf-8")


@functools.cache
def sample_catalog() -> Catalog:
    """The bundled sample catalog (about 35 well-known authors and the mess real APIs return).

    Read from ``sample_catalog.json``, which ``_sample_data``'s records generate (see
    `REGENERATE_SAMPLE`); a test checks that the two agree.
    """
    data = pkgutil.get_data("bookstracker.testing", SAMPLE_CATALOG_FILE)
    if data is None:
        raise FileNotFoundError(f"bookstracker.testing has no {SAMPLE_CATALOG_FILE}")
    return Catalog.from_json(data)


# The synthetic catalog.

_ADJECTIVES = (
    "Silent", "Crimson", "Hidden", "Last", "Broken", "Golden", "Distant", "Burning",
    "Frozen", "Hollow", "Restless", "Shattered", "Quiet", "Endless", "Bright", "Secret",
)  # fmt: skip
_NOUNS = (
    "River", "Crown", "Garden", "Harbor", "Winter", "Empire", "Mirror", "Orchard",
    "Signal", "Tower", "Voyage", "Lantern", "Meridian", "Archive", "Citadel", "Season",
)  # fmt: skip
_MATTERS = (
    "Ash", "Stone", "Glass", "Iron", "Salt", "Smoke", "Thorns", "Dust",
    "Rain", "Embers", "Bones", "Stars", "Tides", "Ghosts", "Ivy", "Wolves",
)  # fmt: skip
_TRANSLATED = {"de": "Der", "fr": "Le", "es": "El", "it": "Il"}
_FORMATS = ("Hardcover", "Paperback", "Mass Market Paperback", "eBook", "Audio CD")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_PROVIDER_MIX = (
    ALL_PROVIDERS,
    ALL_PROVIDERS,
    frozenset({"openlibrary", "googlebooks"}),
    frozenset({"openlibrary", "isbndb"}),
    frozenset({"openlibrary"}),
    frozenset({"googlebooks"}),
    frozenset({"isbndb"}),
)


def _google_id(seed: str) -> str:
    return urlsafe_b64encode(hashlib.blake2b(seed.encode(), digest_size=9).digest()).decode()


def _core_title(index: int, seed: int) -> str:
    """A title unique to ``index``: the first 4,096 are word triples, then a number is added."""
    number = (index * 7919 + seed) % 4096
    title = (
        f"The {_ADJECTIVES[number % 16]} {_NOUNS[number // 16 % 16]} of {_MATTERS[number // 256]}"
    )
    return title if index < 4096 else f"{title} {index // 4096 + 1}"


def _synthetic_isbns(counter: int) -> tuple[str, str | None]:
    """ISBN-13 (and ISBN-10 for 978) number ``counter``: 978-0-… when even, 979-8-… when odd."""
    if counter % 2 == 0:
        body = f"{counter // 2:09d}"
        isbn10 = body + _isbn10_check_digit(body)
        return _isbn10_to_13(isbn10), isbn10
    core = f"9798{counter // 2:08d}"
    return core + _isbn13_check_digit(core), None


def _synthetic(
    *, author_id: str, name: str, works: int, editions_per_work: int, seed: int
) -> Catalog:
    match = _AUTHOR_ID.fullmatch(author_id)
    if match is None:
        raise ValueError(f"author_id {author_id!r} is not an OpenLibrary author id (OL…A)")
    if works < 1 or editions_per_work < 1:
        raise ValueError("works and editions_per_work must be at least 1")
    number = author_id[2:-1]
    rng = random.Random(seed)
    guide_id, critic_id = f"OL{number}1A", f"OL{number}2A"
    authors = (
        CatalogAuthor(id=author_id, name=name, top_subjects=("Fiction",)),
        CatalogAuthor(id=guide_id, name="Quickstudy Guides"),
        CatalogAuthor(id=critic_id, name="Jordan Critic"),
    )
    work_width = len(str(works - 1))
    edition_width = len(str(editions_per_work - 1))
    core: list[CatalogWork] = []
    out: list[CatalogWork] = []
    solo = (author_id,)
    counter = 0
    for index in range(works):
        roll = rng.random()
        base = core[rng.randrange(len(core))] if core else None
        truth: Truth = "core"
        if base is not None:
            if roll < 0.07:
                truth = "translation"
            elif roll < 0.12:
                truth = "duplicate"
            elif roll < 0.16:
                truth = "companion"
            elif roll < 0.18:
                truth = "collection"
            elif roll < 0.20:
                truth = "not-by-author"
        language = "en"
        author_ids: tuple[str, ...] = solo
        subjects: tuple[str, ...] = ("Fiction",)
        truth_of = base.id if base is not None and truth != "core" else None
        if truth == "core" or base is None:
            title = _core_title(index, seed)
        elif truth == "translation":
            language = rng.choice(tuple(_TRANSLATED))
            title = f"{_TRANSLATED[language]} {base.title.removeprefix('The ')}"
        elif truth == "duplicate":
            title = base.title.lower() if rng.random() < 0.5 else f"{base.title} : a novel"
        elif truth == "companion":
            title = f"Study Guide: {base.title} by {name}"
            author_ids, subjects = (guide_id, author_id), ("Study guides",)
        elif truth == "collection":
            other = core[rng.randrange(len(core))]
            title = f"{name} Box Set: {base.title}, {other.title}"
            subjects, truth_of = ("Boxed sets",), None
        else:
            title = f"{name}: A Critical Study"
            author_ids = (critic_id, author_id)
            subjects, truth_of = (f"{name} -- Criticism and interpretation",), None
        work_id = f"OL{number}{index:0{work_width}d}W"
        year = 1950 + rng.randrange(75)
        editions = []
        for position in range(editions_per_work):
            edition_id = f"OL{number}{index:0{work_width}d}{position:0{edition_width}d}M"
            if truth == "duplicate" and position == 0 and base is not None and base.editions:
                isbn13, isbn10 = base.editions[0].isbn13, base.editions[0].isbn10
            else:
                isbn13, isbn10 = _synthetic_isbns(counter)
                counter += 1
            providers = _PROVIDER_MIX[rng.randrange(len(_PROVIDER_MIX))]
            published = year + position
            editions.append(
                CatalogEdition(
                    id=edition_id,
                    title=title,
                    isbn13=isbn13,
                    isbn10=isbn10,
                    publisher=f"{rng.choice(_NOUNS)} House",
                    publish_date=(
                        str(published)
                        if position % 3
                        else f"{_MONTHS[rng.randrange(12)]} {published}"
                    ),
                    pages=120 + rng.randrange(600),
                    language=None if position % 7 == 6 else language,
                    format=_FORMATS[position % len(_FORMATS)],
                    google_id=(
                        _google_id(f"{seed}:{edition_id}") if "googlebooks" in providers else None
                    ),
                    providers=providers,
                )
            )
        work = CatalogWork(
            id=work_id,
            title=title,
            author_ids=author_ids,
            first_publish_year=year,
            subjects=subjects,
            editions=editions,
            truth=truth,
            truth_of=truth_of,
        )
        out.append(work)
        if truth == "core":
            core.append(work)
    return Catalog(authors, out)
