"""What a cell says, as structure (`Rich`, `Para`, `Span`), and as Markdown again (`to_markdown`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# --- what a cell says, as structure ------------------------------------------------------


@dataclass
class Span:
    """A piece of text with one formatting; a footnote call has `note` and no text."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    link: str | None = None
    note: int | None = None
    """Index into `Rich.notes`."""

    def same_look(self, other: Span) -> bool:
        return (self.bold, self.italic, self.underline, self.link) == (other.bold, other.italic, other.underline, other.link) \
            and self.note is None and other.note is None


ParaKind = Literal["para", "bullet", "number", "continue", "rule"]


@dataclass
class Para:
    """One paragraph: a plain paragraph, a list item at a level, or an item's further paragraph."""

    spans: list[Span] = field(default_factory=list)
    kind: ParaKind = "para"
    level: int = 0
    number: int | None = None
    """The number a numbered item shows."""
    style: str = ""
    """The paragraph style's name, lower case."""
    marks: set[str] = field(default_factory=set)
    """Bookmarks (by name) that cover this paragraph."""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    @property
    def empty(self) -> bool:
        """No words, no footnote call, and not a rule: a paragraph that says nothing."""
        return self.kind != "rule" and not self.text.strip() and all(s.note is None for s in self.spans)

    def lead(self) -> str:
        """The underlined or bold words the paragraph starts with ('Current position')."""
        out: list[str] = []
        for span in self.spans:
            if span.note is not None:
                break
            if not (span.underline or span.bold):
                if span.text.strip():
                    break
                if out:
                    break
                continue
            out.append(span.text)
        return "".join(out).strip()

    def drop_prefix(self, chars: int) -> None:
        """Remove the first `chars` characters of text (and the spaces after them)."""
        left = chars
        spans = []
        for span in self.spans:
            if left > 0 and span.note is None:
                if len(span.text) <= left:
                    left -= len(span.text)
                    continue
                span = Span(span.text[left:], span.bold, span.italic, span.underline, span.link)
                left = 0
            spans.append(span)
        while spans and spans[0].note is None and not spans[0].text.strip():
            spans.pop(0)
        if spans and spans[0].note is None:
            first = spans[0]
            spans[0] = Span(first.text.lstrip(), first.bold, first.italic, first.underline, first.link)
        self.spans = spans

    def copy(self) -> Para:
        return Para([Span(s.text, s.bold, s.italic, s.underline, s.link, s.note) for s in self.spans],
                    self.kind, self.level, self.number, self.style, set(self.marks))


@dataclass
class Rich:
    """A rich-text cell (or part of one): paragraphs, and the footnotes they call."""

    paras: list[Para] = field(default_factory=list)
    notes: list[list[Para]] = field(default_factory=list)
    images: int = 0
    """Pictures and embedded objects seen (not imported)."""
    tables: int = 0
    """Tables nested in the cell (their text is read as paragraphs)."""

    @property
    def text(self) -> str:
        """Plain text, one line per paragraph (line breaks kept)."""
        return "\n".join(p.text for p in self.paras).strip()

    def __bool__(self) -> bool:
        return any(not p.empty for p in self.paras)

    def lines(self) -> list[str]:
        """Plain text lines: paragraphs and line breaks both end a line; blank lines dropped."""
        return [line.strip() for p in self.paras for line in p.text.split("\n") if line.strip()]

    def take(self, paras: Sequence[Para]) -> Rich:
        """A Rich of some of these paragraphs, with the notes they call."""
        return Rich(list(paras), self.notes)

    def extend(self, other: Rich, join: bool = True, always: bool = False) -> None:
        """Append another Rich (a row continued after a page break).

        With `join`, a paragraph that the break cut in two is put back together: the last
        paragraph did not end a sentence, or the next starts in lower case; with `always`,
        the first paragraph is joined to the last whatever they say (boardpack marked it).
        """
        offset = len(self.notes)
        self.notes.extend(other.notes)
        paras = [p.copy() for p in other.paras if not p.empty]
        for para in paras:
            for span in para.spans:
                if span.note is not None:
                    span.note += offset
        if join and paras and self.paras:
            last, first = self.paras[-1], paras[0]
            if always or _cut(last, first):
                last.spans.append(Span(" "))
                last.spans.extend(first.spans)
                paras = paras[1:]
        self.paras.extend(paras)
        self.images += other.images
        self.tables += other.tables

    def markdown(self) -> str:
        """The cell as Markdown in the project's dialect; '' when empty."""
        return to_markdown(self)


_SENTENCE_END = re.compile(r"[.!?:;)\]”\"'’]\s*$")


def _cut(last: Para, first: Para) -> bool:
    """Whether two paragraphs are one that a page break split."""
    if "rule" in (first.kind, last.kind) or first.kind in ("bullet", "number") and first.kind == last.kind:
        return False
    if first.kind in ("bullet", "number") and last.kind == "para":
        return False
    text, start = last.text.rstrip(), first.text.lstrip()
    if not text or not start:
        return False
    return start[0].islower() or not _SENTENCE_END.search(text)


# --- Markdown out ----------------------------------------------------------------------------


