"""Fault injection, HTTP side (issue 10, cases 1-4): hostile bodies, bad bytes, escapes, secrets.

Each case runs the real CLI (or a library call) in a subprocess against a hostile loopback server
and asserts: peak RSS under a stated bound, the deadline kept, no traceback, the right exit code,
nothing secret in any output, and no wrong answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hostile import (
    ISBN,
    SAFE_DOC,
    HostileServer,
    Reply,
    Request,
    Run,
    assert_clean_output,
    books_body,
    gzip_bomb,
    repeat,
    run_measured,
    search_body,
)

RSS_GROWTH_MB = 80
"""The most a hostile answer may add to the peak RSS of a benign run of the same command."""
DEADLINE = 5.0


def _search(server: HostileServer, tmp_path: Path, *extra: str) -> Run:
    return run_measured(
        ["--providers", "openlibrary", "--no-cache", *extra, "search", "safe title"],
        env=server.env(),
        tmp=str(tmp_path),
    )


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Peak RSS (MB) of the same search answered by a benign server."""

    def benign(request: Request) -> Reply:
        return Reply(200, search_body(SAFE_DOC), {"Content-Type": "application/json"})

    with HostileServer(benign) as server:
        run = _search(server, tmp_path_factory.mktemp("baseline"))
    assert run.code == 0, run.output
    assert "Safe Title" in run.stdout
    return run.peak_rss_mb


def _report(case: str, run: Run, baseline: float, call: dict[str, Any] | None = None) -> None:
    if call is None:
        timing = f"{run.inner_seconds:.2f} s in the process"
    else:
        timing = f"the call returned in {call['seconds']:.2f} s against a {DEADLINE:g} s deadline"
    print(
        f"\n[{case}] exit {run.code}, {timing}, peak RSS {run.peak_rss_mb:.0f} MB "
        f"(the same command against a benign server: {baseline:.0f} MB)"
    )


# -- case 1: size bounds and the deadline ------------------------------------------------------


def test_a_200_mb_body_is_refused_while_streaming(tmp_path: Path, baseline_rss: float) -> None:
    head = b'{"numFound": 1, "docs": [{"key": "/works/OL1W", "title": "'

    def huge(request: Request) -> Reply:
        return Reply(200, iter([head, *repeat(b"A" * 65536, 200 * 2**20)]))

    with HostileServer(huge) as server:
        run = _search(server, tmp_path)
    _report("200 MB body", run, baseline_rss)
    assert run.code == 3, run.output
    assert "body larger than" in run.stderr
    assert run.peak_rss_mb < baseline_rss + RSS_GROWTH_MB
    assert run.inner_seconds < 20
    assert_clean_output(run)


def test_a_gzip_bomb_is_refused_once_decoded(tmp_path: Path, baseline_rss: float) -> None:
    bomb = gzip_bomb(2**30)
    assert len(bomb) < 2 * 2**20

    def bombing(request: Request) -> Reply:
        return Reply(200, bomb, {"Content-Encoding": "gzip", "Content-Type": "application/json"})

    with HostileServer(bombing) as server:
        run = _search(server, tmp_path)
    _report("1 GiB gzip bomb", run, baseline_rss)
    assert run.code == 3, run.output
    assert "once decoded" in run.stderr
    assert run.peak_rss_mb < baseline_rss + RSS_GROWTH_MB
    assert_clean_output(run)


def test_a_declared_huge_length_is_refused_before_reading(
    tmp_path: Path, baseline_rss: float
) -> None:
    def liar(request: Request) -> Reply:
        return Reply(200, iter([b"{}"]), length=10 * 2**30)

    with HostileServer(liar) as server:
        run = _search(server, tmp_path)
    assert run.code == 3, run.output
    assert "Content-Length" in run.stderr
    assert_clean_output(run)


def test_a_redirect_loop_ends_quickly(tmp_path: Path, baseline_rss: float) -> None:
    def loop(request: Request) -> Reply:
        huge_body = repeat(b"R" * 65536, 50 * 2**20)  # never read: the redirect is followed
        return Reply(302, huge_body, {"Location": request.raw_path}, length=50 * 2**20)

    with HostileServer(loop) as server:
        run = _search(server, tmp_path)
        hops = server.count("/openlibrary")
    _report("redirect loop", run, baseline_rss)
    assert run.code == 3, run.output
    assert "redirects" in run.stderr
    assert hops <= 3 * 6  # three attempts of at most six requests
    assert run.peak_rss_mb < baseline_rss + RSS_GROWTH_MB
    assert_clean_output(run)


