"""Black-box tests of parallel search: merging, ranking, provider reports, faults, deadline.

Against the fake providers, in-process (MockTransport) and over the loopback FakeServer.
"""

from __future__ import annotations

import re
import time

import pytest

from bookstracker import (
    AllProvidersFailed,
    InvalidQuery,
    ISBNdb,
    ParallelSearcher,
    SearchHit,
    SearchResult,
)
from bookstracker.testing import (
    FAULT_KINDS,
    CatalogWork,
    FakeServer,
    FaultKind,
    Faults,
    sample_catalog,
)
from support import FAULT_ERROR, LOOPBACK_FAULT_ERROR, PROVIDER_NAMES, TIMED_OUT, Fakes

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_retry_sleeps")]


def _catalog_work(hit: SearchHit) -> CatalogWork | None:
    """The sample catalog's work a hit stands for (by OpenLibrary key, else by ISBN)."""
    catalog = sample_catalog()
    key = hit.keys.get("openlibrary")
    if key and catalog.work(key) is not None:
        return catalog.work(key)
    for isbn in hit.isbn13:
        for edition in catalog.editions_by_isbn(isbn):
            work = catalog.work_of_edition(edition.id)
            if work is not None:
                return work
    return None


def _assert_reports_match_logs(result: SearchResult, fakes: Fakes) -> None:
    for name in PROVIDER_NAMES:
        report = result.providers[name]
        assert report.requests == fakes[name].count(), name
        assert report.elapsed_ms >= 0.0


# -- merging and ranking ------------------------------------------------------------------------


async def test_merged_hits_name_every_source_that_returned_them(fakes: Fakes) -> None:
    async with fakes.client() as client:
        result = await client.search("the martian")
    martian = result.hits[0]
    assert martian.title == "The Martian"
    assert martian.sources == PROVIDER_NAMES
    assert set(martian.keys) == set(PROVIDER_NAMES)
    assert martian.keys["openlibrary"] == "OL17091839W"
    for hit in result.hits:
        assert hit.sources, hit
        assert set(hit.sources) <= set(PROVIDER_NAMES)
        assert set(hit.keys) <= set(hit.sources)


@pytest.mark.parametrize(
    "query", ["the martian", "project hail mary", "harry potter", "cloud atlas", "the hobbit"]
)
async def test_one_book_from_several_providers_is_one_hit(fakes: Fakes, query: str) -> None:
    async with fakes.client() as client:
        result = await client.search(query)
    seen_isbns: set[str] = set()
    seen_works: set[str] = set()
    for hit in result.hits:
        assert not seen_isbns & set(hit.isbn13), f"{hit.title!r} shares an ISBN with another hit"
        seen_isbns.update(hit.isbn13)
        work = hit.keys.get("openlibrary")
        if work:
            assert work not in seen_works, f"two hits for the work {work}"
            seen_works.add(work)
    multi = [h for h in result.hits if len(h.sources) > 1]
    assert multi, "no hit was merged across providers"


@pytest.mark.parametrize(
    "query",
    [
        "the martian",
        "project hail mary",
        "the martian weir",
        "summary of project hail mary",
        "study guide the martian",
        "murder on the orient express",
        "the handmaid's tale",
        "the president is missing",
        "cloud atlas",
        "beloved",
        "the da vinci code",
        "1984",
        "nineteen eighty-four",
        "harry potter sorcerer's stone",
        "one hundred years of solitude",
        "kafka on the shore",
        "it ends with us",
    ],
)
async def test_summaries_and_study_guides_never_outrank_their_book(
    fakes: Fakes, query: str
) -> None:
    async with fakes.client() as client:
        result = await client.search(query)
    works = [_catalog_work(hit) for hit in result.hits]
    position: dict[str, int] = {}
    for index, work in enumerate(works):
        if work is not None:
            position.setdefault(work.id, index)
    checked = 0
    for index, work in enumerate(works):
        if work is None or work.truth != "companion" or work.truth_of not in position:
            continue
        assert position[work.truth_of] < index, (
            f"{work.title!r} ranks above its subject: {[h.title for h in result.hits]}"
        )
        checked += 1
    if query in ("the martian", "the martian weir", "the da vinci code"):
        assert checked, "the query should bring a companion and its book together"


async def test_every_score_is_the_sum_of_its_named_parts(fakes: Fakes) -> None:
    async with fakes.client() as client:
        result = await client.search("the martian weir")
    scores = [hit.score for hit in result.hits]
    for hit in result.hits:
        assert hit.score_parts
        assert hit.score == pytest.approx(sum(hit.score_parts.values()), abs=1e-3)
    non_companions = [h for h in result.hits if "companion_penalty" not in h.score_parts]
    assert non_companions[0].title == "The Martian"
    assert scores[0] == max(scores)


# -- provider reports ---------------------------------------------------------------------------


async def test_each_report_counts_exactly_the_requests_the_fake_received(fakes: Fakes) -> None:
    async with fakes.client() as client:
        first = await client.search("the martian", limit=5)
        _assert_reports_match_logs(first, fakes)
        fakes.reset_logs()
        second = await client.search("project hail mary", limit=50)
        _assert_reports_match_logs(second, fakes)
    for result in (first, second):
        for name in PROVIDER_NAMES:
            report = result.providers[name]
            assert report.status == "ok"
            assert report.error is None
            assert report.requests >= 1
            assert set(report.to_dict()) == {"status", "elapsed_ms", "requests", "error"}


async def test_a_query_nobody_knows_is_empty_everywhere_not_an_error(fakes: Fakes) -> None:
    async with fakes.client() as client:
        result = await client.search("zzqxw vvvkj")
    assert result.hits == ()
    assert {r.status for r in result.providers.values()} == {"empty"}
    _assert_reports_match_logs(result, fakes)


