"""EnhancementPipeline: OpenLibrary's works → the core-works filter → editions paired to each.

1. Concurrently: every page of the author's OpenLibrary works (and their pen names'), the
   per-work signals (languages, edition counts, ISBNs) from OpenLibrary's search, ISBNdb's author
   listing and Google Books' author volumes.
2. OpenLibrary editions for the works' ISBNs, many per request (``/api/books``).
3. The author's original language, then the core-works filter.
4. Editions paired with core works (ISBN, then title + author), merged across providers.
5. The completeness score and its evidence.
6. OpenLibrary's own editions of the core works still without any (no ISBN), then 3-5 again:
   one key search plus ``/api/books`` batches when that is fewer requests than one
   ``/works/…/editions.json`` per work.

When OpenLibrary cannot answer, the works are grouped from the other providers' editions and
the bibliography is marked incomplete.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

import anyio.to_thread
import attrs

from bookstracker._gc import collector_paused
from bookstracker.errors import AllProvidersFailed, ProviderError
from bookstracker.models import (
    Author,
    AuthorCandidate,
    Bibliography,
    Completeness,
    Edition,
    ProviderReport,
    Work,
)
from bookstracker.names import title_key
from bookstracker.pins import WorkPins
from bookstracker.pipeline.completeness import CompletenessInputs, CompletenessScorer
from bookstracker.pipeline.corefilter import (
    CoreWorksFilter,
    FilterResult,
    WorkCandidate,
    original_language,
)
from bookstracker.pipeline.evidence import AuthorProfile
from bookstracker.pipeline.fanout import fan_out, seconds_left
from bookstracker.pipeline.pairing import EditionPairer
from bookstracker.pipeline.resolve import AuthorResolution
from bookstracker.providers.contract import (
    Capability,
    Provider,
    SignalsForm,
    WorkRecord,
    WorkSignals,
    WorksListing,
)
from bookstracker.providers.openlibrary import BOOKS_BATCH_SIZE, WORKS_PER_KEY_QUERY
from bookstracker.resilience import Deadline
from bookstracker.taskgroup import run_all

__all__ = ["OFF_LOOP_RECORDS", "EnhancementPipeline", "ExpectedTotals", "OpenLibraryHarvest"]

OFF_LOOP_RECORDS = 2_000
"""Above this many works and editions, the filtering and pairing (tens of milliseconds and up)
run in a worker thread, so that the event loop (a web server's, say) stays responsive."""


BARE_WORK_EDITIONS = 50
"""At most this many editions are fetched per core work left without any."""


@runtime_checkable
class WorksEditionsBatch(Protocol):
    """A works provider that fetches the editions of many works in a few requests
    (:meth:`bookstracker.providers.openlibrary.OpenLibrary.editions_of_works`)."""

    async def editions_of_works(
        self, keys: Iterable[str], *, per_work: int = ...
    ) -> dict[str, tuple[Edition, ...]]: ...


@runtime_checkable
class ExpectedTotals(Protocol):
    """A works provider that asks at once the pages an author's known work count will fill
    (:meth:`bookstracker.providers.openlibrary.OpenLibrary.author_works_expecting`)."""

    async def author_works_expecting(self, key: str, expected: int | None) -> WorksListing: ...

    async def author_work_signals(
        self, key: str, *, form: SignalsForm = ..., expected: int | None = ...
    ) -> dict[str, WorkSignals]: ...


@runtime_checkable
class SignalsOfMany(Protocol):
    """A works provider that asks the search signals of several authors' works in one request
    (:meth:`bookstracker.providers.openlibrary.OpenLibrary.authors_work_signals`)."""

    async def authors_work_signals(
        self, keys: Sequence[str], *, expected: int | None = ...
    ) -> dict[str, WorkSignals]: ...


def _batch_requests(works: Sequence[Work]) -> int:
    """What :meth:`WorksEditionsBatch.editions_of_works` sends for ``works`` at most: the key
    searches, then the edition batches (each work's edition count, or the cap when unknown)."""
    editions = sum(
        min(
            w.edition_count if w.edition_count is not None else BARE_WORK_EDITIONS,
            BARE_WORK_EDITIONS,
        )
        for w in works
    )
    return math.ceil(len(works) / WORKS_PER_KEY_QUERY) + math.ceil(editions / BOOKS_BATCH_SIZE)


class OpenLibraryHarvest:
    """What the works provider (OpenLibrary) gave for one author (and their pen names)."""

    def __init__(self) -> None:
        self.works: list[WorkRecord] = []
        self.total: int | None = 0
        self.complete = True
        self.signals: dict[str, WorkSignals] = {}
        self.signals_ok = True
        self.editions: list[Edition] = []
        self.editions_error: str | None = None
        self.homonym_works: dict[str, list[WorkRecord]] = {}
        """The works listings of other people with the author's name, by their key."""


class EnhancementPipeline:
    """Builds an enhanced :class:`~bookstracker.models.Bibliography` for a resolved author.

    Of ``providers``, the first with ``Capability.AUTHOR_WORKS`` gives the works (and, with
    ``Capability.EDITIONS``, their editions); every one with ``Capability.AUTHOR_EDITIONS``
    gives the editions it lists under the author's name.
    """

    def __init__(
        self,
        providers: Iterable[Provider],
        *,
        scorer: CompletenessScorer | None = None,
        fuzzy_threshold: float = 90.0,
        isbns_per_work: int = 10,
        max_isbn_lookups: int = 500,
        max_bare_work_lookups: int = 40,
        deadline: float | None = None,
        pins: WorkPins | None = None,
    ) -> None:
        given = list(providers)
        self.works_source = next(
            (p for p in given if Capability.AUTHOR_WORKS in p.capabilities), None
        )
        self.listings = [p for p in given if Capability.AUTHOR_EDITIONS in p.capabilities]
        self._works_source_name = self.works_source.name if self.works_source else None
        self.scorer = scorer or CompletenessScorer()
        self.fuzzy_threshold = fuzzy_threshold
        self.isbns_per_work = isbns_per_work
        self.max_isbn_lookups = max_isbn_lookups
        self.max_bare_work_lookups = max_bare_work_lookups
        self.pins = pins
        self.deadline = deadline

    async def run(
        self,
        resolution: AuthorResolution,
        *,
        deadline: float | None = None,
        prior_reports: Mapping[str, ProviderReport] | None = None,
    ) -> Bibliography:
        author = resolution.author
        people = [author, *resolution.pen_names]
        names = _names_of(people)
        calls: dict[str, Callable[[], Awaitable[OpenLibraryHarvest | list[Edition]]]] = {}
        limit = deadline if deadline is not None else self.deadline
        stop = Deadline.after(limit) if limit is not None else None
        harvested: list[OpenLibraryHarvest] = []

        source = self.works_source

        async def openlibrary() -> OpenLibraryHarvest:
            # The editions lookup follows the works at once, while the others may still run.
            assert source is not None
            harvests: list[OpenLibraryHarvest] = []
            homonym_works: dict[str, list[WorkRecord]] = {}

            async def works() -> None:
                harvests.append(await self._harvest_openlibrary(source, people))

            async def homonyms() -> None:
                homonym_works.update(await self._homonym_works(source, resolution.homonyms))

            await run_all([works, homonyms])
            harvest = harvests[0]
            harvested.append(harvest)
            harvest.homonym_works = homonym_works
            harvest.editions, lookup = await self._openlibrary_editions(
                source, harvest, deadline=seconds_left(stop)
            )
            if lookup is not None and lookup.status == "error":
                harvest.editions_error = lookup.error
            return harvest

        works_name = source.name if source is not None else ""
        if source is not None and author.openlibrary_key:
            calls[works_name] = openlibrary
        for listing in self.listings:
            if listing.enabled:
                calls[listing.name] = functools.partial(self._gather, listing, _query_names(people))
        outcome = await fan_out(calls, deadline=limit, is_empty=_is_empty_answer)
        answer = outcome.answers.get(works_name)
        harvest, reports = _settled(
            outcome.reports,
            works_name,
            answer if isinstance(answer, OpenLibraryHarvest) else None,
            harvested,
            prior_reports or {},
        )
        if calls and not any(r.answered for n, r in reports.items() if n in calls):
            raise AllProvidersFailed(
                f"no provider could answer for the author {author.name!r}", reports=reports
            )
        other_editions: list[Edition] = []
        for listing in self.listings:
            found = outcome.answers.get(listing.name)
            if isinstance(found, list):
                other_editions.extend(found)
        if harvest is None:
            return self._assemble_without_openlibrary(
                author, resolution.candidates, names, other_editions, reports
            )
        assemble = functools.partial(
            self._assemble,
            author,
            resolution.candidates,
            people,
            names,
            harvest,
            harvest.editions,
            other_editions,
            reports,
            homonyms=resolution.homonyms,
        )
        records = len(harvest.works) + len(harvest.editions) + len(other_editions)
        bibliography = await self._assembled(assemble, records)
        extra, lookup = await self._editions_of_bare_works(
            self._bare_works(bibliography), deadline=seconds_left(stop)
        )
        if lookup is not None:
            reports[works_name] = attrs.evolve(
                reports[works_name],
                requests=reports[works_name].requests + lookup.requests,
                elapsed_ms=reports[works_name].elapsed_ms + lookup.elapsed_ms,
            )
        if extra:
            return self._with_bare_editions(bibliography, harvest, extra, reports)
        if lookup is None:
            return bibliography
        return attrs.evolve(bibliography, providers=reports)

    @staticmethod
    async def _assembled(assemble: Callable[[], Bibliography], records: int) -> Bibliography:
        """``assemble()`` with the collector paused, in a worker thread above `OFF_LOOP_RECORDS`
        works and editions."""
        if records > OFF_LOOP_RECORDS:
            return await anyio.to_thread.run_sync(_paused, assemble)
        return _paused(assemble)

    # -- gathering -----------------------------------------------------------------------------

    async def _gather(self, provider: Provider, names: Sequence[str]) -> list[Edition]:
        """The editions ``provider`` lists under each of ``names``."""
        results: list[Edition] = []

        async def one(name: str) -> None:
            results.extend((await provider.author_editions(name)).editions)

        await run_all([functools.partial(one, name) for name in names])
        return results

    async def _homonym_works(
        self, source: Provider, homonyms: Sequence[Author]
    ) -> dict[str, list[WorkRecord]]:
        """The works of each same-named other person (one listing each; a failure costs only
        that comparison)."""
        found: dict[str, list[WorkRecord]] = {}

        async def one(key: str) -> None:
            try:
                found[key] = list((await source.author_works(key)).works)
            except ProviderError:
                return

        keys = [h.openlibrary_key for h in homonyms if h.openlibrary_key]
        await run_all([functools.partial(one, key) for key in keys])
        return found

    async def _harvest_openlibrary(
        self, source: Provider, people: Sequence[Author]
    ) -> OpenLibraryHarvest:
        harvest = OpenLibraryHarvest()
        keys = [p.openlibrary_key for p in people if p.openlibrary_key]
        listings: dict[str, WorksListing] = {}
        signals_by_key: dict[str, Mapping[str, WorkSignals]] = {}
        expected = {p.openlibrary_key: p.work_count for p in people if p.openlibrary_key}
        paged = source if isinstance(source, ExpectedTotals) else None

        async def works(key: str) -> None:
            if paged is not None:
                listings[key] = await paged.author_works_expecting(key, expected.get(key))
            else:
                listings[key] = await source.author_works(key)

        async def signals(key: str, form: SignalsForm = "query") -> None:
            try:
                if paged is not None:
                    signals_by_key[key] = await paged.author_work_signals(
                        key, form=form, expected=expected.get(key)
                    )
                else:
                    signals_by_key[key] = await source.author_work_signals(key, form=form)
            except ProviderError:
                signals_by_key.pop(key, None)

        async def together(many: SignalsOfMany) -> None:
            counts = [expected.get(key) for key in keys]
            total = None if None in counts else sum(c or 0 for c in counts)
            try:
                found = await many.authors_work_signals(keys, expected=total)
            except ProviderError:
                return
            signals_by_key.update(_signals_by_author(found, keys))

        steps = [functools.partial(works, key) for key in keys]
        if len(keys) > 1 and isinstance(source, SignalsOfMany):
            steps.append(functools.partial(together, source))  # the pen names' in the same search
        else:
            steps.extend(functools.partial(signals, key) for key in keys)
        await run_all(steps)
        for key in keys:
            if not _signals_cover(listings[key].works, signals_by_key.get(key)):
                await signals(key, "filter")  # a server that reads only the filter parameter
                if not _signals_cover(listings[key].works, signals_by_key.get(key)):
                    harvest.signals_ok = False
        for key in keys:  # in the people's order, whichever answered first
            listing = listings[key]
            known = {w.key for w in harvest.works}
            harvest.works.extend(w for w in listing.works if w.key not in known)
            if listing.total is None or harvest.total is None:
                harvest.total = None
            else:
                harvest.total += listing.total
            harvest.complete = harvest.complete and bool(listing.complete)
            harvest.signals.update(signals_by_key.get(key, {}))
        return harvest

    async def _openlibrary_editions(
        self, source: Provider, harvest: OpenLibraryHarvest, deadline: float | None = None
    ) -> tuple[list[Edition], ProviderReport | None]:
        wanted: list[str] = []
        for work in harvest.works:
            isbns = _isbns_of(work, harvest.signals.get(work.key))
            wanted.extend(isbns[: self.isbns_per_work])
        wanted = list(dict.fromkeys(wanted))[: self.max_isbn_lookups]
        if not wanted or Capability.EDITIONS not in source.capabilities:
            return [], None
        outcome = await fan_out(
            {source.name: lambda: source.editions(wanted)},
            deadline=deadline if deadline is not None else self.deadline,
        )
        found = outcome.answers.get(source.name) or {}
        return list(found.values()), outcome.reports[source.name]

    def _bare_source(self) -> Provider | None:
        """The works provider when it can list a work's editions."""
        source = self.works_source
        if (
            source is None
            or not source.enabled
            or Capability.WORK_EDITIONS not in source.capabilities
        ):
            return None
        return source

    def _bare_works(self, bibliography: Bibliography) -> list[Work]:
        """The core works no edition came for (web stories, ebooks, books printed before
        ISBNs), at most ``max_bare_work_lookups``."""
        return [w for w in bibliography.works if not w.editions and w.openlibrary_key][
            : self.max_bare_work_lookups
        ]

    async def _editions_of_bare_works(
        self, bare: Sequence[Work], deadline: float | None = None
    ) -> tuple[list[Edition], ProviderReport | None]:
        """OpenLibrary's own editions of ``bare`` works, bounded: in one key search plus edition
        batches when that is fewer requests than one ``/works/…/editions.json`` each."""
        source = self._bare_source()
        if not bare or source is None:
            return [], None
        keys = [w.openlibrary_key for w in bare if w.openlibrary_key]
        found: list[Edition] = []

        async def one(key: str) -> None:
            try:
                page = await source.work_editions(
                    key, page_size=BARE_WORK_EDITIONS, max_editions=BARE_WORK_EDITIONS
                )
            except ProviderError:
                return
            found.extend(attrs.evolve(e, work_key=e.work_key or key) for e in page.editions)

        async def each(wanted: Sequence[str]) -> None:
            await run_all([functools.partial(one, key) for key in wanted])

        async def batched(batch: WorksEditionsBatch) -> None:
            try:
                by_work = await batch.editions_of_works(keys, per_work=BARE_WORK_EDITIONS)
            except ProviderError:
                return
            for editions in by_work.values():
                found.extend(editions)
            await each([key for key in keys if key not in by_work])  # the search missed them

        every: Callable[[], Awaitable[None]] = functools.partial(each, keys)
        if isinstance(source, WorksEditionsBatch) and _batch_requests(bare) < len(keys):
            every = functools.partial(batched, source)
        outcome = await fan_out(
            {source.name: every}, deadline=deadline if deadline is not None else self.deadline
        )
        return found, outcome.reports[source.name]

    # -- assembling ----------------------------------------------------------------------------

    def _candidates(
        self, harvest: OpenLibraryHarvest, ol_editions: Sequence[Edition]
    ) -> list[WorkCandidate]:
        originals: dict[str, list[str]] = {}
        edition_titles: dict[str, list[str]] = {}
        edition_formats: dict[str, list[str]] = {}
        work_titles = {w.key: w.title for w in harvest.works}
        for edition in ol_editions:
            work_key = edition.work_key
            if not work_key:
                continue
            if edition.translation_of:
                originals.setdefault(work_key, []).append(edition.translation_of)
            if edition.title and edition.title != work_titles.get(work_key):
                edition_titles.setdefault(work_key, []).append(edition.title)
            if edition.format:
                edition_formats.setdefault(work_key, []).append(edition.format)
        result = []
        for work in harvest.works:
            signal = harvest.signals.get(work.key)
            languages = frozenset((signal.languages if signal else ()) or work.languages)
            edition_count = (signal.edition_count if signal else None) or work.edition_count
            year = work.first_publish_year or (signal.first_publish_year if signal else None)
            result.append(
                WorkCandidate(
                    key=work.key,
                    title=work.title or "",
                    subtitle=work.subtitle,
                    author_keys=work.author_keys,
                    roles=dict(work.roles),
                    first_publish_year=year,
                    languages=languages,
                    edition_count=edition_count,
                    isbns=tuple(_isbns_of(work, signal)),
                    translation_of=tuple(dict.fromkeys(originals.get(work.key, ()))),
                    subjects=work.subjects,
                    description=work.description,
                    record_type=work.type or "work",
                    redirect_to=work.redirect_to,
                    richness=_richness(work),
                    edition_titles=tuple(dict.fromkeys(edition_titles.get(work.key, ())))[:20],
                    edition_formats=tuple(dict.fromkeys(edition_formats.get(work.key, ())))[:10],
                )
            )
        return result

    def _assemble(
        self,
        author: Author,
        candidates: Sequence[AuthorCandidate],
        people: Sequence[Author],
        names: Sequence[str],
        harvest: OpenLibraryHarvest,
        ol_editions: Sequence[Edition],
        other_editions: Sequence[Edition],
        reports: Mapping[str, ProviderReport],
        *,
        homonyms: Sequence[Author] = (),
        extra_editions: Sequence[Edition] = (),
    ) -> Bibliography:
        works = self._candidates(harvest, ol_editions)
        isbn_owner_raw = {isbn: w.key for w in works for isbn in w.isbns}
        dated = [e for e in ol_editions if e.language]
        if not dated:  # OpenLibrary's editions did not come: the others' vote, by ISBN
            dated = [
                attrs.evolve(e, work_key=isbn_owner_raw[e.isbn13])
                for e in other_editions
                if e.language and e.isbn13 in isbn_owner_raw
            ]
        language = original_language(dated, works)
        keys = [p.openlibrary_key for p in people if p.openlibrary_key]
        profile = AuthorProfile.build(
            people,
            homonyms=homonyms,
            subjects=(s for w in works for s in w.subjects),
            homonym_works={
                key: [(w.title or "", w.subjects) for w in listing]
                for key, listing in harvest.homonym_works.items()
            },
        )
        result: FilterResult = CoreWorksFilter(
            author_keys=keys,
            author_names=names,
            original_language=language,
            profile=profile,
            pins=self.pins,
        ).run(works)
        core_keys = {w.key for w in result.core}

        def owner(work_key: str) -> str | None:
            seen = 0
            while work_key not in core_keys and work_key in result.kept_under and seen < 5:
                work_key = result.kept_under[work_key]
                seen += 1
            return work_key if work_key in core_keys else None

        owners = {w.key: owner(w.key) for w in works}  # per work, not per ISBN
        isbn_owner = {
            isbn: target
            for isbn, key in isbn_owner_raw.items()
            if (target := owners[key]) is not None
        }
        pairer = EditionPairer(
            works=[(w.key, w.title, w.first_publish_year) for w in result.core],
            isbn_owner=isbn_owner,
            author_names=names,
            threshold=self.fuzzy_threshold,
        )
        ol_ready = [e for e in ol_editions if e.isbn13 in isbn_owner or e.work_key in core_keys]
        paired = pairer.pair([*ol_ready, *other_editions])
        by_work = dict(paired.by_work)
        for edition in extra_editions:
            if edition.work_key in core_keys and not paired.by_work.get(edition.work_key):
                by_work[edition.work_key] = (*by_work.get(edition.work_key, ()), edition)
        author_names = tuple(p.name for p in people)
        built: list[Work] = []
        for candidate in result.core:
            editions = by_work.get(candidate.key, ())
            sources = {"openlibrary"}
            for edition in editions:
                sources.update(edition.sources)
            built.append(
                Work(
                    title=candidate.title,
                    subtitle=candidate.subtitle,
                    first_publish_year=result.first_year.get(
                        candidate.key, candidate.first_publish_year
                    ),
                    keys={"openlibrary": candidate.key},
                    editions=editions,
                    sources=sources,
                    authors=author_names[:1],
                    author_keys=candidate.author_keys,
                    edition_count=candidate.edition_count,
                    evidence=result.evidence.get(candidate.key),
                )
            )
        built.sort(key=lambda w: (w.first_publish_year or 9999, title_key(w.title)))
        completeness = self._score(author.name, harvest, built, len(result.excluded), reports)
        return Bibliography(
            author=author,
            works=built,
            excluded=result.excluded,
            candidates=candidates,
            completeness=completeness,
            providers=reports,
        )

    def _with_bare_editions(
        self,
        bibliography: Bibliography,
        harvest: OpenLibraryHarvest,
        extra: Sequence[Edition],
        reports: Mapping[str, ProviderReport],
    ) -> Bibliography:
        """``bibliography`` with OpenLibrary's own ``extra`` editions given to the core works
        that had none: what assembling again with them gives (``extra_editions``), without
        filtering and pairing every work a second time."""
        by_work: dict[str, list[Edition]] = {}
        for edition in extra:
            if edition.work_key:
                by_work.setdefault(edition.work_key, []).append(edition)
        works: list[Work] = []
        for work in bibliography.works:
            found = None if work.editions else by_work.get(work.openlibrary_key or "")
            if not found:
                works.append(work)
                continue
            sources = set(work.sources)
            for edition in found:
                sources.update(edition.sources)
            works.append(attrs.evolve(work, editions=tuple(found), sources=sources))
        completeness = self._score(
            bibliography.author.name, harvest, works, len(bibliography.excluded), reports
        )
        return attrs.evolve(bibliography, works=works, completeness=completeness, providers=reports)

    def _score(
        self,
        author: str,
        harvest: OpenLibraryHarvest,
        works: Sequence[Work],
        excluded: int,
        reports: Mapping[str, ProviderReport],
    ) -> Completeness:
        """The completeness of ``works`` built from the works source's ``harvest``."""
        return self.scorer.score(
            CompletenessInputs(
                author=author,
                openlibrary_work_count=harvest.total,
                works_fetched=len(harvest.works),
                all_pages_fetched=harvest.complete,
                signals_fetched=harvest.signals_ok,
                core_works=len(works),
                core_works_with_editions=sum(1 for w in works if w.editions),
                excluded=excluded,
                providers=reports,
                works_source=self._works_source_name,
            )
        )

    def _assemble_without_openlibrary(
        self,
        author: Author,
        candidates: Sequence[AuthorCandidate],
        names: Sequence[str],
        editions: Sequence[Edition],
        reports: Mapping[str, ProviderReport],
    ) -> Bibliography:
        """Works grouped from the other providers' editions by title; never complete."""
        groups: dict[str, list[Edition]] = {}
        pairer = EditionPairer(works=[], isbn_owner={}, author_names=names)
        for edition in editions:
            key = title_key(edition.title)
            if not key or not pairer._by_author(edition):
                continue
            groups.setdefault(key, []).append(edition)
        works: list[Work] = []
        for key, group in groups.items():
            probe = EditionPairer(
                works=[(key, group[0].title, None)], isbn_owner={}, author_names=names
            )
            paired = probe.pair(group).by_work.get(key, ())
            if not paired:
                continue
            years = [e.year for e in paired if e.year]
            sources: set[str] = set()
            for edition in paired:
                sources.update(edition.sources)
            works.append(
                Work(
                    title=paired[0].title,
                    first_publish_year=min(years) if years else None,
                    editions=paired,
                    sources=sources,
                    authors=(author.name,),
                )
            )
        works.sort(key=lambda w: (w.first_publish_year or 9999, title_key(w.title)))
        completeness = self.scorer.score(
            CompletenessInputs(
                author=author.name,
                openlibrary_work_count=None,
                works_fetched=0,
                all_pages_fetched=False,
                signals_fetched=False,
                core_works=len(works),
                core_works_with_editions=len(works),
                excluded=0,
                providers=reports,
                works_source=None,
            )
        )
        return Bibliography(
            author=author,
            works=works,
            candidates=candidates,
            completeness=completeness,
            providers=reports,
        )


def _signals_cover(works: Sequence[WorkRecord], signals: Mapping[str, WorkSignals] | None) -> bool:
    """True when the search signals describe at least half of the listed works."""
    if not works:
        return True
    if not signals:
        return False
    return sum(1 for w in works if w.key in signals) * 2 >= len(works)


def _signals_by_author(
    found: Mapping[str, WorkSignals], keys: Sequence[str]
) -> dict[str, dict[str, WorkSignals]]:
    """One search's signals for several authors, split as a search per author would give them:
    each work under every asked author it names (under all of them when it names none)."""
    split: dict[str, dict[str, WorkSignals]] = {key: {} for key in keys}
    for work_key, signals in found.items():
        named = [key for key in signals.author_keys if key in split] or keys
        for key in named:
            split[key][work_key] = signals
    return split


def _names_of(people: Iterable[Author]) -> list[str]:
    names: dict[str, None] = {}
    for person in people:
        names[person.name] = None
        for alternate in person.alternate_names:
            names[alternate] = None
    return list(names)


def _query_names(people: Sequence[Author]) -> list[str]:
    return list(dict.fromkeys(p.name for p in people))


def _isbns_of(work: WorkRecord, signal: WorkSignals | None) -> list[str]:
    found = list(signal.isbns) if signal is not None else []
    for isbn in work.isbns:
        if isbn not in found:
            found.append(isbn)
    return found


def _richness(work: WorkRecord) -> int:
    fields = (work.subtitle, work.description, work.subjects, work.covers)
    return sum(1 for f in fields if f) + (1 if work.first_publish_year else 0)


def _is_empty_answer(answer: OpenLibraryHarvest | list[Edition]) -> bool:
    if isinstance(answer, OpenLibraryHarvest):
        return not answer.works
    return not answer


def _settled(
    outcome: Mapping[str, ProviderReport],
    works_name: str,
    harvest: OpenLibraryHarvest | None,
    harvested: Sequence[OpenLibraryHarvest],
    prior: Mapping[str, ProviderReport],
) -> tuple[OpenLibraryHarvest | None, dict[str, ProviderReport]]:
    """The works provider's harvest and every report, once the fan-out is over: a harvest whose
    editions the deadline cut is kept (its report says so), and the preparatory steps' reports
    (finding the author) are folded in."""
    reports = dict(outcome)
    if harvest is None and harvested:  # the deadline passed while its editions were fetched
        harvest = harvested[0]
        harvest.editions_error = reports[works_name].error
        reports[works_name] = attrs.evolve(
            reports[works_name], status="ok" if harvest.works else "empty"
        )
    if harvest is not None and harvest.editions_error:
        reports[works_name] = attrs.evolve(
            reports[works_name], error=f"editions: {harvest.editions_error}"
        )
    for name, report in prior.items():
        reports[name] = _after(report, reports[name]) if name in reports else report
    return harvest, reports


def _after(earlier: ProviderReport, main: ProviderReport) -> ProviderReport:
    """A preparatory step (finding the author) then the main one, as one report whose status is
    the main step's: the author found but their works not fetched is an error."""
    return ProviderReport(
        provider=main.provider,
        status=main.status,
        elapsed_ms=earlier.elapsed_ms + main.elapsed_ms,
        requests=earlier.requests + main.requests,
        error=main.error or earlier.error,
    )


def _paused(assemble: Callable[[], Bibliography]) -> Bibliography:
    """``assemble()`` with the cyclic collector paused: it builds tens of thousands of lasting
    objects (candidates, merged editions, works) and no cycles."""
    with collector_paused():
        return assemble()
