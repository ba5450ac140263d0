"""Black-box tests of ISBN lookups: batching, invalid ISBNs, Google as the fallback, faults.

Against the fake providers, in-process (MockTransport) and over the loopback FakeServer; the
request counts are read from the fakes' logs.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from bookstracker import (
    AllProvidersFailed,
    Edition,
    InvalidISBN,
    IsbnResults,
)
from bookstracker.testing import (
    FAULT_KINDS,
    FakeGoogleBooks,
    FakeServer,
    FaultKind,
    Faults,
    LoggedRequest,
    sample_catalog,
)
from support import PROVIDER_NAMES, TIMED_OUT, Fakes

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_retry_sleeps")]

INVALID = ["123", "9780553418027", "0553418026", "hello world", "978-0-553-41802-"]


def _catalog_isbns(count: int) -> list[str]:
    """``count`` distinct ISBN-13s of the sample catalog, in catalog order."""
    found: dict[str, None] = {}
    for _, edition in sample_catalog().editions():
        if edition.isbn13:
            found[edition.isbn13] = None
        if len(found) == count:
            break
    return list(found)


def _known_by(isbn: str) -> set[str]:
    providers: set[str] = set()
    for edition in sample_catalog().editions_by_isbn(isbn):
        providers |= set(edition.providers)
    return providers


ISBNS_120 = _catalog_isbns(120)


def _bibkeys(request: LoggedRequest) -> list[str]:
    return [k.removeprefix("ISBN:") for k in (request.param("bibkeys") or "").split(",") if k]


def _bulk_isbns(request: LoggedRequest) -> list[str]:
    body = request.body.decode()
    try:
        isbns = json.loads(body)["isbns"]
    except (ValueError, KeyError, TypeError):
        isbns = re.findall(r"[0-9X]{10,13}", body)
    return [str(i) for i in isbns]


def _google_isbns(fake: FakeGoogleBooks) -> list[str]:
    asked = []
    for request in fake.requests("/books/v1/volumes"):
        match = re.fullmatch(r"isbn:(\d{13})", request.param("q") or "")
        assert match, request.param("q")
        asked.append(match.group(1))
    return asked


def _sent(fakes: Fakes) -> str:
    """Everything sent upstream, as one string (paths, queries and bodies)."""
    parts = []
    for name in PROVIDER_NAMES:
        for request in fakes[name].log:
            parts.append(request.path)
            parts.extend(f"{k}={v}" for k, v in request.query)
            parts.append(request.body.decode(errors="replace"))
    return "\n".join(parts)


def _assert_batched(fakes: Fakes, result: IsbnResults) -> None:
    ol_batches = fakes.openlibrary.requests("/api/books")
    assert fakes.openlibrary.count() == len(ol_batches) == 2
    assert sorted(len(_bibkeys(r)) for r in ol_batches) == [20, 100]
    assert {i for r in ol_batches for i in _bibkeys(r)} == set(ISBNS_120)

    db_batches = fakes.isbndb.requests("/books")
    assert fakes.isbndb.count() == len(db_batches) == 2
    assert all(r.method == "POST" for r in db_batches)
    sizes = sorted(len(_bulk_isbns(r)) for r in db_batches)
    assert sizes == [20, 100]
    assert {i for r in db_batches for i in _bulk_isbns(r)} == set(ISBNS_120)

    expected_google = {i for i in ISBNS_120 if not _known_by(i) & {"openlibrary", "isbndb"}}
    assert expected_google, "the sample should have ISBNs only Google knows"
    asked_google = _google_isbns(fakes.googlebooks)
    assert len(asked_google) == len(set(asked_google))
    assert set(asked_google) == expected_google
    assert fakes.googlebooks.count() == len(expected_google)

    for name in PROVIDER_NAMES:
        assert result.providers[name].requests == fakes[name].count(), name
        assert result.providers[name].status == "ok"


# -- batching -----------------------------------------------------------------------------------


async def test_120_isbns_take_the_fewest_requests_the_batch_endpoints_allow(
    fakes: Fakes,
) -> None:
    async with fakes.client() as client:
        result = await client.isbns(ISBNS_120)
    assert set(result.results) == set(ISBNS_120)
    assert set(result.found) == set(ISBNS_120)
    assert result.invalid == ()
    _assert_batched(fakes, result)


async def test_120_isbns_over_loopback(fakes: Fakes) -> None:
    with FakeServer(fakes.openlibrary, fakes.googlebooks, fakes.isbndb) as server:
        async with fakes.client(urls=server.urls) as client:
            result = await client.isbns(ISBNS_120)
    assert set(result.found) == set(ISBNS_120)
    _assert_batched(fakes, result)


async def test_invalid_isbns_are_listed_and_never_sent(fakes: Fakes) -> None:
    given = [*INVALID[:3], *ISBNS_120[:5], *INVALID[3:]]
    async with fakes.client() as client:
        result = await client.isbns(given)
    assert list(result.invalid) == INVALID
    assert set(result.results) == set(ISBNS_120[:5])
    sent = _sent(fakes)
    for bad in ("9780553418027", "0553418026", "hello"):
        assert bad not in sent
    assert fakes.openlibrary.count() == fakes.isbndb.count() == 1


async def test_only_invalid_isbns_send_nothing(fakes: Fakes) -> None:
    async with fakes.client() as client:
        result = await client.isbns(INVALID)
    assert result.results == {}
    assert list(result.invalid) == INVALID
    assert [fakes[n].count() for n in PROVIDER_NAMES] == [0, 0, 0]


async def test_strict_raises_on_the_first_invalid_isbn_before_any_request(fakes: Fakes) -> None:
    async with fakes.client() as client:
        with pytest.raises(InvalidISBN) as caught:
            await client.isbns([ISBNS_120[0], "9780553418027"], strict=True)
    assert caught.value.value == "9780553418027"
    assert [fakes[n].count() for n in PROVIDER_NAMES] == [0, 0, 0]


async def test_results_are_keyed_by_the_isbns_as_given(fakes: Fakes) -> None:
    given = ["0553418025", "978-0-553-41802-6", "9780553418026", "9780000000002"]
    async with fakes.client() as client:
        result = await client.isbns(given)
    assert list(result.results) == given
    editions = [result.results[g] for g in given[:3]]
    assert all(e is not None and e.isbn13 == "9780553418026" for e in editions)
    assert result.results["9780000000002"] is None
    bibkeys = _bibkeys(fakes.openlibrary.requests("/api/books")[0])
    assert sorted(bibkeys) == ["9780000000002", "9780553418026"]


async def test_google_is_skipped_when_the_others_found_everything(fakes: Fakes) -> None:
    wanted = [i for i in ISBNS_120 if {"openlibrary", "isbndb"} <= _known_by(i)][:10]
    async with fakes.client() as client:
        result = await client.isbns(wanted)
    assert set(result.found) == set(wanted)
    assert result.providers["googlebooks"].status == "skipped"
    assert result.providers["googlebooks"].requests == fakes.googlebooks.count() == 0


# -- one ISBN -----------------------------------------------------------------------------------


async def test_one_isbn_merges_every_provider_that_has_it(fakes: Fakes) -> None:
    async with fakes.client() as client:
        edition = await client.isbn("0-553-41802-5")
    assert isinstance(edition, Edition)
    assert edition.isbn13 == "9780553418026"
    assert edition.isbn10 == "0553418025"
    assert edition.title == "The Martian"
    assert edition.authors == ("Andy Weir",)
    assert edition.work_key == "OL17091839W"
    assert {"openlibrary", "isbndb"} <= set(edition.sources)
    assert isinstance(edition.pages, int)
    assert edition.language == "en"


async def test_an_isbn_nobody_has_is_none(fakes: Fakes) -> None:
    async with fakes.client() as client:
        assert await client.isbn("9780000000002") is None
    assert fakes.googlebooks.count() == 1


@pytest.mark.parametrize("bad", ["123", "9780553418027", "", "isbn"])
async def test_an_invalid_isbn_raises_before_any_request(fakes: Fakes, bad: str) -> None:
    async with fakes.client() as client:
        with pytest.raises(InvalidISBN):
            await client.isbn(bad)
    assert [fakes[n].count() for n in PROVIDER_NAMES] == [0, 0, 0]


# -- failures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("failing", ["openlibrary", "isbndb"])
async def test_one_failing_batch_provider_costs_the_others_nothing(
    fakes: Fakes, failing: str, kind: FaultKind
) -> None:
    fakes[failing].set_faults(Faults.always(kind, hang_seconds=1.0))
    wanted = ISBNS_120[:30]
    async with fakes.client(timeout=0.3) as client:
        result = await client.isbns(wanted)
    assert result.providers[failing].status == "error"
    assert result.providers[failing].error
    other = "isbndb" if failing == "openlibrary" else "openlibrary"
    assert result.providers[other].status == "ok"
    known = {i for i in wanted if _known_by(i) - {failing}}
    assert set(result.found) == known
    asked_google = set(_google_isbns(fakes.googlebooks))
    assert asked_google == {i for i in wanted if other not in _known_by(i)}
    for name in PROVIDER_NAMES:
        assert result.providers[name].requests == fakes[name].count(), name


async def test_google_failing_leaves_the_rest_found(fakes: Fakes) -> None:
    fakes.googlebooks.set_faults(Faults.always("503"))
    async with fakes.client() as client:
        result = await client.isbns(ISBNS_120[:40])
    assert result.providers["googlebooks"].status == "error"
    assert "503" in (result.providers["googlebooks"].error or "")
    found_by_others = {i for i in ISBNS_120[:40] if _known_by(i) & {"openlibrary", "isbndb"}}
    assert set(result.found) == found_by_others


async def test_the_deadline_bounds_the_google_fallback_too(fakes: Fakes) -> None:
    only_google = next(i for i in ISBNS_120 if _known_by(i) == {"googlebooks"})
    fakes.openlibrary.set_latency(0.4)
    fakes.isbndb.set_latency(0.4)
    fakes.googlebooks.set_latency(2.0)
    async with fakes.client(deadline=0.5) as client:
        started = time.perf_counter()
        result = await client.isbns([ISBNS_120[0], only_google])
        elapsed = time.perf_counter() - started
    assert elapsed < 0.75
    assert result.providers["googlebooks"].status == "error"
    assert re.search(TIMED_OUT, result.providers["googlebooks"].error or "")
    assert result.results[ISBNS_120[0]] is not None
    assert result.results[only_google] is None


async def test_only_when_no_provider_answers_is_it_an_error(fakes: Fakes) -> None:
    for name in PROVIDER_NAMES:
        fakes[name].set_faults(Faults.always("500"))
    async with fakes.client() as client:
        with pytest.raises(AllProvidersFailed) as caught:
            await client.isbns(ISBNS_120[:3])
    reports = caught.value.reports
    assert {reports[n].status for n in PROVIDER_NAMES} == {"error"}
    for name in PROVIDER_NAMES:
        assert reports[name].requests == fakes[name].count()