async def test_parallel_searcher_on_its_own(fakes: Fakes) -> None:
    adapters = fakes.adapters()
    adapters["isbndb"] = ISBNdb(api_key=None, transport=fakes.isbndb.transport())
    searcher = ParallelSearcher(adapters, deadline=5.0)
    result = await searcher.search("artemis", limit=5)
    assert len(result.hits) <= 5
    assert result.hits[0].title == "Artemis"
    assert result.providers["isbndb"].status == "disabled"
    assert fakes.isbndb.count() == 0
    assert result.providers["openlibrary"].requests == fakes.openlibrary.count() == 1
    assert result.providers["googlebooks"].requests == fakes.googlebooks.count() == 1
    for adapter in adapters.values():
        await adapter.aclose()


@pytest.mark.parametrize(
    ("query", "limit"),
    [("", 20), ("ab", 20), ("  a  ", 20), ("the", 20), ("x" * 151, 20), ("dune", 0), ("dune", 101)],
)
async def test_invalid_searches_raise_before_any_request(
    fakes: Fakes, query: str, limit: int
) -> None:
    async with fakes.client() as client:
        with pytest.raises(InvalidQuery):
            await client.search(query, limit=limit)
    assert [fakes[n].count() for n in PROVIDER_NAMES] == [0, 0, 0]


async def test_the_longest_query_allowed_reaches_every_provider(fakes: Fakes) -> None:
    async with fakes.client() as client:
        result = await client.search("x" * 150)
    assert [fakes[n].count() for n in PROVIDER_NAMES] == [1, 1, 1]
    assert {r.status for r in result.providers.values()} == {"empty"}


# -- failures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("failing", PROVIDER_NAMES)
async def test_one_failing_provider_costs_the_others_nothing(
    fakes: Fakes, failing: str, kind: FaultKind
) -> None:
    fakes[failing].set_faults(Faults.always(kind, hang_seconds=1.0))
    async with fakes.client(timeout=0.3) as client:
        started = time.perf_counter()
        result = await client.search("the martian")
        elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    report = result.providers[failing]
    assert report.status == "error"
    assert report.error is not None
    assert re.search(FAULT_ERROR[kind], report.error, re.IGNORECASE), report.error
    for name in PROVIDER_NAMES:
        if name != failing:
            assert result.providers[name].status == "ok"
    assert result.hits[0].title == "The Martian"
    assert failing not in result.hits[0].sources
    assert set(result.hits[0].sources) == set(PROVIDER_NAMES) - {failing}
    _assert_reports_match_logs(result, fakes)


async def test_only_when_no_provider_answers_is_it_an_error(fakes: Fakes) -> None:
    for name, kind in zip(PROVIDER_NAMES, ("503", "reset", "html"), strict=True):
        fakes[name].set_faults(Faults.always(kind))  # type: ignore[arg-type]
    async with fakes.client() as client:
        with pytest.raises(AllProvidersFailed) as caught:
            await client.search("the martian")
    reports = caught.value.reports
    assert set(reports) == set(PROVIDER_NAMES)
    assert {r.status for r in reports.values()} == {"error"}
    assert "503" in (reports["openlibrary"].error or "")
    assert "reset" in (reports["googlebooks"].error or "")
    assert "HTML" in (reports["isbndb"].error or "")
    for name in PROVIDER_NAMES:
        assert reports[name].requests == fakes[name].count() == 1


async def test_the_deadline_returns_the_others_hits_without_waiting(fakes: Fakes) -> None:
    fakes.googlebooks.set_latency(2.0)
    async with fakes.client(deadline=0.3) as client:
        started = time.perf_counter()
        result = await client.search("project hail mary")
        elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    late = result.providers["googlebooks"]
    assert late.status == "error"
    assert re.search(TIMED_OUT, late.error or "")
    assert late.requests == 1
    assert result.providers["openlibrary"].status == "ok"
    assert result.providers["isbndb"].status == "ok"
    assert result.hits[0].title == "Project Hail Mary"
    assert "googlebooks" not in {s for hit in result.hits for s in hit.sources}


async def test_parallel_searcher_deadline_per_call(fakes: Fakes) -> None:
    fakes.openlibrary.set_latency(2.0)
    adapters = fakes.adapters()
    searcher = ParallelSearcher(adapters, deadline=30.0)
    started = time.perf_counter()
    result = await searcher.search("artemis", deadline=0.3)
    assert time.perf_counter() - started < 1.0
    assert result.providers["openlibrary"].status == "error"
    assert result.hits[0].title == "Artemis"
    for adapter in adapters.values():
        await adapter.aclose()


# -- over loopback ------------------------------------------------------------------------------


async def test_search_over_loopback_matches_in_process(fakes: Fakes) -> None:
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        async with fakes.client(urls=server.urls) as client:
            over_http = await client.search("the martian")
    _assert_reports_match_logs(over_http, fakes)
    async with fakes.reset().client() as client:
        in_process = await client.search("the martian")
    assert [h.to_dict() for h in over_http.hits] == [h.to_dict() for h in in_process.hits]


@pytest.mark.parametrize("kind", ["500", "reset", "truncated", "hang", "html"])
async def test_a_failing_provider_over_loopback(fakes: Fakes, kind: FaultKind) -> None:
    fakes.googlebooks.set_faults(Faults.always(kind, hang_seconds=1.0))
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        async with fakes.client(urls=server.urls, timeout=0.3) as client:
            result = await client.search("the martian")
    report = result.providers["googlebooks"]
    assert report.status == "error"
    assert re.search(LOOPBACK_FAULT_ERROR[kind], report.error or "", re.IGNORECASE), report.error
    assert result.hits[0].sources == ("openlibrary", "isbndb")
    _assert_reports_match_logs(result, fakes)
