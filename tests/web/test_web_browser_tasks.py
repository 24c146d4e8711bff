"""An item's tasks edited in Chromium by keyboard alone, with check's words beside the field and axe-core on the pages.

Shares the harness of test_web_browser (a live waitress server on its own copy of the papers,
headless Chromium, axe-core, BOARDPACK_SCREENSHOTS=DIR for screenshots at 1280 and 390 pixels).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from .test_web_browser import Live, axe, beside, browser, by_label, gone, live, press, shoot, sign_in_as  # noqa: F401 - fixtures
from .web_helpers import TRACKER

pytestmark = [pytest.mark.slow, pytest.mark.client]

ITEM = f"/papers/{TRACKER}/item/disproportionate-use-of-police-powers/1"
"""An item with four tasks, 1.1 to 1.4."""


def tab_through(driver: WebDriver, typing: dict[str, str]) -> list[str]:
    """Tab from the Owner field to the Save button, typing into the fields named in `typing`; the ids met on the way."""
    by_label(driver, "Owner").send_keys("")
    met = []
    for _ in range(60):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        name = active.get_attribute("id") or active.text.strip()
        met.append(name)
        if name == "Save":
            return met
        if name in typing:
            active.send_keys(typing[name])
    raise AssertionError(f"no Save button after {met}")


def test_tasks_are_changed_added_and_removed_by_keyboard(live: Live, browser: WebDriver) -> None:  # noqa: F811
    sign_in_as(browser, live, "alice")
    browser.get(live.url + ITEM)
    assert [e.text for e in browser.find_elements(By.TAG_NAME, "legend")] == ["Task 1.1", "Task 1.2", "Task 1.3", "Task 1.4", "Add a task"]
    assert axe(browser) == []
    shoot(browser, "item-tasks")
    before = live.paper().read_bytes()

    met = tab_through(browser, {"task-1-status": "G", "task-3-remove": " ", "task-new-ref": "1.1", "task-new-text": "Report the numbers trained."})
    fields = [name for name in met if name.startswith("task-1-") or name.startswith("task-new-") or name == "Save"]
    assert fields == ["task-1-ref", "task-1-text", "task-1-position", "task-1-status", "task-1-rationale", "task-1-remove",
                      "task-new-ref", "task-new-text", "task-new-position", "task-new-status", "task-new-rationale", "Save"]
    page = browser.find_element(By.TAG_NAME, "html")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(browser, 15).until(gone(page))

    assert beside(browser, "task-new-ref") == "Error: task ref '1.1' is used twice in this item"
    assert live.paper().read_bytes() == before
    assert Select(by_label(browser, "Task 1.2: Status")).first_selected_option.text == "GREEN"  # what was typed stays
    assert by_label(browser, "Remove task 1.4").is_selected()
    assert axe(browser) == []
    shoot(browser, "item-tasks-errors")

    number = by_label(browser, "New task: No.")
    number.clear()
    number.send_keys("1.5")
    press(browser, "Save")
    assert "Saved" in browser.find_element(By.ID, "saved").text
    text = live.paper().read_text()
    assert "# last quarter's paper: NEW GREEN" in text  # the file's comments are kept
    assert 'ref: "1.5"' in text and "Report the numbers trained." in text and 'ref: "1.4"' not in text
    assert [e.text for e in browser.find_elements(By.TAG_NAME, "legend")] == ["Task 1.1", "Task 1.2", "Task 1.3", "Task 1.5", "Add a task"]
    rendering = browser.find_element(By.CLASS_NAME, "rendering").text
    assert "Report the numbers trained." in rendering and "GREEN" in rendering
