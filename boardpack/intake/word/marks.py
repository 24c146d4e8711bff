"""The words and marks an old paper is read by: lead-ins, derived sentences, what the importer writes for what is missing."""

from __future__ import annotations

import re

from ...formats.wordml.vocabulary import TASK_LEAD

PLACEHOLDER = "To be confirmed"
"""What a required field the old paper lacks is set to, with a review comment."""
DERIVED_LEGEND = {"NEW GREEN": "Implemented since the last report", "CLOSED": "Closed: no further action will be taken"}
"""Legend lines the renderer adds when a status is used; not part of the paper file."""

TASK_LEAD_RE = re.compile(rf"^{TASK_LEAD}s?\s*(?:\[\s*([\w.]+)\s*\]|([\d]+(?:\.\d+)*))?\s*:?$", re.IGNORECASE)
POSITION_LEAD_RE = re.compile(r"^current\s+position\s*:?$", re.IGNORECASE)
RATIONALE_LEAD_RE = re.compile(r"^(?:deadline\s+)?rationale\s*:?$", re.IGNORECASE)
RATIONALE_LABEL = re.compile(r"^\s*(?:deadline\s+)?rationale\s*(?::|-|–)\s*", re.IGNORECASE)
"""A rationale's label typed at the start of its words, which the paper prints itself."""
WHY_WORDS = (
    re.compile(r"deadline|delay|extended|stall|reset|slipp|not (?:yet )?(?:been )?(?:met|achieved|completed?)|behind", re.IGNORECASE),
    re.compile(r"vacanc|retire|awaiting|pending|waiting", re.IGNORECASE),
)
"""Words that say why an item is late, strongest first: a RED item's rationale is the first paragraph with them."""
ADDRESSED = re.compile(r"^This [\w-]+ makes \d+ [\w ]+? to (?P<to>.+?); the table gives the force's response to (?:each|it)\.(?: Of the \d+ .*)?$")
"""`derive.addressed_sentence`: a report whose recommendations are another body's."""
NO_ITEMS = re.compile(r"^[“\"](?P<title>.+)[”\"](?: \(published (?P<published>[^)]+)\))? makes no recommendations for the force\.$")
"""The line boardpack prints for a report with no items (`derive.without_items`), read back as that report."""
DERIVED_SECTION = re.compile(r"^(?:changes since\b|(?:executive )?summary$|red and overdue\b|overdue items?\b|how (?:red and overdue|each) items? got here$)",
                             re.IGNORECASE)
"""Headings of sections the paper derives (boardpack prints them, the timelines' appendix too; the importer leaves them out)."""
NOTES_HEADING = re.compile(r"^(?:closing\s+)?notes?$", re.IGNORECASE)
"""The heading of the paper's closing notes (`notes:`), printed after the last report."""
DERIVED_DUE = re.compile(r"^(?:Extended (?:once|twice|\d+ times): .*|Overdue)$")
APPENDIX = re.compile(r"^appendix[\s\-_]*([A-Za-z0-9]{1,6})(?![A-Za-z0-9])[\s\-_:–—.]*(.*)$", re.IGNORECASE)
FIELDS = ("id", "ref", "type", "to", "text", "position", "status", "status_note", "rationale", "due", "owner", "lead", "for_body", "comment", "tasks")
"""Item and task keys in the format's order (a task's `position` sits where an item's text ends)."""


CONTINUED = re.compile(r"(.*?)\s*\((?:continued|cont\.?)\)", re.IGNORECASE)
"""The No. of a later part of a row that boardpack cut for the page."""

PLAIN_TASK = re.compile(r"^\s*(Tasks?\s*(?:\[\s*[\w.]+\s*\]|\d+(?:\.\d+)*)?\s*:?)\s+(?=[A-Z\[(‘'\"“])")
PLAIN_POSITION = re.compile(r"^\s*(Current\s+position\s*:?)(?:\s+|$)", re.IGNORECASE)
TASK_REF = re.compile(r"^\s*(\d+(?:\.\d+)+|\[\d+\])\s*$")
