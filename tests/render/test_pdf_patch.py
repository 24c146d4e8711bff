"""The pydyf patch (boardpack/render/pdf/patch.py): pinned, applied, and invisible in the output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydyf
import pytest

from boardpack.chain import prepare
from boardpack.derive import view
from boardpack.model import Paper
from boardpack.render.html import render_html
from boardpack.render.pdf import patch as pdf_patch
from boardpack.render.pdf.paper import render_pdf

from ..conftest import DATA, TEMPLATES, minimal


def test_the_installed_versions_are_the_pinned_ones() -> None:
    # An upgrade lands here on purpose: read the new pydyf's page_references and WeasyPrint's
    # pdf/tags.py, drop the patch if upstream fixed it, else re-check and move PINNED.
    assert pdf_patch.installed() == pdf_patch.PINNED


def test_rendering_a_pdf_runs_with_the_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether or not a test laid a PDF out before: the module that lays out applies the patch before pydyf writes."""
    seen: list[bool] = []
    write = pydyf.PDF.write

    def writing(pdf: pydyf.PDF, *args: Any, **kwargs: Any) -> Any:
        seen.append(pdf_patch.active())
        return write(pdf, *args, **kwargs)

    monkeypatch.setattr(pydyf.PDF, "write", writing)
    assert _pdf_of_minimal().startswith(b"%PDF")
    assert seen == [True]


def test_the_cached_references_follow_added_pages() -> None:
    pdf = pydyf.PDF()
    assert pdf.page_references == ()
    for n in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        first = pdf.page_references
        assert pdf.page_references is first  # cached, not rebuilt
        assert first == pdf_patch._ORIGINAL_PAGE_REFERENCES.fget(pdf)
        assert len(first) == n + 1


def _pdf_of_minimal() -> bytes:
    paper_view = view(Paper.model_validate(minimal()), "minimal")
    return render_pdf(render_html(paper_view, TEMPLATES), TEMPLATES)[0]


def _pdf_of_response() -> bytes:
    path = DATA / "2023-05-casey-response.yaml"
    checked = prepare(path)
    assert checked.resolved is not None, checked.errors
    paper_view = view(checked.resolved.paper, path.stem, checked.resolved.changes)
    pdf, pages = render_pdf(render_html(paper_view, TEMPLATES), TEMPLATES)
    assert pages > 1  # several pages, so references to more than one page are cached
    return pdf


@pytest.mark.slow
@pytest.mark.parametrize("make", [_pdf_of_minimal, _pdf_of_response], ids=["minimal", "casey-response"])
def test_the_pdf_is_byte_identical_with_and_without_the_patch(make: Callable[[], bytes]) -> None:
    patched = make()
    pdf_patch.remove()
    try:
        assert not pdf_patch.active()
        unpatched = make()
    finally:
        assert pdf_patch.apply()
    assert unpatched == patched
