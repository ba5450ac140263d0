"""The cache through the client: hits cost no request, what is (not) cached, and for how long."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.cache import (
    DEFAULT_POLICY,
    CacheBackend,
    DiskCache,
    KindTTL,
    MemoryCache,
    TieredCache,
    TTLPolicy,
    cache_key,
)
from bookstracker.cli import cli
from bookstracker.errors import AllProvidersFailed, NotFound
from bookstracker.resilience import LocalQuota, RetryPolicy
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary, Faults

AUTHOR = "Andy Weir"
QUERY = "the martian"
MARTIAN = "9780553418026"
NOBODY_HAS = "9780000000002"
ISBNDB_KEY = "sekrit-123"
GOOGLE_KEY = "sekrit-456"

# No jitter, so each kind's TTL is exact and the stored fresh_until can be checked.
EXACT = TTLPolicy(jitter=0.0)


class Fakes:
    """The three fake providers and the adapters that talk to them in-process."""

    def __init__(self, **isbndb_options: Any) -> None:
        self.openlibrary = FakeOpenLibrary()
        self.googlebooks = FakeGoogleBooks()
        self.isbndb = FakeISBNdb(api_key=ISBNDB_KEY)
        self._isbndb_options = isbndb_options

    def requests(self) -> int:
        return len(self.openlibrary.log) + len(self.googlebooks.log) + len(self.isbndb.log)

    def client(self, cache: CacheBackend | None, **options: Any) -> AsyncBooksClient:
        once = RetryPolicy(attempts=1)
        return AsyncBooksClient(
            openlibrary=OpenLibrary(transport=self.openlibrary.transport(), rate=1000, retry=once),
            googlebooks=GoogleBooks(
                api_key=GOOGLE_KEY, transport=self.googlebooks.transport(), rate=1000, retry=once
            ),
            isbndb=ISBNdb(
                api_key=ISBNDB_KEY,
                transport=self.isbndb.transport(),
                rate=1000,
                retry=once,
                **self._isbndb_options,
            ),
            cache=cache,
            **options,
        )


def statuses(reports: Any) -> dict[str, tuple[str, int]]:
    return {name: (report.status, report.requests) for name, report in reports.items()}


ALL_CACHED = {name: ("cached", 0) for name in ("openlibrary", "googlebooks", "isbndb")}


def author_key(client: AsyncBooksClient, name: str) -> str:
    return cache_key("author", client.namespace, *client.author_cache_parts(name))


# -- hits cost no request --------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_repeated_author_is_answered_from_memory_with_no_request() -> None:
    fakes = Fakes()
    async with fakes.client(MemoryCache()) as client:
        first = await client.author(AUTHOR)
        spent = fakes.requests()
        second = await client.author(AUTHOR)
    assert spent > 0
    assert fakes.requests() == spent
    assert statuses(second.providers) == ALL_CACHED
    assert [w.title for w in second.works] == [w.title for w in first.works]
    assert not second.stale


@pytest.mark.anyio
async def test_a_repeated_search_is_answered_from_memory_with_no_request() -> None:
    fakes = Fakes()
    async with fakes.client(MemoryCache()) as client:
        first = await client.search(QUERY)
        spent = fakes.requests()
        second = await client.search(QUERY)
    assert fakes.requests() == spent
    assert statuses(second.providers) == ALL_CACHED
    assert [h.title for h in second.hits] == [h.title for h in first.hits]


@pytest.mark.anyio
async def test_a_repeated_isbn_is_answered_from_memory_with_no_request() -> None:
    fakes = Fakes()
    async with fakes.client(MemoryCache()) as client:
        first = await client.isbn(MARTIAN)
        spent = fakes.requests()
        again = await client.isbn("0-553-41802-5")
        batch = await client.isbns([MARTIAN])
    assert first is not None
    assert again == first
    assert fakes.requests() == spent
    assert batch.results[MARTIAN] == first
    assert statuses(batch.providers) == ALL_CACHED


@pytest.mark.anyio
async def test_a_new_client_on_the_same_disk_folder_asks_nobody(tmp_path: Path) -> None:
    fakes = Fakes()
    async with fakes.client(DiskCache(tmp_path / "cache")) as client:
        await client.author(AUTHOR)
        await client.search(QUERY)
    spent = fakes.requests()
    restarted = Fakes()
    async with restarted.client(DiskCache(tmp_path / "cache")) as client:
        bibliography = await client.author(AUTHOR)
        result = await client.search(QUERY)
    assert spent > 0
    assert restarted.requests() == 0
    assert statuses(bibliography.providers) == ALL_CACHED
    assert statuses(result.providers) == ALL_CACHED
    assert bibliography.works


@pytest.mark.anyio
async def test_the_disk_tier_counts_the_hits_of_every_client(tmp_path: Path) -> None:
    def tiers() -> TieredCache:
        return TieredCache(MemoryCache(), DiskCache(tmp_path / "cache"))

    fakes = Fakes()
    for _ in range(3):
        async with fakes.client(tiers()) as client:
            await client.author(AUTHOR)
    async with fakes.client(tiers()) as client:
        figures = (await client.stats()).cache
        await client.clear_cache()
        cleared = (await client.stats()).cache
    assert (figures["disk"].hits, figures["disk"].misses) == (2, 1)
    assert (figures["memory"].hits, figures["memory"].misses) == (0, 0)
    assert (cleared["disk"].hits, cleared["disk"].entries) == (0, 0)


@pytest.mark.anyio
@pytest.mark.parametrize("ask", ["author", "search"])
async def test_200_concurrent_identical_calls_make_one_upstream_computation(ask: str) -> None:
    alone = Fakes()
    async with alone.client(None) as client:
        await (client.author(AUTHOR) if ask == "author" else client.search(QUERY))
    one_computation = (
        len(alone.openlibrary.log),
        len(alone.googlebooks.log),
        len(alone.isbndb.log),
    )

    fakes = Fakes()
    for fake in (fakes.openlibrary, fakes.googlebooks, fakes.isbndb):
        fake.set_latency(0.02)
    answers: list[Any] = []
    async with fakes.client(MemoryCache()) as client:

        async def call() -> None:
            answers.append(
                await (client.author(AUTHOR) if ask == "author" else client.search(QUERY))
            )

        async with anyio.create_task_group() as group:
            for _ in range(200):
                group.start_soon(call)
    counts = (len(fakes.openlibrary.log), len(fakes.googlebooks.log), len(fakes.isbndb.log))
    assert counts == one_computation
    assert len(answers) == 200


# -- damaged stores ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_garbage_disk_database_is_survived(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    (folder / "cache.db").write_bytes(b"this is not SQLite\x00\xff" * 100)
    fakes = Fakes()
    async with fakes.client(DiskCache(folder)) as client:
        await client.author(AUTHOR)
        spent = fakes.requests()
        again = await client.author(AUTHOR)
    assert fakes.requests() == spent
    assert statuses(again.providers) == ALL_CACHED


@pytest.mark.anyio
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
async def test_a_damaged_disk_entry_is_a_miss(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "cache"
    fakes = Fakes()
    async with fakes.client(DiskCache(folder)) as client:
        await client.author(AUTHOR)
        key = author_key(client, AUTHOR)
    disk = DiskCache(folder)
    entry = await disk.get(key)
    assert entry is not None
    broken = entry.value[: len(entry.value) // 2] if damage == "truncated" else b"\x80garbage{"
    await disk.set(key, broken, ttl=3600)
    await disk.aclose()

    again = Fakes()
    async with again.client(DiskCache(folder)) as client:
        bibliography = await client.author(AUTHOR)
        spent = again.requests()
        repaired = await client.author(AUTHOR)
    assert spent > 0
    assert bibliography.works
    assert statuses(bibliography.providers) != ALL_CACHED
    assert again.requests() == spent
    assert statuses(repaired.providers) == ALL_CACHED


@pytest.mark.anyio
async def test_a_truncated_value_file_is_survived(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    fakes = Fakes()
    async with fakes.client(DiskCache(folder)) as client:
        key = author_key(client, AUTHOR)
        # Larger than diskcache's 32 KiB inline limit, so the value lives in its own file.
        await client.cache.set(key, b"x" * 100_000, ttl=3600)  # type: ignore[union-attr]
    files = [p for p in folder.rglob("*.val")]
    assert files
    for path in files:
        path.write_bytes(path.read_bytes()[:10])
    async with fakes.client(DiskCache(folder)) as client:
        bibliography = await client.author(AUTHOR)
    assert bibliography.works


# -- secrets ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_no_cache_file_or_key_holds_an_api_key(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    fakes = Fakes()
    async with fakes.client(DiskCache(folder)) as client:
        await client.author(AUTHOR)
        await client.search(QUERY)
        await client.isbns([MARTIAN, NOBODY_HAS])
        keys = [author_key(client, AUTHOR), client.namespace]
    assert fakes.googlebooks.log
    assert fakes.isbndb.log
    blobs = [path.read_bytes() for path in folder.rglob("*") if path.is_file()]
    assert blobs
    for secret in (ISBNDB_KEY, GOOGLE_KEY):
        assert not any(secret.encode() in blob for blob in blobs)
        assert not any(secret in key for key in keys)


# -- what is cached, and for how long ---------------------------------------------------------


@pytest.mark.anyio
async def test_when_every_provider_fails_nothing_is_cached() -> None:
    fakes = Fakes()
    for fake in (fakes.openlibrary, fakes.googlebooks, fakes.isbndb):
        fake.set_faults(Faults.always("500"))
    cache = MemoryCache()
    async with fakes.client(cache) as client:
        with pytest.raises(AllProvidersFailed):
            await client.search(QUERY)
        with pytest.raises(AllProvidersFailed):
            await client.isbns([NOBODY_HAS])
        assert (await cache.stats()).entries == 0
        for fake in (fakes.openlibrary, fakes.googlebooks, fakes.isbndb):
            fake.set_faults(None)
        before = fakes.requests()
        result = await client.search(QUERY)
    assert result.hits
    assert fakes.requests() > before


@pytest.mark.anyio
async def test_a_not_found_is_cached_when_every_provider_answered() -> None:
    fakes = Fakes()
    cache = MemoryCache()
    async with fakes.client(cache, ttl_policy=EXACT) as client:
        first = await client.isbns([NOBODY_HAS])
        spent = fakes.requests()
        second = await client.isbns([NOBODY_HAS])
        entry = await cache.get(cache_key("isbn", client.namespace, NOBODY_HAS))
    assert first.results == {NOBODY_HAS: None} == second.results
    assert fakes.requests() == spent
    assert entry is not None
    assert entry.fresh_until == pytest.approx(time.time() + EXACT.not_found.hot, abs=5)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "failure",
    ["429", "503", "quota"],
)
async def test_a_not_found_with_a_failing_provider_is_not_cached(failure: str) -> None:
    options: dict[str, Any] = {"quota": LocalQuota("isbndb", 0)} if failure == "quota" else {}
    fakes = Fakes(**options)
    if failure == "429":
        fakes.isbndb.set_rate_limit(0.001)
        fakes.isbndb.log.clear()
        await _spend_the_burst(fakes)
    elif failure == "503":
        fakes.isbndb.set_faults(Faults.always("503"))
    cache = MemoryCache()
    async with fakes.client(cache) as client:
        result = await client.isbns([NOBODY_HAS])
        assert result.results == {NOBODY_HAS: None}
        assert result.providers["isbndb"].status == "error"
        if failure == "quota":
            assert "quota" in (result.providers["isbndb"].error or "")
            assert not fakes.isbndb.log
        assert await cache.get(cache_key("isbn", client.namespace, NOBODY_HAS)) is None


async def _spend_the_burst(fakes: Fakes) -> None:
    """One request takes the fake's only token, so the next ones get its 429."""
    async with ISBNdb(api_key=ISBNDB_KEY, transport=fakes.isbndb.transport(), rate=1000) as adapter:
        await adapter.book(MARTIAN)


