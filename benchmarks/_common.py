"""Helpers shared by the benchmark scripts: import path, percentiles, tables, adapters on fakes."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import socketserver
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

if importlib.util.find_spec("bookstracker") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bookstracker import GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.resilience import RetryPolicy

FAST_RATE = 10_000.0
BENCH_KEY = "bench-key"
KEPT_VARIABLES = frozenset({"BOOKSTRACKER_TEST_REDIS_URL"})


def isolate_from_environment() -> list[str]:
    """Drop the BOOKSTRACKER_* settings (provider URLs, Redis, keys, rates, cache folder) from
    this process's environment, so that a benchmark measures what it builds and not a shell's
    configuration; BOOKSTRACKER_TEST_REDIS_URL stays (it names the benchmarks' Redis). Returns
    the names dropped, and says so on stderr."""
    dropped = sorted(
        name
        for name in os.environ
        if name.startswith("BOOKSTRACKER_") and name not in KEPT_VARIABLES
    )
    for name in dropped:
        del os.environ[name]
    if dropped:
        print(f"(ignoring {', '.join(dropped)} from the environment)", file=sys.stderr)
    return dropped


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0..1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in range(len(row))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def adapters(
    *,
    urls: dict[str, str] | None = None,
    transports: dict[str, Any] | None = None,
    isbndb_plan: Any = "basic",
) -> dict[str, Any]:
    """The three adapters, pointed at fakes (loopback ``urls`` or in-process ``transports``),
    with a rate limit high enough never to pace a benchmark and no retries."""
    urls = urls or {}
    transports = transports or {}
    common: dict[str, Any] = {"rate": FAST_RATE, "retry": RetryPolicy(attempts=1)}
    return {
        "openlibrary": OpenLibrary(
            base_url=urls.get("openlibrary", "https://openlibrary.org"),
            transport=transports.get("openlibrary"),
            **common,
        ),
        "googlebooks": GoogleBooks(
            base_url=urls.get("googlebooks", "https://www.googleapis.com/books/v1"),
            transport=transports.get("googlebooks"),
            **common,
        ),
        "isbndb": ISBNdb(
            plan=isbndb_plan,
            api_key=BENCH_KEY,
            base_url=urls.get("isbndb", "https://api2.isbndb.com"),
            transport=transports.get("isbndb"),
            **common,
        ),
    }


@contextlib.contextmanager
def fake_server_process(
    latencies: Mapping[str, float], *, nodelay: bool = True, synthetic_works: int = 0
) -> Iterator[dict[str, str]]:
    """The three fakes (sample catalog) behind a loopback server in a child process, so that
    their CPU work does not share the benchmark's interpreter; yields the base URL per provider.
    ``synthetic_works``: serve ``Catalog.synthetic`` (that many works, 10 editions each) instead.
    """
    config = json.dumps(
        {"latencies": dict(latencies), "nodelay": nodelay, "synthetic_works": synthetic_works}
    )
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", config],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("the fake server process did not start")
        yield json.loads(line)
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _serve(config: Mapping[str, Any]) -> None:
    from bookstracker.testing import (
        Catalog,
        FakeGoogleBooks,
        FakeISBNdb,
        FakeOpenLibrary,
        FakeServer,
    )

    socketserver.StreamRequestHandler.disable_nagle_algorithm = bool(config["nodelay"])
    latencies = config["latencies"]
    works = int(config.get("synthetic_works") or 0)
    catalog = Catalog.synthetic(works=works, editions_per_work=10) if works else None
    fakes = (
        FakeOpenLibrary(catalog, latency=latencies.get("openlibrary", 0.0)),
        FakeGoogleBooks(catalog, latency=latencies.get("googlebooks", 0.0)),
        FakeISBNdb(catalog, api_key=BENCH_KEY, latency=latencies.get("isbndb", 0.0)),
    )
    with FakeServer(*fakes) as server:
        print(json.dumps(server.urls), flush=True)
        sys.stdin.read()
        time.sleep(0.05)


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve(json.loads(sys.argv[2]))
