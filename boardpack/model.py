"""The paper data model: the one place that says what a paper file may hold.

Every field is typed and documented here; the validation library enforces the
types, unknown keys and vocabularies, and the rules that span several fields
(RED needs a rationale, due dates go forward, ...) live in `validate`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

STATUSES = ("GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED")
"""The RAG vocabulary, in the order the legend and the counts use."""

Status = Literal["GREEN", "NEW GREEN", "AMBER", "RED", "WHITE", "CLOSED"]
ItemType = Literal["Recommendation", "Area for Improvement", "Suggested Action", "Cause of Concern"]
Layout = Literal["tracker", "response"]

DONE = frozenset({"GREEN", "NEW GREEN", "CLOSED"})
"""Statuses under which nothing is left to do."""

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_NAMED = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_NAMES = {name.lower(): n for n in range(1, 13)
                for name in (calendar.month_name[n], calendar.month_abbr[n])}
_MONTH_NAMES["sept"] = 9
DATE_FORMS = "write 2021-09, September 2021, 2021-09-30 or 30 September 2021"
"""The forms a paper file may use, as the error messages list them."""


@dataclass(frozen=True, order=True)
class When:
    """A date known to the month or to the day, as committee papers give them."""

    year: int
    month: int
    day: int | None = None

    @property
    def last_day(self) -> dt.date:
        """The last day the date covers: 'September 2021' runs to the 30th."""
        if self.day is not None:
            return dt.date(self.year, self.month, self.day)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    @property
    def iso(self) -> str:
        """ISO 8601, at the date's own precision: '2021-12' for a month, '2021-12-05' for a day."""
        return f"{self.year:04d}-{self.month:02d}" + (f"-{self.day:02d}" if self.day is not None else "")

    def __str__(self) -> str:
        month = calendar.month_name[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"


EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
"""Years a paper's dates may fall in: outside them a date is a slip of the keyboard ('0221-09'),
which would otherwise pass and make returns no spreadsheet can read back."""


def parse_when(value: Any, what: str = "date") -> When:
    """A month or a day, as people write them; anything else is a user error.

    Months: 2021-09, September 2021, Sept 2021, Sep 2021. Days: 2021-09-30, 30 September 2021,
    30 Sept 2021, 30/09/2021 (day first, as in the UK), or a YAML date. Month names are
    full or abbreviated, in any case.
    """
    if isinstance(value, When):
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _likely(value.isoformat(), When(value.year, value.month, value.day), what)
    if isinstance(value, str):
        parts = _date_parts(" ".join(value.split()))
        if parts is not None:
            return _likely(value, _real_date(value, *parts), what)
    shown = f"'{value}'" if isinstance(value, str) else repr(value)
    raise ValueError(f"{shown} is not a date; {DATE_FORMS}")


def parse_period(value: Any) -> When:
    """A paper's period: a date, named as a period in messages."""
    return parse_when(value, "period")


def _likely(text: str, when: When, what: str) -> When:
    """The date, or a refusal of a year no paper has, with the year it most likely meant."""
    if EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        return when
    typed = next((m.group(0) for m in re.finditer(r"\d+", text) if int(m.group(0)) == when.year), str(when.year))
    guess = _year_meant(typed)
    hint = f"; did you mean {text.replace(typed, guess, 1)}?" if guess else ""
    raise ValueError(f"'{text}' is not a likely {what}: year {when.year}{hint} (allowed: years {EARLIEST_YEAR} to {LATEST_YEAR})")


def _year_meant(typed: str) -> str | None:
    """A year within bounds one slip away from `typed`: two neighbouring digits swapped, else one digit wrong.

    Of several, the one nearest 2000 ('1021' -> '2021' rather than '1921').
    """
    def fits(year: str) -> bool:
        return len(year) == 4 and year[0] != "0" and EARLIEST_YEAR <= int(year) <= LATEST_YEAR

    swapped = {typed[:n] + typed[n + 1] + typed[n] + typed[n + 2:] for n in range(len(typed) - 1)}
    changed = {typed[:n] + d + typed[n + 1:] for n in range(len(typed)) for d in "0123456789"}
    for candidates in (swapped, changed):
        found = sorted((y for y in candidates if fits(y)), key=lambda y: (abs(int(y) - 2000), y))
        if found:
            return found[0]
    return None


def _date_parts(text: str) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) of a date in one of the accepted forms, unchecked."""
    if match := _MONTH.match(text):
        year, month, day = match.groups()
        return int(year), int(month), int(day) if day else None
    if match := _SLASHED.match(text):
        day, month, year = match.groups()
        return int(year), int(month), int(day)
    if (match := _NAMED.match(text)) and match.group(2).lower() in _MONTH_NAMES:
        day, name, year = match.groups()
        return int(year), _MONTH_NAMES[name.lower()], int(day) if day else None
    return None


def _real_date(value: str, year: int, month: int, day: int | None) -> When:
    """The date, or why no calendar has it: '31/02/2021', '2021-13'."""
    if year < 1:
        raise ValueError(f"'{value}' is not a real date: there is no year {year}; {DATE_FORMS}")
    if not 1 <= month <= 12:
        raise ValueError(f"'{value}' is not a real date: there is no month {month}; {DATE_FORMS}")
    days = calendar.monthrange(year, month)[1]
    if day is not None and not 1 <= day <= days:
        raise ValueError(f"'{value}' is not a real date: there is no {day} {calendar.month_name[month]} {year} "
                         f"({calendar.month_name[month]} {year} has {days} days); {DATE_FORMS}")
    return When(year, month, day)


Date = Annotated[When, BeforeValidator(parse_when)]
Period = Annotated[When, BeforeValidator(parse_period)]
Text = Annotated[str, Field(min_length=1)]
Markdown = Annotated[str, Field(min_length=1)]
"""Rich text: Markdown with footnotes, links and `[words]{.underline}`; raw HTML is shown as text."""


class Strict(BaseModel):
    """Unknown keys are mistakes (usually typos), never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True)


