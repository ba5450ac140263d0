"""The facade: AsyncBooksClient, whose methods read like the README.

Assembly happens once in :mod:`bookstracker.assembly`; every method answers through the one
cache layer (:class:`~bookstracker.cache.answers.AnswerCache`: cache → single-flight →
pipeline), so a cache hit costs no request and no rate-limit token.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import attrs

from bookstracker.assembly import Assembly, assemble, cache_folder, cached_reports
from bookstracker.cache import CacheBackend, TieredCache, TTLPolicy
from bookstracker.cache.answers import Answer, Batch
from bookstracker.cache.base import CacheStats
from bookstracker.cache.model_codecs import BIBLIOGRAPHY, EDITION, SEARCH_RESULT
from bookstracker.cache.policy import CacheKind
from bookstracker.config import (
    DEFAULT_DEADLINE,
    DEFAULT_REDIS_PREFIX,
    UNSET,
    Settings,
    Unset,
    parse_providers,
)
from bookstracker.errors import (
    AllProvidersFailed,
    BooksTrackerError,
    InvalidISBN,
    InvalidQuery,
    NotFound,
)
from bookstracker.isbn import isbn_pair
from bookstracker.metrics import CacheTierStats, ProviderStats, Stats, cache_tiers
from bookstracker.models import (
    Author,
    Bibliography,
    Completeness,
    Edition,
    IsbnResults,
    ProviderReport,
    SearchResult,
)
from bookstracker.names import display_name, name_key
from bookstracker.pins import WorkPins
from bookstracker.pipeline.author_names import AUTHOR_KEY, validate_author_name
from bookstracker.pipeline.coalesce import Coalescer
from bookstracker.pipeline.fanout import FanOutResult, fan_out, seconds_left
from bookstracker.pipeline.search import validate_query
from bookstracker.providers.contract import Capability, Provider
from bookstracker.providers.registry import registered
from bookstracker.resilience.deadline import Deadline

if TYPE_CHECKING:
    from bookstracker.cache.disk import DiskCache
    from bookstracker.library_import import RejectedRow
    from bookstracker.pipeline.resolve import AuthorResolution
    from bookstracker.progress import WarmProgress
    from bookstracker.warming import WarmReport

__all__ = ["AsyncBooksClient", "parse_providers"]

_SEARCH = SEARCH_RESULT
_AUTHOR = BIBLIOGRAPHY
_EDITION = EDITION

Reported = TypeVar("Reported", SearchResult, Bibliography)


def _some_failed(reports: Mapping[str, ProviderReport]) -> bool:
    """Whether a provider that was asked gave no answer (its data is missing, not absent)."""
    return any(not r.answered for r in reports.values() if r.status not in ("disabled", "skipped"))


def _stale_reports(exc: AllProvidersFailed) -> dict[str, ProviderReport]:
    return {name: attrs.evolve(r, stale=True) for name, r in exc.reports.items()}


def _reported(answer: Answer[Reported], providers: Mapping[str, Provider]) -> Reported:
    """The answer with provider reports that say where it came from."""
    if answer.source == "cached":
        return attrs.evolve(answer.value, providers=cached_reports(providers))
    if answer.failure is not None:
        return attrs.evolve(answer.value, providers=_stale_reports(answer.failure), stale=True)
    return answer.value


def _search_kind(result: SearchResult) -> CacheKind | None:
    partial = _some_failed(result.providers)
    if partial and not result.hits:
        return None
    return "author_incomplete" if partial else "search"


def _author_kind(bibliography: Bibliography) -> CacheKind:
    complete = bool(bibliography.completeness and bibliography.completeness.complete)
    complete = complete and not _some_failed(bibliography.providers)
    return "author" if complete else "author_incomplete"


def _author_ident(cleaned: str) -> str:
    match = AUTHOR_KEY.match(cleaned)
    return match.group(1).upper() if match else name_key(cleaned)


class AsyncBooksClient:
    """Search books, look up ISBNs and build author bibliographies from three providers.

    Every setting is an argument, read from its ``BOOKSTRACKER_*`` environment variable when not
    given (docs/configuration.md lists them), or all of them at once as ``settings``
    (:meth:`Settings.resolve <bookstracker.config.Settings.resolve>`; the other setting
    arguments are then ignored).
    ``cache=None`` turns caching off; the default is memory in front of disk (in front of Redis
    when ``BOOKSTRACKER_REDIS_URL`` is set). ``offline=True`` answers from the bundled sample
    catalog through the fake providers. ``deadline`` bounds each call, in seconds.
    ``openlibrary_source`` (``BOOKSTRACKER_OPENLIBRARY_SOURCE``) is ``api``, ``mirror`` or
    ``mirror-first``: OpenLibrary's answers from its API, from a dump mirror at ``mirror_url``
    (``BOOKSTRACKER_MIRROR_URL``), or from the mirror and then the API (docs/mirror.md).

    With a Redis URL (``redis_url=`` or ``BOOKSTRACKER_REDIS_URL``) every process also shares one
    computation per question (a Redis lock next to the in-process single-flight) and, for the
    adapters the client builds itself, the rate limits and daily quotas. Every Redis key starts
    with ``redis_prefix``; a Redis that cannot be reached degrades to this process alone.
    """

    def __init__(
        self,
        *,
        providers: str | Iterable[str] | None = None,
        openlibrary: Provider | None = None,
        googlebooks: Provider | None = None,
        isbndb: Provider | None = None,
        offline: bool | Unset = UNSET,
        cache: CacheBackend | Unset | None = UNSET,
        cache_dir: str | os.PathLike[str] | Unset = UNSET,
        redis_url: str | Unset | None = UNSET,
        redis_prefix: str = DEFAULT_REDIS_PREFIX,
        ttl_policy: TTLPolicy | None = None,
        timeout: float | Unset = UNSET,
        deadline: float | None = DEFAULT_DEADLINE,
        openlibrary_source: str | Unset = UNSET,
        mirror_url: str | Unset | None = UNSET,
        settings: Settings | None = None,
        pins: WorkPins | Unset | None = UNSET,
    ) -> None:
        if settings is None:
            settings = Settings.resolve(
                providers=providers,
                offline=offline,
                cache_dir=cache_dir,
                redis_url=redis_url,
                redis_prefix=redis_prefix,
                timeout=timeout,
                deadline=deadline,
                known=registered(),
                pins=pins,
                openlibrary_source=openlibrary_source,
                mirror_url=mirror_url,
            )
        given = {"openlibrary": openlibrary, "googlebooks": googlebooks, "isbndb": isbndb}
        self._parts: Assembly = assemble(settings, given=given, cache=cache, ttl_policy=ttl_policy)
        self._warm_session: WarmProgress | None = None
        self._isbn_batches = Coalescer(self._parts.editions.lookup)

    # -- what it is made of --------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings this client was made with."""
        return self._parts.settings

    @property
    def offline(self) -> bool:
        return self._parts.settings.offline

    @property
    def deadline(self) -> float | None:
        return self._parts.settings.deadline

    @property
    def enabled_providers(self) -> tuple[str, ...]:
        return self._parts.settings.providers

    @property
    def adapters(self) -> Mapping[str, Provider]:
        """The providers, by name."""
        return self._parts.providers

    @property
    def cache(self) -> CacheBackend | None:
        """The cache backend (None: caching is off)."""
        return self._parts.answers.backend

    @property
    def ttl(self) -> TTLPolicy:
        return self._parts.answers.ttl

    @property
    def fakes(self) -> Mapping[str, object]:
        """In offline mode, the fake providers answering (with their request logs)."""
        return dict(self._parts.fakes)

    @property
    def namespace(self) -> str:
        """A fingerprint of this client's mode and provider URLs; part of every cache key."""
        return self._parts.answers.namespace

    def __repr__(self) -> str:
        mode = "offline" if self.offline else "online"
        return f"AsyncBooksClient({mode}, providers={list(self.adapters)!r})"

    async def aclose(self) -> None:
        await self._parts.aclose()

    async def __aenter__(self) -> AsyncBooksClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- search --------------------------------------------------------------------------------

    async def search(self, query: str, *, limit: int = 20) -> SearchResult:
        """Merged, ranked hits from every enabled provider, with a report per provider."""
        cleaned = validate_query(query, limit=limit)
        answer = await self._parts.answers.one(
            self._parts.answers.key("search", cleaned, str(limit)),
            functools.partial(self._parts.searcher.search, cleaned, limit=limit),
            codec=_SEARCH,
            kind_of=_search_kind,
        )
        return _reported(answer, self.adapters)

    # -- ISBNs ---------------------------------------------------------------------------------

    async def isbn(self, isbn: str) -> Edition | None:
        """The edition with this ISBN (10 or 13, hyphens allowed), or None when nobody has it."""
        isbn13, _ = isbn_pair(isbn)
        batch = await self._edition_batch([isbn13], coalesce=True)
        return batch.values.get(isbn13)

    async def isbns(self, isbns: Iterable[str], *, strict: bool = False) -> IsbnResults:
        """Editions for many ISBNs, batched: never one request per ISBN where a batch exists.

        Invalid ISBNs are listed in ``invalid`` (``strict=True`` raises on the first instead).
        """
        given = [isbns] if isinstance(isbns, str) else list(isbns)
        wanted: dict[str, list[str]] = {}
        invalid: list[str] = []
        for raw in given:
            if not isinstance(raw, str):
                raise InvalidISBN(repr(raw), "an ISBN must be a string")
            try:
                isbn13, _ = isbn_pair(raw)
            except InvalidISBN:
                if strict:
                    raise
                invalid.append(raw)
                continue
            wanted.setdefault(isbn13, []).append(raw)
        found: Mapping[str, Edition | None] = {}
        reports: dict[str, ProviderReport] = {}
        if wanted:
            batch = await self._edition_batch(list(wanted))
            found, reports = batch.values, self._batch_reports(batch)
        results = {raw: found.get(isbn13) for isbn13, raws in wanted.items() for raw in raws}
        return IsbnResults(results=results, invalid=invalid, providers=reports)

    async def _edition_batch(
        self, isbn13s: list[str], *, coalesce: bool = False
    ) -> Batch[Edition | None]:
        """``coalesce``: the misses join those of concurrent ``isbn()`` calls in one batch."""
        answers = self._parts.answers
        return await answers.many(
            {i: answers.key("isbn", i) for i in isbn13s},
            self._isbn_batches if coalesce else self._parts.editions.lookup,
            codec=_EDITION,
        )

    def _batch_reports(self, batch: Batch[Edition | None]) -> dict[str, ProviderReport]:
        """Each provider's report on ``batch``: ``cached`` when the cache answered it all."""
        if not batch.reports:
            return cached_reports(self.adapters)
        reports = dict(batch.reports)
        if batch.failure is not None:
            reports = {n: attrs.evolve(r, stale=True) for n, r in reports.items()}
        return reports

    # -- authors -------------------------------------------------------------------------------

    async def author(self, name: str, *, pins: WorkPins | None = None) -> Bibliography:
        """The enhanced bibliography: core works with editions, exclusions, completeness.

        ``name`` may be an OpenLibrary author key (``OL7234434A``). ``pins`` keeps or leaves out
        works by key over the filter's verdicts, on top of the settings' pins. Raises
        ``NotFound`` when OpenLibrary knows nobody by that name, ``AllProvidersFailed`` when
        nobody could answer.
        """
        cleaned = validate_author_name(name)
        chosen = self.settings.pins.merged(pins)
        try:
            answer = await self._parts.answers.one(
                self._parts.answers.key("author", _author_ident(cleaned), *_pin_parts(chosen)),
                functools.partial(self._build_bibliography, cleaned, chosen),
                codec=_AUTHOR,
                kind_of=_author_kind,
            )
        except NotFound as exc:
            if self.settings.offline and not exc.suggestions:  # a miss read from the cache
                raise self._no_author(cleaned, exc.reports) from None
            raise
        return _reported(answer, self.adapters)

    async def is_fresh(self, kind: str, *parts: str) -> bool:
        """True when the cache holds a fresh answer for this question (used by warming)."""
        return await self._parts.answers.is_fresh(self._parts.answers.key(kind, *parts))

    async def is_author_fresh(self, name: str) -> bool:
        """True when the cache holds a fresh bibliography for ``author(name)``."""
        return await self.is_fresh("author", *self.author_cache_parts(name))

    def author_cache_parts(self, name: str) -> tuple[str, ...]:
        """The parts of the cache key of ``author(name)``."""
        ident = _author_ident(validate_author_name(name))
        return (ident, *_pin_parts(self.settings.pins))

    def _able(self, capability: Capability) -> Provider | None:
        return next((p for p in self.adapters.values() if capability in p.capabilities), None)

    def _resolved(
        self, name: str, directory: Provider, outcome: FanOutResult[AuthorResolution | None]
    ) -> tuple[AuthorResolution | None, dict[str, ProviderReport]]:
        """The person the look-up found (None: it could not say), with its report; raises
        ``NotFound`` when it knows nobody by that name."""
        prior = dict(outcome.reports)
        if directory.name not in outcome.answers:
            return None, prior
        resolution = outcome.answers[directory.name]
        if resolution is None:
            prior[directory.name] = attrs.evolve(prior[directory.name], status="empty")
            raise self._no_author(name, self._not_asked(prior))
        return resolution, prior

    def _no_author(self, name: str, reports: Mapping[str, ProviderReport]) -> NotFound:
        """The NotFound for a name nobody knows; offline, it names the sample catalog and
        suggests its nearest authors."""
        if not self.settings.offline:
            return NotFound(f"OpenLibrary knows no author named {name!r}", reports=reports)
        from bookstracker.testing.directory import suggest_authors

        suggestions = tuple(suggest_authors(name))
        message = f"the sample catalog (offline mode) has no author named {name!r}"
        if suggestions:
            message += f"; did you mean {' or '.join(repr(s) for s in suggestions)}?"
        return NotFound(message, reports=reports, suggestions=suggestions)

    async def _build_bibliography(self, name: str, pins: WorkPins | None = None) -> Bibliography:
        from bookstracker.pipeline.enhance import EnhancementPipeline  # the author path only
        from bookstracker.pipeline.resolve import AuthorResolver

        stop = Deadline.after(self.deadline) if self.deadline is not None else None
        resolution: AuthorResolution | None = None
        prior: dict[str, ProviderReport] = {}
        directory = self._able(Capability.AUTHOR_LOOKUP)
        if directory is not None:
            outcome = await fan_out(
                {directory.name: functools.partial(AuthorResolver(directory).resolve, name)},
                deadline=self.deadline,
            )
            resolution, prior = self._resolved(name, directory, outcome)
        if resolution is None:
            resolution = self._without_lookup(name, prior)
        pipeline = EnhancementPipeline(self.adapters.values(), deadline=self.deadline, pins=pins)
        bibliography = await pipeline.run(
            resolution, deadline=seconds_left(stop), prior_reports=prior
        )
        reports = dict(bibliography.providers)
        for provider_name, provider in self.adapters.items():
            if provider_name not in reports and not provider.enabled:
                reports[provider_name] = ProviderReport(provider=provider_name, status="disabled")
        return attrs.evolve(bibliography, providers=reports)

    def _without_lookup(self, name: str, prior: Mapping[str, ProviderReport]) -> AuthorResolution:
        """The author by name alone when nobody could look them up, if the editions listed
        under a name can still be asked for."""
        if AUTHOR_KEY.match(name):
            raise AllProvidersFailed(
                f"OpenLibrary could not be reached to look up {name}",
                reports=self._not_asked(prior),
            )
        listed = [
            p
            for p in self.adapters.values()
            if Capability.AUTHOR_EDITIONS in p.capabilities and p.enabled
        ]
        if not listed:
            raise AllProvidersFailed(
                f"no provider could answer for the author {name!r}",
                reports=self._not_asked(prior),
            )
        from bookstracker.pipeline.resolve import AuthorResolution

        return AuthorResolution(author=Author(name=display_name(name)), candidates=())

    def _not_asked(self, reports: Mapping[str, ProviderReport]) -> dict[str, ProviderReport]:
        """``reports`` plus every other provider: ``skipped`` when enabled, else ``disabled``."""
        out = dict(reports)
        for name, provider in self.adapters.items():
            if name not in out:
                out[name] = ProviderReport(
                    provider=name, status="skipped" if provider.enabled else "disabled"
                )
        return out

    async def completeness(self, name: str) -> Completeness:
        """How complete the author's bibliography is, with the evidence."""
        bibliography = await self.author(name)
        if bibliography.completeness is None:
            raise BooksTrackerError("no completeness was computed")
        return bibliography.completeness

    # -- warming -------------------------------------------------------------------------------

    async def warm(
        self,
        names: Iterable[str] | None = None,
        *,
        popular: bool = False,
        csv: str | os.PathLike[str] | None = None,
        concurrency: int = 4,
        progress: Callable[[WarmProgress], None] | None = None,
        resume: bool = True,
        state_dir: str | os.PathLike[str] | None = None,
    ) -> WarmReport:
        """Fill the cache with the bibliographies of ``names``, the popular authors and/or every
        author of a reading-library export (``csv``); resumable (see :mod:`bookstracker.warming`).

        ``progress(WarmProgress)`` is called before the first author, after each one and at the
        end; ``stats().warm`` shows the same figures. The journal of finished authors is kept in
        ``state_dir``, by default ``warm-state`` in the disk tier's folder; ``resume=False``
        keeps none.
        """
        from bookstracker.warming import popular_authors, warm_authors

        wanted: list[str] = [names] if isinstance(names, str) else list(names or [])
        rejected: tuple[RejectedRow, ...] = ()
        if popular:
            wanted.extend(popular_authors())
        if csv is not None:
            from bookstracker.library_import import read_library

            library = read_library(csv)
            wanted.extend(library.authors())
            rejected = library.rejected
        if not wanted:
            raise InvalidQuery("nothing to warm: give names, popular=True or csv=")
        for name in wanted:
            validate_author_name(name)
        folder = None
        if resume:
            folder = state_dir or self._warm_state_dir()

        def track(state: WarmProgress) -> None:
            self._warm_session = state
            if progress is not None:
                progress(state)

        return await warm_authors(
            self,
            wanted,
            concurrency=concurrency,
            progress=track,
            state_dir=folder,
            rejected_rows=rejected,
        )

    def _warm_state_dir(self) -> Path:
        disk = _disk_tier(self.cache)
        if disk is not None:
            return disk.directory / "warm-state"
        return cache_folder(self.settings) / "warm-state"

    # -- figures -------------------------------------------------------------------------------

    async def stats(self) -> Stats:
        """Per-provider and per-cache-tier figures and the warm session's progress.

        ``stats().contract_dict()`` is the ``stats`` document of ``--json --stats``; ``to_dict()``,
        ``to_json()`` and ``to_prometheus()`` export every figure.
        """
        providers: dict[str, ProviderStats] = {
            name: await provider.provider_stats() for name, provider in self.adapters.items()
        }
        tiers: dict[str, CacheTierStats] = {}
        cache_stats = await self._parts.answers.stats()
        if cache_stats is not None:
            tiers = cache_tiers(
                (t.name, t.hits, t.misses, t.entries, t.bytes, t.errors)
                for t in _flatten_tiers(cache_stats)
            )
        return Stats(providers=providers, cache=tiers, warm=self._warm_session)

    async def clear_cache(self) -> None:
        """Empty every cache tier (only bookstracker's own entries)."""
        await self._parts.answers.clear()


def _disk_tier(cache: CacheBackend | None) -> DiskCache | None:
    """The first disk tier of ``cache`` (searching tiered caches hot tier first), if any."""
    from bookstracker.cache.disk import DiskCache  # warming only; not on the start-up path

    if isinstance(cache, DiskCache):
        return cache
    if isinstance(cache, TieredCache):
        return _disk_tier(cache.hot) or _disk_tier(cache.cold)
    return None


def _flatten_tiers(stats: CacheStats) -> list[CacheStats]:
    if stats.tiers:
        out: list[CacheStats] = []
        for tier in stats.tiers:
            out.extend(_flatten_tiers(tier))
        return out
    return [stats]


def _pin_parts(pins: WorkPins) -> tuple[str, ...]:
    """The cache-key part that tells bibliographies under different pins apart."""
    digest = pins.digest()
    return (f"pins={digest}",) if digest else ()