_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^(\s*)([#>+=|-]|\d+(?=[.)]))")


def escape(text: str, in_brackets: bool = False) -> str:
    r"""Plain text as Markdown that renders as exactly that text.

    Only what would change the meaning is escaped: emphasis and code marks, brackets that
    would make a link, span or footnote, autolinks, entities, and line starts that would
    make a heading, quote, list or rule.
    """
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < n else ""
        prev = text[i - 1] if i else ""
        if ch in "\\`*{}<":
            out.append("\\" + ch)
        elif ch == "_" and not (prev.isalnum() and nxt.isalnum()):
            out.append("\\_")
        elif ch == "[" and (in_brackets or nxt == "^"):
            out.append("\\[")
        elif ch == "]" and (in_brackets or nxt in "({[:"):
            out.append("\\]")
        elif ch == "!" and nxt == "[":
            out.append("\\!")
        else:
            out.append(ch)
    return _ENTITY.sub("\\\\&", "".join(out))


def _line_starts(text: str) -> str:
    """Escape what would start a block at the beginning of each line."""
    lines = text.split("\n")
    out = []
    for line in lines:
        line = line.lstrip(" \t")
        match = _LINE_START.match(line)
        if match:
            mark = match.group(2)
            if mark[0].isdigit():
                line = mark + "\\" + line[len(mark):]
            else:
                line = "\\" + line
        out.append(line)
    return "\n".join(out)


def _inline(spans: Sequence[Span], notes: dict[int, int]) -> str:
    """Spans as inline Markdown, formatting nested link > bold > italic > underline."""
    merged: list[Span] = []
    for span in spans:
        if span.note is None and not span.text:
            continue
        if merged and span.note is None and merged[-1].same_look(span):
            merged[-1] = Span(merged[-1].text + span.text, span.bold, span.italic, span.underline, span.link)
        else:
            merged.append(span)
    return _group(merged, ("link", "bold", "italic", "underline"), notes)


def _group(spans: Sequence[Span], keys: Sequence[str], notes: dict[int, int]) -> str:
    if not keys:
        return "".join(f"[^{notes[s.note]}]" if s.note is not None else escape(s.text) for s in spans)
    key, rest = keys[0], keys[1:]
    out = []
    run: list[Span] = []

    def flush() -> None:
        if not run:
            return
        value = getattr(run[0], key)
        inner = _group(run, rest, notes) if not (key == "underline" and value) else _brackets(run, notes)
        if not value or run[0].note is not None:
            out.append(inner)
        else:
            out.append(_wrap(key, value, inner))
        run.clear()

    for span in spans:
        value = getattr(span, key) if span.note is None else None
        if run and (getattr(run[0], key) if run[0].note is None else None) != value:
            flush()
        run.append(span)
    flush()
    return "".join(out)


def _brackets(spans: Sequence[Span], notes: dict[int, int]) -> str:
    return "".join(f"[^{notes[s.note]}]" if s.note is not None else escape(s.text, in_brackets=True) for s in spans)


def _wrap(key: str, value: Any, inner: str) -> str:
    """Put markers around `inner`, keeping its outer spaces outside (CommonMark needs that)."""
    core = inner.strip()
    if not core:
        return inner
    before = inner[: len(inner) - len(inner.lstrip())]
    after = inner[len(inner.rstrip()):]
    if key == "link":
        wrapped = f"[{core}]({value})"
    elif key == "bold":
        wrapped = f"**{core}**"
    elif key == "italic":
        wrapped = f"*{core}*"
    else:
        wrapped = f"[{core}]{{.underline}}"
    return before + wrapped + after


def _para_markdown(para: Para, notes: dict[int, int]) -> str:
    text = _inline(para.spans, notes)
    text = text.replace("\t", " ")
    lines = [line.strip() for line in _line_starts(text).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\\\n".join(line for line in lines if line) if len(lines) > 1 else (lines[0] if lines else "")


def to_markdown(rich: Rich) -> str:
    """A Rich as Markdown: paragraphs, tight lists, footnotes numbered from 1 at the end."""
    numbers: dict[int, int] = {}
    for para in rich.paras:
        for span in para.spans:
            if span.note is not None and span.note not in numbers:
                numbers[span.note] = len(numbers) + 1
    blocks: list[str] = []
    indents: list[int] = []  # text indent of each open list level
    previous: Para | None = None
    for para in rich.paras:
        if para.kind == "rule":
            indents = []
            blocks.append("---")
            previous = para
            continue
        body = _para_markdown(para, numbers)
        if not body:
            continue
        if para.kind in ("bullet", "number"):
            level = min(para.level, len(indents))
            del indents[level:]
            indent = indents[-1] if indents else 0
            marker = "- " if para.kind == "bullet" else f"{para.number or 1}. "
            indents.append(indent + len(marker))
            lines = body.split("\n")
            item = " " * indent + marker + ("\n" + " " * (indent + len(marker))).join(lines)
            tight = previous is not None and previous.kind in ("bullet", "number", "continue") and not (
                level == 0 and previous.kind in ("bullet", "number") and previous.level == 0 and previous.kind != para.kind)
            if tight and blocks:
                blocks[-1] += "\n" + item
            else:
                blocks.append(item)
        elif para.kind == "continue" and indents:
            pad = " " * indents[-1]
            blocks.append(pad + ("\n" + pad).join(body.split("\n")))
        else:
            indents = []
            blocks.append(body)
        previous = para
    for note, n in sorted(numbers.items(), key=lambda pair: pair[1]):
        paras = rich.notes[note] if 0 <= note < len(rich.notes) else []
        texts = [_para_markdown(p, {}) for p in paras]
        texts = [t for t in texts if t]
        if texts:
            blocks.append(f"[^{n}]: " + "\n\n".join([texts[0]] + ["    " + t.replace("\n", "\n    ") for t in texts[1:]]))
    return "\n\n".join(blocks).strip()
