"""Counts and sentences: how many of each status, and the words a paper says about them.

Pure functions of the paper's items: a report's summary sentence, the byline, a due date's
history in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..model import STATUSES, DueStep, Item, Report, Totals, dated
from ..text import plural


def count_statuses(items: Iterable[Item]) -> Counter[str]:
    """Items per status, in vocabulary order; items without a status count as ''."""
    counts: Counter[str] = Counter(item.status or "" for item in items)
    return Counter({s: counts[s] for s in (*STATUSES, "") if counts[s]})


def _phrases(counts: Counter[str]) -> list[str]:
    """The parts of a summary sentence, one per group of statuses."""
    complete = counts["GREEN"] + counts["NEW GREEN"]
    parts = []
    if complete:
        new = counts["NEW GREEN"]
        if new == complete:
            parts.append(f"{complete} newly complete")
        elif new:
            parts.append(f"{complete} complete ({new} newly)")
        else:
            parts.append(f"{complete} complete")
    if counts["CLOSED"]:
        parts.append(f"{counts['CLOSED']} closed")
    if counts["AMBER"]:
        parts.append(f"{counts['AMBER']} in progress")
    if counts["RED"]:
        parts.append(f"{counts['RED']} RED")
    if counts[""]:
        parts.append(f"{counts['']} without a status")
    return parts


def _is_are(n: int) -> str:
    return "is" if n == 1 else "are"


def _others_phrases(white: int, bodies: Iterable[tuple[str, int]]) -> list[str]:
    """'1 is for the Home Office', '2 are for other organisations to deliver'."""
    parts = [f"{n} {_is_are(n)} for {body}" for body, n in bodies if n]
    if white:
        parts.append(f"{white} is for another organisation to deliver" if white == 1
                     else f"{white} are for other organisations to deliver")
    return parts


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _with_verbs(parts: list[str]) -> list[str]:
    """'2 closed', '1 RED' -> '2 are closed', '1 is RED' on the first and last parts only."""
    def verb(part: str) -> str:
        n, _, rest = part.partition(" ")
        if rest.startswith(("is ", "are ")):
            return part
        return f"{n} {_is_are(int(n))} {rest}"

    if len(parts) == 1:
        return [verb(parts[0])]
    return [verb(parts[0]), *parts[1:-1], verb(parts[-1])]


def _totals_sentence(counts: Counter[str], totals: Totals, noun: str, bodies: tuple[tuple[str, int], ...]) -> str:
    """The sentence of a report whose published totals are recorded.

    'This report makes 10 recommendations for the force; 5 were completed before this paper.
    Of the 5 in the table, 1 is newly complete, 1 closed, 2 RED and 1 is for another organisation to deliver.'
    """
    made, for_force, before = totals.made, totals.for_force, totals.completed_before
    if made is not None and for_force is not None and for_force != made:
        head = f"This report makes {plural(made, noun)}, {for_force} of which {_is_are(for_force)} for the force"
        if for_force == 0:
            head = f"This report makes {plural(made, noun)}, none of which is for the force"
    elif for_force is not None:
        head = f"This report makes {plural(for_force, noun)} for the force"
    elif made is not None:
        head = f"This report makes {plural(made, noun)}"
    else:
        head = ""
    white = counts["WHITE"]
    own = Counter({s: n for s, n in counts.items() if s != "WHITE"})
    parts = _phrases(own) if set(own) != {""} else ([f"{sum(own.values())} for the force"] if own else [])
    parts += _others_phrases(white, bodies)
    shown = sum(counts.values()) + sum(n for _, n in bodies)
    first: list[str] = []
    if head:
        first.append(head)
    if before:
        everything = for_force is not None and before == for_force
        first.append(f"all {before} were completed before this paper" if everything and before > 1
                     else f"{before} {'was' if before == 1 else 'were'} completed before this paper")
    sentences = ["; ".join(first) + "." if first else ""]
    if shown == 0:
        if not first:
            sentences.append("There is nothing in the table.")
    elif len(parts) == 1:
        only = parts[0].split(" ", 1)[1]
        if only.startswith(("is ", "are ")):
            only = only.split(" ", 1)[1]
        sentences.append(f"The one in the table is {only}." if shown == 1 else f"All {shown} in the table are {only}.")
    else:
        sentences.append(f"Of the {shown} in the table, {_listed(_with_verbs(parts))}.")
    sentence = " ".join(s for s in sentences if s)
    return sentence[0].upper() + sentence[1:]


def summary_sentence(counts: Counter[str], noun: str = "action", totals: Totals | None = None,
                     bodies: Iterable[tuple[str, int]] = (), item_noun: str = "recommendation") -> str:
    """'There are 7 actions for the force: 1 complete, 1 closed and 5 in progress.'

    WHITE items are not the force's to deliver, so they are counted in a sentence of their
    own, as are items for another body (`bodies`: (body, count) of items with `for_body`).
    With the report's own `totals` the sentence starts from them ('This report makes 10
    recommendations for the force; 5 were completed before this paper.') and then counts the
    rows in the table (`item_noun` names what the report makes). Grammatical for none, one
    and many; never typed, so it cannot drift from the table.
    """
    bodies = tuple(bodies)
    if totals is not None:
        return _totals_sentence(counts, totals, item_noun, bodies)
    white = counts["WHITE"]
    own = Counter({s: n for s, n in counts.items() if s != "WHITE"})
    total = sum(own.values())
    other_parts = _others_phrases(white, bodies)
    others = _listed(other_parts) if other_parts else ""
    if total == 0:
        return f"There are no {noun}s for the force" + (f"; {others}." if other_parts else ".")
    head = f"There is 1 {noun} for the force" if total == 1 else f"There are {total} {noun}s for the force"
    parts = _phrases(own)
    if set(own) == {""}:  # nothing has a status (response papers): the count alone
        sentence = head + "."
    elif len(parts) == 1:
        only = parts[0].split(" ", 1)[1]
        sentence = f"{head}, which is {only}." if total == 1 else f"{head}, all {only}."
    else:
        sentence = f"{head}: {', '.join(parts[:-1])} and {parts[-1]}."
    if other_parts:
        sentence += f" {others.split(' ', 1)[0]} more {others.split(' ', 1)[1]}."
    return sentence


def addressed_sentence(report: Report, counts: Counter[str]) -> str:
    """'This review makes 16 recommendations to the Metropolitan Police Service; the table gives the force's response to each.'

    For a report whose recommendations are addressed to another body (`to:`), so the paper
    never calls them the force's own; the statuses, if any, follow as usual.
    """
    made = report.totals.made if report.totals and report.totals.made is not None else len(report.items)
    tail = report.scope.split()[-1].lower() if report.scope else ""
    kind = tail if tail in _REPORT_NOUNS else "report"
    each = "it" if made == 1 else "each"
    sentence = f"This {kind} makes {plural(made, item_noun(report.items))} to {report.to}; the table gives the force's response to {each}."
    parts = _phrases(Counter({s: n for s, n in counts.items() if s}))
    if parts:
        sentence += f" Of the {sum(counts.values())} in the table, {_listed(_with_verbs(parts))}."
    return sentence


def item_noun(items: Iterable[Item]) -> str:
    """What a report makes, by its items' types: 'area for improvement' when every item is one."""
    types = {item.type for item in items}
    return "area for improvement" if types == {"Area for Improvement"} else "recommendation"


