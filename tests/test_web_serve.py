"""A real ``bookstracker serve`` process on loopback, over the fake providers' loopback server."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from web_support import TOKEN, live_server


def _raw_status(base: str, target: str) -> int:
    """The status of a request sent as written (no client normalises the path)."""
    where = urlsplit(base)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        head = sock.recv(100).decode("latin-1")
    return int(head.split()[1])


def test_serve_answers_streams_events_and_runs_jobs(tmp_path: Path) -> None:
    with live_server(tmp_path, token=TOKEN) as (base, log):
        with httpx.Client(base_url=base, timeout=30) as http:
            bib = http.get("/authors/Andy Weir")
            assert bib.status_code == 200
            reports = bib.json()["providers"]
            assert reports["openlibrary"]["status"] == "ok"
            assert reports["openlibrary"]["requests"] > 0
            assert http.get("/isbn/0553418025").status_code == 200
            assert http.get("/authors/Zzyzx Qqqvbnm").status_code == 404

            with http.stream("GET", "/events") as events:
                assert events.headers["content-type"].startswith("text/event-stream")
                lines = events.iter_lines()
                seen = [next(lines) for _ in range(4)]
            assert "event: stats" in seen
            data = next(line for line in seen if line.startswith("data: "))
            assert '"openlibrary"' in data

            auth = {"Authorization": f"Bearer {TOKEN}"}
            job = http.post("/warm", json={"names": ["Terry Pratchett"]}, headers=auth).json()
            give_up = time.monotonic() + 60
            while http.get(f"/warm/{job['id']}").json()["state"] != "done":
                assert time.monotonic() < give_up
                time.sleep(0.1)
            assert http.get(f"/warm/{job['id']}/results").json()["warmed"] == 1
            assert "bookstracker_web_responses_total" in http.get("/metrics").text
        assert _raw_status(base, "/authors/../../etc/passwd") == 400
        assert _raw_status(base, "/authors/a%00b") == 400
    output = log.read_text()
    assert "Uvicorn running on http://127.0.0.1" in output
    assert TOKEN not in output
    assert str(tmp_path / "cache") not in output


@pytest.mark.redis
def test_two_workers_share_redis(tmp_path: Path, redis_url: str) -> None:
    with (
        live_server(
            tmp_path, workers=2, BOOKSTRACKER_REDIS_URL=redis_url, BOOKSTRACKER_WEB_RATE="1000"
        ) as (base, _),
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        first = http.get("/authors/Andy Weir").json()["providers"]
        statuses = set()
        for _ in range(6):
            with httpx.Client(base_url=base, timeout=30) as fresh:  # new connection each
                answer = fresh.get("/authors/Andy Weir")
                statuses.add(answer.json()["providers"]["openlibrary"]["status"])
    assert first["openlibrary"]["status"] in ("ok", "cached")
    assert statuses == {"cached"}


def test_serve_is_a_command_with_host_port_and_workers() -> None:
    from click.testing import CliRunner

    from bookstracker.cli import cli

    shown = CliRunner().invoke(cli, ["serve", "--help"])
    assert shown.exit_code == 0
    for option in ("--host", "--port", "--workers", "127.0.0.1", "8000"):
        assert option in shown.output
    refused = CliRunner().invoke(cli, ["serve", "--workers", "0"])
    assert refused.exit_code == 2


def test_serve_passes_the_global_options_on_to_its_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn
    from click.testing import CliRunner

    from bookstracker.cli import cli

    for name in ("OFFLINE", "CACHE_DIR", "WEB_PROVIDERS", "WEB_NO_CACHE"):
        monkeypatch.setenv(f"BOOKSTRACKER_{name}", "")  # so that the test's own writes are undone
        monkeypatch.delenv(f"BOOKSTRACKER_{name}")
    seen: dict[str, str | None] = {}

    def run(*args: object, **kwargs: object) -> None:
        import os

        for name in ("OFFLINE", "CACHE_DIR", "WEB_PROVIDERS", "WEB_NO_CACHE"):
            seen[name] = os.environ.get(f"BOOKSTRACKER_{name}")

    monkeypatch.setattr(uvicorn, "run", run)
    args = ["--offline", "--no-cache", "--providers", "openlibrary", "--cache-dir", str(tmp_path)]
    done = CliRunner().invoke(cli, [*args, "serve", "--port", "0"])
    assert done.exit_code == 0, done.output
    assert seen == {
        "OFFLINE": "1",
        "CACHE_DIR": str(tmp_path),
        "WEB_PROVIDERS": "openlibrary",
        "WEB_NO_CACHE": "1",
    }