_DEADLINE_CALL = """
import asyncio, json, sys, time
from bookstracker import AsyncBooksClient, BooksTrackerError

async def main():
    started = time.monotonic()
    async with AsyncBooksClient(providers="openlibrary", cache=None, deadline={deadline}) as c:
        try:
            result = await c.search("safe title")
            titles = [hit.title for hit in result.hits]
            outcome = "ok"
        except BooksTrackerError as exc:
            titles, outcome = [], type(exc).__name__
    print(json.dumps({{"seconds": time.monotonic() - started, "titles": titles,
                      "outcome": outcome}}))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def baseline_call_rss(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Peak RSS (MB) of the library call below answered by a benign server."""
    with HostileServer(lambda request: Reply(200, search_body(SAFE_DOC))) as server:
        run, answer = _call_with_deadline(server, tmp_path_factory.mktemp("baseline-call"))
    assert answer["titles"] == ["Safe Title"]
    return run.peak_rss_mb


def _call_with_deadline(server: HostileServer, tmp_path: Path) -> tuple[Run, dict[str, Any]]:
    run = run_measured(
        code=_DEADLINE_CALL.format(deadline=DEADLINE), env=server.env(), tmp=str(tmp_path)
    )
    assert run.code == 0, run.output
    return run, json.loads(run.stdout)


def test_a_huge_title_under_the_bound_costs_no_time_after_the_bytes(
    tmp_path: Path, baseline_call_rss: float
) -> None:
    title = "Safe Title " + "x" * (12 * 2**20)

    def big(request: Request) -> Reply:
        return Reply(200, search_body(dict(SAFE_DOC, title=title)))

    with HostileServer(big) as server:
        run, answer = _call_with_deadline(server, tmp_path)
    _report("12 MB title", run, baseline_call_rss, answer)
    assert answer["outcome"] == "ok"
    assert answer["seconds"] < DEADLINE
    assert len(answer["titles"]) == 1
    assert answer["titles"][0].startswith("Safe Title xxx")
    assert len(answer["titles"][0]) <= 2000
    assert run.peak_rss_mb < baseline_call_rss + RSS_GROWTH_MB
    assert_clean_output(run)


def test_a_body_dripping_slowly_is_cut_at_the_deadline(
    tmp_path: Path, baseline_call_rss: float
) -> None:
    def drip() -> Iterator[bytes]:
        yield b'{"numFound": 1, "docs": ['
        for _ in range(600):
            time.sleep(0.05)
            yield b" "

    with HostileServer(lambda request: Reply(200, drip())) as server:
        run, answer = _call_with_deadline(server, tmp_path)
    _report("slow drip", run, baseline_call_rss, answer)
    assert run.peak_rss_mb < baseline_call_rss + RSS_GROWTH_MB
    assert answer["outcome"] in ("AllProvidersFailed", "DeadlineExceeded")
    assert answer["titles"] == []
    assert answer["seconds"] < DEADLINE + 1.0  # the last chunk's read, on a loaded machine
    assert_clean_output(run)


# -- case 2: bad bytes -----------------------------------------------------------------------


def _json_reply(body: bytes) -> Reply:
    return Reply(200, body, {"Content-Type": "application/json"})


def _surrogate_server(request: Request) -> Reply:
    if request.path.endswith("/search.json"):
        return _json_reply(search_body(dict(SAFE_DOC, title="Bad \ud800 Title")))
    return _json_reply(books_body("Bad \udfff Title", publishers=[{"name": "P\ud83d"}]))


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
@pytest.mark.parametrize("command", [["search", "safe title"], ["isbn", ISBN]])
def test_lone_surrogates_from_a_provider_are_replaced(
    tmp_path: Path, command: list[str], as_json: bool
) -> None:
    flags = ["--json"] if as_json else []
    with HostileServer(_surrogate_server) as server:
        run = run_measured(
            ["--providers", "openlibrary", "--no-cache", *flags, *command],
            env=server.env(),
            tmp=str(tmp_path),
        )
    assert run.code == 0, run.output
    assert "Bad \ufffd Title" in (
        json.dumps(json.loads(run.stdout)) if as_json else run.stdout
    ) or ("Bad \\ufffd Title" in json.dumps(json.loads(run.stdout)))
    assert_clean_output(run)