def for_bodies(items: Iterable[Item]) -> tuple[tuple[str, int], ...]:
    """(body, number of items) for items addressed to another body, in order of first mention."""
    found: Counter[str] = Counter(item.for_body for item in items if item.for_body)
    return tuple(found.items())


def due_lines(due: tuple[DueStep, ...], unset: str | None) -> tuple[str, ...]:
    """The stacked lines of a due-date history: first date, 'Extended to ...', 'Now ...'."""
    if not due:
        return (unset,) if unset else ()
    steps = dated(due)
    lines = []
    for step in due:
        if step.date is None:  # a step of words, printed as written
            lines.append(step.words or "")
            continue
        n = steps.index(step)
        words = str(step.date)
        if n > 0:
            words = ("Now " if n == len(steps) - 1 else "Extended to ") + words
        if step.note:
            words += f" {step.note}"
        lines.append(words)
    return tuple(lines)


_REPORT_NOUNS = frozenset({"report", "review", "inspection", "investigation", "super-complaint", "assessment"})


def byline(report: Report) -> str | None:
    """'A national report by HMICFRS' (the seeds leave out the 'by'; the importer reads both)."""
    if not report.scope:
        return None
    scope = report.scope
    article = "An" if scope[0].lower() in "aeiou" else "A"
    tail = scope.split()[-1].lower()
    noun = "" if tail in _REPORT_NOUNS else " report"
    return f"{article} {scope}{noun} by {report.by}"
