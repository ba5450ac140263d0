"""The OpenLibrary dump mirror: import throughput against a floor, size, look-up latencies, and
author() over the mirror against author() over the fake API.

    .venv/bin/python benchmarks/bench_mirror.py [--lines 1000000] [--no-postgres]

A synthetic combined dump of ``--lines`` lines (authors : works : editions as in the real dumps,
1 : 2.6 : 3.7; author ``OL1A`` has 2,000 works of 5 editions each) is generated into a temporary
folder at the start (it is never committed). Then, in the same run:

- **floor**: decompress the dump and ``json.loads`` every line, nothing else (lines/s), in a
  child process like the imports;
- **import**: ``import_dump`` into a fresh SQLite file, and into PostgreSQL when one answers at
  ``BOOKSTRACKER_BENCH_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
  each in a child process whose peak RSS is read from ``wait4``; goal ≥ 0.5× the floor for
  SQLite, ≥ 0.4× for PostgreSQL, peak RSS ≤ 300 MB. The ratio is given by wall time and by
  CPU time (the process's own, both threads counted): on a shared machine the wall-time ratio
  moves with the other processes' load between the two measurements, the CPU one much less;
- **bytes on disk per record** (SQLite file after a WAL checkpoint; PostgreSQL relation sizes);
- **ISBN look-up** p50/p95 over 2,000 random ISBNs, from the store and through the adapter
  (goal p50 ≤ 1 ms);
- **a 2,000-work author's works with their editions** from SQLite: the raw records from the
  store, and the typed listing through the adapter (goal ≤ 100 ms);
- **author()** of three sample-catalog authors over a mirror of the sample catalog against the
  fake OpenLibrary at 300 ms latency behind a loopback server (OpenLibrary alone; goal: 0
  OpenLibrary requests and ≥ 20× faster).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import anyio
from _common import adapters, fake_server_process, percentile, table

from bookstracker import AsyncBooksClient
from bookstracker.mirror import import_dumps, open_store
from bookstracker.mirror.sqlite import SQLiteStore
from bookstracker.providers.openlibrary_mirror import OpenLibraryMirror
from bookstracker.testing import sample_catalog
from bookstracker.testing.dumps import _isbn13, write_catalog_dumps, write_synthetic_dump

POSTGRES_URL = os.environ.get(
    "BOOKSTRACKER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
AUTHORS = ("Stephen King", "Haruki Murakami", "Terry Pratchett")

_CHILD = """
import gzip, json, sys, time
if sys.argv[1] == "floor":
    started, cpu, count = time.perf_counter(), time.process_time(), 0
    with gzip.open(sys.argv[2], "rb") as handle:
        for line in handle:
            json.loads(line.split(b"\\t", 4)[4])
            count += 1
    print(json.dumps({"seconds": time.perf_counter() - started, "records": count,
                      "cpu": time.process_time() - cpu, "bytes": 0}))
    sys.exit(0)
from bookstracker.mirror import import_dump, open_store
store = open_store(sys.argv[1])
started, cpu = time.perf_counter(), time.process_time()
result = import_dump(store, sys.argv[2])
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
if hasattr(store, "checkpoint"):
    store.checkpoint()
status = store.status()
print(json.dumps({"seconds": seconds, "records": result.state.records, "cpu": cpu,
                  "bytes": status.bytes_on_disk}))
"""


def child_import(url: str, path: Path) -> dict[str, Any]:
    """Import in a child process; its own peak RSS comes from ``wait4``."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, url, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"the import into {url} failed")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["rss_mb"] = usage.ru_maxrss / 1024  # KB on Linux
    return result


def lookups(store: SQLiteStore, editions: int) -> dict[str, float]:
    rng = random.Random(1)
    isbns = [_isbn13(rng.randrange(editions)) for _ in range(2000)]
    store_ms = []
    for isbn in isbns:
        started = time.perf_counter()
        store.editions_by_isbn([isbn])
        store_ms.append((time.perf_counter() - started) * 1000)
    mirror = OpenLibraryMirror(store)
    adapter_ms: list[float] = []

    async def through_adapter() -> None:
        for isbn in isbns:
            started = time.perf_counter()
            await mirror.isbn(isbn)
            adapter_ms.append((time.perf_counter() - started) * 1000)

    anyio.run(through_adapter)
    return {
        "store_p50": percentile(store_ms, 0.5),
        "store_p95": percentile(store_ms, 0.95),
        "adapter_p50": percentile(adapter_ms, 0.5),
        "adapter_p95": percentile(adapter_ms, 0.95),
    }


def prolific(store: SQLiteStore) -> dict[str, float]:
    raw_ms, typed_ms, raw_cpu, typed_cpu = [], [], [], []
    mirror = OpenLibraryMirror(store)
    works = 0
    editions = 0
    for _ in range(5):
        started, cpu = time.perf_counter(), time.process_time()
        records = store.works_of("OL1A", 20_000)
        found = store.editions_of([r.key for r in records], 100_000)
        raw_ms.append((time.perf_counter() - started) * 1000)
        raw_cpu.append((time.process_time() - cpu) * 1000)
        works, editions = len(records), len(found)

    async def typed() -> None:
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            listing = await mirror.author_works("OL1A")
            await mirror.author_work_signals("OL1A")
            typed_ms.append((time.perf_counter() - started) * 1000)
            typed_cpu.append((time.process_time() - cpu) * 1000)
            assert listing.total == works

    anyio.run(typed)
    return {
        "works": works,
        "editions": editions,
        "raw_ms": min(raw_ms),
        "typed_ms": min(typed_ms),
        "raw_cpu": min(raw_cpu),
        "typed_cpu": min(typed_cpu),
    }


