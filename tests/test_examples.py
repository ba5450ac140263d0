"""The examples in examples/ run as written (offline, on the bundled sample catalog)."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSTRACKER_")}
    env.update(BOOKSTRACKER_OFFLINE="1", BOOKSTRACKER_CACHE_DIR=str(tmp_path / "cache"))
    return env


def run_example(name: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_the_script_prints_a_bibliography(offline_env: dict[str, str]) -> None:
    out = run_example("script_author.py", offline_env, "Andy Weir")
    assert "Andy Weir: 7 core works" in out
    assert "excluded (translation): Der Marsianer" in out


def test_the_async_example_searches_and_looks_up_isbns(offline_env: dict[str, str]) -> None:
    out = run_example("async_search.py", offline_env)
    assert "Good Omens" in out
    assert "0553418025 -> The Martian" in out
    assert "invalid: ('not-an-isbn',)" in out


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.timeout(300)  # a kernel start is slow on a loaded machine
def test_the_notebook_runs_and_shows_its_results_as_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("BOOKSTRACKER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    html = {
        i: o["data"]["text/html"]
        for i, c in enumerate(code)
        for o in c.outputs
        if o.output_type == "execute_result" and "text/html" in o.get("data", {})
    }
    bibliography = html[0]
    assert "Core works (7" in bibliography
    assert "Project Hail Mary" in bibliography
    assert "translation" in bibliography
    assert "<table" in html[2]  # the data frame
    assert "born 1974" in next(h for h in html.values() if "David Mitchell" in h)
    printed = "".join(o.get("text", "") for o in code[1].outputs)
    assert printed.startswith("<Bibliography 'Andy Weir'")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def web_server(offline_env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "web_server.py"), str(port)],
        env=offline_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stderr is not None
        server.stderr.close()


def test_the_web_server_example_answers_every_route(web_server: str) -> None:
    import httpx

    with httpx.Client(base_url=web_server, timeout=30) as http:
        assert http.get("/").text.startswith("my own app")
        books = "/books"
        author = http.get(f"{books}/authors/Andy Weir")
        assert author.status_code == 200
        assert len(author.json()["works"]) == 7
        etag = author.headers["etag"]
        assert (
            http.get(f"{books}/authors/Andy Weir", headers={"If-None-Match": etag}).status_code
            == 304
        )
        assert http.get(f"{books}/authors/OL7234434A/completeness").json()["complete"] is True
        assert http.get(f"{books}/search", params={"q": "The Martian"}).status_code == 200
        assert http.get(f"{books}/search", params={"q": "ab"}).status_code == 400
        isbn = http.get(f"{books}/isbn/0553418025").json()
        assert isbn["results"]["0553418025"]["title"] == "The Martian"
        batch = http.post(f"{books}/isbn", json={"isbns": ["0553418025", "x"]}).json()
        assert batch["invalid"] == ["x"]

        job = http.post(f"{books}/warm", json={"names": ["Andy Weir"]}).json()
        export = b"Title,Author\nGood Omens,Terry Pratchett\n"
        upload = http.post(f"{books}/warm/csv", files={"file": ("books.csv", export)})
        assert upload.status_code == 202
        for started in (job, upload.json()):
            for _ in range(300):
                state = http.get(f"{books}/warm/{started['id']}").json()["state"]
                if state == "done":
                    break
                time.sleep(0.1)
            assert state == "done"
            report = http.get(f"{books}/warm/{started['id']}/results").json()
            assert report["warmed"] + report["skipped"] == 1
        assert len(http.get(f"{books}/warm").json()["jobs"]) == 2
        assert http.delete(f"{books}/warm/{job['id']}").json()["state"] == "cancelled"

        with http.stream("GET", f"{books}/events") as events:
            assert any(line == "event: stats" for line in itertools.islice(events.iter_lines(), 4))
        assert "memory" in http.get(f"{books}/stats").json()["cache"]
        assert "bookstracker_requests_total" in http.get(f"{books}/metrics").text
        assert http.get(f"{books}/healthz").json() == {"status": "ok"}
        assert http.get(f"{books}/readyz").json()["ready"] is True
        assert "/warm/csv" in http.get(f"{books}/openapi.json").json()["paths"]
        assert http.get(f"{books}/docs").status_code == 200
        assert '<base href="/books/">' in http.get(f"{books}/").text
        assert http.get(f"{books}/static/dashboard.js").status_code == 200
        assert http.delete(f"{books}/cache").json() == {"cleared": True}
