"""Property tests of every operation in /openapi.json: no input gives a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.from_thread
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import Fakes
from web_support import TOKEN, cached_client, serving

SKIPPED = {("/events", "get")}  # an endless stream; tested against a real server


@pytest.fixture(scope="module")
def portal_http(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    fakes = Fakes()
    folder: Path = tmp_path_factory.mktemp("web-properties")
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(
            serving(cached_client(fakes), folder, admin_token=TOKEN, max_jobs=2)
        ) as http,
    ):
        spec = portal.call(http.get, "/openapi.json").json()
        yield portal, http, spec


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)
texts = st.text(max_size=80) | st.sampled_from(
    ["Andy Weir", "OL7234434A", "0553418025", "978-0-553-41802-6", "..", "a\x00b", "%2e%2e", " "]
)


def _path_value(draw: Any) -> str:
    return quote(draw(texts), safe="") or "x"


@st.composite
def requests(draw: Any, spec: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    operations = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if (path, method) not in SKIPPED
    ]
    path, method, op = draw(st.sampled_from(operations))
    url = path
    params: dict[str, str] = {}
    for parameter in op.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", _path_value(draw))
        elif draw(st.booleans()) or parameter.get("required"):
            kind = parameter["schema"].get("type")
            value = (
                draw(st.integers(-5, 200).map(str) | texts) if kind == "integer" else draw(texts)
            )
            params[parameter["name"]] = value
    options: dict[str, Any] = {"params": params, "headers": {}}
    if draw(st.booleans()):
        options["headers"]["Authorization"] = f"Bearer {TOKEN}"
    body = op.get("requestBody")
    if body is not None:
        if "multipart/form-data" in body["content"]:
            content = draw(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
            options["files"] = {draw(st.sampled_from(["file", "other"])): ("x.csv", content)}
        else:
            shaped = st.fixed_dictionaries(
                {},
                optional={
                    "isbns": st.lists(texts, max_size=4),
                    "names": st.lists(texts, max_size=3),
                    "popular": st.booleans(),
                },
            )
            options["content"] = json.dumps(draw(shaped | json_values)).encode()
            options["headers"]["Content-Type"] = "application/json"
    return method.upper(), url, options


def test_every_operation_is_described(portal_http: tuple[Any, Any, dict[str, Any]]) -> None:
    _, _, spec = portal_http
    described = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    assert ("/authors/{name_or_key}", "get") in described
    assert ("/warm/csv", "post") in described
    assert len(described) == 17


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_input_gives_a_500(portal_http: tuple[Any, Any, dict[str, Any]], data: Any) -> None:
    portal, http, spec = portal_http
    method, url, options = data.draw(requests(spec))
    answer: httpx.Response = portal.call(lambda: http.request(method, url, **options))
    assert answer.status_code < 500 or answer.status_code == 503, (method, url, answer.text)
    if answer.status_code == 503:
        assert "retry-after" in answer.headers
    if answer.status_code >= 400:
        document = answer.json()
        assert "error" in document or "providers" in document
