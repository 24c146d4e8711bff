"""The paper's own fields (title, period, committee, appendix) from the text before the first report and the page headers."""

from __future__ import annotations

import datetime as dt
import re

from ...model import When
from .. import phrases
from .drafts import Loose
from .marks import APPENDIX, PLACEHOLDER
from .state import ImportState


class Front(ImportState):
    """The paper's own fields, read from the front matter and page headers."""

    def paper_info(self) -> None:
        info = self.info
        if self.period is not None:
            info["period"] = self.period
            self.info_review["period"] = "given with --period"
        subtitles = self._front_lines()
        if subtitles and "title" not in info and not any(s == "subtitle" for s, _, _ in self.front):
            title_report = self._title_report()  # a heading over the first report that is no report: the paper's title
            if title_report is not None:
                info["title"] = title_report
            else:
                info["title"], _ = subtitles.pop(0)
        self._names(subtitles)
        self._page_headers()
        if "title" not in info:
            title_report = self._title_report()
            if title_report is not None:
                info["title"] = title_report
        if "period" not in info:
            self._period_elsewhere()
        for key, what in (("title", "title"), ("committee", "committee"), ("organisation", "organisation")):
            if key not in info:
                info[key] = PLACEHOLDER
                self.info_review[key] = f"the old paper does not give the {what}"
                self.warn("", f"the old paper does not give the {what}; '{PLACEHOLDER}' is written for you to replace")

    def _front_lines(self) -> list[tuple[str, str]]:
        """The appendix, period and classification from the lines before the first report; the short lines left, with where."""
        info = self.info
        subtitles: list[tuple[str, str]] = []
        for style, text, where in self.front:
            if "appendix" not in info and len(text) < 200 and self._appendix(text):
                continue
            found = phrases.find_date(text)
            if found and "period" not in info and found[1] == 0 and found[2] >= len(text.rstrip(". ")):
                info["period"] = found[0]
                continue
            if "classification" not in info and phrases.classification(text):
                info["classification"] = text
                continue
            if style in ("subtitle", "byline") or len(text) < 120:
                subtitles.append((text, where))
            else:
                self.keep(where, text, "text before the first report")
        return subtitles

    def _names(self, subtitles: list[tuple[str, str]]) -> None:
        """The organisation and committee from the short lines under the title; any more are kept as comments."""
        info = self.info
        names = [t for t, _ in subtitles]
        if names:
            organisation, committee = phrases.organisation_line(names.pop(0))
            info.setdefault("organisation", organisation)
            if committee:  # 'City of London Police – Police Authority Board': the committee is named on the organisation's line
                info.setdefault("committee", committee)
                self.info_review.setdefault("committee", "taken from the organisation's line")
        if names:
            info.setdefault("committee", names.pop(0))
        for text, where in [(t, wh) for t, wh in subtitles if t in names]:
            self.keep(where, text, "text before the first report")

    def _page_headers(self) -> None:
        """The appendix, period and classification from the page headers, where the front lines did not give them."""
        for header in self.package.headers:
            for piece in re.split(r"\s*[·|\n]\s*", header):
                piece = piece.strip()
                if not piece:
                    continue
                if self._appendix(piece):
                    continue
                found = phrases.find_date(piece)
                if found and found[1] == 0:
                    self.info.setdefault("period", found[0])
                elif phrases.classification(piece):
                    self.info.setdefault("classification", piece)

    def _period_elsewhere(self) -> None:
        """A period the front lines and headers do not give: from the title, the file name, or when the file was saved; never the clock."""
        info = self.info
        if isinstance(info.get("title"), str) and (dated := phrases.title_period(info["title"])):
            info["period"], info["title"] = dated  # 'HMICFRS Report Recommendations – December 2022'
            self.info_review["period"] = "taken from the title"
            return
        period = phrases.name_period(self.stem)  # '2022-12 tracker', 'Appendix A - December 2022'
        if period is not None:
            self.info_review["period"] = "taken from the file name"
            info["period"] = period
        elif (saved := self._saved_month()) is not None:  # the month the file itself was last saved
            info["period"] = saved
            self.info_review["period"] = "the old paper gives no period; the month it was last saved is assumed"
            self.warn("", f"the old paper gives no period (a 'December 2022' in its title, a line or page header, or its "
                          f"file name); {saved}, when the file was last saved, is assumed: check it, or give --period")
        # else the build asks for --period

    def _saved_month(self) -> When | None:
        """The month the Word file was last saved (or made), from its own properties; None when it records neither."""
        try:
            props = self.package.document.core_properties
            when = props.modified or props.created
        except (AttributeError, ValueError):
            return None
        return When(when.year, when.month) if isinstance(when, dt.datetime) else None

    def _appendix(self, text: str) -> bool:
        """'Appendix A', 'Appendix 1 – September 2021', 'Appendix-1_<title>': the appendix, and a period or title after it."""
        match = APPENDIX.match(text.strip())
        if not match:
            return False
        self.info.setdefault("appendix", match.group(1))
        rest = match.group(2).strip(" .")
        found = phrases.find_date(rest) if rest else None
        if found is not None and found[1] == 0 and found[2] >= len(rest):
            self.info.setdefault("period", found[0])
        elif len(rest) > 10:
            self.info.setdefault("title", rest)
        return True

    def _title_report(self) -> str | None:
        """A first 'report' heading with no items, byline or date under it is the paper's title."""
        if len(self.reports) > 1:
            first = self.reports[0]
            if not first.items and not first.bylined and first.published is None and not first.sentences:
                self.reports.pop(0)
                if first.summary:
                    self.loose.append(Loose(None, 0, first.where, first.summary.markdown()))
                    self.warn(first.where, "text under the paper's title; kept as a comment in the file")
                return first.title
        return None

    def layout(self) -> str:
        if self.layout_votes["tracker"] > self.layout_votes["response"]:
            return "tracker"
        if self.layout_votes["response"]:
            return "response"
        return "tracker"