@pytest.mark.anyio
async def test_a_quota_refusal_is_never_cached_as_data() -> None:
    fakes = Fakes(quota=LocalQuota("isbndb", 0))
    for fake in (fakes.openlibrary, fakes.googlebooks):
        fake.set_faults(Faults.always("503"))
    cache = MemoryCache()
    async with fakes.client(cache) as client:
        with pytest.raises(AllProvidersFailed) as caught:
            await client.search(QUERY)
        assert "quota" in (caught.value.reports["isbndb"].error or "")
        assert (await cache.stats()).entries == 0


@pytest.mark.anyio
async def test_an_unknown_author_is_cached_as_not_found() -> None:
    fakes = Fakes()
    async with fakes.client(MemoryCache()) as client:
        with pytest.raises(NotFound):
            await client.author("Zzyzx Qwertyuiop")
        spent = fakes.requests()
        with pytest.raises(NotFound) as caught:
            await client.author("zzyzx  qwertyuiop")
    assert spent > 0
    assert fakes.requests() == spent
    assert caught.value.reports["openlibrary"].status == "cached"


@pytest.mark.anyio
async def test_an_unknown_author_is_not_cached_when_openlibrary_failed() -> None:
    fakes = Fakes()
    fakes.openlibrary.set_faults(Faults.always("503"))
    async with fakes.client(MemoryCache()) as client:
        with pytest.raises(AllProvidersFailed):
            await client.author("OL999999999A")
        fakes.openlibrary.set_faults(None)
        with pytest.raises(NotFound):
            await client.author("OL999999999A")
    assert fakes.openlibrary.count() >= 2


