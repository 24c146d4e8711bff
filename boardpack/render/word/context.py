"""What a Word template sees: a paper's view as escaped markup and ready-made WordprocessingML.

Plain fields reach Jinja as already-escaped markup and Markdown fields as WordprocessingML
written by `wordml`, so `{{ ... }}` typed in a comment is printed, not run.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ...derive import ChangesView, PaperView, ReportView, Row
from ...derive.appendix import AppendixView
from ...formats.wordml.vocabulary import GOES_ON_MARK, LEAD_PREFIX, POSITION_LEAD, RATIONALE_LEAD, RATIONALE_MARK, TASK_LEAD
from ...formats.wordml.write import Words
from .markup import fill, plain, run

# --- the context the template sees -------------------------------------------------------


def _lines(words: Words, lines: tuple[str, ...], style: str) -> Markup:
    """Lines as paragraphs of their own (a due-date history: one date a paragraph, spaced apart); one empty paragraph for none."""
    style_id = words.styles.paragraph(style, "Table Text", "Normal")
    ppr = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
    xml = "".join(f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{plain(line)}</w:t></w:r></w:p>' for line in lines)
    return Markup(xml or f"<w:p>{ppr}</w:p>")  # noqa: S704 - lines escaped by plain


def _row(words: Words, row: Row) -> dict[str, Any]:
    task = row.kind == "task" and not row.part
    status = row.status
    labelled = not row.part  # a continued part's paragraphs go on without their labels

    def goes_on(field: str) -> str | None:
        return GOES_ON_MARK if field in row.goes_on else None

    return {
        "kind": row.kind,
        "ref": plain(f"{row.ref or '–'} (continued)" if row.part else row.ref or "–"),  # '–': an item the report left unnumbered
        "continued": bool(row.part),
        "to": plain(row.to),
        "for_body": plain(row.for_body),
        "text": words.block(row.text, "Table Text", lead=row.lead_in or (TASK_LEAD if task else None), empty=True, mark=goes_on("text")),
        "fill": fill(status),
        "status": run(status.word, status.ink) if status else Markup(""),
        "status_note": run(status.note, status.ink) if status and status.note else Markup(""),
        "due": _lines(words, row.due, "Due Line"),
        "overdue": row.overdue,
        "slippage": plain(row.slippage),
        "owner": plain(row.owner),
        "lead": run(f"{LEAD_PREFIX}{row.lead}", status.ink if status else None) if row.lead else Markup(""),
        # a RED rationale stands beside the status, as a WHITE item's lead does; without a status, in the comment
        "rationale": words.block(row.rationale, "RAG Note", lead=RATIONALE_LEAD if labelled else None, color=status.ink,
                                  mark=RATIONALE_MARK + ("_on" if "rationale" in row.goes_on else ""))
        if row.rationale and status else None,
        "comment_rationale": words.block(row.rationale, "Table Text", lead=RATIONALE_LEAD if labelled else None,
                                          mark=RATIONALE_MARK + ("_on" if "rationale" in row.goes_on else ""))
        if row.rationale and not status else None,
        "comment": words.block(row.comment, "Table Text", lead=POSITION_LEAD if task and row.comment else None, empty=True,
                               mark=goes_on("comment")),
    }


def _report(words: Words, report: ReportView) -> dict[str, Any]:
    return {
        "number": report.number,
        "anchor": report.anchor,
        "title": plain(report.title),
        "byline": plain(report.byline),
        "published": plain(report.published),
        "sentence": plain(report.sentence),
        "summary": words.block(report.summary, "Body Text"),
        "counts": dict(report.counts),
        "rows": [_row(words, row) for row in report.rows],
    }


def build_context(view: PaperView, words: Words) -> dict[str, Any]:
    """Everything the template may use; strings arrive escaped, rich text as WordprocessingML."""
    return {
        "name": plain(view.name),
        "title": plain(view.title),
        "appendix": plain(view.appendix),
        "period": plain(view.period),
        "committee": plain(view.committee),
        "organisation": plain(view.organisation),
        "classification": plain(view.classification),
        "note": plain(view.note),
        "layout": view.layout,
        "header": plain(view.header),
        "legend": [
            {
                "fill": fill(entry.status),
                "word": run(entry.status.word, entry.status.ink),
                "status": entry.status.word,
                "definition": plain(entry.definition),
            }
            for entry in view.legend
        ],
        "reports": [_report(words, report) for report in view.reports],
        "counts": dict(view.counts),
        "has_status": view.has_status,
        "has_due": view.has_due,
        "has_owner": view.has_owner,
        "overdue": view.overdue,
        "changes": _changes(view.changes),
        "summary": _summary(view, words),
        "notes": words.block(view.notes, "Body Text"),
        "without_items": [plain(line) for line in view.without_items],
        "contents": _contents(view, words),
        "timelines": _timelines(view.timeline_appendix),
    }


def _timelines(appendix: AppendixView | None) -> dict[str, Any] | None:
    """The appendix of the notable items' timelines, each quarter's status in its colours and in words."""
    if appendix is None:
        return None
    return {
        "heading": plain(appendix.heading),
        "intro": plain(appendix.intro),
        "stories": [
            {
                "title": plain(story.title),
                "text": plain(story.text),
                "quarters": [
                    {"period": plain(q.period), "fill": fill(q.status), "status": run(q.status.word, q.status.ink) if q.status else run("No status"),
                     "due": plain(q.due), "moved": plain(q.moved)}
                    for q in story.quarters
                ],
                "facts": [plain(fact) for fact in story.facts],
            }
            for story in appendix.stories
        ],
    }


TOC_INSTRUCTION = r' TOC \o "1-1" \h \z \u '
"""Word's contents field over the Heading 1 paragraphs (report titles, Summary, Changes, Notes)."""


def _contents(view: PaperView, words: Words) -> Markup | None:
    """The contents list as a TOC field whose result already lists the parts (titles only).

    Word recomputes the field, page numbers included, when the paper is opened (the template
    asks it to); other readers show the titles as written here.
    """
    if not view.contents:
        return None
    style = words.styles.paragraph("toc 1", "Normal")
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    paragraphs = []
    for n, entry in enumerate(view.contents):
        runs = ""
        if n == 0:
            runs += ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                     f'<w:r><w:instrText xml:space="preserve">{escape(TOC_INSTRUCTION)}</w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        runs += f'<w:r><w:t xml:space="preserve">{plain(entry.title)}</w:t></w:r>'
        if n == len(view.contents) - 1:
            runs += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        paragraphs.append(f"<w:p>{ppr}{runs}</w:p>")
    return Markup("".join(paragraphs))  # noqa: S704 - titles escaped by plain


def _summary(view: PaperView, words: Words) -> dict[str, Any] | None:
    if view.summary is None:
        return None
    from .summary import summary_context  # matplotlib is loaded only for papers that draw a chart

    return summary_context(view.summary, view.changes.since if view.changes else None, words.doc, words)


def _changes(changes: ChangesView | None) -> dict[str, Any] | None:
    if changes is None:
        return None
    return {
        "since": plain(changes.since),
        "headline": plain(changes.headline),
        "groups": [
            {
                "heading": plain(group.heading),
                "of_reports": group.of_reports,
                "rows": [
                    {"report": plain(row.report), "ref": plain(row.ref or "–"), "text": plain(row.text), "change": plain(row.change)}
                    for row in group.rows
                ],
            }
            for group in changes.groups
        ],
    }