async def author_runs(mirror_store: SQLiteStore) -> list[tuple[str, float, int, float, int]]:
    rows = []
    with fake_server_process({"openlibrary": 0.3}) as urls:
        for name in AUTHORS:
            api = adapters(urls=urls)["openlibrary"]
            async with AsyncBooksClient(
                providers=("openlibrary",), openlibrary=api, cache=None, deadline=120
            ) as client:
                started = time.perf_counter()
                over_api = await client.author(name)
                api_s = time.perf_counter() - started
            api_requests = over_api.providers["openlibrary"].requests
            async with AsyncBooksClient(
                providers=("openlibrary",),
                openlibrary=OpenLibraryMirror(mirror_store),  # type: ignore[arg-type]
                cache=None,
            ) as client:
                started = time.perf_counter()
                over_mirror = await client.author(name)
                mirror_s = time.perf_counter() - started
            same = [w.to_dict() for w in over_api.works] == [w.to_dict() for w in over_mirror.works]
            assert same, f"{name}: the mirror's works differ from the API's"
            rows.append(
                (name, api_s, api_requests, mirror_s, over_mirror.providers["openlibrary"].requests)
            )
    return rows


def postgres_available() -> bool:
    try:
        store = open_store(POSTGRES_URL + "?schema=bench_probe")
    except Exception:
        return False
    store.drop()  # type: ignore[attr-defined]
    store.close()
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_mirror_"))
    try:
        run(work, args.lines, not args.no_postgres)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, lines: int, with_postgres: bool) -> None:
    dump = work / "ol_dump_2026-10-31.txt.gz"
    started = time.perf_counter()
    write_synthetic_dump(dump, lines=lines)
    print(
        f"generated {lines:,} lines ({dump.stat().st_size / 1e6:,.1f} MB gzip) in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    floor = child_import("floor", dump)
    count = floor["records"]
    floor_rate = count / floor["seconds"]
    floor_cpu = count / floor["cpu"]
    rows: list[list[Any]] = [
        ["floor: gunzip + json.loads", f"{floor_rate:,.0f}", "1.00", "1.00", "", ""]
    ]

    def row(label: str, result: dict[str, Any]) -> list[Any]:
        rate = result["records"] / result["seconds"]
        return [
            label,
            f"{rate:,.0f}",
            f"{rate / floor_rate:.2f}",
            f"{result['records'] / result['cpu'] / floor_cpu:.2f}",
            f"{result['bytes'] / result['records']:,.0f}",
            f"{result['rss_mb']:,.0f}",
        ]

    sqlite_url = f"sqlite:///{work / 'mirror.sqlite3'}"
    rows.append(row("import → SQLite (goal ≥ 0.50×)", child_import(sqlite_url, dump)))
    if with_postgres and postgres_available():
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        url = f"{POSTGRES_URL}?schema={schema}"
        try:
            pg = child_import(url, dump)
        finally:
            store = open_store(url)
            store.drop()  # type: ignore[attr-defined]
            store.close()
        rows.append(row("import → PostgreSQL (goal ≥ 0.40×)", pg))
    print(f"\n{count:,} dump lines; load average {os.getloadavg()[0]:.1f}\n")
    print(
        table(
            ["step", "records/s", "× floor", "× floor (CPU)", "bytes/record", "peak RSS MB"],
            rows,
        )
    )

    store = SQLiteStore(work / "mirror.sqlite3")
    editions = store.status().counts["edition"]
    found = lookups(store, editions)
    big = prolific(store)
    print()
    print(
        table(
            ["look-up (SQLite)", "p50 ms", "p95 ms", "goal"],
            [
                ["ISBN, store", f"{found['store_p50']:.3f}", f"{found['store_p95']:.3f}", "≤ 1"],
                [
                    "ISBN, adapter (thread hop)",
                    f"{found['adapter_p50']:.3f}",
                    f"{found['adapter_p95']:.3f}",
                    "",
                ],
            ],
        )
    )
    print()
    print(
        table(
            ["2,000-work author (SQLite)", "works", "editions", "ms (best)", "CPU ms", "goal"],
            [
                [
                    "raw works + editions records",
                    big["works"],
                    big["editions"],
                    f"{big['raw_ms']:.1f}",
                    f"{big['raw_cpu']:.1f}",
                    "≤ 100",
                ],
                [
                    "typed: author_works + work signals",
                    big["works"],
                    big["editions"],
                    f"{big['typed_ms']:.1f}",
                    f"{big['typed_cpu']:.1f}",
                    "",
                ],
            ],
        )
    )
    store.close()

    sample = work / "sample"
    mirror_store = SQLiteStore(sample / "mirror.sqlite3")
    import_dumps(mirror_store, write_catalog_dumps(sample_catalog(), sample / "dumps"))
    runs = anyio.run(author_runs, mirror_store)
    mirror_store.close()
    print()
    print(
        table(
            [
                "author() (OpenLibrary only)",
                "API s",
                "API OL requests",
                "mirror s",
                "mirror OL requests",
                "speed-up (goal ≥ 20×)",
            ],
            [[n, f"{a:.2f}", ar, f"{m:.3f}", mr, f"{a / m:,.0f}×"] for n, a, ar, m, mr in runs],
        )
    )


if __name__ == "__main__":
    main()
