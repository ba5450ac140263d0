"""A large bibliography is filtered and paired in a worker thread, a small one on the loop."""

from __future__ import annotations

import gc
import threading
from typing import Any

import pytest

from bookstracker.pipeline.enhance import EnhancementPipeline
from bookstracker.testing import Catalog, FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary
from support import KEY, Fakes

pytestmark = pytest.mark.anyio


@pytest.fixture
def assembled_in(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    threads: list[str] = []
    original = EnhancementPipeline._assemble

    def spy(self: EnhancementPipeline, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EnhancementPipeline, "_assemble", spy)
    return threads


async def test_a_large_bibliography_is_assembled_off_the_event_loop(
    assembled_in: list[str],
) -> None:
    catalog = Catalog.synthetic(works=300, editions_per_work=10)
    fakes = Fakes(openlibrary=FakeOpenLibrary(catalog))
    fakes.googlebooks = FakeGoogleBooks(catalog)
    fakes.isbndb = FakeISBNdb(catalog, api_key=KEY)
    async with fakes.client() as client:
        bibliography = await client.author("Prolific Author")
    assert bibliography.works
    assert assembled_in
    assert assembled_in[0] != threading.current_thread().name


async def test_a_small_bibliography_is_assembled_on_the_event_loop(
    assembled_in: list[str],
) -> None:
    async with Fakes().client() as client:
        await client.author("Andy Weir")
    assert assembled_in
    assert set(assembled_in) == {threading.current_thread().name}


@pytest.mark.parametrize("works", [2, 300])
async def test_the_collector_is_paused_while_a_bibliography_is_assembled(
    monkeypatch: pytest.MonkeyPatch, works: int
) -> None:
    seen: list[bool] = []
    original = EnhancementPipeline._assemble

    def spy(self: EnhancementPipeline, *args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EnhancementPipeline, "_assemble", spy)
    catalog = Catalog.synthetic(works=works, editions_per_work=10)
    fakes = Fakes(openlibrary=FakeOpenLibrary(catalog))
    fakes.isbndb = FakeISBNdb(catalog, api_key=KEY)
    assert gc.isenabled()
    async with fakes.client() as client:
        await client.author("Prolific Author")
    assert seen == [False]
    assert gc.isenabled()
