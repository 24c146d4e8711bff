"""A cell's paragraphs taken apart: marks boardpack printed, lead-ins, numbers and tasks written inside a comment."""

from __future__ import annotations

import re

from ...formats.wordml.rich import Para, Rich
from ...formats.wordml.vocabulary import RATIONALE_MARK
from .. import phrases
from .drafts import Draft
from .marks import PLAIN_POSITION, PLAIN_TASK, POSITION_LEAD_RE, TASK_LEAD_RE, TASK_REF


def goes_on(rich: Rich, mark: str) -> bool:
    """Whether the first paragraph of a continued part's cell goes on with the paragraph before (boardpack marked it)."""
    first = next((p for p in rich.paras if not p.empty), None)
    return first is not None and any(m.startswith(mark) for m in first.marks)


def rationale_apart(rich: Rich) -> tuple[Rich, Rich]:
    """The paragraphs boardpack marked as a rationale (copied), and the rest."""
    marked = [p for p in rich.paras if any(m.startswith(RATIONALE_MARK) for m in p.marks)]
    return rich.take([p.copy() for p in marked]), rich.take([p for p in rich.paras if all(p is not r for r in marked)])


def typed_ref(text: Rich) -> str | None:
    """A number typed at the top of the text cell ('6' on its own line, or '7 Recommendation ...'), taken out."""
    paras = [p for p in text.paras if not p.empty]
    if not paras:
        return None
    first = paras[0]
    alone = re.fullmatch(r"\s*(\d{1,3}[a-z]?)\.?\s*", first.text)
    if alone and len(paras) > 1:
        text.paras = [p for p in text.paras if p is not first]
        return alone.group(1)
    inline = re.match(r"\s*(\d{1,3}[a-z]?)\.?\s+", first.text)
    if inline:
        rest = first.text[inline.end():]
        if phrases.leading_type(rest) or (first.spans and any(s.underline or s.bold for s in first.spans[1:2])):
            first.drop_prefix(inline.end())
            return inline.group(1)
    return None


def drop_lead(rich: Rich, lead: str) -> None:
    """Remove a printed lead-in ('Current position:') from the start of a Rich."""
    for para in rich.paras:
        if not para.text.strip():
            continue
        stripped = para.text.lstrip()
        if stripped.lower().startswith(lead.lower()):
            para.drop_prefix(len(para.text) - len(stripped) + len(lead))
        break
    rich.paras = [p for p in rich.paras if not p.empty]





def lead_of_task(para: Para, plain_too: bool) -> str:
    """The 'Task' / 'Task [1]' lead-in a paragraph starts with: underlined or bold, or (in task columns) typed plainly."""
    lead = para.lead()
    if lead and TASK_LEAD_RE.match(lead):
        return lead
    if plain_too:
        match = PLAIN_TASK.match(para.text)
        if match and TASK_LEAD_RE.match(match.group(1).strip()):
            return match.group(1)
    return ""


def lead_of_position(para: Para, plain_too: bool) -> str:
    lead = para.lead()
    if lead and POSITION_LEAD_RE.match(lead):
        return lead
    if plain_too:
        match = PLAIN_POSITION.match(para.text)
        if match:
            return match.group(1)
    return ""


def split_tasks(rich: Rich, open_tasks: bool) -> tuple[Rich, list[tuple[str | None, Rich, Rich | None]]]:
    """Paragraphs before the first 'Task' lead-in, then each task's text and 'Current position'.

    Tasks start only at the top of the cell, or anywhere once tasks are open for the item:
    an underlined 'Task' in the middle of an ordinary comment stays comment. A paragraph
    that is only a task number ('1.2') just above a 'Task' lead-in is that task's ref.
    """
    paras = [p for p in rich.paras if not p.empty]
    if not paras:
        return Rich(), []
    starts = bool(lead_of_task(paras[0], open_tasks)) or (
        len(paras) > 1 and bool(TASK_REF.match(paras[0].text)) and bool(lead_of_task(paras[1], True)))
    if not open_tasks and not starts:
        return rich.take(paras), []
    before: list[Para] = []
    tasks: list[tuple[str | None, list[Para], list[Para] | None]] = []
    pending_ref: str | None = None
    for n, para in enumerate(paras):
        following = paras[n + 1] if n + 1 < len(paras) else None
        if TASK_REF.match(para.text) and following is not None and lead_of_task(following, True):
            pending_ref = para.text.strip().strip("[]")
            continue
        lead = lead_of_task(para, open_tasks or starts)
        match = TASK_LEAD_RE.match(lead.strip()) if lead else None
        if match:
            para = para.copy()
            para.drop_prefix(len(para.text) - len(para.text.lstrip()) + len(lead))
            tasks.append((pending_ref or match.group(1) or match.group(2), [para] if para.text.strip() else [], None))
            pending_ref = None
            continue
        lead = lead_of_position(para, True) if tasks else ""
        if lead:
            para = para.copy()
            para.drop_prefix(len(para.text) - len(para.text.lstrip()) + len(lead))
            ref, text, _ = tasks[-1]
            tasks[-1] = (ref, text, [para] if para.text.strip() else [])
            continue
        if not tasks:
            before.append(para)
        elif tasks[-1][2] is not None:
            tasks[-1][2].append(para)
        else:
            tasks[-1][1].append(para)
    return rich.take(before), [(ref, rich.take(text), rich.take(pos) if pos is not None else None) for ref, text, pos in tasks]


def add_to_task(task: Draft, rich: Rich) -> None:
    """Text that continues a task written in the comment column: its text, then from a 'Current position' on, its position."""
    paras = [p for p in rich.paras if not p.empty]
    at = next((n for n, p in enumerate(paras) if lead_of_position(p, True)), None)
    opened = bool(task.comment) or task.at.get("position") == "set"
    head = paras if at is None else paras[:at]
    if head:
        (task.comment if opened else task.text).extend(rich.take(head))
    if at is not None:
        first = paras[at].copy()
        first.drop_prefix(len(first.text) - len(first.text.lstrip()) + len(lead_of_position(paras[at], True)))
        task.comment.extend(rich.take(([first] if first.text.strip() else []) + paras[at + 1 :]), join=False)
        task.review.pop("position", None)
        task.at["position"] = "set"


def short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
