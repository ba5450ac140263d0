"""The web app over httpx.ASGITransport: routes, status codes, HTTP semantics."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from bookstracker import AsyncBooksClient
from bookstracker.testing import Faults
from support import Fakes
from web_support import TOKEN, cached_client, serving

pytestmark = pytest.mark.anyio


async def test_search_isbn_author_and_completeness_answer_with_reports(
    fakes: Fakes, tmp_path: Path
) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        found = await http.get("/search", params={"q": "The Martian", "limit": 5})
        assert found.status_code == 200
        document = found.json()
        assert document["query"] == "The Martian"
        assert document["results"]
        assert set(document["providers"]) == {"openlibrary", "googlebooks", "isbndb"}

        one = await http.get("/isbn/978-0-553-41802-6")
        assert one.status_code == 200
        assert one.json()["results"]["978-0-553-41802-6"]["title"] == "The Martian"

        batch = await http.post("/isbn", json={"isbns": ["0553418025", "nope"]})
        assert batch.status_code == 200
        assert batch.json()["invalid"] == ["nope"]

        bib = await http.get("/authors/Andy Weir")
        assert bib.status_code == 200
        assert len(bib.json()["works"]) == 7
        by_key = await http.get("/authors/OL7234434A")
        assert by_key.status_code == 200

        score = await http.get("/authors/Andy Weir/completeness")
        assert score.status_code == 200
        assert {"author", "score", "complete", "expected", "found", "evidence", "providers"} <= set(
            score.json()
        )


async def test_status_codes_follow_the_exit_codes(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        nobody = await http.get("/authors/Zzyzx Qqqvbnm")
        assert nobody.status_code == 404
        assert "providers" in nobody.json()
        assert (await http.get("/isbn/1234567890")).status_code == 400
        assert (await http.get("/search", params={"q": "a"})).status_code == 400
        assert (await http.get("/search")).status_code == 400
        assert (await http.get("/search", params={"q": "martian", "limit": "0"})).status_code == 400
        assert (await http.post("/isbn", json={"isbns": "0553418025"})).status_code == 422
        assert (await http.post("/isbn", content=b"{not json")).status_code == 422
        assert (await http.post("/isbn", json={"isbns": ["x"] * 1001})).status_code == 422
        assert (await http.post("/isbn", json={"isbns": ["bad", "worse"]})).status_code == 400
        missing = await http.post("/isbn", json={"isbns": ["9780000000002"]})
        assert missing.status_code == 404
    sent = sum(len(fakes[name].log) for name in ("openlibrary", "googlebooks", "isbndb"))
    assert sent > 0


async def test_invalid_input_sends_nothing_upstream(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        fakes.reset_logs()
        for path in ("/isbn/12345", "/search?q=a", "/authors/%20"):
            assert (await http.get(path)).status_code == 400
    assert not any(fakes[n].log for n in ("openlibrary", "googlebooks", "isbndb"))


async def test_no_provider_answering_is_503_with_retry_after(
    fakes: Fakes, tmp_path: Path, no_retry_sleeps: None
) -> None:
    for name in ("openlibrary", "googlebooks", "isbndb"):
        fakes[name].set_faults(Faults(rate=1.0, kinds=("503",)))
    async with serving(cached_client(fakes), tmp_path) as http:
        answer = await http.get("/authors/Andy Weir")
        assert answer.status_code == 503
        assert int(answer.headers["retry-after"]) >= 1
        assert answer.json()["providers"]["openlibrary"]["status"] == "error"
        assert (await http.get("/search", params={"q": "martian"})).status_code == 503


@pytest.mark.parametrize(
    "path",
    [
        "/authors/..%2F..%2Fetc%2Fpasswd",
        "/authors/a%00b",
        "/authors/" + "x" * 10_000,
        "/warm/%2E%2E/results",
        "/authors/%2e%2e/completeness",
        "/static/..%5c..%5cpyproject.toml",
    ],
)
async def test_hostile_path_segments_are_400(fakes: Fakes, tmp_path: Path, path: str) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        answer = await http.get(path)
    assert answer.status_code == 400
    assert "error" in answer.json()


async def test_etag_304_cache_control_and_gzip(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        first = await http.get("/authors/Andy Weir")
        etag = first.headers["etag"]
        assert first.headers["cache-control"].startswith("public, max-age=")
        again = await http.get("/authors/Andy Weir", headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        other = await http.get("/authors/Andy Weir", headers={"If-None-Match": 'W/"other"'})
        assert other.status_code == 200
        assert other.json()["providers"]["openlibrary"]["status"] == "cached"
        assert other.headers["etag"] == etag
        squeezed = await http.get(
            "/authors/Andy Weir", headers={"Accept-Encoding": "gzip"}, extensions={}
        )
        assert squeezed.headers["content-encoding"] == "gzip"
        assert squeezed.json()["works"] == first.json()["works"]
        raw = await http.send(
            http.build_request("GET", "/authors/Andy Weir", headers={"Accept-Encoding": "gzip"}),
            stream=True,
        )
        body = b"".join([chunk async for chunk in raw.aiter_raw()])
        assert gzip.decompress(body).startswith(b"{")


async def test_write_routes_answer_only_on_loopback_without_a_token(
    fakes: Fakes, tmp_path: Path
) -> None:
    async with serving(cached_client(fakes), tmp_path, peer=("203.0.113.9", 5000)) as http:
        refused = await http.post("/warm", json={"names": ["Andy Weir"]})
        assert refused.status_code == 403
        assert (await http.delete("/cache")).status_code == 403
        assert (await http.get("/authors/Andy Weir")).status_code == 200


async def test_write_routes_need_the_bearer_token(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path, admin_token=TOKEN) as http:
        assert (await http.post("/warm", json={"names": ["Andy Weir"]})).status_code == 401
        wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "x"}
        refused = await http.post("/warm", json={"names": ["Andy Weir"]}, headers=wrong)
        assert refused.status_code == 401
        right = {"Authorization": f"Bearer {TOKEN}"}
        started = await http.post("/warm", json={"names": ["Andy Weir"]}, headers=right)
        assert started.status_code == 202
        cleared = await http.delete("/cache", headers=right)
        assert cleared.json() == {"cleared": True}
        for path in ("/stats", "/metrics", "/openapi.json", "/", f"/warm/{started.json()['id']}"):
            assert TOKEN not in (await http.get(path)).text
        assert str(tmp_path) not in (await http.get("/stats")).text


async def test_cors_is_off_by_default_and_takes_origins(fakes: Fakes, tmp_path: Path) -> None:
    origin = {"Origin": "https://books.example"}
    async with serving(cached_client(fakes), tmp_path) as http:
        answer = await http.get("/healthz", headers=origin)
        assert "access-control-allow-origin" not in answer.headers
    async with serving(
        cached_client(fakes), tmp_path, cors_origins=("https://books.example",)
    ) as http:
        answer = await http.get("/healthz", headers=origin)
        assert answer.headers["access-control-allow-origin"] == "https://books.example"
        other = await http.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_a_client_over_its_rate_gets_429_with_retry_after(
    fakes: Fakes, tmp_path: Path
) -> None:
    async with serving(cached_client(fakes), tmp_path, rate=1, burst=2) as http:
        codes = [(await http.get("/openapi.json")).status_code for _ in range(4)]
        assert codes[:2] == [200, 200]
        assert 429 in codes
        refused = await http.get("/openapi.json")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert (await http.get("/healthz")).status_code == 200


async def test_bodies_over_the_limit_are_413(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path, max_body_bytes=1000) as http:
        answer = await http.post("/isbn", json={"isbns": ["0553418025"] * 200})
        assert answer.status_code == 413

        async def chunks():  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"x" * 500

        streamed = await http.post("/isbn", content=chunks())
        assert streamed.status_code == 413


async def test_figures_health_and_documents(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        await http.get("/authors/Andy Weir")
        stats = (await http.get("/stats")).json()
        assert stats["providers"]["openlibrary"]["requests"] > 0
        assert "memory" in stats["cache"]
        assert stats["web"]["requests"] >= 1
        metrics = await http.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert "bookstracker_web_responses_total" in metrics.text
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["ready"] is True
        spec = (await http.get("/openapi.json")).json()
        assert "/authors/{name_or_key}" in spec["paths"]
        page = await http.get("/")
        assert page.headers["content-type"].startswith("text/html")
        assert '<base href="/">' in page.text
        assert "uPlot" in (await http.get("/static/vendor/uPlot.iife.min.js")).text
        assert (await http.get("/docs")).status_code == 200
        assert (await http.get("/static/nope.js")).status_code == 404
        assert (await http.get("/no/such/route")).status_code == 404
        assert (await http.put("/search")).status_code == 405


async def test_it_mounts_in_a_host_app_with_the_lifespan(fakes: Fakes, tmp_path: Path) -> None:
    import contextlib

    import httpx

    from bookstracker.web import WebSettings, create_app

    books = create_app(
        cached_client(fakes), settings=WebSettings(rate=0, jobs_dir=tmp_path / "jobs")
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        async with books.router.lifespan_context(books):
            yield

    host = Starlette(routes=[Mount("/books", app=books)], lifespan=lifespan)
    async with host.router.lifespan_context(host):
        transport = httpx.ASGITransport(app=host)
        async with httpx.AsyncClient(transport=transport, base_url="http://h.test") as http:
            assert (await http.get("/books/authors/Andy Weir")).status_code == 200
            page = await http.get("/books/")
            assert '<base href="/books/">' in page.text


async def test_a_mount_without_its_lifespan_says_so(fakes: Fakes, tmp_path: Path) -> None:
    import httpx

    from bookstracker.web import WebSettings, create_app

    books = create_app(cached_client(fakes), settings=WebSettings(rate=0))
    transport = httpx.ASGITransport(app=books)
    async with httpx.AsyncClient(transport=transport, base_url="http://h.test") as http:
        answer = await http.get("/authors/Andy Weir")
    assert answer.status_code == 503
    assert "lifespan" in answer.json()["error"]


async def test_an_unsafe_folder_is_refused_without_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import os

    from bookstracker.errors import ConfigurationError
    from bookstracker.web import WebSettings, create_app

    unsafe = tmp_path / "open-to-all"
    unsafe.mkdir()
    os.chmod(unsafe, 0o777)
    for settings, options in (
        (WebSettings(rate=0, jobs_dir=tmp_path / "jobs"), {"cache_dir": unsafe, "offline": True}),
        (WebSettings(rate=0, jobs_dir=unsafe), {"cache": None, "offline": True}),
    ):
        app = create_app(settings=settings, **options)
        with pytest.raises(ConfigurationError) as refused:
            async with app.router.lifespan_context(app):
                pass
        assert str(unsafe) not in str(refused.value)
        assert refused.value.__cause__ is None
    assert str(unsafe) not in caplog.text


async def test_head_and_cors_preflight(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(
        cached_client(fakes), tmp_path, cors_origins=("https://books.example",)
    ) as http:
        head = await http.head("/healthz")
        assert head.status_code == 200
        assert head.content == b""
        preflight = await http.options(
            "/warm",
            headers={
                "Origin": "https://books.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization",
            },
        )
        assert preflight.status_code == 200
        assert "POST" in preflight.headers["access-control-allow-methods"]


@pytest.mark.redis
async def test_workers_share_the_per_client_limit_through_redis(
    fakes: Fakes, tmp_path: Path, redis_url: str
) -> None:
    import uuid

    from bookstracker import MemoryCache

    peer = (f"127.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}", 4000)

    def client() -> AsyncBooksClient:
        made: AsyncBooksClient = fakes.client(cache=MemoryCache(), redis_url=redis_url)
        return made

    async with (
        serving(client(), tmp_path / "a", peer=peer, rate=0.2, burst=2) as one,
        serving(client(), tmp_path / "b", peer=peer, rate=0.2, burst=2) as two,
    ):
        codes = [(await http.get("/openapi.json")).status_code for http in (one, one, two, two)]
    # Each worker alone would let both of its requests through; together they hold one limit.
    assert codes[:2] == [200, 200]
    assert 429 in codes[2:]
