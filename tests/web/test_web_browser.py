"""The workspace driven in Chromium through Selenium, as a secretary uses it, with axe-core on every page.

Needs Debian's `chromium` and `chromium-driver` and axe-core in node_modules (`./run.sh test` installs
them). Set BOARDPACK_SCREENSHOTS=DIR to keep a screenshot of each page at 1280 and 390 pixels wide.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from boardpack.web import create_app, make_server

from .web_helpers import PASSWORD, TRACKER, Serving, make_workspace, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.client]

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")

if not (CHROMIUM and DRIVER and AXE.is_file()):  # pragma: no cover - run.sh test installs all three
    if os.environ.get("BOARDPACK_REQUIRE_BROWSER"):
        pytest.fail("Chromium, its driver and axe-core are required here (BOARDPACK_REQUIRE_BROWSER) but not installed", pytrace=False)
    pytest.skip("needs chromium, chromium-driver and node_modules/axe-core (./run.sh test installs them)", allow_module_level=True)

from selenium import webdriver  # noqa: E402 - only once Chromium is known to be there
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


class Live:
    """The workspace served by waitress on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, tmp: Path) -> None:
        self.data, self.out, self.database = make_workspace(tmp)
        self.app: Flask = create_app(self.data, self.out, self.database)
        self.server = make_server(self.app, "127.0.0.1", 0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.serving = Serving(self.server)

    def stop(self) -> None:
        self.serving.stop()

    def paper(self) -> Path:
        return self.data / f"{TRACKER}.yaml"


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    with tempfile.TemporaryDirectory() as tmp:
        server = Live(Path(tmp))
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with tempfile.TemporaryDirectory() as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM or ""
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                     "--window-size=1280,900"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER or ""))
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


def by_label(driver: WebDriver, label: str) -> Any:
    """The form control a visible <label> names, as a person finds it."""
    element = driver.find_element(By.XPATH, f"//label[normalize-space(.)={label!r}]")
    return driver.find_element(By.ID, element.get_attribute("for"))


def sign_in_as(driver: WebDriver, live: Live, name: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{live.url}/sign-in")
    by_label(driver, "User name").send_keys(name)
    by_label(driver, "Password").send_keys(PASSWORD)
    press(driver, "Sign in")
    assert "Papers" in driver.find_element(By.TAG_NAME, "h1").text


def gone(page: Any) -> Any:
    """A wait's condition: the page this element belongs to has been replaced.

    Chromium's driver says so with a stale reference, or, when it asks while the new page
    loads, with "Node with given id does not belong to the document": both mean gone.
    """
    def check(_driver: WebDriver) -> bool:
        try:
            page.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one
            return True
        return False

    return check


def press(driver: WebDriver, words: str) -> None:
    """Press the button with these words and wait for the page it leads to."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, f"//button[normalize-space(.)={words!r}]").click()
    WebDriverWait(driver, 15).until(gone(page))


def beside(driver: WebDriver, field: str) -> str:
    return " ".join(str(driver.find_element(By.ID, f"{field}-error").text).split())


def axe(driver: WebDriver) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations of the page open in the browser (WCAG 2.2 AA rules)."""
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
        ".then(r => done(r.violations), e => done([{id: 'axe failed', impact: 'critical', help: String(e), nodes: []}]));")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result if v["impact"] in ("critical", "serious")]


