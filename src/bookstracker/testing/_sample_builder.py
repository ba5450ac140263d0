"""Expands the hand-written `_sample_data` into the sample `Catalog`, deterministically.

Each core work gets a first edition (its real first publisher and year), then reprints: a
paperback, an ebook, for some a mass-market paperback (ISBNdb-only) or an audio CD, and the
translated editions the data keeps under it. Editions published before 1970 have no ISBN;
the others get synthetic ISBNs numbered from the record's position, under a prefix that
matches the edition's language. Some editions lose their language field, some print the
author's name in a messy form, and each provider knows a different subset.
"""

from __future__ import annotations

import hashlib
from base64 import urlsafe_b64encode
from collections.abc import Iterable
from pathlib import Path

import attrs
from stdnum import ean
from stdnum import isbn as stdnum_isbn

from bookstracker.testing._sample_data import AUTHORS, A, E, W, X
from bookstracker.testing.catalog import (
    ALL_PROVIDERS,
    SAMPLE_CATALOG_FILE,
    Catalog,
    CatalogAuthor,
    CatalogEdition,
    CatalogWork,
    Truth,
    dump_catalog,
)

__all__ = ["build_sample_catalog", "sample_catalog_path", "write_sample_catalog"]

_AUTHOR_BASE = 70_000_000
_WORK_BASE = 70_000_000
_EDITION_BASE = 80_000_000
_COVER_BASE = 9_000_000
_WORKS_PER_AUTHOR = 1_000
_EDITIONS_PER_WORK = 20
_NO_ISBN_BEFORE = 1970

_PROVIDER_CODES = {"ol": "openlibrary", "gb": "googlebooks", "db": "isbndb"}
_ISBN_PREFIXES = {
    "en": "9781", "fr": "9782", "de": "9783", "ja": "9784", "ru": "9785", "zh": "9787",
    "es": "97884", "it": "97888", "tr": "9786",
}  # fmt: skip
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_FIRST_FORMAT = {"short": "eBook", "pbo": "Mass Market Paperback"}
_PAGES = {"Hardcover": (220, 480), "Paperback": (200, 460), "Mass Market Paperback": (240, 420)}
_NO_PAGES = ("Audio CD",)
_PAPERBACKS = ("Paperback", "Mass Market Paperback")
_MESS_FORMATS = ("Paperback", "Hardcover", "eBook")
_TRUTHS: dict[str, Truth] = {
    "translation": "translation",
    "collection": "collection",
    "companion": "companion",
    "duplicate": "duplicate",
    "not-by-author": "not-by-author",
}
_MESS_SUBJECTS: dict[str, tuple[str, ...]] = {
    "collection": ("Boxed sets",),
    "companion": ("Study guides",),
    "duplicate": (),
    "not-by-author": (),
}

_OL = frozenset({"openlibrary"})
_OL_GB = frozenset({"openlibrary", "googlebooks"})
_OL_DB = frozenset({"openlibrary", "isbndb"})
_GB = frozenset({"googlebooks"})
_GB_DB = frozenset({"googlebooks", "isbndb"})
_DB = frozenset({"isbndb"})


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


def _pairs(value: str) -> dict[str, str]:
    out = {}
    for part in _split(value):
        key, _, item = part.partition("=")
        out[key.strip()] = item.strip()
    return out


def _providers(value: str) -> frozenset[str]:
    return frozenset(_PROVIDER_CODES[code] for code in _split(value))


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")


def _google_id(edition_id: str) -> str:
    digest = hashlib.blake2b(f"sample:{edition_id}".encode(), digest_size=9).digest()
    return urlsafe_b64encode(digest).decode()


def _isbn_pair(value: str) -> tuple[str, str | None]:
    """(ISBN-13, ISBN-10 or None) of a real ISBN written in the data."""
    if len(value) == 10:
        return stdnum_isbn.to_isbn13(value), value
    return value, stdnum_isbn.to_isbn10(value) if value.startswith("978") else None


def _synthetic_isbn(number: int, language: str | None) -> tuple[str, str]:
    prefix = _ISBN_PREFIXES.get(language or "en", _ISBN_PREFIXES["en"])
    digits = 12 - len(prefix)
    if number >= 10**digits:
        raise ValueError(f"sample ISBN number {number} does not fit under prefix {prefix}")
    core = f"{prefix}{number:0{digits}d}"
    isbn13 = core + ean.calc_check_digit(core)
    return isbn13, stdnum_isbn.to_isbn10(isbn13)


