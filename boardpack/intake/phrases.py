"""The words of old papers, understood: status cells, due-date histories, bylines, counts.

Pure functions over text (and a cell's fill colour), so each rule can be tested on its own.
Each one is the inverse of what `derive` prints, and also reads the hand-made variants the
reference papers use ("Reset to", "Was to", "No deadline set by HMICFRS", "5th August 2021").
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass, field
from functools import cache

from ..model import When, parse_when
from ..palette import default_palette

# --- statuses and colours ---------------------------------------------------------------

_STATUS = re.compile(r"\b(NEW[\s-]*GREEN|GREEN|AMBER|RED|WHITE|CLOSED)\b", re.IGNORECASE)
FAMILY = {"GREEN": "green", "NEW GREEN": "green", "AMBER": "amber", "RED": "red", "WHITE": "white", "CLOSED": "grey"}
EARLIER_FILLS = {"00703C": "GREEN", "A7E3B7": "NEW GREEN", "FFBF47": "AMBER", "B3261E": "RED", "FFFFFF": "WHITE", "505A5F": "CLOSED"}
"""The fills boardpack painted before the palette was a file: papers made then are still imported."""


@cache
def _exact() -> dict[str, str]:
    """Fills that name a status outright: the earlier defaults and the shipped palette's."""
    return {**EARLIER_FILLS, **{colour.fill.upper(): status for status, colour in default_palette().items()}}


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
    exact = _exact()
    if fill.upper() in exact:
        return FAMILY[exact[fill.upper()]]
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
    exact = _exact()
    if fill and fill.upper() in exact and exact[fill.upper()] != "WHITE":
        return exact[fill.upper()]
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


_SHORT_YEAR = re.compile(rf"({_MONTHS})\.?(?:\s+|-|\s*'\s*)(\d{{2}})(?![\d/])", re.IGNORECASE)
"""'Sep-21', 'Sept 21', "March '22": a month and a two-digit year, as spreadsheets and trackers write them."""


def find_date(text: str) -> tuple[When, int, int] | None:
    """The first real date in `text`, with where it starts and ends."""
    found = []
    for match in DATE.finditer(text):
        try:
            found.append((parse_when(match.group(0).replace(",", "")), match.start(), match.end()))
            break
        except ValueError:
            continue
    for match in _SHORT_YEAR.finditer(text):
        try:
            found.append((parse_when(f"{match.group(1)} 20{match.group(2)}"), match.start(), match.end()))
            break
        except ValueError:
            continue
    return min(found, key=lambda f: f[1]) if found else None


@dataclass
class Due:
    """A due-date cell, understood."""

    steps: list[tuple[When | None, str | None]] = field(default_factory=list)
    """(date, note), or (None, words) for words without a date ('No deadline set by HMICFRS')."""
    unset: str | None = None
    """The 'No date set by HMICFRS' words, when the cell says only that."""
    backwards: list[str] = field(default_factory=list)
    """Lines whose date is before the one above; kept in the note of the step above."""


def due_history(lines: list[str]) -> Due:
    """'February 2020 / Extended to September 2020 / Now June 2021 pending ...' as steps with notes.

    A line that starts with a date (after 'Extended to', 'Now', 'Reset to', 'New deadline',
    'Was to', ...) is a step, its trailing words the step's note. A line without a date
    continues the note above (a cell cut by a page break, or a long note); before the first
    date it is a step of words ('No deadline set by HMICFRS', 'Immediately'). A cell that
    says only 'No date set by HMICFRS' has no date at all.
    """
    due = Due()
    cleaned = [" ".join(raw.split()) for raw in lines if raw.strip()]
    if len(cleaned) == 1 and _UNSET.match(cleaned[0].rstrip(".")):
        due.unset = cleaned[0]
        return due
    for line in cleaned:
        rest = _PREFIX.sub("", line, count=1)
        found = find_date(rest)
        dated = [when for when, _ in due.steps if when is not None]
        if found is not None and found[1] == 0:
            when, _, end = found
            note = rest[end:].strip() or None
            if dated and when.last_day < dated[-1].last_day:
                due.backwards.append(line)
                _add_note(due, line)
                continue
            due.steps.append((when, note))
        elif dated:
            _add_note(due, line)
        else:
            due.steps.append((None, line))
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
        end = noun + 1  # the run of nouns: 'investigation report' is the scope's own words, a lone 'report' was added
        while end < len(words) - 1 and lowered[end] in _NOUNS:
            end += 1
        scope = words[:noun] if end == noun + 1 and lowered[noun] == "report" else words[:end]
        by = words[end:]
        if "by" in lowered[end : end + 5]:
            by = words[lowered.index("by", end) + 1 :]
        elif by and lowered[end] == "of":
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

