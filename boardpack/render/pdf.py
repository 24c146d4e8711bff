"""HTML to PDF through WeasyPrint, fetching nothing but the project's own templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from . import pdf_patch

pdf_patch.apply()  # writing tagged PDFs in linear time; pinned to the checked versions, see pdf_patch

PDF_VARIANT = "pdf/ua-1"
"""Tagged for screen readers; see README ('PDF flavour') for why not PDF/A as well."""


class TemplateOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file:` URLs inside the templates folder and refuses everything else.

    Paper data is untrusted: no network protocol, no redirect, no file elsewhere on disk.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused to fetch {url!r}: only files in the templates folder may be loaded")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"refused to fetch {url!r}: only files in the templates folder may be loaded")
        return super().fetch(url, headers)


def render_pdf(html: str, templates: Path) -> tuple[bytes, int]:
    """Lay out and write one paper; return the PDF and its page count.

    The same HTML always gives the same bytes: nothing time-dependent is written.
    """
    fetcher = TemplateOnlyFetcher(templates)
    source = HTML(string=html, base_url=str(templates.resolve()) + "/", url_fetcher=fetcher)
    document = source.render(pdf_variant=PDF_VARIANT)
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return pdf, len(document.pages)