def test_lone_surrogates_through_the_library(tmp_path: Path) -> None:
    code = f"""
import asyncio
from bookstracker import AsyncBooksClient
async def main():
    async with AsyncBooksClient(providers="openlibrary", cache=None) as client:
        hits = (await client.search("safe title")).hits
        found = (await client.isbns(["{ISBN}"])).results
        print(ascii([h.title for h in hits]), ascii([e.title for e in found.values()]))
        print([h.title for h in hits][0].encode("utf-8").decode())
asyncio.run(main())
"""
    with HostileServer(_surrogate_server) as server:
        run = run_measured(code=code, env=server.env(), tmp=str(tmp_path))
    assert run.code == 0, run.output
    assert "['Bad \\ufffd Title'] ['Bad \\ufffd Title']" in run.stdout
    assert_clean_output(run)


@pytest.mark.parametrize(
    "command",
    [["search", b"the \xff martian"], ["author", b"Andy \xc3 Weir"], ["isbn", b"978\xff"]],
    ids=["search", "author", "isbn"],
)
def test_a_non_utf8_argument_exits_2_and_sends_nothing(tmp_path: Path, command: list[Any]) -> None:
    import os
    import subprocess
    import sys

    with HostileServer(_surrogate_server) as server:
        argv = [os.fsencode(sys.executable), b"-m", b"bookstracker", b"--no-cache"]
        argv += [part if isinstance(part, bytes) else part.encode() for part in command]
        env = {**os.environ, **server.env(), "PYTHONPATH": "src"}
        done = subprocess.run(argv, env=env, capture_output=True, timeout=60, check=False)
        sent = len(server.requests)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, stderr
    assert "not valid UTF-8" in stderr
    assert "Traceback" not in stderr
    assert sent == 0


# -- case 3: terminal escape injection --------------------------------------------------------

ESCAPES = (
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b]0;pwned\x07",  # window title (OSC ... BEL)
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # hyperlink (OSC 8 ... ST)
    "\x9b31m",  # C1 CSI
    "\x9d0;title\x9c",  # C1 OSC ... C1 ST
    "\x1bP1$r\x1b\\",  # DCS
    "[bold red]markup[/]",
    ":fire:",
)


def _escape_server(request: Request) -> Reply:
    title = "Evil " + "".join(ESCAPES) + " Title"
    if request.path.endswith("/search.json"):
        doc = dict(SAFE_DOC, title=title, author_name=["Mal \x1b[5mlory"])
        return _json_reply(search_body(doc))
    return _json_reply(books_body(title))


@pytest.mark.parametrize("command", [["search", "safe title"], ["isbn", ISBN]])
def test_escape_sequences_from_a_provider_never_reach_the_terminal(
    tmp_path: Path, command: list[str]
) -> None:
    with HostileServer(_escape_server) as server:
        run = run_measured(
            ["--providers", "openlibrary", "--no-cache", *command],
            env=server.env(),
            tmp=str(tmp_path),
        )
    assert run.code == 0, run.output
    assert_clean_output(run)
    assert "Evil" in run.stdout
    assert "Title" in run.stdout
    assert "pwned" not in run.stdout
    assert "evil.example" not in run.stdout
    assert "[bold red]markup[/]" in run.stdout  # shown as text, not applied
    assert ":fire:" in run.stdout  # an emoji code too


def test_terminal_safe_strips_every_kind_of_sequence() -> None:
    from bookstracker._text import clean_text, terminal_safe

    for sequence in ESCAPES[:-2]:
        for cleaner in (terminal_safe, clean_text):
            text = cleaner(f"a{sequence}b")
            assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
    assert terminal_safe("x\u202ey") == "xy"


# -- case 4: the API key never shown, whatever the answer -------------------------------------

KEY = "sk+SECRET/4711=abc"
"""Holds characters that are percent-encoded in a URL, to catch the encoded form too."""
ENCODED_KEY = "sk%2BSECRET%2F4711%3Dabc"


