"""The words of old papers, understood: status cells, due-date histories, bylines, counts.

Pure functions over text (and a cell's fill colour), so each rule can be tested on its own.
Each one is the inverse of what `derive` prints, and also reads the hand-made variants the
reference papers use ("Reset to", "Was to", "No deadline set by HMICFRS", "5th August 2021").
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass, field

from ..derive import PALETTE
from ..model import When, parse_when

# --- statuses and colours ---------------------------------------------------------------

_STATUS = re.compile(r"\b(NEW[\s-]*GREEN|GREEN|AMBER|RED|WHITE|CLOSED)\b", re.IGNORECASE)
FAMILY = {"GREEN": "green", "NEW GREEN": "green", "AMBER": "amber", "RED": "red", "WHITE": "white", "CLOSED": "grey"}
_EXACT = {colour.fill.upper(): status for status, colour in PALETTE.items()}


@dataclass
class StatusCell:
    """What a status cell says."""

    status: str | None = None
    note: str | None = None
    lead: str | None = None
    others: list[str] = field(default_factory=list)
    """Further status words in the cell ('AMBER / GREEN'), not used."""


def status_cell(lines: list[str], lead_prefix: str = "Lead:") -> StatusCell:
    """The status word, its qualifier ('pending Transform changes') and a printed 'Lead: ...'."""
    cell = StatusCell()
    notes = []
    for line in lines:
        line = " ".join(line.split())
        if line.lower().startswith(lead_prefix.lower()):
            cell.lead = line[len(lead_prefix):].strip() or None
            continue
        found = list(_STATUS.finditer(line))
        if found and cell.status is None:
            first = found[0]
            cell.status = _status_word(first.group(1))
            cell.others = [_status_word(m.group(1)) for m in found[1:]]
            rest = (line[: first.start()] + " " + line[first.end():]).strip(" -–:,;")
            if rest:
                notes.append(" ".join(rest.split()))
        elif line:
            notes.append(line)
    cell.note = " ".join(notes) or None
    return cell


def _status_word(word: str) -> str:
    word = " ".join(word.upper().replace("-", " ").split())
    return "NEW GREEN" if word.replace(" ", "") == "NEWGREEN" else word


def fill_family(fill: str | None) -> str | None:
    """'green', 'amber', 'red', 'grey', 'white', 'other' for a cell's hex fill; None when unshaded."""
    if not fill or not re.fullmatch(r"[0-9A-Fa-f]{6}", fill):
        return None
    if fill.upper() in _EXACT:
        return FAMILY[_EXACT[fill.upper()]]
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    degrees = hue * 360
    if light > 0.94:
        return "white"
    if sat < 0.18 or light < 0.08:
        return "grey"
    if degrees < 15 or degrees >= 340:
        return "red"
    if degrees < 66:
        return "amber"
    if degrees < 170:
        return "green"
    return "other"


def status_from_fill(fill: str | None) -> str | None:
    """The status a colour stands for, when a cell has a colour but no word."""
    if fill and fill.upper() in _EXACT and _EXACT[fill.upper()] != "WHITE":
        return _EXACT[fill.upper()]
    return {"green": "GREEN", "amber": "AMBER", "red": "RED", "grey": "CLOSED"}.get(fill_family(fill) or "")


def fill_disagrees(status: str, fill: str | None) -> bool:
    """A coloured cell whose colour is not the status's (unshaded and white cells never disagree)."""
    family = fill_family(fill)
    if family in (None, "white"):
        return False
    if status == "CLOSED":
        return family not in ("grey",)
    return family != FAMILY.get(status)


# --- dates and due-date histories ------------------------------------------------------------

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
DATE = re.compile(
    rf"(?:(?:\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}|{_MONTHS}\.?,?\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}}|\d{{4}}-\d{{1,2}}(?:-\d{{1,2}})?)\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^(?:(?:then\s+)?(?:extended|reset|revised|moved|changed|deferred|put back|pushed back)(?:\s+(?:to|until))?|now(?:\s+(?:due|extended to|set to))?|"
    r"new\s+(?:deadline|date|due date)(?:\s+(?:of|is))?:?|was(?:\s+to)?|then|and|originally|initially|deadline:?|due:?|by)\s+",
    re.IGNORECASE,
)
_UNSET = re.compile(r"^(?:no\s+(?:date|deadline|due date|timescale)s?|not)\s+(?:set|given|specified|stated)(?:\s+by\s+(?P<by>.+?))?\.?$", re.IGNORECASE)


def find_date(text: str) -> tuple[When, int, int] | None:
    """The first real date in `text`, with where it starts and ends."""
    for match in DATE.finditer(text):
        try:
            return parse_when(match.group(0).replace(",", "")), match.start(), match.end()
        except ValueError:
            continue
    return None


