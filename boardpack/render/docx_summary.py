"""The executive summary's part of the Word context: tables as template values, the chart as a picture.

The chart is the same drawing as the HTML and PDF one, as a PNG (Word has no inline SVG that
LibreOffice and older Word both read), with the chart's title and description as the picture's
alternative text (`wp:docPr` title and descr), which screen readers announce.
"""

from __future__ import annotations

import io
from typing import Any

from docx.shared import Inches
from lxml import etree
from markupsafe import Markup

from ..summary import AttentionRow, SummaryView
from .chart import chart_png

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CHART_WIDTH_IN = 9.6
"""Printed width of the chart in the landscape paper (the text is about 10.5 inches wide)."""


def picture_run(doc: Any, png: bytes, size: tuple[float, float], title: str, descr: str) -> Markup:
    """A `w:r` holding the picture inline, for a `{{r ...}}` tag; its alt text is set."""
    width_in, height_in = size
    width = Inches(CHART_WIDTH_IN)
    height = Inches(CHART_WIDTH_IN * height_in / width_in)
    inline = doc.part.new_pic_inline(io.BytesIO(png), width, height)
    doc_pr = inline.docPr
    doc_pr.set("name", "Summary chart")
    doc_pr.set("title", title)
    doc_pr.set("descr", descr)
    xml = etree.tostring(inline, encoding="unicode")
    run = f'<w:r xmlns:w="{W_NS}"><w:drawing>{xml}</w:drawing></w:r>'
    return Markup(run.replace("{_", "{&#95;").replace("_}", "&#95;}"))  # noqa: S704 - every text in it is escaped by lxml


def summary_context(summary: SummaryView | None, changes_since: str | None, doc: Any, words: Any, plain: Any, run: Any, fill: Any) -> dict[str, Any] | None:
    """The summary as the Word template sees it; `plain`, `run` and `fill` are the renderer's escapers."""
    if summary is None:
        return None
    png, size = chart_png(summary.chart)
    counts = summary.counts

    def attention(row: AttentionRow) -> dict[str, Any]:
        return {
            "report": plain(f"{row.report_number}. {row.report}"),
            "ref": plain(row.ref),
            "text": plain(row.text),
            "fill": fill(row.status),
            "status": run(row.status.word, row.status.ink) if row.status else Markup(""),
            "overdue": row.overdue,
            "who": plain(row.who),
            "due": plain(row.due),
            "history": plain(row.history),
            "why": words.block(row.why, "Table Text", empty=True),
        }

    return {
        "sentence": plain(summary.sentence),
        "changes_headline": plain(summary.changes_headline),
        "changes_since": plain(changes_since),
        "chart": picture_run(doc, png, size, summary.chart.title, summary.chart.desc),
        "statuses": [{"fill": fill(status), "word": run(status.word, status.ink)} for status in counts.statuses],
        "rows": [{"number": row.number, "title": plain(row.title), "counts": list(row.counts), "total": row.total} for row in counts.rows],
        "total": {"title": plain(counts.total.title), "counts": list(counts.total.counts), "total": counts.total.total},
        "attention": [attention(row) for row in summary.attention],
        "attention_sentence": plain(summary.attention_sentence),
        "has_who": summary.has_who,
    }
