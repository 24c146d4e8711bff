"""The executive summary's part of the Word context: tables as template values, the chart as a picture.

The chart is the same drawing as the HTML and PDF one, as a PNG (Word has no inline SVG that
LibreOffice and older Word both read), with the chart's title and description as the picture's
alternative text (`wp:docPr` title and descr), which screen readers announce.
"""

from __future__ import annotations

import io
import os
import struct
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from docx.shared import Inches
from lxml import etree
from markupsafe import Markup

from ...derive.summary import AttentionRow, Chart, SummaryView, figure_size
from ...formats.wordml.write import Words
from ..chart import process as chart_process
from .markup import fill, plain, run

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

PNG_TYPE = CT.PNG
CHART_WIDTH_IN = 10.0
"""Printed width of the chart in the landscape paper (the text is about 10.1 inches wide): as
drawn (summary.FIGURE_WIDTH_IN), so its words print at their size, 12 pt in large print."""


def picture_run(doc: Any, png: bytes, size: tuple[float, float], title: str, descr: str) -> Markup:
    """A `w:r` holding the picture inline, for a `{{r ...}}` tag; its alt text is set."""
    width_in, height_in = size
    width = Inches(CHART_WIDTH_IN)
    height = Inches(CHART_WIDTH_IN * height_in / width_in)
    return _picture_markup(doc.part.new_pic_inline(io.BytesIO(png), width, height), title, descr)


def _picture_markup(inline: Any, title: str, descr: str) -> Markup:
    doc_pr = inline.docPr
    doc_pr.set("name", "Summary chart")
    doc_pr.set("title", title)
    doc_pr.set("descr", descr)
    xml = etree.tostring(inline, encoding="unicode")
    run = f'<w:r xmlns:w="{W_NS}"><w:drawing>{xml}</w:drawing></w:r>'
    return Markup(run.replace("{_", "{&#95;").replace("_}", "&#95;}"))  # noqa: S704 - every text in it is escaped by lxml


class _ChartPart(ImagePart):
    """The chart's image part, whose PNG is taken from its drawing process only when the package is written.

    The picture's place in the document needs only the chart's size, known beforehand, so
    the rest of the document is made while the chart is drawn.
    """

    def __init__(self, partname: PackURI, chart: Chart) -> None:
        super().__init__(partname, PNG_TYPE, b"")
        self._chart = chart

    @property
    def blob(self) -> bytes:
        if not self._blob:
            png, size = _png(self._chart)
            if size != figure_size(self._chart):
                raise RuntimeError(f"the chart was drawn {size} inches, not the {figure_size(self._chart)} it was placed at")
            self._blob = png
        return bytes(self._blob)


def chart_run(doc: Any, chart: Chart) -> Markup:
    """The chart's picture run, as `picture_run` makes it, the PNG itself read when the document is saved.

    A template that already holds pictures waits for the chart here: python-docx shares a
    picture whose bytes equal one already in the package, which only the bytes can tell.
    """
    package = doc.part.package
    if len(package.image_parts):
        png, size = _png(chart)
        return picture_run(doc, png, size, chart.title, chart.desc)
    width_in, height_in = figure_size(chart)
    part = _ChartPart(package.image_parts._next_image_partname("png"), chart)
    package.image_parts.append(part)
    r_id = doc.part.relate_to(part, RT.IMAGE)
    inline = CT_Inline.new_pic_inline(doc.part.next_id, r_id, "image.png", Inches(CHART_WIDTH_IN),
                                      Inches(CHART_WIDTH_IN * height_in / width_in))
    return _picture_markup(inline, chart.title, chart.desc)


Drawn = tuple[bytes, tuple[float, float]]
"""A chart as PNG bytes and its size in inches, as `chart.chart_png` returns it."""

being_drawn: dict[int, tuple[Chart, int, int]] = {}
"""Charts being drawn in a forked process: the chart, the process id and the pipe to read."""


def start_chart(chart: Chart) -> None:
    """Draw the chart in a forked process, so importing matplotlib and drawing overlap the rest of the Word build.

    The chart is a second of a large paper's build, on a core of its own. Only on Linux, and
    only while no other thread runs (forking is then safe); the bytes are those `chart_png`
    makes here, and the picture's part (`_ChartPart`) draws the chart itself when it is saved
    if the process failed.
    """
    if id(chart) in being_drawn:
        return
    sent = chart_process.send(chart)  # a process started before the paper was read, with matplotlib loaded
    if sent is None:  # none was: start one now
        chart_process.prepare()
        sent = chart_process.send(chart)
    if sent is not None:
        being_drawn[id(chart)] = (chart, *sent)


def _png(chart: Chart) -> Drawn:
    """The chart from its forked process if it drew it, else drawn here."""
    drawn = drawn_png(chart)
    if drawn is None:
        from ..chart.draw import chart_png

        drawn = chart_png(chart)
    return drawn


def drawn_png(chart: Chart) -> Drawn | None:
    """The chart from its forked process, if one was started for this very chart and succeeded."""
    started = being_drawn.pop(id(chart), None)
    if started is None:
        return None
    same, pid, read_end = started
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if same is not chart or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or len(data) <= 16:
        return None
    width, height = struct.unpack("<dd", data[:16])
    return data[16:], (width, height)


def forget_chart(chart: Chart) -> None:
    """End a chart's process whose drawing was not used (the render failed before the summary)."""
    drawn_png(chart)


def summary_context(summary: SummaryView | None, changes_since: str | None, doc: Any, words: Words) -> dict[str, Any] | None:
    """The summary as the Word template sees it."""
    if summary is None:
        return None
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
        "ages_sentence": plain(summary.ages_sentence),
        "changes_headline": plain(summary.changes_headline),
        "changes_since": plain(changes_since),
        "chart": chart_run(doc, summary.chart),
        "statuses": [{"fill": fill(status), "word": run(status.word, status.ink)} for status in counts.statuses],
        "rows": [{"number": row.number, "title": plain(row.title), "counts": list(row.counts), "total": row.total} for row in counts.rows],
        "total": {"title": plain(counts.total.title), "counts": list(counts.total.counts), "total": counts.total.total},
        "attention": [attention(row) for row in summary.attention],
        "attention_sentence": plain(summary.attention_sentence),
        "without_items": [plain(line) for line in summary.without_items],
        "has_who": summary.has_who,
    }
