"""Drafts to the paper file's YAML: format key order, block scalars, review comments."""

from __future__ import annotations

import datetime as dt
import re

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from ...errors import DataError, Problem, UsageError
from ...formats.wordml.rich import Rich
from ...formats.wordml.vocabulary import LEAD_PREFIX
from ...model import STATUSES, When, parse_when
from .. import phrases
from .cells import short
from .drafts import Draft, ReportDraft
from .marks import DERIVED_LEGEND, FIELDS, RATIONALE_LABEL, RATIONALE_LEAD_RE, WHY_WORDS
from .reader import Import


def _when(value: When) -> str | dt.date:
    """A month as '2021-09'; a day as a date, which YAML writes bare (2021-08-05)."""
    if value.day:
        return dt.date(value.year, value.month, value.day)
    return f"{value.year:04d}-{value.month:02d}"


def _markdown(rich: Rich | None) -> str | None:
    if rich is None:
        return None
    text = rich.markdown().strip()
    return text or None


def _literal(text: str) -> LiteralScalarString:
    block: LiteralScalarString = LiteralScalarString("\n".join(line.rstrip() for line in text.splitlines()) + "\n")
    return block


class Builder:
    """Drafts to the paper's YAML tree (format key order, block scalars, review comments)."""

    def __init__(self, job: Import) -> None:
        self.job = job
        self.layout = job.layout()

    def warn(self, where: str, message: str) -> None:
        self.job.warn(where, message)

    def build(self) -> CommentedMap:
        job = self.job
        job.paper_info()
        info = job.info
        paper = CommentedMap()
        for key in ("title", "appendix", "period", "committee", "organisation"):
            if key in info:
                value = info[key]
                paper[key] = _when(value) if isinstance(value, When) else str(value)
                if key in job.info_review:
                    paper.yaml_add_eol_comment(f"review: {job.info_review[key]}", key)
        paper["layout"] = self.layout
        if "classification" in info:
            paper["classification"] = info["classification"]
        if "note" in info:
            paper["note"] = info["note"]
        root = CommentedMap()
        root["paper"] = paper
        legend = {s: d for s, d in job.legend.items() if DERIVED_LEGEND.get(s) != d}
        if legend:
            root["legend"] = CommentedMap((s, legend[s]) for s in STATUSES if s in legend)
        if not job.reports:
            raise DataError([Problem.about(job.label, "no table of recommendations was found: no table has a header "
                                     "naming its columns (Recommendation, Status, Due Date, Comment, ...)")])
        if "period" not in info:
            raise UsageError(f"{job.label}: the old paper gives no period (no month such as 'December 2022' in its title, "
                             "its first lines, its page header or its file name); give it with --period YYYY-MM")
        reports = CommentedSeq()
        for n, draft in enumerate(job.reports):
            report, before = self.report(draft)
            reports.append(report)
            for loose in [entry for entry in job.loose if entry.report is draft]:
                lines = [f"not placed ({loose.where}):"] + ["  " + line for line in _wrap(loose.text)]
                if loose.after < len(report["items"]):
                    before.setdefault(loose.after, []).extend(lines)
                else:
                    job.tail.setdefault(n, []).extend(lines)
            for index, lines in sorted(before.items()):
                report["items"].yaml_set_comment_before_after_key(index, before="\n".join(lines), indent=6)
        for title, published in job.without_items:
            empty = CommentedMap([("title", title)])
            if published:
                try:
                    empty["published"] = _when(parse_when(published))
                except ValueError:
                    empty.yaml_add_eol_comment(f"review: published {published}", "title")
            empty["items"] = CommentedSeq()
            reports.append(empty)
        root["reports"] = reports
        notes = _markdown(job.notes)
        if notes:
            root["notes"] = _literal(notes)
        front = [entry for entry in job.loose if entry.report is None]
        if front:
            lines = []
            for loose in front:
                lines += [f"not placed ({loose.where}):"] + ["  " + line for line in _wrap(loose.text)]
            root.yaml_set_comment_before_after_key("reports", before="\n".join(lines), indent=0)
        return root

    def report(self, draft: ReportDraft) -> tuple[CommentedMap, dict[int, list[str]]]:
        out = CommentedMap()
        out["title"] = draft.title
        if draft.scope:
            out["scope"] = draft.scope
        if draft.by:
            out["by"] = draft.by
        if draft.published is not None:
            out["published"] = _when(draft.published)
        if draft.to:
            out["to"] = draft.to
        summary = _markdown(draft.summary)
        if summary:
            out["summary"] = _literal(summary)
        items = CommentedSeq()
        before: dict[int, list[str]] = {}
        refs: set[str] = set()
        for n, item in enumerate(draft.items):
            mapping, first = self.item(item, refs)
            items.append(mapping)
            if first:
                before.setdefault(n, []).extend(f"review: {message}" for message in first)
        statuses = [i.get("status") for i in items if not i.get("for_body")]
        bodies = len(items) - len(statuses)
        checked = []
        for sentence, where in draft.sentences:
            totals = phrases.report_totals(sentence, len(items))
            if totals is not None and "totals" in out:
                continue  # the report's totals were given once already (a second sentence says them again)
            if totals is None:
                checked.append((sentence, where))
                continue
            made, for_force, completed = totals
            out["totals"] = CommentedMap((key, value) for key, value in (("made", made), ("for_force", for_force), ("completed_before", completed))
                                         if value is not None and (key != "completed_before" or value))
            if sentence.before is None and sentence.table is None:  # a hand-made sentence: the counts were the whole report's
                draft.review["totals"] = f"from the old summary sentence: '{short(sentence.text, 90)}'"
            else:
                checked.append((sentence, where))
        for key, message in draft.review.items():
            if key in out:
                _attach(out, key, [message], 4, ("title", "scope", "by", "published", "summary", "totals"))
        out["items"] = items
        for sentence, where in checked:
            differences = phrases.sentence_disagrees(sentence, statuses, bodies)
            if differences:
                self.warn(where, f"the old summary sentence disagrees with its table ({'; '.join(differences)}): "
                                 f"'{short(sentence.text, 100)}'; it is not imported, the paper derives it from the table")
        return out, before

    def item(self, draft: Draft, refs: set[str]) -> tuple[CommentedMap, list[str]]:
        out = CommentedMap()
        review: dict[str, list[str]] = {}
        for key, message in draft.review.items():
            review.setdefault(key, []).append(message)
        ref = draft.ref
        if ref is not None:
            ref = " ".join(ref.split())
            if ref in refs:
                n = 2
                while f"{ref}-{n}" in refs:
                    n += 1
                self.warn(draft.at.get("ref", draft.where), f"ref '{ref}' is used twice in this report; the second is written '{ref}-{n}'")
                review.setdefault("ref", []).append(f"the old paper numbers two items '{ref}'")
                ref = f"{ref}-{n}"
            refs.add(ref)
            out["ref"] = DoubleQuotedScalarString(ref)
        if draft.type:
            out["type"] = draft.type
        if draft.to:
            out["to"] = draft.to
        text = _markdown(draft.text)
        if not text:
            text = "Not given in the old paper."
            review.setdefault("text", []).append("the old paper gives no text for this item")
            self.warn(draft.at.get("text", draft.where), "an item without text; a placeholder is written")
        out["text"] = _literal(text)
        comment = draft.comment
        self.status(draft, out, review, required=self.layout == "tracker")
        self.rationale(draft, out, review, comment)
        self.due(draft, out, review)
        owner = " ".join(" ".join(draft.owner).split())
        if owner:
            out["owner"] = owner
        self.lead(draft, out, review, comment)
        if draft.for_body:
            out["for_body"] = draft.for_body
        body = _markdown(comment)
        if body:
            out["comment"] = _literal(body)
        if draft.tasks:
            tasks = CommentedSeq()
            seen: set[str] = set()
            for n, task in enumerate(draft.tasks, start=1):
                mapping, first = self.task(task, draft, n, seen)
                tasks.append(mapping)
                if first:
                    tasks.yaml_set_comment_before_after_key(n - 1, before="\n".join(f"review: {m}" for m in first), indent=10)
            out["tasks"] = tasks
        self._images(draft)
        return out, self.comments(out, review, 8)

    def task(self, draft: Draft, item: Draft, n: int, seen: set[str]) -> tuple[CommentedMap, list[str]]:
        out = CommentedMap()
        review: dict[str, list[str]] = {}
        for key, message in draft.review.items():
            review.setdefault(key, []).append(message)
        ref = " ".join((draft.ref or "").split())
        if not ref:
            ref = f"{item.ref}.{n}" if item.ref else str(n)
            review.setdefault("ref", []).append("numbered in order; the old paper does not number this task")
        if ref in seen:
            review.setdefault("ref", []).append(f"the old paper numbers two tasks '{ref}'")
            ref = f"{ref}-{n}"
        seen.add(ref)
        out["ref"] = DoubleQuotedScalarString(ref)
        text = _markdown(draft.text)
        if not text:
            text = "Not given in the old paper."
            review.setdefault("text", []).append("the old paper gives no text for this task")
            self.warn(draft.where, "a task without text; a placeholder is written")
        out["text"] = _literal(text)
        position = draft.comment
        status_map = CommentedMap()
        self.status(draft, status_map, review, required=False)
        self.rationale(draft, status_map, review, position, into="position")
        body = _markdown(position)
        if body:
            out["position"] = _literal(body)
        for key, value in status_map.items():
            out[key] = value
        self.due(draft, out, review)
        self._images(draft)
        return out, self.comments(out, review, 12)

    def status(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]], required: bool) -> None:
        where = draft.at.get("status", draft.where)
        cell = phrases.status_cell(draft.status_lines, LEAD_PREFIX.strip())
        status, fill = cell.status, draft.status_fill
        if cell.others:
            self.warn(where, f"the cell names more than one status ({', '.join([status or '', *cell.others])}); {status} is used")
            review.setdefault("status", []).append(f"the old paper also says {', '.join(cell.others)}")
        if status is not None and phrases.fill_disagrees(status, fill):
            self.warn(where, f"the cell says {status} but is shaded {phrases.fill_family(fill)} ({fill}); the word is used")
            review.setdefault("status", []).append(f"the cell was shaded {phrases.fill_family(fill)} ({fill})")
        if status is None and phrases.status_from_fill(fill):
            status = phrases.status_from_fill(fill)
            self.warn(where, f"a cell shaded {phrases.fill_family(fill)} ({fill}) without a status word; {status} is taken from the colour")
            review.setdefault("status", []).append("taken from the cell's colour; the old paper has no word")
        if status is None and required and cell.note:
            status = "AMBER"  # 'Complete', 'Ongoing': words, but none of the vocabulary's
            self.warn(where, f"'{short(cell.note, 40)}' is not a status word ({', '.join(STATUSES)}); AMBER is written so the "
                             f"paper builds, and '{short(cell.note, 40)}' is kept as its status note: set the status it means"
                             + (" (GREEN, if it is complete)" if re.search(r"\b(?:complete|completed|done|implemented)\b", cell.note, re.I) else ""))
            review.setdefault("status", []).append(f"the old paper says '{short(cell.note, 40)}', which is not a status word")
        elif status is None and required:
            status = "AMBER"
            self.warn(where, "no status (no word, no colour); AMBER is written so the paper builds")
            review.setdefault("status", []).append("the old paper gives no status")
        if status is not None:
            out["status"] = status
        if cell.note:
            out["status_note"] = cell.note
        if cell.lead:
            draft.at["printed_lead"] = cell.lead

    def rationale(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]], comment: Rich, into: str = "comment") -> None:
        if draft.rationale is not None and _markdown(draft.rationale):
            first = next((p for p in draft.rationale.paras if p.text.strip()), None)
            if first is not None and (label := RATIONALE_LABEL.match(first.text)):
                first.drop_prefix(label.end())
            out["rationale"] = _literal(_markdown(draft.rationale) or "")
            return
        if out.get("status") != "RED":
            return
        where = draft.at.get("comment", draft.where)
        paras = [p for p in comment.paras if p.text.strip()]  # a rule or a lone footnote is no rationale
        start = next((n for n, p in enumerate(paras) if RATIONALE_LEAD_RE.match(p.lead() or "")), None)
        if start is not None:
            chosen = [paras[start]]
            for para in paras[start + 1 :]:
                if para.lead():
                    break
                chosen.append(para)
            first = chosen[0].copy()
            first.drop_prefix(len(first.text) - len(first.text.lstrip()) + len(chosen[0].lead()))
            rationale = comment.take(([first] if first.text.strip() else []) + chosen[1:])
            comment.paras = [p for p in comment.paras if all(p is not c for c in chosen)]
            out["rationale"] = _literal(_markdown(rationale) or "Not given in the old paper.")
            return
        sources = [(comment, p) for p in paras] + [(task.comment, p) for task in draft.tasks for p in task.comment.paras if p.text.strip()]
        found = next(((origin, p) for words in WHY_WORDS for origin, p in sources if words.search(p.text)), (comment, paras[0]) if paras else None)
        pick = found[1] if found else None
        if found is not None and pick is not None:
            origin = found[0]
            origin.paras = [p for p in origin.paras if p is not pick]
            if label := RATIONALE_LABEL.match(pick.text):  # 'Rationale: ...' typed plainly: the paper prints its own label
                pick = pick.copy()
                pick.drop_prefix(label.end())
            if origin is not comment:
                into = "position of a task"
            out["rationale"] = _literal(_markdown(origin.take([pick])) or "")
            review.setdefault("rationale", []).append(f"moved from the {into}; RED needs a rationale")
            self.warn(where, f"RED without a rationale; taken from the {into}: '{short(pick.text, 60)}'")
        else:
            out["rationale"] = _literal("Not given in the old paper.")
            review.setdefault("rationale", []).append("the old paper gives no rationale; RED needs one")
            self.warn(where, "RED without a rationale, and nothing to take it from; a placeholder is written")

    def due(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]]) -> None:
        where = draft.at.get("due", draft.where)
        due = phrases.due_history(draft.due_lines)
        if due.backwards:
            self.warn(where, f"a due date goes backwards ({'; '.join(due.backwards)}); kept in the note of the date above")
            review.setdefault("due", []).append("dates that went backwards are kept in a note")
        if due.unset and not due.unset.startswith("No date set by "):  # the paper's own words ('No date set by ...') are derived again
            steps = CommentedSeq([CommentedMap([("words", due.unset)])])  # 'No deadline set by HMICFRS': kept as written
            steps[0].fa.set_flow_style()
            out["due"] = steps
            return
        if not due.steps:
            return
        first = due.steps[0]
        if len(due.steps) == 1 and first[0] is not None and not first[1]:
            out["due"] = _when(first[0])
            return
        steps = CommentedSeq()
        for when, note in due.steps:
            if when is None:
                step = CommentedMap([("words", note)])  # words without a date, printed as written
            elif note:
                step = CommentedMap([("date", _when(when)), ("note", note)])
            else:
                steps.append(_when(when))
                continue
            step.fa.set_flow_style()
            steps.append(step)
        out["due"] = steps

    def lead(self, draft: Draft, out: CommentedMap, review: dict[str, list[str]], comment: Rich) -> None:
        printed = draft.at.get("printed_lead")
        if printed:
            out["lead"] = printed
            return
        if out.get("status") != "WHITE":
            return
        where = draft.at.get("comment", draft.where)
        found = phrases.lead_from(comment.text) or phrases.lead_from(str(out.get("status_note") or ""))
        if found:
            out["lead"] = found
            review.setdefault("lead", []).append("taken from the comment; WHITE needs a lead")
            self.warn(where, f"WHITE without a lead; '{short(found, 60)}' taken from the comment")
        elif named := phrases.bodies_named(f"{comment.text} {out.get('status_note') or ''}"):
            out["lead"] = named
            review.setdefault("lead", []).append("the bodies the comment names; WHITE needs a lead")
            self.warn(where, f"WHITE without a lead; '{short(named, 60)}' (named in the comment) is written")
        else:
            out["lead"] = "Not stated"
            review.setdefault("lead", []).append("the old paper does not say who delivers it; WHITE needs a lead")
            self.warn(where, "WHITE without a lead, and the comment names nobody; 'Not stated' is written")

    def _images(self, draft: Draft) -> None:
        for rich in (draft.text, draft.comment, draft.rationale):
            if rich is not None and rich.images:
                self.warn(draft.where, f"{rich.images} picture(s) or embedded object(s) in the cell are not imported")
                rich.images = 0
            if rich is not None and rich.tables:
                self.warn(draft.where, "a table inside a cell was read as paragraphs")
                rich.tables = 0

    def comments(self, out: CommentedMap, review: dict[str, list[str]], indent: int) -> list[str]:
        """Attach review comments to their keys; return those that must go above the item."""
        first: list[str] = []
        for key, messages in review.items():
            first += _attach(out, key, messages, indent, FIELDS)
        return first


def _attach(mapping: CommentedMap, key: str, messages: list[str], indent: int, order: tuple[str, ...]) -> list[str]:
    """A review comment on `key` (or, if it is not written, the key before where it would be).

    Plain values get it at the end of their line, block values above their key; above the
    first key of a list entry a comment cannot go, so those are returned for the list.
    """
    if not mapping:
        return messages
    if key not in mapping:
        earlier = [k for k in order[: order.index(key)] if k in mapping] if key in order else []
        key = earlier[-1] if earlier else next(iter(mapping))
    text = "; ".join(messages)
    value = mapping[key]
    if not isinstance(value, (LiteralScalarString, CommentedSeq, CommentedMap)):
        existing = mapping.ca.items.get(key)
        if existing and existing[2] is not None:
            text = existing[2].value.strip().lstrip("#").strip().removeprefix("review: ") + "; " + text
        mapping.yaml_add_eol_comment(f"review: {text}", key)
        return []
    if list(mapping).index(key) == 0:
        return [text]
    mapping.yaml_set_comment_before_after_key(key, before=f"review: {text}", indent=indent)
    return []


def _wrap(text: str, width: int = 100) -> list[str]:
    out: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            out.append(line)
    return out
