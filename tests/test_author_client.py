"""Black-box tests of author bibliographies: the catalog's truth, homonyms, pen names, faults.

Against the fake providers, in-process (MockTransport) and over the loopback FakeServer. The
sample catalog records what the core-works filter should decide for every work (``truth``).
"""

from __future__ import annotations

import re
import time
from typing import Any

import anyio
import httpx
import pytest

from bookstracker import (
    AllProvidersFailed,
    Bibliography,
    Completeness,
    InvalidQuery,
    NotFound,
)
from bookstracker.testing import (
    FAULT_KINDS,
    CatalogAuthor,
    FakeOpenLibrary,
    FakeRequest,
    FakeResponse,
    FakeServer,
    FaultKind,
    Faults,
    sample_catalog,
)
from support import FAULT_ERROR, PROVIDER_NAMES, TIMED_OUT, Fakes

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_retry_sleeps")]

ANDY_WEIR = "OL7234434A"
NOVELIST, COMEDIAN = "OL70000056A", "OL70000057A"


class FlakyWorksOpenLibrary(FakeOpenLibrary):
    """Answers the author search, but every works listing is OpenLibrary's 503 page."""

    def route(self, request: FakeRequest) -> FakeResponse:
        if re.fullmatch(r"/authors/OL\d+A/works\.json", request.path):
            return self.server_error(503)
        return super().route(request)


class NoEditionsOpenLibrary(FakeOpenLibrary):
    """Lists works, but every edition lookup (``/api/books``) is OpenLibrary's 503 page."""

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.path.startswith("/api/books"):
            return self.server_error(503)
        return super().route(request)