@pytest.mark.anyio
async def test_a_complete_bibliography_is_kept_a_day() -> None:
    fakes = Fakes()
    cache = MemoryCache()
    async with fakes.client(cache, ttl_policy=EXACT) as client:
        bibliography = await client.author(AUTHOR)
        entry = await cache.get(author_key(client, AUTHOR))
    assert bibliography.completeness is not None
    assert bibliography.completeness.complete
    assert entry is not None
    assert entry.fresh_until == pytest.approx(time.time() + EXACT.author.hot, abs=5)


@pytest.mark.anyio
async def test_an_incomplete_bibliography_gets_the_short_ttl() -> None:
    fakes = Fakes()
    fakes.openlibrary.set_faults(Faults.always("503"))
    cache = MemoryCache()
    async with fakes.client(cache, ttl_policy=EXACT) as client:
        bibliography = await client.author(AUTHOR)
        entry = await cache.get(author_key(client, AUTHOR))
    assert bibliography.completeness is not None
    assert not bibliography.completeness.complete
    assert bibliography.providers["openlibrary"].status == "error"
    assert entry is not None
    assert entry.fresh_until == pytest.approx(time.time() + EXACT.author_incomplete.hot, abs=5)
    assert EXACT.author_incomplete.hot < EXACT.author.hot


