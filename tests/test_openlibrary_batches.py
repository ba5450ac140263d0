"""``/api/books`` batches: as full as the 2 KB URL allows, with ``:`` and ``,`` left unencoded."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import ean

from bookstracker._http import MockTransport, RawRequest, RawResponse
from bookstracker.providers.openlibrary import BOOKS_BATCH_SIZE, MAX_BATCH_URL, OpenLibrary
from bookstracker.resilience import RetryPolicy


def _isbns(n: int) -> list[str]:
    return [f"978{k:09d}" + ean.calc_check_digit(f"978{k:09d}") for k in range(n)]


class _Recorder:
    """Answers every ``/api/books`` with no match and keeps each request's raw target."""

    def __init__(self) -> None:
        self.targets: list[str] = []

    def __call__(self, request: RawRequest) -> RawResponse:
        self.targets.append(str(request.url))
        assert request.url.path.endswith("/api/books")
        return RawResponse(200, json={})

    def bibkeys(self) -> list[list[str]]:
        out = []
        for target in self.targets:
            query = target.split("?", 1)[1]
            (value,) = [p[len("bibkeys=") :] for p in query.split("&") if p.startswith("bibkeys=")]
            out.append(value.split(","))
        return out


def _adapter(recorder: _Recorder, base_url: str = "https://openlibrary.org") -> OpenLibrary:
    return OpenLibrary(
        transport=MockTransport(recorder),
        base_url=base_url,
        rate=10_000.0,
        retry=RetryPolicy(attempts=1),
    )


async def _editions(
    recorder: _Recorder, isbns: Sequence[str], base_url: str = "https://openlibrary.org"
) -> None:
    async with _adapter(recorder, base_url) as ol:
        assert await ol.editions(isbns) == {}


@pytest.mark.anyio
async def test_isbn_batches_hold_a_hundred_keys_sent_as_written() -> None:
    recorder = _Recorder()
    isbns = _isbns(250)
    await _editions(recorder, isbns)
    assert [len(b) for b in recorder.bibkeys()] == [100, 100, 50]
    assert [k for b in recorder.bibkeys() for k in b] == [f"ISBN:{i}" for i in isbns]
    for target in recorder.targets:
        assert len(target) <= MAX_BATCH_URL
        assert "%3A" not in target
        assert "%2C" not in target
        assert target.endswith("&format=json&jscmd=details")


@pytest.mark.anyio
async def test_a_long_base_url_gives_smaller_batches_within_the_limit() -> None:
    recorder = _Recorder()
    isbns = _isbns(120)
    await _editions(recorder, isbns, base_url="https://books.example/" + "p" * 1200)
    sizes = [len(b) for b in recorder.bibkeys()]
    assert sum(sizes) == 120
    assert max(sizes) < BOOKS_BATCH_SIZE
    assert len(sizes) > 2
    assert all(len(t) <= MAX_BATCH_URL for t in recorder.targets)


@pytest.mark.anyio
async def test_a_base_url_too_long_for_one_key_still_asks_one_at_a_time() -> None:
    recorder = _Recorder()
    await _editions(recorder, _isbns(3), base_url="https://books.example/" + "p" * 2000)
    assert [len(b) for b in recorder.bibkeys()] == [1, 1, 1]


@pytest.mark.anyio
async def test_edition_id_batches_split_by_length_not_only_by_count() -> None:
    works = {f"OL{n}W": [f"OL9999999{n:03d}{e:02d}M" for e in range(10)] for n in range(30)}

    def handler(request: RawRequest) -> RawResponse:
        if request.url.path.endswith("/search.json"):
            docs = [{"key": f"/works/{w}", "edition_key": eds} for w, eds in works.items()]
            return RawResponse(200, json={"numFound": len(docs), "docs": docs})
        return recorder(request)

    recorder = _Recorder()
    async with OpenLibrary(
        transport=MockTransport(handler), rate=10_000.0, retry=RetryPolicy(attempts=1)
    ) as ol:
        found = await ol.editions_of_works(list(works), per_work=10)
    assert set(found) == set(works)
    sent = recorder.bibkeys()
    assert [k for b in sent for k in b] == [f"OLID:{e}" for eds in works.values() for e in eds]
    assert len(sent) == 4  # 300 ids of 22 characters each: 90 a batch, not 100
    assert all(len(t) <= MAX_BATCH_URL for t in recorder.targets)


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=400),
    batch_size=st.integers(min_value=1, max_value=300),
    padding=st.integers(min_value=0, max_value=1900),
)
def test_batches_cover_every_isbn_once_in_order_within_both_limits(
    count: int, batch_size: int, padding: int
) -> None:
    recorder = _Recorder()
    isbns = _isbns(count)

    async def run() -> None:
        async with _adapter(recorder, "https://books.example/" + "p" * padding) as ol:
            await ol.editions(isbns, batch_size=batch_size)

    anyio.run(run)
    sent = recorder.bibkeys()
    assert [k for b in sent for k in b] == [f"ISBN:{i}" for i in isbns]
    for batch, target in zip(sent, recorder.targets, strict=True):
        assert 1 <= len(batch) <= batch_size
        assert len(target) <= MAX_BATCH_URL or len(batch) == 1


@pytest.mark.anyio
async def test_key_searches_split_to_keep_the_url_within_the_limit() -> None:
    works = [f"OL{n:08d}W" for n in range(100)]
    searches: list[str] = []

    def handler(request: RawRequest) -> RawResponse:
        searches.append(str(request.url))
        asked = request.url.params["q"].removeprefix("key:(").removesuffix(")").split(" OR ")
        docs = [{"key": key.strip('"'), "edition_key": []} for key in asked]
        return RawResponse(200, json={"numFound": len(docs), "docs": docs})

    async with OpenLibrary(
        transport=MockTransport(handler), rate=10_000.0, retry=RetryPolicy(attempts=1)
    ) as ol:
        found = await ol.editions_of_works(works)
    assert found == {w: () for w in works}
    assert len(searches) == 2
    assert all(len(url) <= MAX_BATCH_URL for url in searches)