class DueStep(Strict):
    """One step of a due-date history: the first date, then each extension.

    A step is a date (with an optional note), or words without a date ('No deadline set
    by HMICFRS'), printed as written and skipped by everything that compares dates.
    """

    model_config = ConfigDict(json_schema_extra={"oneOf": [  # what `_date_or_words` checks, for the schema's readers
        {"required": ["date"], "properties": {"date": {"not": {"type": "null"}}}, "not": {"required": ["words"]}},
        {"required": ["words"], "properties": {"words": {"type": "string"}}, "not": {"anyOf": [{"required": ["date"]}, {"required": ["note"]}]}},
    ]})

    date: Date | None = None
    note: str | None = None
    """Why the date was set or moved: 'pending the results of benchmarking'."""
    words: Text | None = None
    """A step with no date, printed as written: 'No deadline set by HMICFRS'."""

    @model_validator(mode="after")
    def _date_or_words(self) -> DueStep:
        if (self.date is None) == (self.words is None):
            raise ValueError("a due step is either a date (`date: 2021-11`) or words without a date "
                             "(`words: No deadline set by HMICFRS`), not both or neither")
        if self.words is not None and self.note:
            raise ValueError("a step of words has no `note:`; put everything in `words:`")
        return self


def dated(due: Sequence[DueStep]) -> tuple[DueStep, ...]:
    """The steps of a due history that carry a date, in order; steps of words are skipped."""
    return tuple(step for step in due if step.date is not None)


def current_due(due: Sequence[DueStep]) -> When | None:
    """The current due date: the last dated step, or None when no step has a date."""
    steps = dated(due)
    return steps[-1].date if steps else None


def is_overdue(status: str | None, due: tuple[DueStep, ...], period: When) -> bool:
    """Past its current due date at the end of the period, and not finished or RED already."""
    current = current_due(due)
    if current is None or status in DONE or status in ("WHITE", "RED"):
        return False
    return current.last_day < period.last_day


def _due_steps(value: Any) -> Any:
    """A single date is a history of one; a bare date in the list is a step without a note."""
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    return [step if isinstance(step, dict) else {"date": step} for step in value]


class Task(Strict):
    """A numbered sub-task of an item, with its own RAG status."""

    ref: Text
    text: Markdown
    """What is to be done ('Task')."""
    position: Markdown | None = None
    """Where it stands ('Current position')."""
    status: Status | None = None
    status_note: str | None = None
    rationale: Markdown | None = None
    due: Annotated[tuple[DueStep, ...], BeforeValidator(_due_steps)] = ()

    @field_validator("ref", mode="before")
    @classmethod
    def _ref_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


