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