def _date(year: int | None, variant: int) -> str | None:
    if year is None:
        return None
    month = variant % 12
    style = variant % 4
    if style == 1:
        return f"{_MONTHS[month]} {year}"
    if style == 2:
        return f"{year}-{month + 1:02d}"
    if style == 3:
        return f"{_MONTHS[month]} {variant % 28 + 1}, {year}"
    return str(year)


@attrs.frozen(kw_only=True)
class _Spec:
    """One edition to make: what the data says about it before ids and ISBNs are numbered."""

    slot: str
    format: str | None
    language: str | None
    title: str | None = None
    subtitle: str | None = None
    publisher: str | None = None
    year: int | None = None
    date: str | None = None
    providers: frozenset[str] = ALL_PROVIDERS
    authors: tuple[str, ...] = ()
    isbn: str | None = None  # a real ISBN, or "-" for none
    google: str | None = None
    pages: int | None = None
    auto_pages: bool = True


def _extra_spec(extra: E, slot: str = "extra") -> _Spec:
    return _Spec(
        slot=slot,
        format=extra.format,
        language=extra.lang,
        title=extra.title,
        publisher=extra.pub,
        date=extra.date,
        providers=_providers(extra.prov),
        authors=(extra.by,) if extra.by else (),
        isbn=extra.isbn,
        google=extra.google,
        pages=extra.pages,
    )


class _Builder:
    """Turns the source records into catalog records, numbering ids as it goes."""

    def __init__(self, authors: tuple[A, ...]) -> None:
        self.source = authors
        self.ids: dict[str, str] = {}
        for block, author in enumerate(authors, start=1):
            if author.key in self.ids:
                raise ValueError(f"sample author key {author.key!r} is used twice")
            self.ids[author.key] = author.id or f"OL{_AUTHOR_BASE + block}A"
        self.authors: list[CatalogAuthor] = []
        self.works: list[CatalogWork] = []

    def build(self) -> Catalog:
        for block, author in enumerate(self.source, start=1):
            self.authors.append(self._author(author))
            slots: dict[str, tuple[CatalogWork, dict[str, CatalogEdition]]] = {}
            for position, work in enumerate(author.works):
                built, by_slot = self._core(author, block, position, work)
                slots[work.title] = (built, by_slot)
                self.works.append(built)
            for offset, record in enumerate(author.mess):
                position = len(author.works) + offset
                self.works.append(self._mess(author, block, position, record, slots))
        return Catalog(self.authors, self.works)

    def _author(self, author: A) -> CatalogAuthor:
        return CatalogAuthor(
            id=self.ids[author.key],
            name=author.name,
            alternate_names=_split(author.alt),
            birth_date=author.born,
            death_date=author.died,
            bio=author.bio,
            language=author.lang,
            pseudonym_of=self.ids[author.pen_of] if author.pen_of else None,
            top_subjects=_split(author.subj),
        )

    def _credits(self, author: A, spec: str) -> tuple[tuple[str, ...], dict[str, str]]:
        """Author ids and roles from a ``by`` spec: ``@`` is ``author``, ``key=Role`` a role."""
        ids: list[str] = []
        roles: dict[str, str] = {}
        for part in _split(spec or "@"):
            key, _, role = part.partition("=")
            author_id = self.ids[author.key if key == "@" else key]
            ids.append(author_id)
            if role:
                roles[author_id] = role
        return tuple(ids), roles

    def _core(
        self, author: A, block: int, position: int, work: W
    ) -> tuple[CatalogWork, dict[str, CatalogEdition]]:
        author_ids, roles = self._credits(author, f"@|{work.co}" if work.co else "@")
        editions = _editions(block, position, work.title, _core_specs(author, position, work))
        by_slot: dict[str, CatalogEdition] = {}
        for spec, edition in editions:
            by_slot.setdefault(spec.slot, edition)
        built = CatalogWork(
            id=work.id or _work_id(block, position),
            title=work.title,
            subtitle=work.sub,
            author_ids=author_ids,
            roles=roles,
            first_publish_year=work.year,
            subjects=_split(work.subj or author.subj),
            description=work.desc,
            editions=[edition for _, edition in editions],
            cover_id=_first_cover(edition for _, edition in editions),
        )
        return built, by_slot

    def _mess(
        self,
        author: A,
        block: int,
        position: int,
        record: X,
        slots: dict[str, tuple[CatalogWork, dict[str, CatalogEdition]]],
    ) -> CatalogWork:
        truth = _TRUTHS[record.truth]
        author_ids, roles = self._credits(author, record.by)
        related = None
        if record.of is not None:
            if record.of not in slots:
                raise ValueError(f"sample record {record.title!r} relates to unknown {record.of!r}")
            related = slots[record.of]
        shared: CatalogEdition | None = None
        if record.share:
            if related is None or record.share not in related[1]:
                raise ValueError(f"sample record {record.title!r} cannot share {record.share!r}")
            shared = related[1][record.share]
        specs = _mess_specs(author, record, truth)
        editions = [
            edition for _, edition in _editions(block, position, record.title, specs, shared=shared)
        ]
        if truth == "duplicate":
            editions = [attrs.evolve(edition, cover_id=None) for edition in editions]
        if truth == "translation" and related is not None and editions:
            editions[0] = attrs.evolve(editions[0], translation_of=related[0].title)
        subjects = _split(record.subj) or (
            _split(author.subj) if truth == "translation" else _MESS_SUBJECTS[truth]
        )
        return CatalogWork(
            id=record.id or _work_id(block, position),
            title=record.title,
            subtitle=record.sub,
            author_ids=author_ids,
            roles=roles,
            first_publish_year=record.year,
            subjects=subjects,
            description=record.desc,
            editions=editions,
            cover_id=_first_cover(editions),
            truth=truth,
            truth_of=related[0].id if related is not None else None,
            note=record.note or None,
        )


