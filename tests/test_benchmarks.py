"""The benchmark scripts run whatever BOOKSTRACKER_* settings the shell has."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_client_cache_hit_benchmark_ignores_the_environment_settings() -> None:
    env = {
        **os.environ,
        "BOOKSTRACKER_OPENLIBRARY_URL": "ftp://nowhere.invalid",
        "BOOKSTRACKER_ISBNDB_URL": "http://127.0.0.1:9",
        "BOOKSTRACKER_REDIS_URL": "http://not-a-redis-url",
        "BOOKSTRACKER_TEST_REDIS_URL": "",
    }
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_client_cache_hits.py"), "--n", "20"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "memory+disk" in done.stdout
    assert "ignoring BOOKSTRACKER_ISBNDB_URL" in done.stderr
