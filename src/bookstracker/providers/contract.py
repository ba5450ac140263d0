"""The provider contract: what every adapter does, with typed results, and what it declares.

An adapter implements the operations its :class:`Capability` set names; the pipeline picks
providers by capability, never by name or by probing with ``getattr``. The operations an
adapter does not declare raise :class:`UnsupportedOperation`. A new provider is one module
with a class like the three here plus one line in :mod:`bookstracker.providers.registry`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import attrs

from bookstracker.errors import BooksTrackerError
from bookstracker.models import Author, Edition, SearchHit, Work

if TYPE_CHECKING:
    from bookstracker.metrics import ProviderStats

__all__ = [
    "COVERS_BASE_URL",
    "Capability",
    "EditionPage",
    "Provider",
    "RecordType",
    "SearchPage",
    "SignalsForm",
    "UnsupportedOperation",
    "WorkRecord",
    "WorkSignals",
    "WorksListing",
]

COVERS_BASE_URL = "https://covers.openlibrary.org"
RecordType = Literal["work", "redirect", "delete"]
SignalsForm = Literal["query", "filter"]


class Capability(enum.Enum):
    """An operation of :class:`Provider` that an adapter implements."""

    SEARCH = "search"
    """``search(query, limit=)``: hits for a free-text query."""
    EDITIONS = "editions"
    """``editions(isbns)``: editions by ISBN, many per request."""
    EDITIONS_ONE_BY_ONE = "editions_one_by_one"
    """``editions(isbns)`` at one request per ISBN: asked only for what the others missed."""
    AUTHOR_EDITIONS = "author_editions"
    """``author_editions(name)``: the editions the provider lists under an author's name."""
    AUTHOR_LOOKUP = "author_lookup"
    """``search_authors(name)`` and ``author(key)``: author records."""
    AUTHOR_WORKS = "author_works"
    """``author_works(key)`` and ``author_work_signals(key)``: an author's works listing."""
    WORK_EDITIONS = "work_editions"
    """``work_editions(key)``: every edition of one work, ISBN or not."""


class UnsupportedOperation(BooksTrackerError, NotImplementedError):
    """The provider does not implement this operation (it is not in its capabilities)."""


def _hits(value: Iterable[SearchHit]) -> tuple[SearchHit, ...]:
    return tuple(value)


def _editions(value: Iterable[Edition]) -> tuple[Edition, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class SearchPage:
    """One provider's search answer: hits in its own order and its (possibly estimated) total."""

    hits: tuple[SearchHit, ...] = attrs.field(default=(), converter=_hits)
    total: int | None = None


@attrs.frozen(kw_only=True)
class EditionPage:
    """Editions gathered over one or more pages; ``complete`` is False when pages were left."""

    editions: tuple[Edition, ...] = attrs.field(default=(), converter=_editions)
    total: int | None = None
    complete: bool = True
    pages: int = 0


@attrs.frozen(kw_only=True)
class WorkSignals:
    """What the works search index says about one work: its edition languages and ISBNs."""

    key: str
    title: str | None = None
    languages: tuple[str, ...] = ()
    edition_count: int | None = None
    first_publish_year: int | None = None
    isbns: tuple[str, ...] = ()
    author_keys: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()


_NO_ROLES: Mapping[str, str] = MappingProxyType({})


def _frozen_roles(value: Mapping[str, str]) -> Mapping[str, str]:
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value)) if value else _NO_ROLES


@attrs.frozen(kw_only=True)
class WorkRecord:
    """One OpenLibrary work record, with what the core-works filter needs.

    ``languages``, ``edition_count`` and ``isbns`` are not in the record; they come from the
    search index (`with_signals`). ``type`` is ``"redirect"`` (see ``redirect_to``) or
    ``"delete"`` for merged and deleted works.
    """

    key: str
    title: str | None = None
    subtitle: str | None = None
    author_keys: tuple[str, ...] = ()
    roles: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_roles, hash=False)
    first_publish_year: int | None = None
    subjects: tuple[str, ...] = ()
    description: str | None = None
    covers: tuple[int, ...] = ()
    type: RecordType = "work"
    redirect_to: str | None = None
    languages: tuple[str, ...] = ()
    edition_count: int | None = None
    isbns: tuple[str, ...] = ()

    @property
    def cover_url(self) -> str | None:
        return f"{COVERS_BASE_URL}/b/id/{self.covers[0]}-M.jpg" if self.covers else None

    def with_signals(self, signals: WorkSignals | None) -> WorkRecord:
        """A copy with the search index's languages, edition count, ISBNs (and year if missing)."""
        if signals is None:
            return self
        return attrs.evolve(
            self,
            languages=signals.languages,
            edition_count=signals.edition_count,
            isbns=signals.isbns,
            first_publish_year=self.first_publish_year or signals.first_publish_year,
        )

    def to_work(self, *, authors: Iterable[str] = ()) -> Work:
        """The `Work` model (no editions yet); ``authors`` are display names if known."""
        return Work(
            title=self.title or self.key,
            subtitle=self.subtitle,
            first_publish_year=self.first_publish_year,
            keys={"openlibrary": self.key},
            sources=("openlibrary",),
            authors=tuple(authors),
            author_keys=self.author_keys,
            edition_count=self.edition_count,
        )


def _works_tuple(value: Iterable[WorkRecord]) -> tuple[WorkRecord, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class WorksListing:
    """An author's works over every page fetched; ``complete`` is False when a bound cut it."""

    total: int | None
    works: tuple[WorkRecord, ...] = attrs.field(default=(), converter=_works_tuple)
    complete: bool = True
    pages: int = 0


@runtime_checkable
class Provider(Protocol):
    """What the pipeline needs of a provider: the operations, typed, and what it can do.

    Every method exists on every provider; only those named by ``capabilities`` are called.
    """

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    @property
    def base_url(self) -> str:
        """Where it answers from (part of every cache key)."""
        ...

    @property
    def enabled(self) -> bool:
        """False when the provider cannot be used as configured (ISBNdb without a key)."""
        ...

    async def search(self, query: str, *, limit: int = 20) -> SearchPage: ...

    async def editions(self, isbns: Iterable[str]) -> dict[str, Edition]:
        """Editions keyed by ISBN-13; unknown ISBNs are absent."""
        ...

    async def author_editions(self, name: str) -> EditionPage: ...

    async def search_authors(self, name: str, *, limit: int = 20) -> list[Author]: ...

    async def author(self, key: str) -> Author | None: ...

    async def author_works(self, key: str) -> WorksListing: ...

    async def author_work_signals(
        self, key: str, *, form: SignalsForm = "query"
    ) -> dict[str, WorkSignals]: ...

    async def work_editions(
        self, key: str, *, page_size: int = 1000, max_editions: int = 10_000
    ) -> EditionPage: ...

    async def provider_stats(self) -> ProviderStats:
        """The provider's figures for :meth:`AsyncBooksClient.stats`."""
        ...

    async def aclose(self) -> None: ...
