"""The owners' returns and a Word import driven in Chromium, by the labels a user sees, with axe-core on every new page.

Shares the harness of test_web_browser (a live waitress server on 127.0.0.1, headless Chromium,
axe-core, BOARDPACK_SCREENSHOTS=DIR for screenshots at 1280 and 390 pixels).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from ..intake.test_import import tracker_004
from ..test_round import OWNERS, PAPER
from .test_web_browser import Live, axe, browser, by_label, live, press, shoot, sign_in_as  # noqa: F401 - fixtures
from .test_web_browser_quarter import _fetch
from .web_helpers import TRACKER

pytestmark = [pytest.mark.slow, pytest.mark.client]


def _fill(data: bytes, ref: str, cells: dict[str, object], to: Path) -> Path:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Items"]
    (row,) = [r[0].row for r in ws.iter_rows(min_row=9) if r[2].value == ref]
    for column, value in cells.items():
        ws[f"{column}{row}"] = value
    wb.save(to)
    return to


def test_returns_out_and_in_then_a_word_appendix_imported(live: Live, browser: WebDriver, tmp_path: Path) -> None:  # noqa: F811
    shutil.copy(PAPER, live.data / PAPER.name)  # a paper of this test alone, with owners
    (live.data / "owners.yaml").write_text(OWNERS, encoding="utf-8")
    sign_in_as(browser, live, "alice")
    browser.find_element(By.PARTIAL_LINK_TEXT, "HMICFRS Report Recommendations, December 2021").click()
    browser.find_element(By.LINK_TEXT, "Owners' returns").click()
    assert "No owners' workbooks of this paper have been made yet" in browser.find_element(By.TAG_NAME, "main").text
    assert axe(browser) == []
    shoot(browser, "returns")
    by_label(browser, "Updates wanted by").send_keys("2022-01-14")
    press(browser, "Make the workbooks and e-mail drafts")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "2 workbook(s) and their e-mail drafts are ready" in main and "Home Office, 1 item" in main
    assert axe(browser) == []
    shoot(browser, "returns-made")

    status, data = _fetch(browser, str(browser.find_element(By.LINK_TEXT, "Download every workbook (zip)").get_attribute("href")))
    assert status == 200
    bundle = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(bundle.namelist()) == ["Crime-Directorate.xlsx", "Professional-Standards.xlsx"]
    psd = _fill(bundle.read("Professional-Standards.xlsx"), "1", {"H": "GREEN", "K": "Triage desk live."}, tmp_path / "Professional-Standards.xlsx")
    crime = _fill(bundle.read("Crime-Directorate.xlsx"), "4", {"I": "2022-01"}, tmp_path / "Crime-Directorate.xlsx")
    paper = live.data / PAPER.name
    before = paper.read_bytes()
    by_label(browser, "Returned workbooks").send_keys(f"{psd}\n{crime}")
    press(browser, "Check the returns")
    main = browser.find_element(By.TAG_NAME, "main").text
    changes = browser.find_elements(By.CSS_SELECTOR, "#changes-title + .table-wrap tbody tr")
    assert [row.text for row in changes] == ["Professional-Standards.xlsx Crime Data Integrity inspection 2019, No. 1: status AMBER → GREEN; update added"]
    refused = browser.find_element(By.CSS_SELECTOR, ".problems tbody tr").text
    assert refused.startswith("Crime-Directorate.xlsx Items!I") and "is not after the current due date (February 2022)" in refused
    assert paper.read_bytes() == before
    assert axe(browser) == []
    shoot(browser, "returns-check")
    press(browser, "Accept and merge 1 change")
    assert "1 change(s) were merged" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert axe(browser) == []
    text = paper.read_text()
    assert "[Update, December 2021:]{.underline} Triage desk live." in text
    assert "owner: Crime Directorate\n        due: 2022-02\n" in text  # the refused workbook was not merged

    browser.find_element(By.LINK_TEXT, "Papers").click()
    browser.find_element(By.LINK_TEXT, "Import a Word appendix").click()
    assert axe(browser) == []
    shoot(browser, "import")
    by_label(browser, "Word appendix").send_keys(str(tracker_004(tmp_path / "2021-09 tracker.docx")))
    press(browser, "Read the appendix")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "What the import made of 2021-09 tracker.docx" in main and "review mark" in main
    assert "a cell shaded green (00B050) without a status word" in main
    assert axe(browser) == []
    shoot(browser, "import-review")
    name = by_label(browser, "New paper's file name")
    assert name.get_attribute("value") == "2021-09-tracker"
    name.clear()
    name.send_keys("2021-09-imported")
    press(browser, "Save as a paper")
    assert browser.current_url.endswith("/papers/2021-09-imported")
    assert "Imported from 2021-09 tracker.docx" in (live.data / "2021-09-imported.yaml").read_text()


def test_the_owners_directory_edited_by_its_labels(live: Live, browser: WebDriver) -> None:  # noqa: F811
    from .test_web_browser import beside

    path = live.data / "owners.yaml"
    kept = path.read_bytes() if path.exists() else None
    try:
        sign_in_as(browser, live, "alice")
        browser.find_element(By.LINK_TEXT, "Owners directory").click()
        assert axe(browser) == []
        shoot(browser, "owners")
        by_label(browser, "Name").send_keys("Fraud Team")
        by_label(browser, "E-mail").send_keys("fraud at example")
        press(browser, "Add the owner")
        assert beside(browser, "email").startswith("Error: 'fraud at example' is not an e-mail address")
        assert axe(browser) == []
        shoot(browser, "owners-refused")
        field = by_label(browser, "E-mail")
        field.clear()
        field.send_keys("fraud@example.police.uk")
        press(browser, "Add the owner")
        assert "Fraud Team is saved in the directory" in browser.find_element(By.CSS_SELECTOR, ".notice").text
        assert "  Fraud Team:\n    email: fraud@example.police.uk\n" in path.read_text()
    finally:
        if kept is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(kept)


def test_a_reader_downloads_the_round_but_is_refused_its_actions(live: Live, browser: WebDriver) -> None:  # noqa: F811
    sign_in_as(browser, live, "rita")
    browser.get(f"{live.url}/papers/{TRACKER}/returns")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Owners' returns" in main and not browser.find_elements(By.XPATH, "//button[normalize-space(.)='Check the returns']")
    assert not browser.find_elements(By.LINK_TEXT, "Import a Word appendix")
    browser.get(f"{live.url}/import")
    assert "Not allowed" in browser.find_element(By.TAG_NAME, "h1").text
    assert axe(browser) == []
