"""Immutable result types.

Every type is a frozen, slotted attrs class; ``to_dict()`` gives exactly the JSON documents of
``--json``, and ``from_dict()`` reads them back. The cache stores the models themselves, encoded
by msgspec field by field (``bookstracker.cache.codec``), so every field is kept. The results
also show themselves in notebooks and terminals (short ``repr``, ``_repr_html_``, ``__rich__``)
and flatten to ``to_records()`` / ``to_pandas()``: those views live in ``bookstracker._display``.
Years are ints, ISBNs bare digits, languages ISO 639-1, OpenLibrary ids bare (``OL7234434A``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from bookstracker._display import (
    BibliographyDisplay,
    CompletenessDisplay,
    EditionDisplay,
    IsbnResultsDisplay,
    SearchResultDisplay,
    WorkDisplay,
)
from bookstracker._json import (
    JSONDict,
    as_float,
    as_int,
    as_list,
    as_object,
    as_str,
    as_texts,
    plain,
)

__all__ = [
    "PROVIDERS",
    "Author",
    "AuthorCandidate",
    "Bibliography",
    "Completeness",
    "Edition",
    "Evidence",
    "EvidenceSignal",
    "Exclusion",
    "ExclusionReason",
    "IsbnResults",
    "ProviderName",
    "ProviderReport",
    "ProviderStatus",
    "SearchHit",
    "SearchResult",
    "Work",
]

ProviderName = Literal["openlibrary", "googlebooks", "isbndb"]
PROVIDERS: tuple[ProviderName, ...] = ("openlibrary", "googlebooks", "isbndb")
ProviderStatus = Literal["ok", "empty", "error", "cached", "skipped", "disabled"]
ExclusionReason = Literal["translation", "collection", "companion", "duplicate", "not-by-author"]
EXCLUSION_REASONS: tuple[ExclusionReason, ...] = (
    "translation",
    "collection",
    "companion",
    "duplicate",
    "not-by-author",
)


_NO_KEYS: Mapping[str, str] = MappingProxyType({})


def _text_map(value: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Mapping[str, str]:
    if value is None:
        return MappingProxyType({})
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def _float_map(
    value: Mapping[str, float] | Iterable[tuple[str, float]] | None,
) -> Mapping[str, float]:
    if value is None:
        return MappingProxyType({})
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def _object_map(
    value: Mapping[str, object] | Iterable[tuple[str, object]] | None,
) -> Mapping[str, object]:
    if value is None:
        return MappingProxyType({})
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def _edition_map(
    value: Mapping[str, Edition | None] | Iterable[tuple[str, Edition | None]] | None,
) -> Mapping[str, Edition | None]:
    if value is None:
        return MappingProxyType({})
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def _str_tuple(value: Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


_CANONICAL_SOURCES: dict[tuple[str, ...], tuple[str, ...]] = {
    combo: combo
    for combo in (
        tuple(p for i, p in enumerate(PROVIDERS) if mask >> i & 1) for mask in range(1, 8)
    )
}


def _provider_tuple(value: Iterable[str] | None) -> tuple[str, ...]:
    """Sources in the fixed provider order (openlibrary, googlebooks, isbndb), no repeats."""
    if type(value) is tuple:
        canonical = _CANONICAL_SOURCES.get(value)
        if canonical is not None:
            return canonical
    given = set(_str_tuple(value))
    ordered: list[str] = [p for p in PROVIDERS if p in given]
    ordered.extend(sorted(given.difference(PROVIDERS)))
    return tuple(ordered)


def _editions(value: Iterable[Edition]) -> tuple[Edition, ...]:
    return tuple(value)


def _works(value: Iterable[Work]) -> tuple[Work, ...]:
    return tuple(value)


def _hits(value: Iterable[SearchHit]) -> tuple[SearchHit, ...]:
    return tuple(value)


def _exclusions(value: Iterable[Exclusion]) -> tuple[Exclusion, ...]:
    return tuple(value)


def _candidates(value: Iterable[AuthorCandidate]) -> tuple[AuthorCandidate, ...]:
    return tuple(value)


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        if value and not value[0].isspace() and not value[-1].isspace():
            return value
        return value.strip() or None
    text = str(value).strip()
    return text or None


def _opt_int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _text(data: Mapping[str, object], key: str) -> str:
    """The text ``data[key]``; ``TypeError`` when it is something else."""
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key!r} is a {type(value).__name__}, not a text")
    return value


def _object(value: object, what: str) -> Mapping[str, object]:
    """``value`` if it is a JSON object; ``TypeError`` when it is not."""
    data = as_object(value)
    if data is None:
        raise TypeError(f"{what} is a {type(value).__name__}, not a JSON object")
    return data


def _objects(value: object, what: str) -> list[Mapping[str, object]]:
    return [_object(item, what) for item in as_list(value)]


def _float(value: object) -> float:
    """``float(value)`` for a number or a text; ``TypeError`` for anything else."""
    if isinstance(value, (int, float, str)):
        return float(value)
    raise TypeError(f"a {type(value).__name__} is not a number")


def _int(value: object) -> int:
    """``int(value)`` for a number or a text; ``TypeError`` for anything else."""
    if isinstance(value, (int, float, str)):
        return int(value)
    raise TypeError(f"a {type(value).__name__} is not a number")


def _text_keys(value: object) -> dict[str, str]:
    """The text values of a JSON object (``keys``), others left out."""
    return {k: v for k, v in (as_object(value) or {}).items() if isinstance(v, str)}


def _float_values(value: object) -> dict[str, float]:
    """The numeric values of a JSON object (``score_parts``), as floats, others left out."""
    data = as_object(value) or {}
    return {k: number for k, v in data.items() if (number := as_float(v)) is not None}


_STATUSES: dict[object, ProviderStatus] = {
    status: status for status in ("ok", "empty", "error", "cached", "skipped", "disabled")
}
_REASONS: dict[object, ExclusionReason] = {reason: reason for reason in EXCLUSION_REASONS}


@attrs.frozen(kw_only=True, repr=False)
class Edition(EditionDisplay):
    """One publication of a work: a format, a publisher, a language, its ISBNs."""

    title: str
    isbn13: str | None = attrs.field(default=None, converter=_opt_str)
    isbn10: str | None = attrs.field(default=None, converter=_opt_str)
    subtitle: str | None = attrs.field(default=None, converter=_opt_str)
    authors: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    publisher: str | None = attrs.field(default=None, converter=_opt_str)
    published: str | None = attrs.field(default=None, converter=_opt_str)
    pages: int | None = attrs.field(default=None, converter=_opt_int)
    language: str | None = attrs.field(default=None, converter=_opt_str)
    format: str | None = attrs.field(default=None, converter=_opt_str)
    cover_url: str | None = attrs.field(default=None, converter=_opt_str)
    work_key: str | None = attrs.field(default=None, converter=_opt_str)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_provider_tuple)
    keys: Mapping[str, str] = attrs.field(default=None, converter=_text_map, hash=False)
    translation_of: str | None = attrs.field(default=None, converter=_opt_str)

    @property
    def year(self) -> int | None:
        """The publication year, read from ``published``."""
        if self.published and len(self.published) >= 4 and self.published[:4].isdigit():
            return int(self.published[:4])
        return None

    def to_dict(self) -> JSONDict:
        return {
            "isbn13": self.isbn13,
            "isbn10": self.isbn10,
            "title": self.title,
            "authors": list(self.authors),
            "publisher": self.publisher,
            "published": self.published,
            "pages": self.pages,
            "language": self.language,
            "format": self.format,
            "cover_url": self.cover_url,
            "work_key": self.work_key,
            "sources": list(self.sources),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Edition:
        return cls(
            title=_text(data, "title"),
            isbn13=data.get("isbn13"),
            isbn10=data.get("isbn10"),
            subtitle=data.get("subtitle"),
            authors=as_texts(data.get("authors")),
            publisher=data.get("publisher"),
            published=data.get("published"),
            pages=data.get("pages"),
            language=data.get("language"),
            format=data.get("format"),
            cover_url=data.get("cover_url"),
            work_key=data.get("work_key"),
            sources=as_texts(data.get("sources")),
            keys=_text_keys(data.get("keys")),
            translation_of=data.get("translation_of"),
        )

    def to_cache_dict(self) -> JSONDict:
        """The JSON document plus the fields it leaves out (for the cache)."""
        data = self.to_dict()
        data["subtitle"] = self.subtitle
        data["keys"] = dict(self.keys)
        data["translation_of"] = self.translation_of
        return data


_new_edition = functools.partial(object.__new__, Edition)
_edition_setters = {f.name: getattr(Edition, f.name).__set__ for f in attrs.fields(Edition)}
_set_title = _edition_setters["title"]
_set_isbn13 = _edition_setters["isbn13"]
_set_isbn10 = _edition_setters["isbn10"]
_set_subtitle = _edition_setters["subtitle"]
_set_authors = _edition_setters["authors"]
_set_publisher = _edition_setters["publisher"]
_set_published = _edition_setters["published"]
_set_pages = _edition_setters["pages"]
_set_language = _edition_setters["language"]
_set_format = _edition_setters["format"]
_set_cover_url = _edition_setters["cover_url"]
_set_work_key = _edition_setters["work_key"]
_set_sources = _edition_setters["sources"]
_set_keys = _edition_setters["keys"]
_set_translation_of = _edition_setters["translation_of"]


def _trusted_edition(
    *,
    title: str,
    isbn13: str | None = None,
    isbn10: str | None = None,
    subtitle: str | None = None,
    authors: tuple[str, ...] = (),
    publisher: str | None = None,
    published: str | None = None,
    pages: int | None = None,
    language: str | None = None,
    format: str | None = None,
    cover_url: str | None = None,
    work_key: str | None = None,
    sources: tuple[str, ...] = (),
    keys: dict[str, str] | None = None,
    translation_of: str | None = None,
) -> Edition:
    """An `Edition` from values already in the form its converters give, without running them
    (the parsers and the pairing build tens of thousands): each text stripped and not empty, or
    None; ``pages`` an int (not a bool) or None; ``sources`` in provider order without repeats;
    ``keys`` a new dict nobody else holds (it is wrapped, not copied)."""
    edition = _new_edition()
    _set_title(edition, title)
    _set_isbn13(edition, isbn13)
    _set_isbn10(edition, isbn10)
    _set_subtitle(edition, subtitle)
    _set_authors(edition, authors)
    _set_publisher(edition, publisher)
    _set_published(edition, published)
    _set_pages(edition, pages)
    _set_language(edition, language)
    _set_format(edition, format)
    _set_cover_url(edition, cover_url)
    _set_work_key(edition, work_key)
    _set_sources(edition, sources)
    _set_keys(edition, _NO_KEYS if not keys else MappingProxyType(keys))
    _set_translation_of(edition, translation_of)
    return edition


@attrs.frozen(kw_only=True)
class Author:
    """A person (or a pen name) as the providers know them."""

    name: str
    keys: Mapping[str, str] = attrs.field(default=None, converter=_text_map, hash=False)
    alternate_names: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    birth_date: str | None = attrs.field(default=None, converter=_opt_str)
    death_date: str | None = attrs.field(default=None, converter=_opt_str)
    work_count: int | None = attrs.field(default=None, converter=_opt_int)
    top_work: str | None = attrs.field(default=None, converter=_opt_str)
    top_subjects: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    @property
    def openlibrary_key(self) -> str | None:
        return self.keys.get("openlibrary")

    def to_dict(self) -> JSONDict:
        return {"name": self.name, "keys": dict(self.keys)}

    def to_cache_dict(self) -> JSONDict:
        return {
            "name": self.name,
            "keys": dict(self.keys),
            "alternate_names": list(self.alternate_names),
            "birth_date": self.birth_date,
            "death_date": self.death_date,
            "work_count": self.work_count,
            "top_work": self.top_work,
            "top_subjects": list(self.top_subjects),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Author:
        return cls(
            name=_text(data, "name"),
            keys=_text_keys(data.get("keys")),
            alternate_names=as_texts(data.get("alternate_names")),
            birth_date=data.get("birth_date"),
            death_date=data.get("death_date"),
            work_count=data.get("work_count"),
            top_work=data.get("top_work"),
            top_subjects=as_texts(data.get("top_subjects")),
        )


@attrs.frozen(kw_only=True)
class AuthorCandidate:
    """A person the name could mean, with why they were (not) chosen."""

    name: str
    keys: Mapping[str, str] = attrs.field(default=None, converter=_text_map, hash=False)
    work_count: int | None = attrs.field(default=None, converter=_opt_int)
    birth_date: str | None = attrs.field(default=None, converter=_opt_str)
    top_work: str | None = attrs.field(default=None, converter=_opt_str)
    score: float = 0.0
    top_subjects: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def to_dict(self) -> JSONDict:
        return {
            "name": self.name,
            "keys": dict(self.keys),
            "work_count": self.work_count,
            "birth_date": self.birth_date,
            "top_subjects": list(self.top_subjects),
        }

    def to_cache_dict(self) -> JSONDict:
        data = self.to_dict()
        data.update(top_work=self.top_work, score=self.score)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> AuthorCandidate:
        return cls(
            name=_text(data, "name"),
            keys=_text_keys(data.get("keys")),
            work_count=data.get("work_count"),
            birth_date=data.get("birth_date"),
            top_work=data.get("top_work"),
            score=_float(data.get("score") or 0.0),
            top_subjects=as_texts(data.get("top_subjects")),
        )


@attrs.frozen(kw_only=True)
class EvidenceSignal:
    """One named signal behind a verdict: what was read, and which way it pointed."""

    name: str
    verdict: str
    detail: str = ""
    weight: float = 0.0

    def to_dict(self) -> JSONDict:
        return {
            "name": self.name,
            "verdict": self.verdict,
            "detail": self.detail,
            "weight": self.weight,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> EvidenceSignal:
        return cls(
            name=str(data["name"]),
            verdict=str(data["verdict"]),
            detail=str(data.get("detail") or ""),
            weight=_float(data.get("weight") or 0.0),
        )


@attrs.frozen(kw_only=True)
class Evidence:
    """Why a work was kept or left out: the verdict, how sure, who decided, and the signals.

    ``verdict`` is ``"core"`` or an exclusion reason; ``uncertain`` is set when signals point
    both ways (the work is kept or left out by the stronger side, and says so);
    ``decided_by`` is ``"filter"`` or ``"user"`` (a pinned work key).
    """

    verdict: str
    confidence: float = 1.0
    uncertain: bool = False
    decided_by: Literal["filter", "user"] = "filter"
    signals: tuple[EvidenceSignal, ...] = ()

    def to_dict(self) -> JSONDict:
        return {
            "verdict": self.verdict,
            "confidence": self.confidence,
            "uncertain": self.uncertain,
            "decided_by": self.decided_by,
            "signals": [s.to_dict() for s in self.signals],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> Evidence | None:
        if not data:
            return None
        decided_by: Literal["filter", "user"] = (
            "user" if data.get("decided_by") == "user" else "filter"
        )
        return cls(
            verdict=str(data["verdict"]),
            confidence=_float(data.get("confidence", 1.0)),
            uncertain=bool(data.get("uncertain")),
            decided_by=decided_by,
            signals=tuple(
                EvidenceSignal.from_dict(s) for s in _objects(data.get("signals"), "a signal")
            ),
        )


def _evidence_dict(evidence: Evidence | None) -> JSONDict | None:
    return evidence.to_dict() if evidence is not None else None


@attrs.frozen(kw_only=True, repr=False)
class Work(WorkDisplay):
    """An abstract book (OpenLibrary's work), with the editions paired to it."""

    title: str
    first_publish_year: int | None = attrs.field(default=None, converter=_opt_int)
    keys: Mapping[str, str] = attrs.field(default=None, converter=_text_map, hash=False)
    editions: tuple[Edition, ...] = attrs.field(default=(), converter=_editions)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_provider_tuple)
    subtitle: str | None = attrs.field(default=None, converter=_opt_str)
    authors: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    author_keys: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    edition_count: int | None = attrs.field(default=None, converter=_opt_int)
    evidence: Evidence | None = attrs.field(default=None, hash=False)

    @property
    def openlibrary_key(self) -> str | None:
        return self.keys.get("openlibrary")

    def to_dict(self) -> JSONDict:
        return {
            "title": self.title,
            "first_publish_year": self.first_publish_year,
            "keys": dict(self.keys),
            "editions": [e.to_dict() for e in self.editions],
            "sources": list(self.sources),
            "evidence": _evidence_dict(self.evidence),
        }

    def to_cache_dict(self) -> JSONDict:
        return {
            "title": self.title,
            "first_publish_year": self.first_publish_year,
            "keys": dict(self.keys),
            "editions": [e.to_cache_dict() for e in self.editions],
            "sources": list(self.sources),
            "subtitle": self.subtitle,
            "authors": list(self.authors),
            "author_keys": list(self.author_keys),
            "edition_count": self.edition_count,
            "evidence": _evidence_dict(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Work:
        return cls(
            title=_text(data, "title"),
            first_publish_year=data.get("first_publish_year"),
            keys=_text_keys(data.get("keys")),
            editions=tuple(
                Edition.from_dict(e) for e in _objects(data.get("editions"), "an edition")
            ),
            sources=as_texts(data.get("sources")),
            subtitle=data.get("subtitle"),
            authors=as_texts(data.get("authors")),
            author_keys=as_texts(data.get("author_keys")),
            edition_count=data.get("edition_count"),
            evidence=Evidence.from_dict(as_object(data.get("evidence"))),
        )


@attrs.frozen(kw_only=True)
class Exclusion:
    """A work left out of the core bibliography, and why."""

    title: str
    key: str | None
    reason: ExclusionReason
    detail: str = ""
    kept_under: str | None = None
    evidence: Evidence | None = attrs.field(default=None, hash=False)

    def to_dict(self) -> JSONDict:
        return {
            "title": self.title,
            "key": self.key,
            "reason": self.reason,
            "detail": self.detail or None,
            "kept_under": self.kept_under,
            "evidence": _evidence_dict(self.evidence),
        }

    def to_cache_dict(self) -> JSONDict:
        return self.to_dict()

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Exclusion:
        reason = _REASONS.get(data["reason"])
        if reason is None:
            raise ValueError(f"unknown exclusion reason {data['reason']!r}")
        return cls(
            title=_text(data, "title"),
            key=as_str(data.get("key")),
            reason=reason,
            detail=as_str(data.get("detail")) or "",
            kept_under=as_str(data.get("kept_under")),
            evidence=Evidence.from_dict(as_object(data.get("evidence"))),
        )


@attrs.frozen(kw_only=True)
class ProviderReport:
    """What one provider did for one call."""

    provider: str
    status: ProviderStatus
    elapsed_ms: float = 0.0
    requests: int = 0
    error: str | None = None
    stale: bool = False

    def to_dict(self) -> JSONDict:
        return {
            "status": self.status,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "requests": self.requests,
            "error": self.error,
        }

    def to_cache_dict(self) -> JSONDict:
        data = self.to_dict()
        data["provider"] = self.provider
        return data

    @classmethod
    def from_dict(
        cls, data: Mapping[str, object], *, provider: str | None = None
    ) -> ProviderReport:
        status = _STATUSES.get(data["status"])
        if status is None:
            raise ValueError(f"unknown provider status {data['status']!r}")
        return cls(
            provider=provider or _text(data, "provider"),
            status=status,
            elapsed_ms=_float(data.get("elapsed_ms") or 0.0),
            requests=_int(data.get("requests") or 0),
            error=as_str(data.get("error")),
        )

    @property
    def answered(self) -> bool:
        """True when the provider gave an answer (possibly an empty one)."""
        return self.status in ("ok", "empty", "cached")


def _reports(
    value: Mapping[str, ProviderReport] | Iterable[ProviderReport] | None,
) -> Mapping[str, ProviderReport]:
    if value is None:
        return MappingProxyType({})
    items = value.values() if isinstance(value, Mapping) else value
    by_name: dict[str, ProviderReport] = {r.provider: r for r in items}
    ordered: dict[str, ProviderReport] = {p: by_name[p] for p in PROVIDERS if p in by_name}
    ordered.update({k: v for k, v in by_name.items() if k not in ordered})
    return MappingProxyType(ordered)


def reports_to_dict(reports: Mapping[str, ProviderReport]) -> dict[str, JSONDict]:
    """The JSON documents' ``"providers"`` object: every provider named, in fixed order."""
    out: dict[str, JSONDict] = {}
    for name in PROVIDERS:
        report = reports.get(name) or ProviderReport(provider=name, status="disabled")
        out[name] = report.to_dict()
    return out


@attrs.frozen(kw_only=True)
class SearchHit:
    """One book in a merged search, naming every provider that returned it."""

    title: str
    authors: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    first_publish_year: int | None = attrs.field(default=None, converter=_opt_int)
    isbn13: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    keys: Mapping[str, str] = attrs.field(default=None, converter=_text_map, hash=False)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_provider_tuple)
    cover_url: str | None = attrs.field(default=None, converter=_opt_str)
    subtitle: str | None = attrs.field(default=None, converter=_opt_str)
    edition_count: int | None = attrs.field(default=None, converter=_opt_int)
    language: str | None = attrs.field(default=None, converter=_opt_str)
    score: float = 0.0
    score_parts: Mapping[str, float] = attrs.field(default=None, converter=_float_map, hash=False)

    def to_dict(self) -> JSONDict:
        return {
            "title": self.title,
            "authors": list(self.authors),
            "first_publish_year": self.first_publish_year,
            "isbn13": list(self.isbn13),
            "keys": dict(self.keys),
            "sources": list(self.sources),
            "cover_url": self.cover_url,
        }

    def to_cache_dict(self) -> JSONDict:
        data = self.to_dict()
        data.update(
            subtitle=self.subtitle,
            edition_count=self.edition_count,
            language=self.language,
            score=self.score,
            score_parts=dict(self.score_parts),
        )
        return data

    @classmethod
    def from_edition(cls, edition: Edition, *, provider: str | None = None) -> SearchHit:
        """One edition as a hit (its year stands in for the first-publication year), credited
        to ``provider`` when given, else to the edition's own sources."""
        keys = edition.keys
        if not keys and provider and edition.isbn13:
            keys = {provider: edition.isbn13}
        return cls(
            title=edition.title,
            subtitle=edition.subtitle,
            authors=edition.authors,
            first_publish_year=edition.year,
            isbn13=(edition.isbn13,) if edition.isbn13 else (),
            keys=keys,
            sources=(provider,) if provider else edition.sources,
            cover_url=edition.cover_url,
            language=edition.language,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SearchHit:
        return cls(
            title=_text(data, "title"),
            authors=as_texts(data.get("authors")),
            first_publish_year=data.get("first_publish_year"),
            isbn13=as_texts(data.get("isbn13")),
            keys=_text_keys(data.get("keys")),
            sources=as_texts(data.get("sources")),
            cover_url=data.get("cover_url"),
            subtitle=data.get("subtitle"),
            edition_count=data.get("edition_count"),
            language=data.get("language"),
            score=_float(data.get("score") or 0.0),
            score_parts=_float_values(data.get("score_parts")),
        )


@attrs.frozen(kw_only=True, repr=False)
class SearchResult(SearchResultDisplay):
    """A merged, ranked search with a report per provider."""

    query: str
    hits: tuple[SearchHit, ...] = attrs.field(default=(), converter=_hits)
    providers: Mapping[str, ProviderReport] = attrs.field(
        default=None, converter=_reports, hash=False
    )
    stale: bool = False

    def to_dict(self) -> JSONDict:
        return {
            "query": self.query,
            "results": [h.to_dict() for h in self.hits],
            "providers": reports_to_dict(self.providers),
        }

    def to_cache_dict(self) -> JSONDict:
        return {
            "query": self.query,
            "results": [h.to_cache_dict() for h in self.hits],
            "providers": [r.to_cache_dict() for r in self.providers.values()],
        }

    @classmethod
    def from_cache_dict(cls, data: Mapping[str, object]) -> SearchResult:
        return cls(
            query=_text(data, "query"),
            hits=tuple(SearchHit.from_dict(h) for h in _objects(data.get("results"), "a hit")),
            providers=[
                ProviderReport.from_dict(r) for r in _objects(data.get("providers"), "a report")
            ],
        )


@attrs.frozen(kw_only=True, repr=False)
class IsbnResults(IsbnResultsDisplay):
    """Editions for a batch of ISBNs, keyed by each ISBN as the caller gave it."""

    results: Mapping[str, Edition | None] = attrs.field(
        default=None, converter=_edition_map, hash=False
    )
    invalid: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    providers: Mapping[str, ProviderReport] = attrs.field(
        default=None, converter=_reports, hash=False
    )

    def to_dict(self) -> JSONDict:
        return {
            "results": {k: (v.to_dict() if v else None) for k, v in self.results.items()},
            "invalid": list(self.invalid),
            "providers": reports_to_dict(self.providers),
        }

    @property
    def found(self) -> dict[str, Edition]:
        return {k: v for k, v in self.results.items() if v is not None}


@attrs.frozen(kw_only=True, repr=False)
class Completeness(CompletenessDisplay):
    """How sure we are that a bibliography is complete, with its named parts."""

    author: str
    score: float
    complete: bool
    expected: int | None
    found: int
    evidence: Mapping[str, object] = attrs.field(default=None, converter=_object_map, hash=False)

    def to_dict(self) -> JSONDict:
        return {
            "author": self.author,
            "score": round(self.score, 3),
            "complete": self.complete,
            "expected": self.expected,
            "found": self.found,
            "evidence": plain(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Completeness:
        return cls(
            author=_text(data, "author"),
            score=_float(data["score"]),
            complete=bool(data["complete"]),
            expected=as_int(data.get("expected")),
            found=_int(data.get("found") or 0),
            evidence=as_object(data.get("evidence")),
        )


@attrs.frozen(kw_only=True, repr=False)
class Bibliography(BibliographyDisplay):
    """An author's enhanced bibliography: core works with editions, exclusions, completeness."""

    author: Author
    works: tuple[Work, ...] = attrs.field(default=(), converter=_works)
    excluded: tuple[Exclusion, ...] = attrs.field(default=(), converter=_exclusions)
    candidates: tuple[AuthorCandidate, ...] = attrs.field(default=(), converter=_candidates)
    completeness: Completeness | None = None
    providers: Mapping[str, ProviderReport] = attrs.field(
        default=None, converter=_reports, hash=False
    )
    stale: bool = False

    def to_dict(self) -> JSONDict:
        return {
            "author": self.author.to_dict(),
            "candidates": [c.to_dict() for c in self.candidates],
            "works": [w.to_dict() for w in self.works],
            "excluded": [e.to_dict() for e in self.excluded],
            "completeness": self.completeness.to_dict() if self.completeness else None,
            "providers": reports_to_dict(self.providers),
        }

    def to_cache_dict(self) -> JSONDict:
        return {
            "author": self.author.to_cache_dict(),
            "candidates": [c.to_cache_dict() for c in self.candidates],
            "works": [w.to_cache_dict() for w in self.works],
            "excluded": [e.to_cache_dict() for e in self.excluded],
            "completeness": self.completeness.to_dict() if self.completeness else None,
            "providers": [r.to_cache_dict() for r in self.providers.values()],
        }

    @classmethod
    def from_cache_dict(cls, data: Mapping[str, object]) -> Bibliography:
        completeness = as_object(data.get("completeness"))
        return cls(
            author=Author.from_dict(_object(data["author"], "author")),
            candidates=tuple(
                AuthorCandidate.from_dict(c)
                for c in _objects(data.get("candidates"), "a candidate")
            ),
            works=tuple(Work.from_dict(w) for w in _objects(data.get("works"), "a work")),
            excluded=tuple(
                Exclusion.from_dict(e) for e in _objects(data.get("excluded"), "an exclusion")
            ),
            completeness=Completeness.from_dict(completeness) if completeness else None,
            providers=[
                ProviderReport.from_dict(r) for r in _objects(data.get("providers"), "a report")
            ],
        )