class SlowListingOpenLibrary(FakeOpenLibrary):
    """Answers one author's works listing 0.2 s late (so a pen name's answers first)."""

    def __init__(self, slow_author: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slow_path = f"/authors/{slow_author}/works.json"

    async def handle_async(self, raw: httpx.Request) -> httpx.Response:
        if raw.url.path == self.slow_path:
            await anyio.sleep(0.2)
        return await super().handle_async(raw)


def _main_authors() -> list[CatalogAuthor]:
    """Authors with at least three core works they are the first author of."""
    catalog = sample_catalog()
    found = []
    for author_id in sorted({a["id"] for a in catalog.to_dict()["authors"]}):
        works = catalog.works_of(author_id)
        if sum(1 for w in works if w.truth == "core" and w.author_ids[0] == author_id) >= 3:
            author = catalog.author(author_id)
            assert author is not None
            found.append(author)
    return found


MAIN_AUTHORS = _main_authors()
SHARED_NAMES = {
    a.name for a in MAIN_AUTHORS if sum(1 for b in MAIN_AUTHORS if b.name == a.name) > 1
}


def _pen_names_of(author_id: str) -> list[str]:
    return [a.id for a in MAIN_AUTHORS if a.pseudonym_of == author_id]


def _truth(author_ids: list[str]) -> dict[str, str]:
    catalog = sample_catalog()
    return {work.id: work.truth for a in author_ids for work in catalog.works_of(a)}


def _decisions(bib: Bibliography) -> dict[str, str]:
    decided = {work.keys["openlibrary"]: "core" for work in bib.works}
    for item in bib.excluded:
        assert item.key is not None
        assert item.key not in decided, f"{item.key} is both core and excluded"
        decided[item.key] = item.reason
    return decided


def _assert_reports_match_logs(bib: Bibliography, fakes: Fakes) -> None:
    for name in PROVIDER_NAMES:
        assert bib.providers[name].requests == fakes[name].count(), name


def _titles(bib: Bibliography) -> set[str]:
    return {work.title for work in bib.works}


# -- the catalog's truth ------------------------------------------------------------------------


def test_the_sample_catalog_has_the_authors_these_tests_need() -> None:
    names = {a.name for a in MAIN_AUTHORS}
    assert len(MAIN_AUTHORS) >= 25
    assert {"Andy Weir", "Stephen King", "Richard Bachman", "David Mitchell"} <= names
    assert {"David Mitchell"} == SHARED_NAMES


@pytest.mark.parametrize("author", MAIN_AUTHORS, ids=lambda a: f"{a.name}-{a.id}")
async def test_core_and_excluded_decisions_equal_the_catalog_truth(
    fakes: Fakes, author: CatalogAuthor
) -> None:
    asked = author.id if author.name in SHARED_NAMES else author.name
    async with fakes.client() as client:
        bib = await client.author(asked)
    assert bib.author.keys["openlibrary"] == author.id
    truth = _truth([author.id, *_pen_names_of(author.id)])
    assert _decisions(bib) == truth
    for item in bib.excluded:
        assert item.detail, item
    _assert_reports_match_logs(bib, fakes)


@pytest.mark.parametrize("author", MAIN_AUTHORS, ids=lambda a: f"{a.name}-{a.id}")
async def test_editions_are_paired_with_the_work_they_belong_to(
    fakes: Fakes, author: CatalogAuthor
) -> None:
    catalog = sample_catalog()
    async with fakes.client() as client:
        bib = await client.author(author.id)
    people = [author.id, *_pen_names_of(author.id)]
    for work in bib.works:
        key = work.keys["openlibrary"]
        related = {key} | {w.id for a in people for w in catalog.works_of(a) if w.truth_of == key}
        for edition in work.editions:
            if edition.isbn13 is None:
                continue
            owners = {
                owner.id
                for record in catalog.editions_by_isbn(edition.isbn13)
                if (owner := catalog.work_of_edition(record.id)) is not None
            }
            assert owners & related, f"{edition.isbn13} is not an edition of {work.title!r}"


async def test_andy_weir_seven_core_works_with_their_editions(fakes: Fakes) -> None:
    catalog = sample_catalog()
    async with fakes.client() as client:
        bib = await client.author("Andy Weir")
    assert [w.title for w in bib.works] == [
        "The Egg",
        "The Martian",
        "Lacero",
        "Artemis",
        "Cheshire Crossing",
        "Randomize",
        "Project Hail Mary",
    ]
    years = [w.first_publish_year for w in bib.works]
    assert all(isinstance(y, int) for y in years)
    assert years == sorted(years)
    for work in bib.works:
        record = catalog.work(work.keys["openlibrary"])
        assert record is not None
        assert work.first_publish_year == record.first_publish_year
        own = {e.isbn13 for e in record.editions if e.isbn13}
        assert own <= {e.isbn13 for e in work.editions}, work.title
    martian = next(w for w in bib.works if w.title == "The Martian")
    assert martian.sources == PROVIDER_NAMES
    assert "9780553418026" in {e.isbn13 for e in martian.editions}
    assert bib.completeness is not None
    assert bib.completeness.complete
    assert bib.completeness.expected == 18


@pytest.mark.parametrize(
    "reason", ["translation", "collection", "companion", "duplicate", "not-by-author"]
)
async def test_each_exclusion_reason(fakes: Fakes, reason: str) -> None:
    catalog = sample_catalog()
    async with fakes.client() as client:
        bib = await client.author("Andy Weir")
    excluded = {e.key for e in bib.excluded if e.reason == reason}
    expected = {w.id for w in catalog.works_of(ANDY_WEIR) if w.truth == reason}
    assert expected
    assert excluded == expected


async def test_a_collection_naming_the_person_behind_a_pen_name_is_a_collection(
    fakes: Fakes,
) -> None:
    async with fakes.client() as client:
        bib = await client.author("Richard Bachman")
    bachman_books = next(e for e in bib.excluded if e.title.startswith("The Bachman Books"))
    assert bachman_books.reason == "collection"


# -- homonyms and pen names ---------------------------------------------------------------------


async def test_two_people_of_one_name_are_never_merged(fakes: Fakes) -> None:
    catalog = sample_catalog()
    async with fakes.client() as client:
        bib = await client.author("David Mitchell")
    assert bib.author.keys["openlibrary"] == NOVELIST
    assert [c.keys["openlibrary"] for c in bib.candidates][:2] == [NOVELIST, COMEDIAN]
    comedian = next(c for c in bib.candidates if c.keys["openlibrary"] == COMEDIAN)
    assert comedian.name == "David Mitchell"
    assert comedian.work_count == 4
    comedy = {w.title for w in catalog.works_of(COMEDIAN)}
    assert "Cloud Atlas" in _titles(bib)
    assert not comedy & _titles(bib)


async def test_asking_by_the_other_ones_key_gives_the_other_ones_works(fakes: Fakes) -> None:
    catalog = sample_catalog()
    async with fakes.client() as client:
        bib = await client.author(COMEDIAN)
    assert bib.author.keys["openlibrary"] == COMEDIAN
    assert _titles(bib) == {w.title for w in catalog.works_of(COMEDIAN) if w.truth == "core"}
    assert "Cloud Atlas" not in _titles(bib)
    assert bib.candidates[0].work_count == 4


@pytest.mark.parametrize(
    ("person", "pen_name"),
    [
        ("Stephen King", "Richard Bachman"),
        ("J.K. Rowling", "Robert Galbraith"),
        ("Agatha Christie", "Mary Westmacott"),
    ],
)
async def test_pen_names_fold_into_the_person_but_not_the_other_way(
    fakes: Fakes, person: str, pen_name: str
) -> None:
    catalog = sample_catalog()
    pen = next(a for a in MAIN_AUTHORS if a.name == pen_name)
    pen_core = {w.title for w in catalog.works_of(pen.id) if w.truth == "core"}
    async with fakes.client() as client:
        whole = await client.author(person)
        by_name = await client.author(pen_name)
        by_key = await client.author(pen.id)
    assert pen_core <= _titles(whole)
    assert _titles(whole) - pen_core
    for bib in (by_name, by_key):
        assert bib.author.keys["openlibrary"] == pen.id
        assert _titles(bib) == pen_core
        assert _decisions(bib) == _truth([pen.id])


async def test_a_bibliography_does_not_depend_on_which_listing_answers_first(
    shared_fakes: Fakes,
) -> None:
    async with shared_fakes.reset().client() as client:
        usual = await client.author("Stephen King")
    fakes = Fakes(
        openlibrary=SlowListingOpenLibrary("OL2162284A", catalog=shared_fakes.openlibrary.catalog)
    )
    fakes.googlebooks, fakes.isbndb = shared_fakes.googlebooks, shared_fakes.isbndb
    async with fakes.client() as client:
        late = await client.author("Stephen King")
    assert late.to_dict()["excluded"] == usual.to_dict()["excluded"]
    assert late.to_dict()["works"] == usual.to_dict()["works"]


async def test_stephen_king_includes_the_bachman_novels(fakes: Fakes) -> None:
    async with fakes.client() as client:
        bib = await client.author("Stephen King")
    titles = _titles(bib)
    for novel in ("Rage", "The Long Walk", "Roadwork", "The Running Man", "Thinner", "Blaze"):
        assert novel in titles
    assert {"Carrie", "It", "Misery"} <= titles


# -- answers and errors -------------------------------------------------------------------------


async def test_nobody_of_that_name_is_not_found_without_asking_the_others(
    fakes: Fakes,
) -> None:
    async with fakes.client() as client:
        with pytest.raises(NotFound) as caught:
            await client.author("Zyxwv Qqqq")
    reports = caught.value.reports
    assert reports["openlibrary"].status == "empty"
    assert reports["openlibrary"].requests == fakes.openlibrary.count() == 1
    assert reports["googlebooks"].status == reports["isbndb"].status == "skipped"
    assert fakes.googlebooks.count() == fakes.isbndb.count() == 0


@pytest.mark.parametrize("name", ["", "   ", "\x00abc", "x" * 151, "!!!"])
async def test_invalid_names_raise_before_any_request(fakes: Fakes, name: str) -> None:
    async with fakes.client() as client:
        with pytest.raises(InvalidQuery):
            await client.author(name)
    assert [fakes[n].count() for n in PROVIDER_NAMES] == [0, 0, 0]


async def test_completeness_with_its_evidence(fakes: Fakes) -> None:
    async with fakes.client() as client:
        completeness = await client.completeness("Andy Weir")
    assert isinstance(completeness, Completeness)
    assert completeness.complete
    assert completeness.expected == completeness.found == 18
    assert 0.9 <= completeness.score <= 1.0
    assert completeness.evidence["core_works"] == 7
    assert completeness.evidence["excluded"] == 11
    parts = completeness.evidence["parts"]
    assert completeness.score == pytest.approx(sum(parts.values()), abs=1e-3)


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("failing", PROVIDER_NAMES)
async def test_one_failing_provider_still_gives_a_bibliography(
    fakes: Fakes, failing: str, kind: FaultKind
) -> None:
    fakes[failing].set_faults(Faults.always(kind, hang_seconds=1.0))
    async with fakes.client(timeout=0.3) as client:
        started = time.perf_counter()
        bib = await client.author("Andy Weir")
        elapsed = time.perf_counter() - started
    assert elapsed < 1.5
    report = bib.providers[failing]
    assert report.status == "error"
    assert re.search(FAULT_ERROR[kind], report.error or "", re.IGNORECASE), report.error
    for name in PROVIDER_NAMES:
        if name != failing:
            assert bib.providers[name].status == "ok", name
    _assert_reports_match_logs(bib, fakes)
    assert bib.completeness is not None
    if failing == "openlibrary":
        assert {"The Martian", "Artemis", "Project Hail Mary"} <= _titles(bib)
        assert not bib.completeness.complete
    else:
        assert _decisions(bib) == _truth([ANDY_WEIR])
        assert all(failing not in w.sources for w in bib.works)


async def test_openlibrary_failing_after_finding_the_author(shared_fakes: Fakes) -> None:
    fakes = Fakes(openlibrary=FlakyWorksOpenLibrary(catalog=shared_fakes.openlibrary.catalog))
    fakes.googlebooks, fakes.isbndb = shared_fakes.reset().googlebooks, shared_fakes.isbndb
    async with fakes.client() as client:
        bib = await client.author("Andy Weir")
    report = bib.providers["openlibrary"]
    assert report.status == "error"
    assert "503" in (report.error or "")
    assert "ExceptionGroup" not in (report.error or "")
    assert bib.author.keys["openlibrary"] == ANDY_WEIR
    assert "The Martian" in _titles(bib)
    assert bib.completeness is not None
    assert not bib.completeness.complete
    _assert_reports_match_logs(bib, fakes)


@pytest.mark.parametrize(
    "name",
    ["Andy Weir", "Margaret Atwood", "Haruki Murakami", "Gabriel García Márquez", "Liu Cixin"],
)
async def test_without_openlibrary_editions_the_decisions_still_hold(
    shared_fakes: Fakes, name: str
) -> None:
    fakes = Fakes(openlibrary=NoEditionsOpenLibrary(catalog=shared_fakes.openlibrary.catalog))
    fakes.googlebooks, fakes.isbndb = shared_fakes.reset().googlebooks, shared_fakes.isbndb
    author = next(a for a in MAIN_AUTHORS if a.name == name)
    async with fakes.client() as client:
        bib = await client.author(name)
    report = bib.providers["openlibrary"]
    assert report.status == "ok"
    assert "503" in (report.error or "")
    assert _decisions(bib) == _truth([author.id])


async def test_only_when_no_provider_answers_is_it_an_error(fakes: Fakes) -> None:
    for name in PROVIDER_NAMES:
        fakes[name].set_faults(Faults.always("503"))
    async with fakes.client() as client:
        with pytest.raises(AllProvidersFailed) as caught:
            await client.author("Andy Weir")
    reports = caught.value.reports
    assert {reports[n].status for n in PROVIDER_NAMES} == {"error"}
    for name in PROVIDER_NAMES:
        assert "503" in (reports[name].error or ""), name
        assert reports[name].requests == fakes[name].count()


async def test_openlibrary_alone_and_failing_is_not_an_empty_answer(fakes: Fakes) -> None:
    fakes.openlibrary.set_faults(Faults.always("500"))
    async with fakes.client(providers=("openlibrary",)) as client:
        with pytest.raises(AllProvidersFailed) as caught:
            await client.author("Andy Weir")
    assert caught.value.reports["openlibrary"].status == "error"


async def test_the_deadline_returns_the_others_answer_without_waiting(fakes: Fakes) -> None:
    fakes.googlebooks.set_latency(2.0)
    async with fakes.client(deadline=0.3) as client:
        started = time.perf_counter()
        bib = await client.author("Andy Weir")
        elapsed = time.perf_counter() - started
    assert elapsed < 1.5
    late = bib.providers["googlebooks"]
    assert late.status == "error"
    assert re.search(TIMED_OUT, late.error or "")
    assert bib.providers["openlibrary"].status == "ok"
    assert bib.providers["isbndb"].status == "ok"
    assert _decisions(bib) == _truth([ANDY_WEIR])


async def test_the_deadline_bounds_every_step_of_the_call_together(fakes: Fakes) -> None:
    fakes.openlibrary.set_latency(0.3)
    fakes.isbndb.set_latency(0.3)
    fakes.googlebooks.set_latency(2.0)
    async with fakes.client(deadline=0.5) as client:
        started = time.perf_counter()
        with pytest.raises(AllProvidersFailed) as caught:
            await client.author("Andy Weir")
        elapsed = time.perf_counter() - started
    assert elapsed < 0.75
    for name in PROVIDER_NAMES:
        assert re.search(TIMED_OUT, caught.value.reports[name].error or ""), name


# -- over loopback ------------------------------------------------------------------------------


async def test_a_bibliography_over_loopback_matches_in_process(fakes: Fakes) -> None:
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        async with fakes.client(urls=server.urls) as client:
            over_http = await client.author("Andy Weir")
    _assert_reports_match_logs(over_http, fakes)
    async with fakes.reset().client() as client:
        in_process = await client.author("Andy Weir")
    assert over_http.to_dict()["works"] == in_process.to_dict()["works"]
    assert over_http.to_dict()["excluded"] == in_process.to_dict()["excluded"]


async def test_a_failing_provider_over_loopback(fakes: Fakes) -> None:
    fakes.isbndb.set_faults(Faults.always("reset"))
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        async with fakes.client(urls=server.urls) as client:
            bib = await client.author("David Mitchell")
    assert bib.providers["isbndb"].status == "error"
    assert bib.author.keys["openlibrary"] == NOVELIST
    assert _decisions(bib) == _truth([NOVELIST])
    _assert_reports_match_logs(bib, fakes)


class FilterOnlySearchOpenLibrary(FakeOpenLibrary):
    """A search that reads the ``author_key=`` filter but not ``author_key:`` inside ``q``."""

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.path == "/search.json" and (request.param("q") or "").startswith("author_key:"):
            return FakeResponse.json({"numFound": 0, "start": 0, "docs": []})
        return super().route(request)


class NoSignalsOpenLibrary(FakeOpenLibrary):
    """A search that finds nothing for an author key, in either form."""

    def route(self, request: FakeRequest) -> FakeResponse:
        asks_by_key = (request.param("q") or "").startswith("author_key:") or request.param(
            "author_key"
        )
        if request.path == "/search.json" and asks_by_key:
            return FakeResponse.json({"numFound": 0, "start": 0, "docs": []})
        return super().route(request)


async def test_signals_fall_back_to_the_filter_parameter() -> None:
    fakes = Fakes(openlibrary=FilterOnlySearchOpenLibrary())
    async with fakes.client() as client:
        bib = await client.author("Andy Weir")
    assert len(bib.works) == 7
    assert sum(1 for e in bib.excluded if e.reason == "translation") == 5
    asked = [
        r.param("q") or f"author_key={r.param('author_key')}"
        for r in fakes.openlibrary.requests("/search.json")
    ]
    assert asked == [f"author_key:{ANDY_WEIR}", f"author_key={ANDY_WEIR}"]
    assert bib.completeness is not None
    assert bib.completeness.complete


async def test_missing_signals_make_the_bibliography_incomplete() -> None:
    fakes = Fakes(openlibrary=NoSignalsOpenLibrary())
    async with fakes.client() as client:
        bib = await client.author("Andy Weir")
    assert bib.completeness is not None
    assert not bib.completeness.complete
    assert bib.completeness.evidence["signals_fetched"] is False