def _isbndb_ok(title: str) -> bytes:
    book = {"title": title, "isbn13": ISBN, "authors": ["A. Author"]}
    return json.dumps({"book": book, "data": [book], "total": 1}).encode()  # GET and POST forms


def _google_ok(title: str) -> bytes:
    volume = {
        "id": "vol1",
        "volumeInfo": {
            "title": title,
            "authors": ["A. Author"],
            "industryIdentifiers": [{"type": "ISBN_13", "identifier": ISBN}],
        },
    }
    return json.dumps({"kind": "books#volumes", "totalItems": 1, "items": [volume]}).encode()


def _answers(provider: str) -> dict[str, Reply]:
    """Every kind of answer, each echoing the key somewhere a naive client would show it."""
    ok = _isbndb_ok if provider == "isbndb" else _google_ok
    text = f"internal error for key {KEY}".encode()
    nested = '{"error": ' * 5000 + json.dumps({"message": f"deep {KEY}"}) + "}" * 5000
    return {
        "200-title": _json_reply(ok(f"Title {KEY}")),
        "200-not-json": Reply(200, b"oops " + KEY.encode(), {"Content-Type": "text/plain"}),
        "200-html": Reply(
            200, b"<html>" + KEY.encode() + b"</html>", {"Content-Type": "text/html"}
        ),
        "301-location": Reply(301, b"", {"Location": f"/elsewhere?key={ENCODED_KEY}&x={KEY}"}),
        "400-json": _json_reply(json.dumps({"message": f"bad key {KEY}"}).encode()),
        "401": Reply(401, json.dumps({"message": f"key {KEY} unknown"}).encode()),
        "403": Reply(403, json.dumps({"error": {"message": f"denied {KEY}"}}).encode()),
        "404": Reply(404, json.dumps({"errorMessage": f"no book for {KEY}"}).encode()),
        "429": Reply(
            429, json.dumps({"message": f"slow down {KEY}"}).encode(), {"Retry-After": "0"}
        ),
        "500-json": Reply(500, json.dumps({"error": f"internal error for key {KEY}"}).encode()),
        "500-text": Reply(500, text),
        "502-html": Reply(502, b"<html><body>" + text + b"</body></html>"),
        "503-nested": Reply(503, nested.encode()),
        "418": Reply(418, json.dumps({"error_message": KEY}).encode()),
    }


@pytest.mark.parametrize("kind", list(_answers("isbndb")))
def test_the_key_never_appears_whatever_the_answer(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    """ISBNdb (key in a header) and Google Books (key in the URL) both give this answer."""
    import logging

    import stamina

    from bookstracker.cli import main

    def answer(request: Request) -> Reply:
        if request.path.startswith("/elsewhere"):
            return Reply(404, b"{}")
        return _answers("isbndb" if request.path.startswith("/isbndb") else "googlebooks")[kind]

    cache_dir = tmp_path / "cache"
    with HostileServer(answer) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("BOOKSTRACKER_ISBNDB_API_KEY", KEY)
        monkeypatch.setenv("BOOKSTRACKER_GOOGLEBOOKS_API_KEY", KEY)
        monkeypatch.setenv("BOOKSTRACKER_ISBNDB_RATE", "200")
        monkeypatch.setenv("BOOKSTRACKER_GOOGLEBOOKS_RATE", "200")
        outputs = []
        for flags in (["-vv", "--stats"], ["--json", "--stats"]):
            caplog.clear()
            with (
                caplog.at_level(logging.DEBUG, logger="bookstracker"),
                caplog.at_level(logging.DEBUG, logger="httpx"),
                caplog.at_level(logging.DEBUG, logger="httpcore"),
                stamina.set_testing(True, attempts=3),
                pytest.raises(SystemExit) as exited,
            ):
                main(
                    [
                        "--providers",
                        "isbndb,googlebooks",
                        "--cache-dir",
                        str(cache_dir),
                        *flags,
                        "isbn",
                        ISBN,
                    ]
                )
            out, err = capsys.readouterr()
            outputs.append((exited.value.code, out + err + caplog.text))
    for code, text in outputs:
        assert code in (0, 1, 3), text
        assert "Traceback" not in text
        assert KEY not in text, text[-2000:]
        assert ENCODED_KEY not in text
    for path in cache_dir.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    if kind == "200-title":
        assert outputs[0][0] == 0
        assert "Title [secure]" in outputs[1][1]
