"""CPU time to filter and pair the works and editions of a prolific author (goal: under 150 ms).

    .venv/bin/python benchmarks/bench_pipeline_cpu.py [--works 2000] [--editions-per-work 10]
                                                      [--repeat 7] [--profile]

The author comes from ``Catalog.synthetic`` (2,000 works, 10 editions each: 20,000 editions)
rendered by the three fakes and fetched once through the real adapters over MockTransport:
the works and per-work signals, the OpenLibrary editions of every ISBN the signals list
(``OpenLibrary.books``), ISBNdb's author listing (up to its 10,000-result ceiling) and Google's
author volumes. Only the CPU part is then timed, with ``time.process_time`` and the garbage
collector on (collected before each run) and the memoised name and title keys emptied before
each run (so every run is a first call): ``EnhancementPipeline._assemble``, which builds the
work candidates, picks the original language, runs the core-works filter, pairs and merges the
editions, builds the ``Work`` objects and scores completeness. Parsing the replies is not in it.

Two inputs: every OpenLibrary edition (the heavy case), and the ones the pipeline itself looks
up (at most ``max_isbn_lookups`` = 500 ISBNs). The end-to-end ``author`` call over MockTransport
(no cache) is timed once for context: it includes parsing every reply.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import anyio
from _common import BENCH_KEY, adapters, median, table

from bookstracker import AsyncBooksClient, names
from bookstracker.models import Author, Bibliography, Edition
from bookstracker.pipeline import corefilter, evidence, merge, pairing, rules
from bookstracker.pipeline.enhance import EnhancementPipeline, OpenLibraryHarvest
from bookstracker.pipeline.resolve import AuthorResolution, AuthorResolver
from bookstracker.testing import Catalog, FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary

GOAL_MS = 150.0
AUTHOR = "Prolific Author"


class Inputs:
    """Everything ``_assemble`` reads, fetched once."""

    def __init__(
        self,
        resolution: AuthorResolution,
        pipeline: EnhancementPipeline,
        harvest: OpenLibraryHarvest,
        ol_all: list[Edition],
        ol_pipeline: list[Edition],
        isbndb: list[Edition],
        google: list[Edition],
    ) -> None:
        self.resolution = resolution
        self.pipeline = pipeline
        self.harvest = harvest
        self.ol_all = ol_all
        self.ol_pipeline = ol_pipeline
        self.isbndb = isbndb
        self.google = google

    def assemble(self, ol_editions: Sequence[Edition]) -> Bibliography:
        author = self.resolution.author
        people: list[Author] = [author, *self.resolution.pen_names]
        names = list(dict.fromkeys([p.name for p in people]))
        return self.pipeline._assemble(
            author,
            self.resolution.candidates,
            people,
            names,
            self.harvest,
            ol_editions,
            [*self.isbndb, *self.google],
            {},
        )


def _fakes(catalog: Catalog) -> tuple[FakeOpenLibrary, FakeGoogleBooks, FakeISBNdb]:
    return (
        FakeOpenLibrary(catalog),
        FakeGoogleBooks(catalog),
        FakeISBNdb(catalog, api_key=BENCH_KEY),
    )


def _transports(catalog: Catalog) -> dict[str, Any]:
    ol, gb, db = _fakes(catalog)
    return {"openlibrary": ol.transport(), "googlebooks": gb.transport(), "isbndb": db.transport()}


async def fetch(catalog: Catalog) -> Inputs:
    found = adapters(transports=_transports(catalog))
    try:
        resolution = await AuthorResolver(found["openlibrary"]).resolve(AUTHOR)
        if resolution is None:
            raise SystemExit("the synthetic author was not found")
        pipeline = EnhancementPipeline(found.values())
        people = [resolution.author, *resolution.pen_names]
        harvest = await pipeline._harvest_openlibrary(found["openlibrary"], people)
        isbns: dict[str, None] = {}
        for work in harvest.works:
            signal = harvest.signals.get(work.key)
            for isbn in (*(getattr(signal, "isbns", ()) or ()), *(work.isbns or ())):
                isbns[isbn] = None
        ol_all = list((await found["openlibrary"].editions(list(isbns))).values())
        ol_pipeline, _ = await pipeline._openlibrary_editions(found["openlibrary"], harvest)
        listing = await found["isbndb"].author_editions(AUTHOR)
        google = await found["googlebooks"].author_editions(AUTHOR)
        return Inputs(
            resolution,
            pipeline,
            harvest,
            ol_all,
            ol_pipeline,
            list(listing.editions),
            list(google.editions),
        )
    finally:
        for adapter in found.values():
            await adapter.aclose()


@contextmanager
def _stage_timer(spent: dict[str, float]) -> Iterator[None]:
    """Time the filter and the pairing inside ``_assemble`` by wrapping their methods."""
    originals: list[tuple[Any, str, Callable[..., Any]]] = [
        (corefilter.CoreWorksFilter, "run", corefilter.CoreWorksFilter.run),
        (pairing.EditionPairer, "pair", pairing.EditionPairer.pair),
        (pairing.EditionPairer, "__init__", pairing.EditionPairer.__init__),
    ]
    labels = {"run": "core-works filter", "pair": "pairing + merging", "__init__": "pairer setup"}

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                label = labels[name]
                spent[label] = spent.get(label, 0.0) + time.process_time() - start

        return timed

    for owner, name, method in originals:
        setattr(owner, name, wrap(name, method))
    try:
        yield
    finally:
        for owner, name, method in originals:
            setattr(owner, name, method)


def clear_caches() -> None:
    """Empty the memoised name/title keys, so that every run starts cold, as a first call does."""
    for module in (names, corefilter, evidence, rules, pairing, merge):
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def measure(inputs: Inputs, ol_editions: Sequence[Edition], repeat: int) -> list[float]:
    timings: list[float] = []
    for _ in range(repeat):
        clear_caches()
        gc.collect()
        start = time.process_time()
        inputs.assemble(ol_editions)
        timings.append((time.process_time() - start) * 1000)
    return timings


async def end_to_end(catalog: Catalog) -> tuple[float, float, Bibliography]:
    found = adapters(transports=_transports(catalog))
    async with AsyncBooksClient(
        openlibrary=found["openlibrary"],
        googlebooks=found["googlebooks"],
        isbndb=found["isbndb"],
        cache=None,
    ) as client:
        wall, cpu = time.perf_counter(), time.process_time()
        bibliography = await client.author(AUTHOR)
        return time.perf_counter() - wall, time.process_time() - cpu, bibliography


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=2000)
    parser.add_argument("--editions-per-work", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    arguments = parser.parse_args()

    started = time.perf_counter()
    catalog = Catalog.synthetic(
        works=arguments.works, editions_per_work=arguments.editions_per_work
    )
    inputs = anyio.run(fetch, catalog)
    fetched = time.perf_counter() - started
    catalog_editions = sum(len(w.editions) for w in catalog.works)
    print(
        f"synthetic author: {arguments.works:,} works, {catalog_editions:,} editions in the "
        f"catalog (inputs built and fetched in {fetched:.1f} s)"
    )
    print(
        f"fetched: {len(inputs.harvest.works):,} OpenLibrary works; editions: "
        f"{len(inputs.ol_all):,} OpenLibrary (all) / {len(inputs.ol_pipeline):,} (pipeline's "
        f"look-ups), {len(inputs.isbndb):,} ISBNdb, {len(inputs.google):,} Google Books"
    )
    print()

    result = inputs.assemble(inputs.ol_all)
    rows = []
    for label, ol_editions in (
        ("the pipeline's look-ups", inputs.ol_pipeline),
        ("every OpenLibrary edition", inputs.ol_all),
    ):
        timings = measure(inputs, ol_editions, arguments.repeat)
        editions_in = len(ol_editions) + len(inputs.isbndb) + len(inputs.google)
        verdict = "yes" if median(timings) < GOAL_MS else "NO"
        rows.append(
            [label, editions_in, min(timings), median(timings), max(timings), GOAL_MS, verdict]
        )
    print(
        f"filter + pair (EnhancementPipeline._assemble), CPU ms over {arguments.repeat} cold "
        "runs (process_time)"
    )
    print(
        table(
            ["input", "editions in", "min", "median", "max", "goal", "median < goal"],
            rows,
        )
    )
    paired = sum(len(w.editions) for w in result.works)
    print(
        f"result (every OpenLibrary edition): {len(result.works):,} core works, "
        f"{len(result.excluded):,} excluded, {paired:,} editions paired"
    )
    print()

    spent: dict[str, float] = {}
    clear_caches()
    gc.collect()
    with _stage_timer(spent):
        start = time.process_time()
        inputs.assemble(inputs.ol_all)
        whole = time.process_time() - start
    stages = [[label, seconds * 1000] for label, seconds in spent.items()]
    stages.append(["the rest of _assemble", max(0.0, whole - sum(spent.values())) * 1000])
    stages.append(["all of _assemble", whole * 1000])
    print("where one cold run's CPU goes (every OpenLibrary edition)")
    print(table(["stage", "CPU ms"], stages))
    print()

    wall, cpu, bibliography = anyio.run(end_to_end, catalog)
    print("end to end: AsyncBooksClient.author over MockTransport fakes, no cache, one run")
    print(
        table(
            ["call", "wall s", "CPU s", "core works", "editions"],
            [
                [
                    f"author({AUTHOR!r})",
                    f"{wall:.2f}",
                    f"{cpu:.2f}",
                    len(bibliography.works),
                    sum(len(w.editions) for w in bibliography.works),
                ]
            ],
        )
    )

    if arguments.profile:
        clear_caches()
        profiler = cProfile.Profile()
        profiler.enable()
        inputs.assemble(inputs.ol_all)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