_SENTENCE = re.compile(r"^(?:there\s+(?:is|are)|this\s+report\s+(?:makes|has|contains|sets out)|of\s+the\s+\d+\s+in\s+the\s+table|"
                       r"(?:all\s+)?\d+\s+(?:was|were)\s+completed\s+before)\b", re.IGNORECASE)
_THINGS = r"(?:new\s+)?(?:actions?|recommendations?|areas?\s+for\s+improvement|afis?|causes?\s+of\s+concern|suggested\s+actions?)"
_NUMBER = r"(\d+|no|none|one|two|three|four|five|six|seven|eight|nine|ten)"
_WORDS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_FORCE = r"(?:for|to)\s+(?:the\s+)?(?:forces?|police)\b"
_STATES = (
    ("complete", r"(?:newly\s+)?complete(?:d)?\b(?!\s+before)"),
    ("closed", r"closed\b"),
    ("in progress", r"(?:in\s+progress|to\s+be\s+progressed|ongoing)\b"),
    ("RED", r"RED\b"),
    ("other", r"(?:more\s+)?(?:is|are)\s+for\s+(?:an)?other\s+organisations?"),
)


def _n(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word.lower()]


@dataclass
class Sentence:
    """The counts an old summary sentence states (boardpack's own wording, or a hand-made one)."""

    text: str
    total: int | None = None
    """'There are N actions ...': the items it speaks of."""
    made: int | None = None
    """'This report makes N recommendations'."""
    for_force: int | None = None
    """'..., M of which are for the force' / 'N recommendations for the force'."""
    before: int | None = None
    """'K were completed before this paper' (boardpack's wording for a report's totals)."""
    table: int | None = None
    """'Of the N in the table': the rows the counts are about, when the sentence says so."""
    counts: dict[str, int] = field(default_factory=dict)
    """'complete', 'closed', 'in progress', 'RED', 'other' (for other organisations)."""


def count_sentence(text: str) -> Sentence | None:
    """The counts of 'There are 7 actions for the force to consider, 1 is complete, ...'; None if not such a sentence.

    Also reads the totals sentence boardpack prints for a report with published totals:
    'This report makes 10 recommendations, 2 of which are for the force; 5 were completed
    before this paper. Of the 2 in the table, 1 is newly complete and 1 is in progress.'
    """
    text = " ".join(text.split())
    if not _SENTENCE.match(text) or not re.search(rf"{_THINGS}|in\s+the\s+table|completed\s+before", text, re.IGNORECASE):
        return None
    sentence = Sentence(text)
    flags = re.IGNORECASE
    made = re.search(rf"^this\s+report\s+(?:makes|has\s+made|has|contains|sets\s+out)\s+{_NUMBER}\s+{_THINGS}(\s+{_FORCE})?", text, flags)
    there = re.search(rf"^there\s+(?:is|are)\s+{_NUMBER}\s+{_THINGS}(\s+(?:which\s+appl(?:y|ies)\s+)?{_FORCE})?", text, flags)
    head = made or there
    if made:
        sentence.made = _n(made.group(1))
        sentence.total = sentence.made
        if made.group(2):
            sentence.for_force = sentence.made
    elif there:
        sentence.total = _n(there.group(1))
        if there.group(2):
            sentence.for_force = sentence.total
    force = re.search(rf"{_NUMBER}\s+(?:of\s+(?:which|these|them)\s+)?(?:are|is|apply|applies)\s+{_FORCE}", text, flags)
    if force and (head is None or force.start() >= head.end()):
        sentence.for_force = _n(force.group(1))
        if there and sentence.made is None:
            sentence.made = sentence.total
    before = re.search(r"(?:all\s+)?(\d+)\s+(?:was|were)\s+completed\s+before\s+this\s+paper", text, flags)
    if before:
        sentence.before = int(before.group(1))
    table = re.search(r"(?:of\s+the\s+(\d+)\s+in\s+the\s+table|all\s+(\d+)\s+in\s+the\s+table\s+are|the\s+(one)\s+in\s+the\s+table\s+is)", text, flags)
    rest = text[head.end():] if head else text
    if table:
        sentence.table = _n(next(g for g in table.groups() if g))
        rest = text[table.start():]
    for key, pattern in _STATES:
        match = re.search(rf"\b{_NUMBER}\s+(?:{_THINGS}\s+)?(?:(?:of\s+these|more)\s+)?(?:(?:are|is)\s+)?(?:now\s+)?{pattern}", rest, flags)
        if match:
            sentence.counts[key] = _n(match.group(1))
    alls = re.search(r"\b(?:all|which\s+is|in\s+the\s+table\s+(?:is|are))\s+(newly\s+complete|complete|closed|in\s+progress|RED|"
                     r"for\s+(?:an)?other\s+organisations?)\b", rest)
    count = sentence.table if sentence.table is not None else sentence.total
    if alls and count is not None:
        word = alls.group(1).replace("newly ", "")
        sentence.counts["other" if word.startswith("for") else word] = count
    if sentence.total is None and sentence.table is None and sentence.before is None and not sentence.counts:
        return None
    return sentence


