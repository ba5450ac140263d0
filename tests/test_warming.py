"""Cache warming: de-duplication, freshness, concurrency, rate and quota, resuming, reports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import stamina

from bookstracker import AsyncBooksClient, BooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.cache import KindTTL, MemoryCache, TTLPolicy
from bookstracker.errors import InvalidInput, InvalidQuery
from bookstracker.names import name_key
from bookstracker.resilience import LocalQuota, RetryPolicy
from bookstracker.testing import (
    FakeGoogleBooks,
    FakeISBNdb,
    FakeOpenLibrary,
    FakeServer,
    Faults,
    LoggedRequest,
)
from bookstracker.warming import WarmProgress, popular_authors, unique_authors, warm_authors

pytestmark = pytest.mark.anyio

AUTHORS = ["Andy Weir", "Ted Chiang", "Sally Rooney", "Kazuo Ishiguro", "Colleen Hoover"]


class Fakes:
    def __init__(self) -> None:
        self.ol = FakeOpenLibrary()
        self.gb = FakeGoogleBooks()
        self.db = FakeISBNdb(api_key="k")

    @property
    def all(self) -> tuple[FakeOpenLibrary, FakeGoogleBooks, FakeISBNdb]:
        return (self.ol, self.gb, self.db)

    def total(self) -> int:
        return sum(len(f.log) for f in self.all)

    def client(self, *, cache: Any = None, rate: float = 1000.0, **kwargs: Any) -> AsyncBooksClient:
        return AsyncBooksClient(
            openlibrary=OpenLibrary(
                transport=self.ol.transport(), rate=rate, retry=RetryPolicy(attempts=1)
            ),
            googlebooks=GoogleBooks(
                transport=self.gb.transport(),
                rate=1000,
                retry=RetryPolicy(attempts=1),
                quota=kwargs.pop("gb_quota", None),
            ),
            isbndb=ISBNdb(
                api_key="k", transport=self.db.transport(), rate=1000, retry=RetryPolicy(attempts=1)
            ),
            cache=cache,
            **kwargs,
        )


def asked_authors(log: list[LoggedRequest]) -> set[str]:
    """The name keys of the authors OpenLibrary's author search was asked about."""
    return {name_key(r.param("q") or "") for r in log if r.path.startswith("/search/authors.json")}


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def no_retry_sleep() -> Iterator[None]:
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


# -- the list of authors ------------------------------------------------------------------------


def test_unique_authors_merges_spellings_of_one_name_and_keeps_the_first() -> None:
    names = [
        "Margaret Atwood",
        "ATWOOD, Margaret",
        "  margaret   atwood ",
        "Andy Weir",
        "weir, andy",
    ]
    assert unique_authors(names) == ["Margaret Atwood", "Andy Weir"]


def test_the_popular_list_is_bundled_and_has_no_duplicates() -> None:
    names = popular_authors()
    assert len(names) >= 20
    assert unique_authors(names) == names


async def test_an_author_named_twice_is_built_once(fakes: Fakes, tmp_path: Path) -> None:
    async with fakes.client(cache=MemoryCache()) as client:
        report = await client.warm(
            ["Margaret Atwood", "ATWOOD, Margaret", "margaret atwood"], state_dir=tmp_path
        )
    assert (report.authors, report.warmed) == (1, ("Margaret Atwood",))
    searches = fakes.ol.requests("/search/authors.json")
    assert [name_key(r.param("q") or "") for r in searches] == ["margaret atwood"]


async def test_warm_with_nothing_to_warm_is_invalid(fakes: Fakes) -> None:
    async with fakes.client() as client:
        with pytest.raises(InvalidQuery):
            await client.warm([])
        with pytest.raises(InvalidInput):
            await warm_authors(client, ["Andy Weir"], concurrency=0)
    assert fakes.total() == 0


# -- freshness ----------------------------------------------------------------------------------


async def test_fresh_authors_are_skipped_with_zero_requests(fakes: Fakes, tmp_path: Path) -> None:
    async with fakes.client(cache=MemoryCache()) as client:
        first = await client.warm(AUTHORS, state_dir=tmp_path)
        assert len(first.warmed) == len(AUTHORS)
        assert sum(first.requests.values()) == fakes.total() > 0
        for fake in fakes.all:
            fake.reset_log()
        second = await client.warm(AUTHORS, state_dir=tmp_path)
    assert (second.warmed, set(second.skipped)) == ((), set(AUTHORS))
    assert second.requests == {"openlibrary": 0, "googlebooks": 0, "isbndb": 0}
    assert fakes.total() == 0


