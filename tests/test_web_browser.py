"""The dashboard in a real headless Chromium (Debian's chromium and chromium-driver packages).

Loads the dashboard from a real ``bookstracker serve``, uploads a CSV export, watches the job's
progress bar reach done and the charts draw, and saves a screenshot (its path is printed).
Skipped when Chromium, its driver or Selenium is missing, unless
``BOOKSTRACKER_TEST_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs them): then it fails.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from web_support import live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

_MISSING = None
try:
    from selenium import webdriver
except ImportError:
    _MISSING = "selenium is not installed"
if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    _MISSING = "chromium and chromium-driver are not installed"
if _MISSING and os.environ.get("BOOKSTRACKER_TEST_REQUIRE_BROWSER") == "1":
    pytest.fail(f"the browser test must run: {_MISSING}", pytrace=False)
if _MISSING:
    pytest.skip(_MISSING, allow_module_level=True)

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

EXPORT = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,Exclusive Shelf\n"
    '1,The Martian,Andy Weir,"Weir, Andy",,"=""0553418025""","=""9780553418026""",read\n'
    "2,,,,,,,read\n"
    '3,Good Omens,Terry Pratchett,"Pratchett, Terry",Neil Gaiman,,,read\n'
    '4,American Gods,Neil Gaiman,"Gaiman, Neil",,,,to-read\n'
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(what: str, check: Callable[[], Any], seconds: float = 60.0) -> Any:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_dashboard_uploads_a_csv_and_draws(
    browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "goodreads_library_export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    with live_server(tmp_path) as (base, _):
        browser.get(base + "/")
        _wait("the event stream", lambda: browser.find_element(By.ID, "live").text == "live")
        browser.find_element(By.ID, "upload-file").send_keys(str(export))
        browser.find_element(By.ID, "upload-button").click()
        job = _wait(
            "the job to appear",
            lambda: browser.find_elements(By.CSS_SELECTOR, ".job[data-job]"),
        )[0]
        job_id = job.get_attribute("data-job")
        done = _wait(
            "the job to finish",
            lambda: browser.find_elements(
                By.CSS_SELECTOR, f'.job[data-job="{job_id}"][data-state="done"]'
            ),
        )[0]
        bar = done.find_element(By.TAG_NAME, "progress")
        assert (
            bar.get_attribute("value") == bar.get_attribute("max") == "3"
        )  # Neil Gaiman is named twice
        assert "1 rejected rows" in done.text
        _wait(
            "the latency chart to draw",
            lambda: (
                int(browser.find_element(By.ID, "chart-latency").get_attribute("data-points") or 0)
                >= 3
            ),
        )
        canvas = browser.find_element(By.CSS_SELECTOR, "#chart-latency canvas")
        assert canvas.size["width"] > 200
        drawn = browser.execute_script(
            "const c = document.querySelector('#chart-latency canvas');"
            "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n;"
        )
        assert drawn > 500
        breaker = browser.find_element(By.CSS_SELECTOR, '[data-provider="openlibrary"] .breaker')
        assert breaker.text == "closed"
        shot = tmp_path / "dashboard.png"
        browser.save_screenshot(str(shot))
    with capsys.disabled():  # shown in every run, not only when the test fails
        print(f"\ndashboard screenshot: {shot}")
    assert shot.stat().st_size > 10_000