@pytest.mark.anyio
async def test_a_search_with_a_failing_provider_gets_the_short_ttl() -> None:
    fakes = Fakes()
    fakes.googlebooks.set_faults(Faults.always("503"))
    cache = MemoryCache()
    async with fakes.client(cache, ttl_policy=EXACT) as client:
        result = await client.search(QUERY)
        entry = await cache.get(cache_key("search", client.namespace, QUERY, "20"))
    assert result.hits
    assert entry is not None
    assert entry.fresh_until == pytest.approx(time.time() + EXACT.author_incomplete.hot, abs=5)


@pytest.mark.anyio
async def test_a_complete_bibliography_with_a_failing_provider_gets_the_short_ttl() -> None:
    fakes = Fakes()
    fakes.isbndb.set_faults(Faults.always("503"))
    cache = MemoryCache()
    async with fakes.client(cache, ttl_policy=EXACT) as client:
        bibliography = await client.author(AUTHOR)
        entry = await cache.get(author_key(client, AUTHOR))
    assert bibliography.completeness is not None
    assert bibliography.completeness.complete
    assert bibliography.providers["isbndb"].status == "error"
    assert entry is not None
    assert entry.fresh_until == pytest.approx(time.time() + EXACT.author_incomplete.hot, abs=5)


@pytest.mark.anyio
async def test_an_empty_search_with_a_failing_provider_is_not_cached() -> None:
    fakes = Fakes()
    fakes.googlebooks.set_faults(Faults.always("503"))
    cache = MemoryCache()
    async with fakes.client(cache) as client:
        result = await client.search("qqqxyzzy nothing matches")
        assert not result.hits
        assert (await cache.stats()).entries == 0
        fakes.googlebooks.set_faults(None)
        before = fakes.requests()
        await client.search("qqqxyzzy nothing matches")
        spent = fakes.requests() - before
        await client.search("qqqxyzzy nothing matches")
    assert spent == 3
    assert fakes.requests() - before == spent


