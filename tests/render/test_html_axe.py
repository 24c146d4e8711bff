"""The papers' web pages (build/NAME.html) in Chromium with axe-core, at a desktop's width and a phone's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..conftest import REFERENCE_PAPERS
from ..web.test_web_browser import axe, browser  # noqa: F401 - browser is the module's Chromium fixture

pytestmark = [pytest.mark.slow, pytest.mark.client]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_or_critical_violation_on_any_reference_paper(reference_build: Path, browser: Any, width: int) -> None:  # noqa: F811
    browser.set_window_size(width, 900)
    checked = []
    for name in REFERENCE_PAPERS:
        browser.get((reference_build / f"{name}.html").as_uri())
        assert browser.execute_script("return document.documentElement.clientWidth") <= width
        assert axe(browser) == [], name
        checked.append(name)
    assert checked == list(REFERENCE_PAPERS) and len(checked) == 3


@pytest.mark.parametrize("width", [1280, 390])
def test_every_contents_link_is_a_target_24_pixels_high(reference_build: Path, browser: Any, width: int) -> None:  # noqa: F811
    browser.set_window_size(width, 900)
    browser.get((reference_build / "2021-09-hmicfrs-tracker.html").as_uri())
    heights = browser.execute_script("return [...document.querySelectorAll('nav.contents a')].map(a => a.getBoundingClientRect().height)")
    assert len(heights) == 21 and min(heights) >= 24
