"""The benchmark scripts run whatever BOOKSTRACKER_* settings the shell has."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(
    script: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The benchmark ``script`` run to its end with ``args``; fails the test if it fails."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_the_client_cache_hit_benchmark_ignores_the_environment_settings() -> None:
    env = {
        **os.environ,
        "BOOKSTRACKER_OPENLIBRARY_URL": "ftp://nowhere.invalid",
        "BOOKSTRACKER_ISBNDB_URL": "http://127.0.0.1:9",
        "BOOKSTRACKER_REDIS_URL": "http://not-a-redis-url",
        "BOOKSTRACKER_TEST_REDIS_URL": "",
    }
    done = _run("bench_client_cache_hits.py", "--n", "20", env=env)
    assert "memory+disk" in done.stdout
    assert "ignoring BOOKSTRACKER_ISBNDB_URL" in done.stderr


def test_the_warming_benchmark_runs_in_a_tiny_mode() -> None:
    done = _run("bench_warming.py", "--rows", "12", "--authors", "2", "--rate", "50")
    assert "12 rows, 2 authors in the export: 2 warmed, 0 failed" in done.stdout
    assert "floor N/R s" in done.stdout


def test_the_cold_author_benchmark_traces_each_default_limits_call() -> None:
    done = _run("bench_cold_authors.py", "--skip-off", "--skip-many", "--works", "50", "--trace")
    for label in ("Andy Weir", "Stephen King", "50-work author"):
        assert f"trace: {label}, default limits" in done.stdout
    assert done.stdout.count("OpenLibrary requests left after it") == 3
    assert "chain s" in done.stdout
    assert "author search  /search/authors.json q=Andy Weir" in done.stdout
