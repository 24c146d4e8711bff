"""The quarter's actions driven in Chromium: roll a paper forward, with axe-core on every new page.

Shares the harness of test_web_browser (a live waitress server, headless Chromium, axe-core,
BOARDPACK_SCREENSHOTS=DIR for screenshots at 1280 and 390 pixels).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from .test_web_browser import Live, axe, browser, by_label, live, press, shoot, sign_in_as  # noqa: F401 - fixtures
from .web_helpers import TRACKER

pytestmark = pytest.mark.slow


def test_roll_a_paper_forward_and_see_the_new_one_listed(live: Live, browser: WebDriver) -> None:  # noqa: F811
    sign_in_as(browser, live, "alice")
    browser.find_element(By.PARTIAL_LINK_TEXT, "HMICFRS Report Recommendations, September 2021").click()
    browser.find_element(By.LINK_TEXT, "Roll forward to the next period").click()
    assert by_label(browser, "New period").get_attribute("value") == "2021-12"
    assert axe(browser) == []
    shoot(browser, "roll")
    by_label(browser, "Leave out reports whose items are all GREEN or CLOSED").click()
    press(browser, "Show what will happen")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "September 2021 → December 2021" in main and "2021-12-hmicfrs-tracker.yaml" in main
    assert "Changed: NEW GREEN becomes GREEN (15)" in main
    assert "Custody services in a COVID-19 environment (every item GREEN or CLOSED)" in main
    assert not (live.data / "2021-12-hmicfrs-tracker.yaml").exists()
    assert axe(browser) == []
    shoot(browser, "roll-preview")
    press(browser, "Roll forward to December 2021")
    assert "December 2021" in browser.find_element(By.TAG_NAME, "h1").text
    assert f"started from {TRACKER}.yaml" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert axe(browser) == []
    shoot(browser, "rolled")
    text = (live.data / "2021-12-hmicfrs-tracker.yaml").read_text()
    assert "- title: Custody services in a COVID-19 environment" not in text and f"previous: {TRACKER}.yaml" in text
    browser.get(live.url + "/")
    assert "2021-12-hmicfrs-tracker" in browser.page_source


def test_a_reader_is_refused_the_roll_page(live: Live, browser: WebDriver) -> None:  # noqa: F811
    sign_in_as(browser, live, "rita")
    browser.get(f"{live.url}/papers/{TRACKER}")
    assert not browser.find_elements(By.LINK_TEXT, "Roll forward to the next period")
    browser.get(f"{live.url}/papers/{TRACKER}/roll?to=2022-03")
    assert "Not allowed" in browser.find_element(By.TAG_NAME, "h1").text


def _fetch(driver: WebDriver, url: str) -> tuple[int, bytes]:
    """A download as the signed-in browser asks for it (its session cookie)."""
    import urllib.request

    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookies}), timeout=30) as response:  # noqa: S310 - loopback
        return int(response.status), response.read()


def test_build_a_paper_watch_it_and_download_the_pdf_and_the_zip(live: Live, browser: WebDriver) -> None:  # noqa: F811
    import io
    import zipfile

    import pikepdf
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in_as(browser, live, "alice")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Casey").click()
    browser.find_element(By.LINK_TEXT, "Build and downloads").click()
    assert "No build of this paper has run" in browser.find_element(By.TAG_NAME, "main").text
    assert axe(browser) == []
    shoot(browser, "build")
    press(browser, "Build")
    assert axe(browser) == []  # the page while it builds (or already built, on a fast machine)
    shoot(browser, "building")
    WebDriverWait(browser, 300, poll_frequency=1).until(
        lambda driver: driver.find_elements(By.XPATH, "//h2[normalize-space(.)='Built']"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "2023-05-casey-response.pdf" in main and "started by alice" in main
    assert axe(browser) == []
    shoot(browser, "built")
    status, pdf = _fetch(browser, str(browser.find_element(By.LINK_TEXT, "PDF").get_attribute("href")))
    assert status == 200
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) >= 1
    status, bundle = _fetch(browser, str(browser.find_element(By.PARTIAL_LINK_TEXT, "as one zip").get_attribute("href")))
    with zipfile.ZipFile(io.BytesIO(bundle)) as zipped:
        assert "2023-05-casey-response.pdf" in zipped.namelist() and zipped.read("2023-05-casey-response.pdf") == pdf


def test_a_refused_roll_and_a_failed_build_pass_axe(live: Live, browser: WebDriver) -> None:  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in_as(browser, live, "alice")
    browser.get(f"{live.url}/papers/{TRACKER}/roll?to=2021-03")
    assert "must be after this paper's period" in browser.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert axe(browser) == []
    shoot(browser, "roll-refused")
    older = live.data / "2021-06-hmicfrs-tracker.yaml"
    kept = older.read_bytes()
    older.write_text(older.read_text().replace("layout: tracker", "layout: trackr"))
    try:  # the June paper is September's previous: the other tests of this module need it whole, in any order
        browser.get(f"{live.url}/papers/2021-06-hmicfrs-tracker/build")
        press(browser, "Build")
        WebDriverWait(browser, 300, poll_frequency=1).until(
            lambda driver: driver.find_elements(By.XPATH, "//h2[normalize-space(.)='The build failed']"))
        assert "trackr" in browser.find_element(By.CSS_SELECTOR, ".error-summary").text
        assert axe(browser) == []
        shoot(browser, "build-failed")
    finally:
        older.write_bytes(kept)