class Item(Strict):
    """One recommendation (or area for improvement, ...) and the force's response."""

    id: Text | None = None
    """A stable name that matches this item to last period's when its ref changed;
    by default items are matched by ref."""
    ref: Text | None = None
    """The number printed in the No. column: '1', '3a'. Leave it out only where the
    inspection report itself gives the recommendation no number."""
    type: ItemType | None = None
    """The lead-in printed before the text."""
    to: str | None = None
    """The body a recommendation is addressed to: 'To chief constables'."""
    text: Markdown
    status: Status | None = None
    status_note: str | None = None
    """A qualifier printed with the status: 'pending Transform changes'."""
    rationale: Markdown | None = None
    """Why an item is RED; required for RED."""
    due: Annotated[tuple[DueStep, ...], BeforeValidator(_due_steps)] = ()
    """First due date, then each extension; the last is current. None: no date set."""
    owner: str | None = None
    """The response layout's 'Force Task Owner'."""
    lead: str | None = None
    """Who delivers a WHITE item."""
    for_body: Text | None = None
    """The body (not the force) that is to act on the item, when it is not WHITE:
    'the Home Office'. Printed 'For the Home Office' with the item and counted apart from
    the force's own actions in the summary sentence ('1 is for the Home Office')."""
    comment: Markdown | None = None
    tasks: tuple[Task, ...] = ()

    @field_validator("ref", mode="before")
    @classmethod
    def _ref_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


class Totals(Strict):
    """A report's own totals, as the inspectorate published them (not counted from the table)."""

    made: Annotated[int, Field(ge=0)] | None = None
    """How many recommendations (or areas for improvement) the report made in all."""
    for_force: Annotated[int, Field(ge=0)] | None = None
    """How many of them are for the force (or for forces)."""
    completed_before: Annotated[int, Field(ge=0)] = 0
    """How many of those were completed before this paper, and so are not in its table."""


class Report(Strict):
    """One inspection report or review, printed as a section with its own table."""

    id: Text | None = None
    """A stable name that matches this report to last period's when its title changed;
    by default reports are matched by title."""
    title: Text
    scope: str | None = None
    """What kind of report: 'national', 'force', 'national joint thematic'."""
    by: str = "HMICFRS"
    """Who published it: 'HMICFRS', 'HMICFRS and HMCPSi'."""
    published: Date | None = None
    to: Text | None = None
    """Whom the report's recommendations are addressed to, when it is not the force (a review of
    another force): 'the Metropolitan Police Service'. The summary sentence then says the report
    makes them to that body and the table gives the force's response, not 'for the force'."""
    summary: Markdown | None = None
    """Optional words printed after the derived summary sentence (never instead of it)."""
    totals: Totals | None = None
    """The report's own totals (made, for the force, completed before this paper), which the
    summary sentence uses alongside the rows it counts."""
    items: tuple[Item, ...] = ()


class PaperInfo(Strict):
    """The title block and running header."""

    title: Text
    appendix: str | None = None
    period: Period
    """The month reported on; overdue is judged against its end."""
    committee: Text
    organisation: Text
    layout: Layout
    classification: str | None = None
    previous: str | None = None
    """Last period's paper file, relative to this one."""
    large_print: bool = False
    """The large-print edition: body text of 12 pt or more in every output (PDF, web page, Word,
    cover report), headings in proportion; the same words, order and tags."""
    print_owners: bool | None = None
    """Whether items' owners print in the paper, as a 'Force Task Owner' column. By default
    they do in the response layout, whose column it is, and not in the tracker, so owners
    can be given to route returns (`generate.py returns`) without printing them."""
    updates: Literal["newest-first", "oldest-first"] = "newest-first"
    """Where a new dated update goes in an item's comment (from an owner's return or the
    workspace): newest-first (the default) puts it first, so the news is the first thing a
    member reads; oldest-first puts it after the rest."""
    meeting: Date | None = None
    """The date of the committee meeting the paper goes to, for a paper without a `cover:`
    block (whose `meeting:` gives it): owners are reminded of items due before it."""
    note: Text | None = None
    """A notice printed in a box on the first page of every output (and of the cover report):
    'Illustrative: made up by the project as September 2021's predecessor; not a published
    paper.' For a paper that must not be mistaken for a published one."""
    archived: bool = False
    """A quarter whose paper is settled: still read for the timelines and changes of the papers
    after it (as their `previous:`), but not rebuilt, and its overdue items no longer reported."""
    timelines: Literal["notable", "all"] = "notable"
    """Which items' timelines the PDF and Word appendix prints: those RED, overdue or whose date
    moved more than once ('notable'), or every item ('all')."""

    @field_validator("appendix", mode="before")
    @classmethod
    def _appendix_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