def shoot(driver: WebDriver, name: str) -> None:
    folder = os.environ.get("BOARDPACK_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(int(height), 900), 4000))
        driver.save_screenshot(str(Path(folder) / f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


def test_edit_an_item_in_the_browser(live: Live, browser: WebDriver) -> None:
    sign_in_as(browser, live, "alice")
    browser.find_element(By.PARTIAL_LINK_TEXT, "HMICFRS Report Recommendations, September 2021").click()
    browser.find_element(By.PARTIAL_LINK_TEXT, "By 30 September 2021, chief constables should make sure").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "No. 1: Recommendation"
    before = live.paper().read_bytes()

    Select(by_label(browser, "Status")).select_by_visible_text("RED")
    due = by_label(browser, "Due date")
    due.clear()
    due.send_keys("31/02/2022")
    by_label(browser, "Reason for the new date").send_keys("awaiting the national guidance")
    by_label(browser, "Rationale").send_keys("The national guidance has not been published.")
    by_label(browser, "Update").send_keys("The force met the NPCC lead in September.")
    press(browser, "Save")

    assert beside(browser, "due") == ("Error: '31/02/2022' is not a real date: there is no 31 February 2022 (February 2022 has 28 days); "
                                      "write 2021-09, September 2021, 2021-09-30 or 30 September 2021")
    assert live.paper().read_bytes() == before
    assert by_label(browser, "Reason for the new date").get_attribute("value") == "awaiting the national guidance"
    assert Select(by_label(browser, "Status")).first_selected_option.text == "RED"

    due = by_label(browser, "Due date")
    due.clear()
    due.send_keys("December 2021")
    press(browser, "Save")

    assert "Saved" in browser.find_element(By.ID, "saved").text
    text = live.paper().read_text()
    assert "# last quarter's paper: NEW GREEN" in text  # the file's comments are kept
    assert "status: RED" in text and "{date: 2021-12, note: awaiting the national guidance}" in text
    assert "[Update, September 2021:]{.underline} The force met the NPCC lead in September." in text
    rendering = browser.find_element(By.CLASS_NAME, "rendering").text
    assert "Now December 2021 awaiting the national guidance" in rendering and "RED" in rendering


def test_a_conflicting_save_is_refused_with_nothing_lost(live: Live, browser: WebDriver) -> None:
    sign_in_as(browser, live, "alice")
    browser.get(f"{live.url}/papers/{TRACKER}/items/0/1")
    other = live.app.test_client()  # a second person, through the same workspace
    sign_in(other, "bob")
    from .web_helpers import item_form

    theirs = item_form(other, report=0, item=1)
    theirs.update(status="GREEN", update="Bob's update.")
    assert other.post(f"/papers/{TRACKER}/items/0/1", data=theirs).status_code == 302
    by_label(browser, "Update").send_keys("Alice's update, typed before Bob saved.")
    press(browser, "Save")
    assert "Not saved: bob changed this item" in browser.find_element(By.ID, "conflict").text
    assert axe(browser) == []
    shoot(browser, "item-conflict")
    assert by_label(browser, "Update").get_attribute("value") == "Alice's update, typed before Bob saved."
    assert "Alice's update" not in live.paper().read_text()


def test_a_reader_has_no_form(live: Live, browser: WebDriver) -> None:
    sign_in_as(browser, live, "rita")
    browser.get(f"{live.url}/papers/{TRACKER}/items/0/0")
    assert not browser.find_elements(By.ID, "status")
    assert "can view and download" in browser.find_element(By.TAG_NAME, "main").text


def test_every_page_passes_axe(live: Live, browser: WebDriver) -> None:
    browser.delete_all_cookies()
    pages: list[tuple[str, str]] = [("sign-in", "/sign-in")]
    found: dict[str, list[dict[str, Any]]] = {}

    def check(name: str, path: str | None) -> None:
        if path is not None:
            browser.get(live.url + path)
        found[name] = axe(browser)
        shoot(browser, name)

    for name, path in pages:
        check(name, path)
    sign_in_as(browser, live, "adam")
    check("papers", "/")
    check("paper", f"/papers/{TRACKER}")
    check("paper-filtered", f"/papers/{TRACKER}?status=RED")
    check("item", f"/papers/{TRACKER}/items/0/0")
    due = by_label(browser, "Due date")
    due.clear()
    due.send_keys("2021-02")
    Select(by_label(browser, "Status")).select_by_visible_text("RED")
    rationale = by_label(browser, "Rationale")
    rationale.clear()
    press(browser, "Save")
    check("item-errors", None)
    check("response-item", "/papers/2023-05-casey-response/items/0/0")
    check("history", f"/papers/{TRACKER}/history")
    link = browser.find_elements(By.PARTIAL_LINK_TEXT, "Version ")
    if link:
        check("version", str(link[0].get_attribute("href")).removeprefix(live.url))
    check("accounts", "/accounts/")
    check("password", "/password")
    check("not-found", "/papers/no-such-paper")
    assert {name: violations for name, violations in found.items() if violations} == {}


def test_the_item_form_is_usable_by_keyboard_alone(live: Live, browser: WebDriver) -> None:
    sign_in_as(browser, live, "alice")
    browser.get(f"{live.url}/papers/{TRACKER}/items/0/2")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    order = []
    for _ in range(40):
        active = browser.switch_to.active_element
        order.append(active.get_attribute("id") or active.text.strip())
        if active.text.strip() == "Save":
            break
        if active.get_attribute("id") == "update":
            active.send_keys("Typed with the keyboard alone.")
        active.send_keys(Keys.TAB)
    fields = [name for name in order if name in ("status", "due", "reason", "update", "rationale", "owner", "Save")]
    assert fields == ["status", "due", "reason", "update", "rationale", "owner", "Save"]
    page = browser.find_element(By.TAG_NAME, "html")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(browser, 15).until(gone(page))
    assert "Saved" in browser.find_element(By.ID, "saved").text
    assert "Typed with the keyboard alone." in live.paper().read_text()


def test_an_earlier_version_is_restored(live: Live, browser: WebDriver) -> None:
    sign_in_as(browser, live, "alice")
    original = (ROOT / "data" / f"{TRACKER}.yaml").read_bytes()
    browser.get(f"{live.url}/papers/{TRACKER}/items/2/0")
    by_label(browser, "Update").send_keys("An update to be undone.")
    press(browser, "Save")
    assert live.paper().read_bytes() != original
    browser.get(f"{live.url}/papers/{TRACKER}/history")
    press(browser, "Restore version 1")  # the file as it was before the workspace first wrote it
    assert live.paper().read_bytes() == original
    assert "restored version 1" in browser.find_element(By.TAG_NAME, "main").text
