"""Warming jobs over the web app: names, the popular list, CSV uploads, cancelling, resuming."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from support import Fakes
from web_support import cached_client, serving

pytestmark = pytest.mark.anyio

GOODREADS = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,Exclusive Shelf\n"
    '1,The Martian,Andy Weir,"Weir, Andy",,"=""0553418025""","=""9780553418026""",read\n'
    "2,,,,,,,read\n"
    '3,Good Omens,Terry Pratchett,"Pratchett, Terry",Neil Gaiman,,,read\n'
)


async def _until_finished(http: httpx.AsyncClient, job: str) -> dict[str, Any]:
    with anyio.fail_after(30):
        while True:
            record: dict[str, Any] = (await http.get(f"/warm/{job}")).json()
            if record["state"] not in ("queued", "running"):
                return record
            await anyio.sleep(0.02)


async def test_a_job_warms_names_and_reports(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        started = await http.post("/warm", json={"names": ["Andy Weir", "Andy Weir"]})
        assert started.status_code == 202
        job = started.json()["id"]
        assert started.headers["location"] == f"warm/{job}"
        early = await http.get(f"/warm/{job}/results")
        assert early.status_code in (200, 409)
        record = await _until_finished(http, job)
        assert record["state"] == "done"
        assert record["progress"]["done"] == record["progress"]["total"] == 1
        assert record["progress"]["eta_s"] == 0.0
        report = (await http.get(f"/warm/{job}/results")).json()
        assert report["authors"] == 1
        assert report["warmed"] == 1
        listed = (await http.get("/warm")).json()["jobs"]
        assert [j["id"] for j in listed] == [job]
        assert (await http.get("/warm/0123456789abcdef")).status_code == 404


async def test_bad_warm_bodies_are_refused_before_any_job(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        assert (await http.post("/warm", json={})).status_code == 422
        assert (await http.post("/warm", json={"names": []})).status_code == 422
        assert (await http.post("/warm", json={"names": [3]})).status_code == 422
        assert (await http.post("/warm", json={"popular": "yes"})).status_code == 422
        assert (await http.post("/warm", json={"names": [" "]})).status_code == 400
        assert (await http.post("/warm", json=["Andy Weir"])).status_code == 422
        assert (await http.get("/warm")).json()["jobs"] == []


async def test_a_csv_upload_lists_rejected_rows_with_line_numbers(
    fakes: Fakes, tmp_path: Path
) -> None:
    async with serving(cached_client(fakes), tmp_path) as http:
        files = {"file": ("export.csv", GOODREADS.encode(), "text/csv")}
        started = await http.post("/warm/csv", files=files)
        assert started.status_code == 202, started.text
        created = started.json()
        assert created["source"] == "csv"
        assert created["progress"]["total"] == 3  # Neil Gaiman co-wrote Good Omens
        assert created["rejected_count"] == 1
        assert created["rejected_rows"][0]["line"] == 3
        record = await _until_finished(http, created["id"])
        assert record["state"] == "done"
        report = (await http.get(f"/warm/{created['id']}/results")).json()
        assert report["rejected_rows"] == created["rejected_rows"]
        assert not list((tmp_path / "jobs").glob("upload-*"))


async def test_uploads_are_size_capped_and_must_be_exports(fakes: Fakes, tmp_path: Path) -> None:
    async with serving(cached_client(fakes), tmp_path, max_upload_bytes=2000) as http:
        big = {"file": ("export.csv", GOODREADS.encode() * 40, "text/csv")}
        assert (await http.post("/warm/csv", files=big)).status_code == 413
        junk = {"file": ("x.csv", b"\x00\x01 not a library\n", "text/csv")}
        assert (await http.post("/warm/csv", files=junk)).status_code == 400
        assert (await http.post("/warm/csv", data={"other": "x"})).status_code == 422
        assert (await http.post("/warm/csv", json={"file": "x"})).status_code == 422
    assert not list((tmp_path / "jobs").glob("upload-*"))


async def test_deleting_a_job_stops_and_forgets_it(fakes: Fakes, tmp_path: Path) -> None:
    fakes.openlibrary.set_latency(0.2)
    async with serving(cached_client(fakes), tmp_path) as http:
        started = await http.post("/warm", json={"names": ["Andy Weir", "Terry Pratchett"]})
        job = started.json()["id"]
        deleted = await http.delete(f"/warm/{job}")
        assert deleted.json() == {"id": job, "state": "cancelled"}
        assert (await http.get(f"/warm/{job}")).status_code == 404
        assert (await http.delete(f"/warm/{job}")).status_code == 404
        await anyio.sleep(0.3)
        assert not list((tmp_path / "jobs").glob(f"{job}.*"))


async def test_an_unfinished_job_resumes_when_the_server_starts_again(
    fakes: Fakes, tmp_path: Path
) -> None:
    fakes.openlibrary.set_latency(0.05)
    names = ["Andy Weir", "Terry Pratchett", "Neil Gaiman"]
    async with serving(cached_client(fakes), tmp_path, warm_concurrency=1) as http:
        job = (await http.post("/warm", json={"names": names})).json()["id"]
        with anyio.fail_after(30):
            done = 0
            while done < 1:
                await anyio.sleep(0.01)
                done = (await http.get(f"/warm/{job}")).json()["progress"]["done"]
    # The server stopped mid-job: its record still says running.
    record = json.loads((tmp_path / "jobs" / f"{job}.json").read_text())
    assert record["state"] == "running"
    assert record["progress"]["done"] < 3
    fakes.reset_logs()
    async with serving(cached_client(fakes), tmp_path) as http:
        resumed = await _until_finished(http, job)
        assert resumed["state"] == "done"
        assert resumed["resumed"] is True
        report = (await http.get(f"/warm/{job}/results")).json()
        assert report["authors"] == 3
        assert report["warmed"] + report["skipped"] == 3


async def test_only_the_newest_finished_jobs_are_kept(
    fakes: Fakes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bookstracker.web import jobs

    monkeypatch.setattr(jobs, "KEEP_FINISHED", 2)
    async with serving(cached_client(fakes), tmp_path) as http:
        ids = []
        for _ in range(4):
            job = (await http.post("/warm", json={"names": ["Andy Weir"]})).json()["id"]
            await _until_finished(http, job)
            ids.append(job)
        kept = [j["id"] for j in (await http.get("/warm")).json()["jobs"]]
    assert kept == [ids[3], ids[2]]