def _core_specs(author: A, position: int, work: W) -> list[_Spec]:
    """The editions of a core work: first edition, reprints, hand-written ones, translations."""
    year = work.year
    variety = _stable(work.title)
    reprint_year = None if year is None else year + 1 if year >= 1980 else 1990 + variety % 30
    later_pub, later_year = work.pub, reprint_year
    if work.later:
        name, _, when = work.later.rpartition(":")
        later_pub, later_year = name, int(when)
    first_format = work.fmt or _FIRST_FORMAT.get(work.kind, "Hardcover")
    if first_format == "Mass Market Paperback" and year is not None and year >= 2000:
        first_format = "Paperback"
    real = _pairs(work.real)
    printed = _split(author.printed)
    title = work.orig or work.title
    language = author.lang
    old = year is not None and year < _NO_ISBN_BEFORE
    if old:
        first_providers = _OL
    elif year is not None and year < 1985:
        first_providers = _OL_DB
    else:
        first_providers = ALL_PROVIDERS
    specs = [
        _Spec(
            slot="first",
            format=first_format,
            language=language,
            publisher=work.pub,
            date=None if year is None else str(year),
            providers=first_providers,
            title=title,
            subtitle=work.sub,
        )
    ]
    if first_format == "eBook" and work.later:
        specs.append(
            _Spec(
                slot="hc",
                format="Hardcover",
                language=language,
                title=title,
                subtitle=work.sub,
                publisher=later_pub,
                year=later_year,
            )
        )
    if work.kind != "short" and (first_format not in _PAPERBACKS or work.later):
        specs.append(
            _Spec(
                slot="pb",
                format="Paperback",
                language=None if position % 5 == 2 else language,
                publisher=later_pub,
                year=later_year,
                authors=(printed[position % len(printed)],) if printed and position % 2 else (),
                title=title,
                subtitle=work.sub,
            )
        )
    if first_format != "eBook":
        specs.append(
            _Spec(
                slot="eb",
                format="eBook",
                language=None if position % 3 == 0 else language,
                publisher=later_pub,
                year=None if later_year is None else max(later_year, 2010),
                providers=_GB if position % 4 == 3 else _OL_GB,
                authors=(
                    (printed[(position + 1) % len(printed)],)
                    if printed and position % 3 == 0
                    else ()
                ),
                auto_pages=False,
                title=title,
                subtitle=work.sub,
            )
        )
    if work.kind == "novel" and year is not None and year < 2000 and position % 2 == 0:
        specs.append(
            _Spec(
                slot="mm",
                format="Mass Market Paperback",
                language=language,
                title=title,
                subtitle=work.sub,
                year=reprint_year,
                providers=_DB,
            )
        )
    if work.kind in ("novel", "nonfiction", "stories") and position % 3 == 1:
        specs.append(
            _Spec(
                slot="au",
                format="Audio CD",
                language=language,
                title=title,
                subtitle=work.sub,
                publisher=later_pub,
                year=later_year,
                providers=_GB_DB,
            )
        )
    specs.extend(_extra_spec(extra) for extra in work.extra)
    for index, (code, translated) in enumerate(_pairs(work.tr).items()):
        specs.append(
            _Spec(
                slot=f"tr-{code}",
                format="Paperback",
                language=code,
                title=translated,
                year=None if reprint_year is None else reprint_year + 1,
                providers=_OL if (position + index) % 5 == 4 else _OL_GB,
            )
        )
    out = []
    allowed = _providers(work.prov) if work.prov else ALL_PROVIDERS
    for spec in specs:
        isbn = real.get(spec.slot, spec.isbn)
        if spec.slot == "first" and old and isbn is None:
            isbn = "-"
        providers = spec.providers & allowed
        if providers:
            out.append(attrs.evolve(spec, isbn=isbn, providers=providers))
    return out