@dataclass
class Due:
    """A due-date cell, understood."""

    steps: list[tuple[When, str | None]] = field(default_factory=list)
    unset: str | None = None
    """The 'No date set by HMICFRS' words, when the cell says so."""
    loose: list[str] = field(default_factory=list)
    """Words that belong to no date (before the first date): kept for review, never dropped."""
    backwards: list[str] = field(default_factory=list)
    """Lines whose date is before the one above; kept in the note of the step above."""


def due_history(lines: list[str]) -> Due:
    """'February 2020 / Extended to September 2020 / Now June 2021 pending ...' as steps with notes.

    A line that starts with a date (after 'Extended to', 'Now', 'Reset to', 'New deadline',
    'Was to', ...) is a step, its trailing words the step's note. A line without a date
    continues the note above (a cell cut by a page break, or a long note). 'No date set by
    HMICFRS' means no date.
    """
    due = Due()
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            continue
        unset = _UNSET.match(line.rstrip("."))
        if unset:
            due.unset = line
            continue
        rest = _PREFIX.sub("", line, count=1)
        found = find_date(rest)
        if found is not None and found[1] == 0:
            when, _, end = found
            note = rest[end:].strip() or None
            if due.steps and when.last_day < due.steps[-1][0].last_day:
                due.backwards.append(line)
                _add_note(due, line)
                continue
            due.steps.append((when, note))
        elif due.steps:
            _add_note(due, line)
        else:
            due.loose.append(line)
    return due


def _add_note(due: Due, words: str) -> None:
    when, note = due.steps[-1]
    due.steps[-1] = (when, f"{note} {words}" if note else words)


# --- report headings -------------------------------------------------------------------------

_NOUNS = ("report", "review", "inspection", "investigation", "super-complaint", "assessment")


def byline(text: str) -> tuple[str | None, str | None] | None:
    """'A national joint thematic report HMICFRS and HMCPSi' -> ('national joint thematic', 'HMICFRS and HMCPSi').

    None when the text is not a byline. Inverse of `derive.byline`, and reads the hand-made
    variants ('A force report by HMICFRS', 'A national thematic HMICFRS report').
    """
    text = " ".join(text.split()).rstrip(".")
    match = re.match(r"^(an?)\s+(.+)$", text, re.IGNORECASE)
    if not match or len(text) > 250:
        return None
    words = match.group(2).split(" ")
    lowered = [word.lower().strip(",;:") for word in words]
    noun = next((n for n, word in enumerate(lowered) if word in _NOUNS), None)
    if noun is not None and noun < len(words) - 1:
        scope = words[:noun] if lowered[noun] == "report" else words[: noun + 1]
        by = words[noun + 1 :]
        if lowered[noun] != "report" and lowered[noun + 1] == "report":
            by = words[noun + 2 :]
        if "by" in lowered[noun + 1 : noun + 6]:
            by = words[lowered.index("by", noun + 1) + 1 :]
        elif by and lowered[noun + 1] == "of":
            return None
    else:
        body = words[:noun] if noun is not None else words
        first_proper = next((n for n, word in enumerate(body) if n > 0 and word[:1].isupper()), None)
        if first_proper is None:
            if noun is None:
                return None
            return " ".join(body) or None, None
        scope, by = body[:first_proper], body[first_proper:]
    if not scope and not by:
        return None
    return " ".join(scope) or None, " ".join(by).strip(" ,") or None


_PUBLISHED = re.compile(r"\bpublished\b(?:\s+(?:on|in))?\s*:?\s*", re.IGNORECASE)


def published_dates(text: str) -> list[When]:
    """Every date the words 'published ...' give in a paragraph."""
    out = []
    for match in _PUBLISHED.finditer(text):
        found = find_date(text[match.end() : match.end() + 40])
        if found is not None and found[1] == 0:
            out.append(found[0])
    return out


# --- the old summary sentences ----------------------------------------------------------------

