"""OpenLibraryMirror: OpenLibrary's adapter methods answered from a dump mirror.

The same methods and the same typed results as `~bookstracker.providers.openlibrary.OpenLibrary`
(the raw records in the store are parsed by that module's own parsers), so the pipeline, the
core-works filter and the cache do not know the difference. Two modes:

* ``mirror``: the store alone; nothing is sent to OpenLibrary.
* ``mirror-first``: the store, then the API (the ``fallback`` adapter) for what the dump does not
  hold: an unknown author, work or ISBN, a search with no local hit (books newer than the dump).

Where the API's answer comes from its search index rather than from records, the mirror
computes it from the records: an author's ``work_count`` counts the works listing them, a
work's languages, edition count and ISBNs come from its editions, and ``top_work`` is the work
with the most editions. The index's ``top_subjects`` are not in the dumps; the mirror gives the
subjects most frequent among the author's works, each work counting once per edition (as the
top work is the one with the most editions), instead. Top work and subjects are read from an
author's first 200 works in dump order, which bounds a name search's cost.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, Literal, ParamSpec, TypeVar

import anyio.to_thread
import attrs

from bookstracker._json import JSONDict, as_list
from bookstracker.config import ProviderConfig
from bookstracker.errors import InvalidQuery
from bookstracker.isbn import isbn_pair, normalize_isbn
from bookstracker.languages import to_iso639_1, to_marc
from bookstracker.metrics import ProviderMetrics, ProviderStats
from bookstracker.mirror.location import open_store
from bookstracker.mirror.records import IndexRows, index_rows, lean_record
from bookstracker.mirror.store import EditionSummary, MirrorStore, StoredRecord
from bookstracker.models import Author, Edition, SearchHit
from bookstracker.names import name_key
from bookstracker.providers._parse import as_str
from bookstracker.providers.contract import (
    Capability,
    EditionPage,
    Provider,
    SearchPage,
    SignalsForm,
    UnsupportedOperation,
    WorkRecord,
    WorkSignals,
    WorksListing,
)
from bookstracker.providers.openlibrary import (
    BOOKS_BATCH_SIZE,
    MAX_HIT_ISBNS,
    MAX_LIST_LIMIT,
    MAX_SIGNAL_ISBNS,
    OpenLibrary,
    bare_key,
    cover_url,
    parse_author_record,
    parse_edition_record,
    parse_work_record,
)

if TYPE_CHECKING:
    from bookstracker._http import AsyncBaseTransport
    from bookstracker.resilience.shared import SharedLimits

__all__ = ["OpenLibraryMirror", "mirror_adapter"]

log = logging.getLogger(__name__)

MAX_SEARCH_LIMIT = 1000
_TOP_WORK_SCAN = 200
"""Works read per author candidate for its top work and subjects (bounds a name search)."""
_T = TypeVar("_T")
_P = ParamSpec("_P")

_search_page: Callable[..., SearchPage] = SearchPage
_edition_page: Callable[..., EditionPage] = EditionPage


def _check_range(name: str, value: int, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuery(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidQuery(f"{name} must be {bound}, got {value}")


def _languages(codes: Iterable[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for code in codes:
        iso = to_iso639_1(code)
        if iso:
            out.setdefault(iso, None)
    return tuple(out)


def mirror_adapter(
    config: ProviderConfig,
    *,
    transport: AsyncBaseTransport | None = None,
    shared_limits: SharedLimits | None = None,
) -> Provider:
    """OpenLibrary from the dump mirror at ``config.source_url``: alone (source ``mirror``) or
    in front of the HTTP adapter (``mirror-first``); registered for both sources."""
    if config.source == "mirror":
        return OpenLibraryMirror(url=config.source_url)
    api = OpenLibrary(config, transport=transport, shared_limits=shared_limits)
    return OpenLibraryMirror(url=config.source_url, fallback=api)


class OpenLibraryMirror:
    """OpenLibrary's answers from a dump mirror (``store``, or the store at ``url`` /
    ``BOOKSTRACKER_MIRROR_URL``); ``fallback`` is the HTTP adapter asked in ``mirror-first``
    mode for what the mirror lacks."""

    name: ClassVar[Literal["openlibrary"]] = "openlibrary"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.SEARCH,
            Capability.EDITIONS,
            Capability.AUTHOR_LOOKUP,
            Capability.AUTHOR_WORKS,
            Capability.WORK_EDITIONS,
        }
    )

    def __init__(
        self,
        store: MirrorStore | None = None,
        *,
        url: str | None = None,
        fallback: OpenLibrary | None = None,
        metrics: ProviderMetrics | None = None,
    ) -> None:
        self._owns_store = store is None
        self.store: MirrorStore = store if store is not None else open_store(url)
        self.fallback = fallback
        self.mode: Literal["mirror", "mirror-first"] = (
            "mirror-first" if fallback is not None else "mirror"
        )
        self.metrics = metrics or (fallback.metrics if fallback else ProviderMetrics(self.name))
        self.base_url = f"mirror:{self.store.backend}:{self.store.location}" + (
            f"+{fallback.base_url}" if fallback is not None else ""
        )
        if self._owns_store and not self.store.status().counts.get("author"):
            log.warning(
                "the OpenLibrary mirror at %s holds no author yet: import the dumps with "
                "`bookstracker mirror import FILE...` (see docs/mirror.md)",
                self.store.location,
            )

    def __repr__(self) -> str:
        return f"OpenLibraryMirror({self.store.location!r}, mode={self.mode!r})"

    @property
    def enabled(self) -> bool:
        return True

    @property
    def rate(self) -> float:
        return self.fallback.rate if self.fallback is not None else float("inf")

    def stats(self) -> JSONDict:
        if self.fallback is not None:
            return self.fallback.stats()
        data = self.metrics.snapshot()
        data["breaker"] = "closed"
        return data

    async def provider_stats(self) -> ProviderStats:
        """The API's figures in mirror-first mode; otherwise no request, ever."""
        if self.fallback is not None:
            return await self.fallback.provider_stats()
        return ProviderStats.from_metrics(self.metrics, enabled=True)

    async def aclose(self) -> None:
        if self.fallback is not None:
            await self.fallback.aclose()
        if self._owns_store:
            self.store.close()

    async def __aenter__(self) -> OpenLibraryMirror:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _run(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))

    # -- building models -------------------------------------------------------------------

    def _follow(self, key: str) -> StoredRecord | None:
        """The record of ``key``, following one redirect; None when missing or deleted."""
        found = self.store.records([key]).get(key)
        if found is not None and found.kind == "redirect":
            target = found.json().get("location")
            moved = bare_key(target) if isinstance(target, str) and target else None
            found = self.store.records([moved]).get(moved) if moved else None
        if found is None or found.kind in ("redirect", "delete"):
            return None
        return found

    def _names(self, author_keys: Iterable[str]) -> dict[str, str]:
        keys = list(dict.fromkeys(author_keys))
        out: dict[str, str] = {}
        for key, record in self.store.records(keys).items():
            if record.kind == "author":
                author = parse_author_record(record.json())
                if author is not None:
                    out[key] = author.name
        return out

    def _top_work_and_subjects(self, author_key: str) -> tuple[str | None, tuple[str, ...]]:
        works = [
            w
            for w in (
                parse_work_record(r.json()) for r in self.store.works_of(author_key, _TOP_WORK_SCAN)
            )
            if w is not None
        ]
        if not works:
            return None, ()
        editions = Counter(s.work_key for s in self.store.edition_summaries([w.key for w in works]))
        top = max(works, key=lambda w: editions.get(w.key, 0))
        subjects: Counter[str] = Counter()
        for work in works:
            weight = max(1, editions.get(work.key, 0))
            for subject in work.subjects:
                subjects[subject] += weight
        return top.title, tuple(s for s, _ in subjects.most_common(10))

    def _author_models(self, records: Sequence[StoredRecord]) -> list[Author]:
        authors = [a for a in (parse_author_record(r.json()) for r in records) if a is not None]
        counts = self.store.work_counts([a.keys["openlibrary"] for a in authors])
        out = []
        for author in authors:
            key = author.keys["openlibrary"]
            top_work, subjects = self._top_work_and_subjects(key)
            out.append(
                attrs.evolve(
                    author, work_count=counts.get(key, 0), top_work=top_work, top_subjects=subjects
                )
            )
        return out

    def _search_authors_sync(self, text: str, limit: int) -> list[Author]:
        exact = self.store.authors_named(name_key(text), limit)
        found: dict[str, StoredRecord] = {r.key: r for r in exact}
        if len(found) < limit:
            for record in self.store.search_authors(text, limit):
                found.setdefault(record.key, record)
        authors = self._author_models(list(found.values())[: max(limit, 1) * 2])
        wanted = name_key(text)
        authors.sort(key=lambda a: (0 if name_key(a.name) == wanted else 1, -(a.work_count or 0)))
        return authors[:limit]

    def _hits(self, works: Sequence[WorkRecord]) -> list[SearchHit]:
        summaries = self.store.edition_summaries([w.key for w in works])
        by_work: dict[str, list[EditionSummary]] = {}
        for summary in summaries:
            by_work.setdefault(summary.work_key, []).append(summary)
        names = self._names(k for w in works for k in w.author_keys)
        hits = []
        for work in works:
            editions = by_work.get(work.key, [])
            languages = _languages(code for e in editions for code in e.languages)
            years = [e.year for e in editions if e.year]
            isbns = list(dict.fromkeys(i for e in editions for i in e.isbn13s))[:MAX_HIT_ISBNS]
            hits.append(
                SearchHit(
                    title=work.title or work.key,
                    subtitle=work.subtitle,
                    authors=tuple(names[k] for k in work.author_keys if k in names),
                    first_publish_year=min(
                        [*years, *filter(None, [work.first_publish_year])], default=None
                    ),
                    isbn13=tuple(isbns),
                    keys={"openlibrary": work.key},
                    sources=("openlibrary",),
                    cover_url=work.cover_url,
                    edition_count=len(editions),
                    language=languages[0] if len(languages) == 1 else None,
                )
            )
        return hits

    def _works(self, records: Iterable[StoredRecord]) -> list[WorkRecord]:
        works = (parse_work_record(r.json()) for r in records if r.kind == "work")
        return [w for w in works if w is not None and w.type == "work"]

    def _search_sync(
        self,
        text: str | None,
        isbn13: str | None,
        author_key: str | None,
        marc: str | None,
        limit: int,
        page: int,
    ) -> SearchPage:
        wanted = limit * page
        works: list[WorkRecord] = []
        if isbn13 is not None:
            edition = self.store.editions_by_isbn([isbn13]).get(isbn13)
            parsed = parse_edition_record(edition.json()) if edition is not None else None
            if parsed is not None and parsed.work_key:
                works = self._works(self.store.records([parsed.work_key]).values())
        elif author_key is not None:
            works = self._works(self.store.works_of(author_key, MAX_LIST_LIMIT * 20))
        if text:
            found = self._works(self.store.search_works(text, wanted * 4 + 20))
            if not found:
                for author in self.store.search_authors(text, 3):
                    found.extend(self._works(self.store.works_of(author.key, wanted * 4 + 20)))
            if works or isbn13 is not None or author_key is not None:
                keep = {w.key for w in found}
                works = [w for w in works if w.key in keep]
            else:
                works = found
        hits = (
            self._hits(works)
            if marc is None
            else [h for h in self._hits(works) if to_iso639_1(marc) in self._hit_languages(h)]
        )
        return _search_page(hits=tuple(hits[(page - 1) * limit : wanted]), total=len(hits))

    def _hit_languages(self, hit: SearchHit) -> set[str]:
        key = hit.keys.get("openlibrary")
        summaries = self.store.edition_summaries([key]) if key else []
        return set(_languages(c for s in summaries for c in s.languages))

    # -- the adapter's operations ------------------------------------------------------------

    async def search(
        self,
        query: str | None = None,
        *,
        title: str | None = None,
        author: str | None = None,
        isbn: str | None = None,
        author_key: str | None = None,
        language: str | None = None,
        limit: int = 20,
        page: int = 1,
    ) -> SearchPage:
        """Works matching the words of the query, title and author (full-text), an ISBN, an
        author key, and a language; the API's `OpenLibrary.search` in mirror-first mode when the
        mirror has no hit."""
        q = query.strip() if isinstance(query, str) else None
        if q is not None and q and len(q) < 3:
            raise InvalidQuery("an OpenLibrary query needs at least 3 characters")
        if q is not None and q.lower() == "the":
            raise InvalidQuery("OpenLibrary refuses the query 'the'")
        words = [t.strip() for t in (q, title, author) if isinstance(t, str) and t.strip()]
        isbn13 = normalize_isbn(isbn) if isbn is not None else None
        key = None
        if author_key is not None:
            key = bare_key(author_key)
            if not (key.startswith("OL") and key.endswith("A")):
                raise InvalidQuery(f"not an OpenLibrary author key: {author_key!r}")
        marc = None
        if language is not None:
            marc = to_marc(language)
            if marc is None:
                raise InvalidQuery(f"unknown language {language!r}")
        if not words and isbn13 is None and key is None:
            raise InvalidQuery("nothing to search for: give a query, a title, an author or an ISBN")
        _check_range("limit", limit, 1, MAX_SEARCH_LIMIT)
        _check_range("page", page, 1, None)
        result = await self._run(
            self._search_sync, " ".join(words) or None, isbn13, key, marc, limit, page
        )
        if not result.hits and self.fallback is not None:
            return await self.fallback.search(
                query,
                title=title,
                author=author,
                isbn=isbn,
                author_key=author_key,
                language=language,
                limit=limit,
                page=page,
            )
        return result

    async def search_authors(self, name: str, *, limit: int = 20) -> list[Author]:
        """Authors whose name or alternate name is ``name``, then those holding its words, the
        exact names first, then by work count."""
        text = name.strip() if isinstance(name, str) else ""
        if not text:
            raise InvalidQuery("an author name must not be blank")
        _check_range("limit", limit, 1, MAX_SEARCH_LIMIT)
        found = await self._run(self._search_authors_sync, text, limit)
        if not found and self.fallback is not None:
            return await self.fallback.search_authors(name, limit=limit)
        return found

    async def author(self, key: str) -> Author | None:
        """The author record (following a redirect); None when missing."""
        record = await self._run(self._follow, bare_key(key))
        found = parse_author_record(record.json()) if record is not None else None
        if found is None and self.fallback is not None:
            return await self.fallback.author(key)
        return found

    async def work(self, key: str) -> WorkRecord | None:
        """The work record (following a redirect); None when missing or deleted."""
        record = await self._run(self._follow, bare_key(key))
        found = parse_work_record(record.json()) if record is not None else None
        if found is not None and found.type != "work":
            found = None
        if found is None and self.fallback is not None:
            return await self.fallback.work(key)
        return found

    async def edition(self, key: str) -> Edition | None:
        """The edition record (following a redirect); None when missing."""
        record = await self._run(self._follow, bare_key(key))
        found = parse_edition_record(record.json()) if record is not None else None
        if found is None and self.fallback is not None:
            return await self.fallback.edition(key)
        return found

    def _author_works_sync(self, key: str, max_works: int) -> WorksListing | None:
        records = self.store.works_of(key, max_works + 1)
        if not records and key not in self.store.records([key]):
            return None
        works = self._works(records)
        total = self.store.work_counts([key])[key]
        return WorksListing(
            total=total, works=tuple(works[:max_works]), complete=len(works) <= max_works, pages=1
        )

    async def author_works(
        self, key: str, *, page_size: int = 1000, max_works: int = 20_000
    ) -> WorksListing:
        """Every work listing the author, in dump order, up to ``max_works``."""
        _check_range("page_size", page_size, 1, MAX_LIST_LIMIT)
        _check_range("max_works", max_works, 1, None)
        listing = await self._run(self._author_works_sync, bare_key(key), max_works)
        if listing is None:
            if self.fallback is not None:
                return await self.fallback.author_works(
                    key, page_size=page_size, max_works=max_works
                )
            return WorksListing(total=0, works=(), complete=True, pages=0)
        return listing

    def _work_editions_sync(self, key: str, max_editions: int) -> EditionPage | None:
        records = self.store.editions_of([key], max_editions + 1)
        if not records and self._follow(key) is None:
            return None
        editions = [e for e in (parse_edition_record(r.json()) for r in records) if e]
        return _edition_page(
            editions=tuple(editions[:max_editions]),
            total=len(editions),
            complete=len(editions) <= max_editions,
            pages=1,
        )

    async def work_editions(
        self, key: str, *, page_size: int = 1000, max_editions: int = 10_000
    ) -> EditionPage:
        """Every edition of the work, in dump order, up to ``max_editions``."""
        _check_range("page_size", page_size, 1, MAX_LIST_LIMIT)
        _check_range("max_editions", max_editions, 1, None)
        page = await self._run(self._work_editions_sync, bare_key(key), max_editions)
        if page is None:
            if self.fallback is not None:
                return await self.fallback.work_editions(
                    key, page_size=page_size, max_editions=max_editions
                )
            return _edition_page(editions=(), total=0, complete=True, pages=0)
        return page

    def _signals_sync(
        self, key: str, max_works: int, max_isbns: int
    ) -> dict[str, WorkSignals] | None:
        # The signals need a work's title, authors and year only: msgspec reads just those.
        works: list[tuple[str, str | None, IndexRows]] = []
        for record in self.store.works_of(key, max_works):
            if record.kind == "work":
                lean = lean_record(record.data)
                works.append((record.key, as_str(lean.title), index_rows("work", lean)))
        if not works:
            return None
        by_work: dict[str, list[EditionSummary]] = {}
        for summary in self.store.edition_summaries([w[0] for w in works]):
            by_work.setdefault(summary.work_key, []).append(summary)
        names = self._names(k for _, _, rows in works for k in rows.author_keys)
        out: dict[str, WorkSignals] = {}
        for work_key, title, rows in works:
            editions = by_work.get(work_key, [])
            years = [e.year for e in editions if e.year]
            isbns = list(dict.fromkeys(i for e in editions for i in e.isbn13s))
            out[work_key] = WorkSignals(
                key=work_key,
                title=title,
                languages=_languages(c for e in editions for c in e.languages),
                edition_count=len(editions),
                first_publish_year=rows.year or min(years, default=None),
                isbns=tuple(isbns[:max_isbns]),
                author_keys=rows.author_keys,
                authors=tuple(names[k] for k in rows.author_keys if k in names),
            )
        return out

    async def author_work_signals(
        self,
        key: str,
        *,
        page_size: int = 1000,
        max_works: int = 20_000,
        max_isbns: int = MAX_SIGNAL_ISBNS,
        form: SignalsForm = "query",
    ) -> dict[str, WorkSignals]:
        """Per work of the author: its editions' languages, count, ISBN-13s and earliest year."""
        _check_range("page_size", page_size, 1, MAX_SEARCH_LIMIT)
        _check_range("max_works", max_works, 1, None)
        _check_range("max_isbns", max_isbns, 0, None)
        author_key = bare_key(key)
        if not (author_key.startswith("OL") and author_key.endswith("A")):
            raise InvalidQuery(f"not an OpenLibrary author key: {key!r}")
        signals = await self._run(self._signals_sync, author_key, max_works, max_isbns)
        if signals is None:
            if self.fallback is not None:
                return await self.fallback.author_work_signals(
                    key, page_size=page_size, max_works=max_works, max_isbns=max_isbns, form=form
                )
            return {}
        return signals

    def _books_sync(self, isbn13s: Sequence[str]) -> dict[str, Edition]:
        found = self.store.editions_by_isbn(isbn13s)
        records = {isbn: record.json() for isbn, record in found.items()}
        author_keys = [
            k
            for record in records.values()
            for a in as_list(record.get("authors"))
            if isinstance(a, Mapping)
            and isinstance(a.get("key"), str)
            and (k := bare_key(a["key"]))
        ]
        names = self._names(author_keys)
        out: dict[str, Edition] = {}
        for isbn13, record in records.items():
            keys = [
                bare_key(a["key"])
                for a in as_list(record.get("authors"))
                if isinstance(a, Mapping) and isinstance(a.get("key"), str)
            ]
            credited = [names[k] for k in keys if k in names]
            edition = parse_edition_record(record, authors=credited or None)
            if edition is not None:
                _, isbn10 = isbn_pair(isbn13)
                out[isbn13] = attrs.evolve(edition, isbn13=isbn13, isbn10=isbn10)
        return out

    async def editions(
        self, isbns: Iterable[str], *, batch_size: int = BOOKS_BATCH_SIZE
    ) -> dict[str, Edition]:
        """Editions for many ISBNs, keyed by ISBN-13, misses left out (the API's `editions`)."""
        wanted = list(dict.fromkeys(normalize_isbn(i) for i in isbns))
        found = await self._run(self._books_sync, wanted)
        missing = [i for i in wanted if i not in found]
        if missing and self.fallback is not None:
            found.update(await self.fallback.editions(missing, batch_size=batch_size))
        return found

    async def isbn(self, isbn: str) -> Edition | None:
        """The edition with this ISBN; None when unknown."""
        isbn13 = normalize_isbn(isbn)
        return (await self.editions([isbn13])).get(isbn13)

    async def author_editions(self, name: str) -> EditionPage:
        """Not an OpenLibrary operation (the contract's ISBNdb/Google Books one)."""
        raise UnsupportedOperation(f"{self.name} mirror: author_editions is not supported")

    def cover_url(
        self,
        *,
        cover_id: int | None = None,
        isbn: str | None = None,
        olid: str | None = None,
        size: str = "M",
        default: bool = False,
    ) -> str | None:
        """See `bookstracker.providers.openlibrary.cover_url`."""
        return cover_url(cover_id=cover_id, isbn=isbn, olid=olid, size=size, default=default)