DEFAULT_RECOMMENDATION = "Members are asked to note the report."


class Implications(Strict):
    """The corporate implications of a committee report, each printed under its own heading when given.

    Leave out those that do not apply; a heading nobody wrote is not printed. The order is
    the City of London committee report template's.
    """

    strategic: Markdown | None = None
    """Strategic implications: how the report bears on the force's plans and priorities."""
    financial: Markdown | None = None
    """Financial implications."""
    resource: Markdown | None = None
    """Resource implications (people, time, equipment)."""
    legal: Markdown | None = None
    """Legal implications."""
    risk: Markdown | None = None
    """Risk implications."""
    equalities: Markdown | None = None
    """Equalities implications (the public sector equality duty)."""
    climate: Markdown | None = None
    """Climate implications."""
    security: Markdown | None = None
    """Security implications."""

    def given(self) -> list[tuple[str, str]]:
        """(heading, words) of each implication given, in the template's order."""
        return [(f"{name.capitalize()} implications", text) for name in type(self).model_fields
                if (text := getattr(self, name)) is not None]


class Cover(Strict):
    """The committee cover report that travels with the paper (built as NAME-cover.pdf/.docx).

    Only what cannot be derived is typed here: who, when, and optional prose. Every count,
    list and the quarter in the subject are worked out from the paper, never typed.
    """

    meeting: Date
    """The date of the committee meeting: 'Dated' on the front sheet."""
    report_of: Text
    """Who the report is of: 'Commissioner of Police'."""
    author: Text
    """The report author: 'Strategic Development, City of London Police'."""
    contact: str | None = None
    """How to reach the author (e-mail or telephone), printed under their name at the end."""
    public: bool = True
    """False marks the report Non-public; `exempt:` then says under which paragraph(s)."""
    exempt: str | None = None
    """For a non-public report, the paragraph(s) of Part I of Schedule 12A to the Local
    Government Act 1972 it is exempt under: '3' or '3 and 7'."""
    purpose: Literal["information", "decision"] = "information"
    """'For Information' (the default) or 'For Decision' on the front sheet."""
    subject: str | None = None
    """The subject before the derived quarter; default 'Quarterly <publisher> update'."""
    recommendation: Markdown = DEFAULT_RECOMMENDATION
    """What members are asked to do; a Markdown list for several recommendations."""
    summary: Markdown | None = None
    """Words printed after the derived summary (never instead of it)."""
    background: Markdown | None = None
    """The Background section; a derived sentence is printed when it is left out."""
    position: Markdown | None = None
    """Words printed after the derived current position."""
    implications: Implications | None = None
    """The corporate implications (financial, legal, risk, equalities, climate, security, ...):
    each one given is printed under its heading, after the current position."""
    conclusion: Markdown | None = None
    """An optional Conclusion section."""

    @model_validator(mode="after")
    def _exempt_only_when_not_public(self) -> Cover:
        if not self.public and not self.exempt:
            raise ValueError("a non-public report (public: false) needs `exempt:` naming the paragraph(s) of "
                             "Schedule 12A to the Local Government Act 1972 it is exempt under, for example exempt: '3'")
        if self.public and self.exempt:
            raise ValueError("`exempt:` is only for a non-public report; set public: false, or remove exempt")
        return self

    @field_validator("exempt", mode="before")
    @classmethod
    def _exempt_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


DEFAULT_LEGEND: dict[Status, str] = {
    "GREEN": "The recommendation is implemented",
    "AMBER": "The recommendation is subject to ongoing work and monitoring but is anticipated will be implemented",
    "RED": "The recommendation is beyond designated deadline or cannot / will not be implemented (rationale required)",
    "WHITE": "The recommendation is not CoLP responsibility to deliver or is dependent upon another organisation delivering a product.",
}


class Paper(Strict):
    """A whole paper file."""

    paper: PaperInfo
    legend: dict[Status, Text] = Field(default_factory=lambda: dict(DEFAULT_LEGEND))
    """Definition of each colour, printed as the tracker's first table."""
    reports: tuple[Report, ...] = Field(min_length=1)
    notes: Markdown | None = None
    """Closing notes, printed after the last report."""
    cover: Cover | None = None
    """The committee cover report; without it only the paper itself is built."""

    @property
    def meeting(self) -> When | None:
        """The date of the meeting the paper goes to: the cover report's, else the paper's own `meeting:`."""
        return self.cover.meeting if self.cover is not None else self.paper.meeting