def sentence_disagrees(sentence: Sentence, statuses: list[str | None], bodies: int = 0) -> list[str]:
    """How the sentence's counts of the table differ from the table's items (empty when they agree).

    `statuses` are those of the force's items and WHITE ones; `bodies` counts items for
    another body (`for_body`), which the sentence names apart.
    """
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
    if sentence.table is not None:
        if sentence.table != len(statuses) + bodies:
            out.append(f"it says {sentence.table} in the table, the table has {len(statuses) + bodies}")
    elif sentence.total is not None and sentence.total not in (len(statuses), own) and sentence.for_force not in (len(statuses), own):
        out.append(f"it says {sentence.total}, the table has {len(statuses)} item(s) ({own} for the force)")
    for key, stated in sentence.counts.items():
        if stated != table[key]:
            out.append(f"it says {stated} {key}, the table has {table[key]}")
    return out


def report_totals(sentence: Sentence, rows: int) -> tuple[int | None, int | None, int] | None:
    """The report's own totals (made, for the force, completed before) an old sentence gives, if any.

    boardpack's wording says so ('5 were completed before this paper', 'Of the 2 in the
    table'); a hand-made sentence gives totals when it counts more than its table holds
    ('This report makes 23 recommendations, 5 of which are for force' over 1 row): the
    rest were completed before the paper.
    """
    if sentence.before is not None or sentence.table is not None:
        if sentence.made is None and sentence.for_force is None and not sentence.before:
            return None
        return sentence.made, sentence.for_force, sentence.before or 0
    if sentence.made is not None and sentence.for_force is not None and sentence.made != sentence.for_force:
        return sentence.made, sentence.for_force, max(0, sentence.for_force - rows)
    base = sentence.for_force if sentence.for_force is not None else sentence.made
    if base is None or base <= rows:
        return None
    return sentence.made, sentence.for_force, base - rows


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


BODIES = (
    ("Home Office", r"home\s+office"),
    ("College of Policing", r"college\s+of\s+policing|\bCoP\b"),
    ("NPCC", r"\bNPCC\b|(?i:national\s+police\s+chiefs['’]?\s*council)"),
    ("CPS", r"\bCPS\b|(?i:crown\s+prosecution\s+service)"),
    ("HMICFRS", r"\bHMICFRS\b"),
    ("HMCPSi", r"\bHMCPSi\b"),
    ("Ministry of Justice", r"ministry\s+of\s+justice|\bMoJ\b"),
    ("National Crime Agency", r"national\s+crime\s+agency|\bNCA\b"),
    ("APCC", r"\bAPCC\b"),
    ("IOPC", r"\bIOPC\b|(?i:independent\s+office\s+for\s+police\s+conduct)"),
    ("Department for Transport", r"department\s+for\s+transport|\bDfT\b"),
    ("National Criminal Justice Board", r"national\s+criminal\s+justice\s+board"),
)
"""Bodies that deliver recommendations the force does not, as old papers name them."""


def bodies_named(text: str) -> str | None:
    """The delivering bodies a comment names, in the order it names them: 'HMICFRS, NPCC and APCC'."""
    found = []
    for name, pattern in BODIES:
        match = re.search(pattern, text, re.IGNORECASE if name not in ("CPS", "APCC", "NPCC", "IOPC", "HMICFRS") else 0)
        if match:
            found.append((match.start(), name))
    names = [name for _, name in sorted(found)]
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_CLASSIFICATION = re.compile(r"^(?:OFFICIAL|OFFICIAL[- ]SENSITIVE|SECRET|TOP SECRET|RESTRICTED|CONFIDENTIAL|PROTECT|UNCLASSIFIED"
                             r"|NOT PROTECTIVELY MARKED)\b[A-Z \-–:]*$")


def classification(text: str) -> str | None:
    text = " ".join(text.split())
    return text if _CLASSIFICATION.match(text) else None
