"""The paged outputs' appendix "How RED and overdue items got here": timelines as the PDF and Word print them.

The web page shows every item's timeline; a printed paper would be swamped by them, so the
PDF and the Word file print only the notable ones (`timeline.notable`: RED, overdue, or moved
more than once), or every item's when the paper asks (`timelines: all`). Pure: timelines
and a palette in, words and colours out; both renderers read this one view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model import When
from ..palette import Palette
from .rows import APPENDIX_ANCHOR, StatusView, status_view
from .timeline import Timeline, notable

NOTABLE_HEADING = "How RED and overdue items got here"
ALL_HEADING = "How each item got here"


@dataclass(frozen=True)
class StoryQuarter:
    """One quarter of an item's strip: its status (word and colour), due date, and what moved and why."""

    period: str
    status: StatusView | None
    due: str
    moved: str


@dataclass(frozen=True)
class Story:
    title: str
    """'PEEL 2021, No. 1'."""
    text: str
    quarters: tuple[StoryQuarter, ...]
    facts: tuple[str, ...]
    """Made, first RED, each extension with its reason, completed, closed: one line each."""


@dataclass(frozen=True)
class AppendixView:
    heading: str
    intro: str
    stories: tuple[Story, ...]
    anchor: str = APPENDIX_ANCHOR
    """Its id in the PDF, which the contents list links to."""


def _moved(line: Timeline, n: int) -> str:
    """What moved in the `n`th quarter and why: the change, the reason given for a new date, the update given."""
    quarter = line.quarters[n]
    parts = [quarter.change] if quarter.change else []
    if quarter.change and "due " in quarter.change:
        parts += [f"Reason: {ext.reason}" for ext in line.extensions if ext.reason and ext.seen == quarter.period]
    if quarter.update:
        parts.append(quarter.update)
    if not parts:
        return "First reported" if n == 0 else "No change"
    text = " ".join(part if part.endswith((".", "?", "!", "…")) else part + "." for part in parts)
    return text[0].upper() + text[1:]


def facts(line: Timeline) -> tuple[str, ...]:
    out = [f"Made {line.made}"] if line.made else []
    if line.first_red:
        out.append(f"First RED {line.first_red}")
    for ext in line.extensions:
        out.append(f"Due date moved from {ext.was} to {ext.now}: {ext.reason}" if ext.reason else
                   f"Due date moved from {ext.was} to {ext.now} (no reason given)")
    if line.completed:
        out.append(f"Completed {line.completed}")
    if line.closed:
        out.append(f"Closed {line.closed}")
    return tuple(out)


def story(line: Timeline, palette: Palette | None = None) -> Story:
    quarters = tuple(StoryQuarter(str(q.period), status_view(q.status, palette=palette), str(q.due) if q.due else "No date",
                                  _moved(line, n)) for n, q in enumerate(line.quarters))
    return Story(f"{line.report}, No. {line.ref or '–'}", line.text, quarters, facts(line))


def appendix_view(lines: Iterable[Timeline], at: When, every: bool = False, palette: Palette | None = None) -> AppendixView | None:
    """The appendix of a paper for period `at`; None when no item's timeline belongs in it (or the paper has no earlier quarter)."""
    chosen = [line for line in lines if every or notable(line, at)]
    if not chosen:
        return None
    if every:
        heading, which = ALL_HEADING, "every item"
    else:
        heading, which = NOTABLE_HEADING, "the items that are RED, overdue, or whose due date has moved more than once"
    intro = (f"The path of {which}: its status quarter by quarter from the first paper it is in, "
             "what moved each time and why, and when it was made, first went RED, and was completed or closed.")
    return AppendixView(heading, intro, tuple(story(line, palette) for line in chosen))