async def test_after_warming_author_is_a_cache_hit(fakes: Fakes, tmp_path: Path) -> None:
    async with fakes.client(cache=MemoryCache()) as client:
        await client.warm(AUTHORS[:2], state_dir=tmp_path)
        before = fakes.total()
        bibliography = await client.author(AUTHORS[1])
    assert fakes.total() == before
    assert {r.status for r in bibliography.providers.values()} == {"cached"}


# -- concurrency, rate and quota ----------------------------------------------------------------


class CountingClient(AsyncBooksClient):
    in_flight = 0
    most = 0

    async def author(self, name: str) -> Any:
        type(self).in_flight += 1
        type(self).most = max(type(self).most, type(self).in_flight)
        try:
            return await super().author(name)
        finally:
            type(self).in_flight -= 1


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_at_most_concurrency_authors_are_built_at_once(
    concurrency: int, tmp_path: Path
) -> None:
    fakes = Fakes()
    for fake in fakes.all:
        fake.set_latency(0.003)
    client = CountingClient(
        openlibrary=OpenLibrary(transport=fakes.ol.transport(), rate=1000),
        googlebooks=GoogleBooks(transport=fakes.gb.transport(), rate=1000),
        isbndb=ISBNdb(api_key="k", transport=fakes.db.transport(), rate=1000),
        cache=None,
    )
    CountingClient.in_flight = CountingClient.most = 0
    async with client:
        report = await client.warm(AUTHORS, concurrency=concurrency, state_dir=tmp_path)
    assert len(report.warmed) == len(AUTHORS)
    assert CountingClient.most == concurrency


async def test_warming_stays_within_the_provider_rate(tmp_path: Path) -> None:
    fakes = Fakes()
    fakes.ol.set_rate_limit(40.0, burst=2)
    async with fakes.client(cache=None, rate=40.0) as client:
        report = await client.warm(AUTHORS[:3], concurrency=3, state_dir=tmp_path)
    assert len(report.warmed) == 3
    assert report.requests["openlibrary"] > 5
    assert [r for r in fakes.ol.log if r.status == 429] == []
    times = [r.at for r in fakes.ol.log]
    spacing = (times[-1] - times[0]) / (len(times) - 1)
    assert spacing >= 1 / 40.0 * 0.9


async def test_warming_stops_spending_a_quota_that_is_used_up(tmp_path: Path) -> None:
    fakes = Fakes()
    quota = LocalQuota("googlebooks", 2)
    async with fakes.client(cache=None, gb_quota=quota) as client:
        report = await client.warm(AUTHORS, state_dir=tmp_path)
        stats = await client.stats()
    assert len(fakes.gb.log) == 2
    assert report.requests["googlebooks"] == 2
    assert len(report.warmed) == len(AUTHORS)
    assert stats.providers["googlebooks"].quota_left == 0


# -- resuming -----------------------------------------------------------------------------------


def journal_files(state_dir: Path) -> list[Path]:
    return sorted(state_dir.glob("warm-*.jsonl"))