@pytest.mark.anyio
async def test_an_expired_entry_is_refreshed() -> None:
    fakes = Fakes()
    quick = TTLPolicy(author=KindTTL(hot=0, cold=0, grace=3600), jitter=0.0)
    async with fakes.client(MemoryCache(), ttl_policy=quick) as client:
        await client.author(AUTHOR)
        spent = fakes.requests()
        again = await client.author(AUTHOR)
    assert fakes.requests() == 2 * spent
    assert not again.stale
    assert statuses(again.providers) != ALL_CACHED


def test_the_default_policy_keeps_incomplete_answers_briefly() -> None:
    assert DEFAULT_POLICY.author_incomplete.hot <= 15 * 60 < DEFAULT_POLICY.author.hot


# -- the command line -------------------------------------------------------------------------


def run_cli(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def json_of(result: Any) -> Any:
    return json.loads(result.stdout)


def test_the_cli_answers_the_second_run_from_the_disk_cache(tmp_path: Path) -> None:
    folder = str(tmp_path / "cache")
    base = ("--offline", "--cache-dir", folder, "--json")
    first = json_of(run_cli(*base, "author", AUTHOR))
    second = json_of(run_cli(*base, "author", AUTHOR))
    assert any(p["requests"] for p in first["providers"].values())
    assert {n: (p["status"], p["requests"]) for n, p in second["providers"].items()} == ALL_CACHED
    assert second["works"] == first["works"]

    stats = json_of(run_cli(*base, "cache", "stats"))["cache"]
    assert stats["disk"]["hits"] >= 1
    assert stats["disk"]["entries"] >= 1

    assert json_of(run_cli(*base, "cache", "clear"))["cleared"] is True
    stats = json_of(run_cli(*base, "cache", "stats"))["cache"]
    assert stats["disk"]["entries"] == 0
    third = json_of(run_cli(*base, "author", AUTHOR))
    assert all(p["status"] != "cached" for p in third["providers"].values())


def test_the_cli_without_cache_never_touches_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    run_cli("--offline", "--no-cache", "--cache-dir", str(folder), "--json", "author", AUTHOR)
    second = json_of(
        run_cli("--offline", "--no-cache", "--cache-dir", str(folder), "--json", "author", AUTHOR)
    )
    assert not folder.exists()
    assert all(p["status"] != "cached" for p in second["providers"].values())


def test_the_cli_cache_stats_without_cache_says_so(tmp_path: Path) -> None:
    result = run_cli("--offline", "--no-cache", "cache", "stats")
    assert "the cache is off" in result.stdout