def _mess_specs(author: A, record: X, truth: Truth) -> list[_Spec]:
    if record.extra:
        return [_extra_spec(extra, f"extra-{index}") for index, extra in enumerate(record.extra)]
    language = author.lang if record.lang is None else None if record.lang == "-" else record.lang
    defaults = {
        "translation": (_OL_GB, _OL),
        "duplicate": (_OL,),
        "not-by-author": (_OL_GB,),
    }.get(truth, (ALL_PROVIDERS, _GB))
    forced = _providers(record.prov) if record.prov else None
    return [
        _Spec(
            slot=f"mess-{index}",
            format=_MESS_FORMATS[index % len(_MESS_FORMATS)],
            language=language,
            title=record.title,
            subtitle=record.sub,
            publisher=record.pub,
            year=None if record.year is None else record.year + index,
            providers=forced or defaults[min(index, len(defaults) - 1)],
            isbn="-" if record.year is not None and record.year + index < _NO_ISBN_BEFORE else None,
        )
        for index in range(record.n)
    ]


def _editions(
    block: int,
    position: int,
    title: str,
    specs: list[_Spec],
    *,
    shared: CatalogEdition | None = None,
) -> list[tuple[_Spec, CatalogEdition]]:
    """Number the specs' ids and ISBNs; the first repeats ``shared``'s ISBNs when given."""
    variety = _stable(title)
    out = []
    for index, spec in enumerate(specs):
        number = _number(block, position, index)
        edition_id = f"OL{_EDITION_BASE + number}M"
        if index == 0 and shared is not None:
            isbn13, isbn10 = shared.isbn13, shared.isbn10
        elif spec.isbn == "-":
            isbn13, isbn10 = None, None
        elif spec.isbn is not None:
            isbn13, isbn10 = _isbn_pair(spec.isbn)
        else:
            isbn13, isbn10 = _synthetic_isbn(number, spec.language)
        providers = spec.providers if isbn13 is not None else (spec.providers - _DB or _OL)
        pages = spec.pages
        if pages is None and spec.auto_pages and spec.format not in _NO_PAGES:
            low, spread = _PAGES.get(spec.format or "", (120, 380))
            pages = low + (variety + index * 37) % spread
        google_id = spec.google
        if google_id is None and "googlebooks" in providers:
            google_id = _google_id(edition_id)
        edition = CatalogEdition(
            id=edition_id,
            title=spec.title or title,
            subtitle=spec.subtitle,
            authors=spec.authors,
            isbn13=isbn13,
            isbn10=isbn10,
            publisher=spec.publisher,
            publish_date=spec.date if spec.date is not None else _date(spec.year, variety + index),
            pages=pages,
            language=spec.language,
            format=spec.format,
            google_id=google_id,
            providers=providers,
            cover_id=None if number % 3 == 2 else _COVER_BASE + number,
        )
        out.append((spec, edition))
    return out


def _first_cover(editions: Iterable[CatalogEdition]) -> int | None:
    return next((edition.cover_id for edition in editions if edition.cover_id), None)


def _work_id(block: int, position: int) -> str:
    if position >= _WORKS_PER_AUTHOR:
        raise ValueError(f"sample author {block} has too many works")
    return f"OL{_WORK_BASE + block * _WORKS_PER_AUTHOR + position}W"


def _number(block: int, position: int, index: int) -> int:
    if index >= _EDITIONS_PER_WORK:
        raise ValueError(f"sample work {block}/{position} has too many editions")
    return (block * _WORKS_PER_AUTHOR + position) * _EDITIONS_PER_WORK + index


def build_sample_catalog(authors: Iterable[A] = AUTHORS) -> Catalog:
    """The sample catalog built from `_sample_data.AUTHORS` (or the given source records)."""
    return _Builder(tuple(authors)).build()


def sample_catalog_path() -> Path:
    """Where the generated sample catalog is kept in the source tree (and the wheel)."""
    return Path(__file__).with_name(SAMPLE_CATALOG_FILE)


def write_sample_catalog(path: Path | None = None) -> Path:
    """Build the sample catalog from `_sample_data` and write it where `sample_catalog()`
    reads it (or to ``path``)."""
    target = path or sample_catalog_path()
    target.write_bytes(dump_catalog(build_sample_catalog()))
    return target
