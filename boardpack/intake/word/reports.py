"""A report's heading and the lines under it: byline, published date, the old summary sentence, summary."""

from __future__ import annotations

import re
from typing import Any

from ...formats.wordml.rich import Para, Rich, Span
from ...formats.wordml.vocabulary import plain, w, wval
from .. import phrases
from .cells import short
from .drafts import ReportDraft
from .marks import ADDRESSED
from .state import ImportState


class Reports(ImportState):
    """A report's heading and opening lines, read into a new report draft."""

    def _start_report(self, p: Any, text: str, where: str) -> None:
        self.current = None
        self.columns = None
        self.reader.paragraph(p, rich := Rich())
        report = ReportDraft(title=_title_text(p), where=where)
        if rich.notes:
            report.summary.extend(Rich([n.copy() for note in rich.notes for n in note]), join=False)
            report.review["summary"] = "taken from a footnote of the report's title"
        self.reports.append(report)

    def _intro(self, p: Any | None, text: str, style: str, where: str) -> None:
        """A paragraph under a report heading: byline, published date, the old summary sentence, or summary."""
        report = self.reports[-1]
        if addressed := ADDRESSED.match(text):  # boardpack's sentence for a report of another force ('to:')
            report.to = addressed.group("to")
            self.skipped.append(f"{where}: summary sentence of '{short(report.title, 40)}' (derived)")
            return
        sentence = phrases.count_sentence(text)
        dates = phrases.published_dates(text)
        if sentence is None and dates and not text.lower().startswith("published"):
            # 'This report was published 22nd March 2017. There are 4 recommendations ...': derived and dated, no summary
            parts = [part for part in re.split(r"(?<=[.;])\s+", text) if part.strip()]
            counted = [phrases.count_sentence(part) for part in parts]
            if any(counted) and all(c is not None or phrases.published_dates(part) for c, part in zip(counted, parts, strict=True)):
                sentence = next(c for c in counted if c is not None)
        if text.lower().startswith("published") and dates:
            if report.published is None:
                report.published = dates[0]
            elif dates[0] != report.published:
                self.warn(where, f"the report's published date is given twice, differently ({report.published}, {dates[0]}); "
                                 f"the first is used")
            return
        if not report.items and not report.bylined and style != "report summary" and sentence is None:
            parsed = phrases.byline(text)
            if parsed is not None and (style == "byline" or re.search(r"\b(?:report|review|inspection|HMICFRS|thematic|investigation)\b", text, re.IGNORECASE)):
                report.scope, report.by = parsed
                report.bylined = True
                return
        if sentence is not None:
            report.sentences.append((sentence, where))
            self.skipped.append(f"{where}: summary sentence of '{short(report.title, 40)}' (derived)")
            for date in dates:
                if report.published is None:
                    report.published = date
                elif date != report.published:
                    self.warn(where, f"the text says the report was published {date}, the Published line says "
                                     f"{report.published}; the Published line is used")
            return
        rich = self.reader.cell([p]) if p is not None else Rich([Para([Span(text)])])
        if report.items or self.current is not None:
            self.keep(where, rich.markdown() or text, "text after the report's table")
            return
        report.summary.extend(rich, join=False)

def _title_text(p: Any) -> str:
    """A heading's words, without a footnote marker typed as a superscript number ('super-complaint¹')."""
    out = []
    for r in p.iter(w("r")):
        text = "".join(t.text or "" for t in r.iter(w("t")))
        align = r.find(f"{w('rPr')}/{w('vertAlign')}")
        if align is not None and wval(align) == "superscript" and re.fullmatch(r"[\d*†‡§]+", text.strip()):
            continue
        out.append(text)
    return " ".join("".join(out).split()) or " ".join(plain(p).split())