_SENTENCE = re.compile(r"^(?:there\s+(?:is|are)|this\s+report\s+(?:makes|has|contains|sets out))\b", re.IGNORECASE)
_THINGS = r"(?:new\s+)?(?:actions?|recommendations?|areas?\s+for\s+improvement|afis?|causes?\s+of\s+concern|suggested\s+actions?)"
_NUMBER = r"(\d+|no|one|two|three|four|five|six|seven|eight|nine|ten)"
_WORDS = {"no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _n(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word.lower()]


@dataclass
class Sentence:
    """The counts an old summary sentence states."""

    text: str
    total: int | None = None
    for_force: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    """'complete', 'closed', 'in progress', 'RED', 'other' (for other organisations)."""


def count_sentence(text: str) -> Sentence | None:
    """The counts of 'There are 7 actions for the force to consider, 1 is complete, ...'; None if not such a sentence."""
    text = " ".join(text.split())
    if not _SENTENCE.match(text) or not re.search(_THINGS, text, re.IGNORECASE):
        return None
    sentence = Sentence(text)
    total = re.search(rf"^(?:there\s+(?:is|are)|this\s+report\s+\w+(?:\s+out)?)\s+{_NUMBER}\s+{_THINGS}", text, re.IGNORECASE)
    if total:
        sentence.total = _n(total.group(1))
    force = re.search(rf"{_NUMBER}\s+(?:of\s+(?:which|these|them)\s+)?(?:are|is|apply|applies)\s+(?:for|to)\s+(?:the\s+)?forces?\b", text, re.IGNORECASE)
    if force:
        sentence.for_force = _n(force.group(1))
    rest = text[total.end():] if total else text
    for key, pattern in (
        ("complete", r"(?:newly\s+)?complete(?:d)?\b"),
        ("closed", r"closed\b"),
        ("in progress", r"(?:in\s+progress|to\s+be\s+progressed|ongoing)\b"),
        ("RED", r"RED\b"),
        ("other", r"(?:more\s+)?(?:is|are)\s+for\s+(?:an)?other\s+organisations?"),
    ):
        match = re.search(rf"\b{_NUMBER}\s+(?:{_THINGS}\s+)?(?:(?:of\s+these|more)\s+)?(?:(?:are|is)\s+)?(?:now\s+)?{pattern}", rest, re.IGNORECASE)
        if match:
            sentence.counts[key] = _n(match.group(1))
    alls = re.search(r"\b(?:all|which\s+is)\s+(newly\s+complete|complete|closed|in\s+progress|RED)\b", rest)
    if alls and sentence.total is not None:
        word = alls.group(1).replace("newly ", "")
        sentence.counts[{"in progress": "in progress"}.get(word, word)] = sentence.total
    return sentence if sentence.total is not None or sentence.counts else None


def sentence_disagrees(sentence: Sentence, statuses: list[str | None]) -> list[str]:
    """How the sentence's counts differ from the table's items (empty when they agree)."""
    white = statuses.count("WHITE")
    own = len(statuses) - white
    table = {
        "complete": statuses.count("GREEN") + statuses.count("NEW GREEN"),
        "closed": statuses.count("CLOSED"),
        "in progress": statuses.count("AMBER"),
        "RED": statuses.count("RED"),
        "other": white,
    }
    out = []
    if sentence.total is not None and sentence.total not in (len(statuses), own) and sentence.for_force not in (len(statuses), own):
        out.append(f"it says {sentence.total}, the table has {len(statuses)} item(s) ({own} for the force)")
    for key, stated in sentence.counts.items():
        if stated != table[key]:
            out.append(f"it says {stated} {key}, the table has {table[key]}")
    return out


# --- recommendation types, addressees, leads --------------------------------------------------

ITEM_TYPES = {
    "recommendation": "Recommendation",
    "recommendations": "Recommendation",
    "area for improvement": "Area for Improvement",
    "areas for improvement": "Area for Improvement",
    "afi": "Area for Improvement",
    "suggested action": "Suggested Action",
    "suggested actions": "Suggested Action",
    "hmicfrs suggested action": "Suggested Action",
    "cause of concern": "Cause of Concern",
    "causes of concern": "Cause of Concern",
}


def item_type(words: str) -> str | None:
    """'Recommendation', 'Areas for improvement:', "HMICFRS 'Suggested Action'" -> the format's type."""
    key = re.sub(r"[‘’'\"“”:]", "", " ".join(words.split())).strip().lower()
    return ITEM_TYPES.get(key)


def leading_type(text: str) -> tuple[str, int] | None:
    """A type named at the very start of plain text ('Cause of concern Some victims ...'), and its length."""
    for words in sorted(ITEM_TYPES, key=len, reverse=True):
        match = re.match(rf"^\s*(?:HMICFRS\s+)?['‘’\"“]?{re.escape(words)}['‘’\"”]?:?(?=\s+[A-Z(‘'\"“]|\s*$)", text, re.IGNORECASE)
        if match:
            return ITEM_TYPES[words], match.end()
    return None


_FOR = re.compile(
    r"\b(?:action|recommendation|area for improvement|bullets?\b[^.]{0,40}?|this|it|delivery)\s+(?:is|are|sits|rests)\s+"
    r"(?:initially\s+|in\s+part\s+|primarily\s+|solely\s+|a\s+matter\s+)?(?:for|with)\s+(?:the\s+)?(?P<who>[^.;\n]+)",
    re.IGNORECASE,
)


def lead_from(text: str) -> str | None:
    """Who delivers, from words like 'This action is for the Home Office'."""
    match = _FOR.search(text)
    if not match:
        return None
    who = match.group("who").strip(" ,")
    who = re.split(r",?\s+(?:however|but|although|whilst|while|who|which)\b", who, maxsplit=1)[0]
    return who[:200] if who else None


_CLASSIFICATION = re.compile(r"^(?:OFFICIAL|OFFICIAL[- ]SENSITIVE|SECRET|TOP SECRET|RESTRICTED|CONFIDENTIAL|PROTECT|UNCLASSIFIED|NOT PROTECTIVELY MARKED)\b[A-Z \-–:]*$")


def classification(text: str) -> str | None:
    text = " ".join(text.split())
    return text if _CLASSIFICATION.match(text) else None