def append_text(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def journal_names(state_dir: Path) -> list[str]:
    names = []
    for path in state_dir.glob("warm-*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            try:
                names.append(json.loads(line)["name"])
            except (ValueError, KeyError):
                continue
    return names


async def test_a_cancelled_warm_resumes_without_repeating_a_finished_author(
    tmp_path: Path,
) -> None:
    first = Fakes()
    with anyio.CancelScope() as scope:

        def stop_after_two(state: WarmProgress) -> None:
            if state.done >= 2:
                scope.cancel()

        async with first.client(cache=MemoryCache()) as client:
            await client.warm(AUTHORS, progress=stop_after_two, concurrency=1, state_dir=tmp_path)
    assert scope.cancelled_caught
    finished = journal_names(tmp_path)
    assert len(finished) == 2

    second = Fakes()
    async with second.client(cache=MemoryCache()) as client:
        report = await client.warm(AUTHORS, concurrency=2, state_dir=tmp_path)
    assert report.resumed == 2
    assert set(report.warmed) == set(AUTHORS) - set(finished)
    asked = asked_authors(second.ol.log)
    assert asked & {name_key(n) for n in finished} == set()
    assert asked >= {name_key(n) for n in set(AUTHORS) - set(finished)}
    assert journal_files(tmp_path) == []


async def test_a_torn_last_journal_line_is_ignored(fakes: Fakes, tmp_path: Path) -> None:
    async with fakes.client(cache=None) as client:
        with anyio.CancelScope() as scope:
            await client.warm(
                AUTHORS,
                concurrency=1,
                state_dir=tmp_path,
                progress=lambda s: s.done and scope.cancel(),
            )
        (journal,) = journal_files(tmp_path)
        append_text(journal, '{"key": "ted chia')
        report = await client.warm(AUTHORS, concurrency=1, state_dir=tmp_path)
    assert report.resumed == 1
    assert len(report.warmed) == len(AUTHORS) - 1


async def test_failed_authors_are_not_journaled_and_are_tried_again(
    fakes: Fakes, tmp_path: Path
) -> None:
    names = [*AUTHORS[:2], "Zzyzx Nobody Qwerty"]
    async with fakes.client(cache=None) as client:
        first = await client.warm(names, state_dir=tmp_path)
        assert [f.name for f in first.failed] == ["Zzyzx Nobody Qwerty"]
        assert sorted(journal_names(tmp_path)) == sorted(AUTHORS[:2])
        fakes.ol.reset_log()
        second = await client.warm(names, state_dir=tmp_path)
    assert second.resumed == 2
    assert [f.name for f in second.failed] == ["Zzyzx Nobody Qwerty"]
    assert asked_authors(fakes.ol.log) == {"zzyzx nobody qwerty"}


async def test_a_cached_unknown_author_fails_again_without_a_request(
    fakes: Fakes, tmp_path: Path
) -> None:
    async with fakes.client(cache=MemoryCache()) as client:
        first = await client.warm(["Zzyzx Nobody Qwerty"], state_dir=tmp_path)
        for fake in fakes.all:
            fake.reset_log()
        second = await client.warm(["Zzyzx Nobody Qwerty"], state_dir=tmp_path)
    assert second.failed == first.failed
    assert "no author named" in second.failed[0].error
    assert fakes.total() == 0


async def test_resume_false_keeps_no_journal(fakes: Fakes, tmp_path: Path) -> None:
    async with fakes.client(cache=None) as client:
        await client.warm(["Zzyzx Nobody Qwerty", AUTHORS[0]], resume=False, state_dir=tmp_path)
    assert journal_files(tmp_path) == []


def test_a_killed_warm_process_restarts_without_repeating_a_finished_author(
    tmp_path: Path,
) -> None:
    names = [*AUTHORS, "Margaret Atwood", "Neil Gaiman", "Toni Morrison", "Liu Cixin"]
    fakes = Fakes()
    for fake in fakes.all:
        fake.set_latency(0.03)
    cache_dir = tmp_path / "cache"
    state_dir = cache_dir / "warm-state"
    with FakeServer(*fakes.all) as server:
        env = {
            **os.environ,
            **server.env(),
            "BOOKSTRACKER_ISBNDB_API_KEY": "k",
            "BOOKSTRACKER_OPENLIBRARY_RATE": "500",
            "BOOKSTRACKER_GOOGLEBOOKS_RATE": "500",
            "BOOKSTRACKER_ISBNDB_RATE": "500",
        }
        command = [
            sys.executable, "-m", "bookstracker", "--json", "--cache-dir", str(cache_dir),
            "warm", "--concurrency", "2", *names,
        ]  # fmt: skip
        run = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 30
            while len(journal_names(state_dir)) < 3 and run.poll() is None:
                assert time.monotonic() < deadline, "the warm never journaled three authors"
                time.sleep(0.01)
            run.send_signal(signal.SIGKILL)
        finally:
            run.communicate(timeout=30)
        assert run.returncode == -signal.SIGKILL
        finished = journal_names(state_dir)
        assert 3 <= len(finished) < len(names)
        for fake in fakes.all:
            fake.reset_log()

        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["authors"] == len(names)
    assert report["failed"] == []
    assert report["skipped"] >= len(finished)
    assert report["warmed"] + report["skipped"] == len(names)
    repeated = asked_authors(fakes.ol.log) & {name_key(n) for n in finished}
    assert repeated == set()
    assert journal_files(state_dir) == []


# -- reports and progress -----------------------------------------------------------------------


async def test_an_unknown_author_fails_with_the_reason(fakes: Fakes, tmp_path: Path) -> None:
    async with fakes.client(cache=None) as client:
        report = await client.warm(["Andy Weir", "Zzyzx Nobody Qwerty"], state_dir=tmp_path)
    assert report.warmed == ("Andy Weir",)
    (failure,) = report.failed
    assert failure.name == "Zzyzx Nobody Qwerty"
    assert "no author named" in failure.error
    assert report.to_dict()["failed"] == [{"name": "Zzyzx Nobody Qwerty", "error": failure.error}]


async def test_authors_fail_with_the_reason_when_every_provider_is_down(
    fakes: Fakes, tmp_path: Path, no_retry_sleep: None
) -> None:
    for fake in fakes.all:
        fake.set_faults(Faults.always("503"))
    async with fakes.client(cache=None) as client:
        report = await client.warm(AUTHORS[:2], state_dir=tmp_path)
    assert report.warmed == ()
    assert {f.name for f in report.failed} == set(AUTHORS[:2])
    for failure in report.failed:
        assert "AllProvidersFailed" in failure.error
        assert "openlibrary: http 503" in failure.error


async def test_a_provider_down_is_survived_and_its_failed_requests_counted(
    fakes: Fakes, tmp_path: Path, no_retry_sleep: None
) -> None:
    fakes.gb.set_faults(Faults.always("503"))
    async with fakes.client(cache=None) as client:
        report = await client.warm(AUTHORS[:2], state_dir=tmp_path)
        stats = await client.stats()
    assert set(report.warmed) == set(AUTHORS[:2])
    assert report.requests["googlebooks"] == len(fakes.gb.log) > 0
    assert stats.providers["googlebooks"].failures_by_kind["http"] == len(fakes.gb.log)


async def test_a_stale_answer_kept_when_every_provider_is_down_is_a_failure(
    tmp_path: Path, no_retry_sleep: None
) -> None:
    fakes = Fakes()
    at_once_stale = KindTTL(hot=0.0, cold=0.0, grace=3600.0)
    policy = TTLPolicy(author=at_once_stale, author_incomplete=at_once_stale, jitter=0.0)
    async with fakes.client(cache=MemoryCache(), ttl_policy=policy) as client:
        first = await client.warm(["Andy Weir"], state_dir=tmp_path)
        for fake in fakes.all:
            fake.set_faults(Faults.always("503"))
        second = await client.warm(["Andy Weir"], state_dir=tmp_path)
    assert first.warmed == ("Andy Weir",)
    assert [(f.name, f.error) for f in second.failed] == [
        ("Andy Weir", "every provider failed; only a stale cached answer is kept")
    ]


async def test_progress_calls_count_up_with_an_eta_and_end_finished(
    fakes: Fakes, tmp_path: Path
) -> None:
    seen: list[WarmProgress] = []
    async with fakes.client(cache=None) as client:
        report = await client.warm(AUTHORS, progress=seen.append, state_dir=tmp_path)
        stats = await client.stats()
    assert [s.done for s in seen] == [0, *range(1, len(AUTHORS) + 1), len(AUTHORS)]
    assert {s.total for s in seen} == {len(AUTHORS)}
    assert seen[0].eta_s is None
    assert all(s.eta_s is not None for s in seen[1:])
    assert seen[-1].eta_s == 0.0
    assert [s.finished for s in seen] == [False] * (len(seen) - 1) + [True]
    elapsed = [s.elapsed_s for s in seen]
    assert elapsed == sorted(elapsed)
    totals = [sum(s.requests.values()) for s in seen]
    assert totals == sorted(totals)
    assert totals[-1] == sum(report.requests.values())
    assert {s.current for s in seen[1:-1]} == set(AUTHORS)
    assert stats.warm == seen[-1]
    assert stats.to_dict()["warm"]["done"] == len(AUTHORS)


async def test_rejected_rows_of_a_library_export_are_in_the_report(
    fakes: Fakes, tmp_path: Path
) -> None:
    export = tmp_path / "library.csv"
    export.write_text(
        "Title,Author,ISBN13\n"
        "The Martian,Andy Weir,9780553418026\n"
        "Broken,row\n"
        ",,\n"
        "Exhalation,Ted Chiang,\n"
        ",,123\n",
        encoding="utf-8",
    )
    async with fakes.client(cache=None) as client:
        report = await client.warm(csv=export, state_dir=tmp_path / "state")
    assert set(report.warmed) == {"Andy Weir", "Ted Chiang"}
    rows = report.to_dict()["rejected_rows"]
    assert [row["line"] for row in rows] == [3, 6]
    assert all(row["reason"] for row in rows)


def test_the_sync_client_warms_and_reports(tmp_path: Path) -> None:
    fakes = Fakes()
    with BooksClient(
        openlibrary=OpenLibrary(transport=fakes.ol.transport(), rate=1000),
        googlebooks=GoogleBooks(transport=fakes.gb.transport(), rate=1000),
        isbndb=ISBNdb(api_key="k", transport=fakes.db.transport(), rate=1000),
        cache=MemoryCache(),
    ) as books:
        report = books.warm(["Andy Weir"], state_dir=tmp_path)
        stats = books.stats()
    assert report.warmed == ("Andy Weir",)
    assert stats.warm is not None
    assert stats.warm.finished
    assert stats.providers["openlibrary"].requests == len(fakes.ol.log)
