"""PyYAML's failures told as a secretary can act on them: where, what, and how to put it right.

PyYAML reports where its parser gave up, in its own terms ("expected <block end>, but found
'<block mapping start>'"). A paper file's mistakes are nearly always one of a few: a tab, a
line indented out of line with its neighbours, a quote left open or closed too early, a ':'
inside a value. Each is recognised here and told at the line where it was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .errors import Problem


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that a paper file may not hold; its message is already the user's."""


_LINE_END = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
"""What YAML counts as the end of a line, so positions agree with PyYAML's."""


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character of `text`."""
    line, start = 1, 0
    for end in _LINE_END.finditer(text, 0, index):
        line, start = line + 1, end.end()
    return line, index - start + 1


def reader_problem(exc: yaml.reader.ReaderError, text: str, label: str) -> Problem:
    """A character YAML does not allow anywhere in a file (controls typed or pasted in)."""
    line, column = line_column(text, exc.position)
    return Problem(label, line, column, "", f"character U+{exc.character:04X} is not allowed in a paper file; remove it")


def yaml_problem(exc: yaml.MarkedYAMLError, text: str, label: str) -> Problem:
    """Turn PyYAML's message into one a secretary can act on."""
    mark = exc.problem_mark or exc.context_mark
    context = exc.context or ""
    if (context.startswith("while scanning") and exc.context_mark and exc.problem_mark
            and exc.context_mark.line < exc.problem_mark.line):
        mark = exc.context_mark  # where the unfinished thing starts, not where PyYAML gave up on it
    quoted = (None if mark is None or mark is not exc.problem_mark or isinstance(exc, Refused)
              else _quoted_before(text, mark))
    runaway = quoted if quoted is not None and quoted.end_mark.line > quoted.start_mark.line else None
    if runaway is not None:
        mark = runaway.start_mark
    line = mark.line + 1 if mark else 0
    column = mark.column + 1 if mark else 0
    problem = exc.problem or str(exc)
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = None if isinstance(exc, Refused) or mark is not exc.problem_mark else _bad_indent(text, exc)
    if "\t" in source_line and ("'\\t'" in problem or "tab" in problem):
        message = "a tab character is used for indentation; YAML allows spaces only"
    elif indent is not None:
        line, column, message = indent
    elif isinstance(exc, Refused):
        message = problem
    elif runaway is not None:
        quote = runaway.style
        message = (f"a quote ({quote}) opened here runs on to line {runaway.end_mark.line + 1}; close it with the same quote character"
                   + (" (inside '...', write an apostrophe as '')" if quote == "'" else ""))
    elif quoted is not None and mark is not None and quoted.end_mark.line == mark.line:
        message = (f"text goes on after the closing quote ({quoted.style}); the whole value goes inside the quotes"
                   + (" (inside '...', write an apostrophe as '')" if quoted.style == "'" else ""))
    elif mark is exc.context_mark and "quoted scalar" in context:
        quote = source_line[column - 1] if 0 < column <= len(source_line) else '"'
        message = f"a quote ({quote}) opened here is never closed; close it with the same quote character"
    elif mark is exc.context_mark and "simple key" in context:
        message = ("this line has no ':' after its key; write `key: value`, "
                   "or indent it further to continue the value above")
    elif "are not allowed in paper files" in problem:
        message = problem
    elif "could not determine a constructor" in problem:
        message = f"{problem.split('for the tag')[-1].strip()} tags are not allowed; paper files hold plain text, numbers, dates, lists and keys"
    elif "mapping values are not allowed" in problem:
        message = "unexpected ':' in a value; put text containing ': ' in quotes, or use a block (`key: |`)"
    elif "found character" in problem and "cannot start any token" in problem:
        message = f"{problem}; put the value in quotes"
    else:
        message = f"not valid YAML: {problem}"
        if exc.context:
            message += f" ({exc.context})"
    return Problem(label, line, column, "", message)


_LINE_START = re.compile(r"^( *)(- +)*(?:([^\s#'\"\[{&*!|>%@`?:-][^#]*?|'[^']*'|\"[^\"]*\"):(?= |$))?")
"""A line's indent, its list dashes and the key it starts with (if it starts with one)."""


@dataclass(frozen=True)
class _Start:
    """Where a key or a list entry (`- `) starts, above the line in question."""

    line: int
    column: int
    name: str
    """The key, or '-' for a list entry."""


def _bad_indent(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """(line, column, message) when PyYAML gave up because a line is indented wrongly, in words a secretary can act on.

    PyYAML says "expected <block end>, but found '<block mapping start>'" for a key indented
    less than its neighbours (or a list entry out of line with the others), and "mapping
    values are not allowed here" for a key indented more than the key above it, which it
    reads as more of that key's value (or for the key above it, when that one is the line
    indented less). Both are told here as what the line should line up with: the key or
    entry above it, among those still open at that point.
    """
    mark, problem = exc.problem_mark, exc.problem or ""
    if mark is None:
        return None
    lines = _LINE_END.split(text)
    if mark.line >= len(lines):
        return None
    here = _LINE_START.match(lines[mark.line])
    if here is None:  # pragma: no cover - the pattern matches any line
        return None
    indent, dashes, key = len(here.group(1)), here.group(2), here.group(3)
    first = indent + 1  # 1-based column where the line's content starts
    if problem.startswith("expected <block end>, but found") and mark.column == indent:
        less = True
    elif problem == "mapping values are not allowed here" and key is not None and not dashes and mark.column == here.end() - 1:
        less = False
    else:
        return None
    found = _starts(text, mark.index - mark.column)
    at = mark.line + 1
    if dashes and less:
        return _entry_out_of_line(_still_open(found), at, first)
    return _key_out_of_line(found, at, first, f"`{key.strip()}:`" if key else "this line", less)


def _entry_out_of_line(starts: list[_Start], at: int, first: int) -> tuple[int, int, str] | None:
    """A list entry whose '-' is in another column than the entries (or keys) above it."""
    entries = [s for s in starts if s.name == "-"] or [s for s in starts if s.name != "-"]
    if not entries:
        return None
    like = min(entries, key=lambda s: (abs(s.column - first), -s.column))
    if like.name == "-":
        return at, first, (f"this list entry is out of line with the one above it: its '-' is in column {first}, but the '-' "
                           f"on line {like.line} is in column {like.column}; the entries of one list start in the same column "
                           f"(here column {like.column}), and each entry's other lines move with it")
    return at, first, (f"this list entry is indented differently from the lines around it: its '-' is in column {first}, but "
                       f"`{like.name}:` on line {like.line} starts in column {like.column}; start the entry in column {like.column}")


def _key_out_of_line(found: list[_Start], at: int, first: int, name: str, less: bool) -> tuple[int, int, str] | None:
    """A key indented less than the keys beside it, or further than the key above it (or that key the one out of line)."""
    keys = [s for s in _still_open(found) if s.name != "-"]
    if less:
        if not keys:
            return None
        like = min(keys, key=lambda s: (abs(s.column - first), -s.column))
        return at, first, (f"this line is indented differently from the lines around it: {name} starts in column {first}, but "
                           f"`{like.name}:` on line {like.line} starts in column {like.column}; keys of the same block must "
                           f"start in the same column (here column {like.column})")
    above = [s for s in keys if s.column < first]
    if not above:
        return None
    like = max(above, key=lambda s: s.column)
    before = found[:found.index(like)]
    if before and before[-1].name != "-" and before[-1].column == first:  # the key above is the one out of line
        prior = before[-1]
        return like.line, like.column, (
            f"this line is indented less than `{prior.name}:` on line {prior.line} (column {like.column}, not {prior.column}), "
            f"so the lines after it no longer belong with `{prior.name}:`; keys of the same block must start in the "
            f"same column (here column {prior.column}); or, if `{like.name}:` is where it should be, line {at} is indented too far")
    return at, first, (f"this line is indented further than `{like.name}:` on line {like.line} (column {first}, not "
                       f"{like.column}), so it is read as more of `{like.name}`'s value, which cannot hold {name}; "
                       f"start {name} in column {like.column} like the keys beside it, or, if the line continues the "
                       f"text above, put that text in quotes")


def _starts(text: str, end: int) -> list[_Start]:
    """The keys and list entries of block lines before `end`, in order."""
    found: list[_Start] = []
    depth, is_key = 0, False
    try:
        for token in yaml.scan(text[:end], Loader=yaml.SafeLoader):
            if isinstance(token, (yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
            elif isinstance(token, (yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
            elif depth == 0 and isinstance(token, yaml.BlockEntryToken):
                found.append(_Start(token.start_mark.line + 1, token.start_mark.column + 1, "-"))
            elif depth == 0 and is_key and isinstance(token, yaml.ScalarToken):
                found.append(_Start(token.start_mark.line + 1, token.start_mark.column + 1, token.value))
            is_key = isinstance(token, yaml.KeyToken)
    except yaml.YAMLError:
        pass
    return found


def _still_open(found: list[_Start]) -> list[_Start]:
    """The keys and entries a new line could line up with, the latest of each column.

    A key or entry is still open if no line after it starts to its left.
    """
    open_: dict[int, _Start] = {}
    leftmost = 1 << 30
    for start in reversed(found):
        if start.column <= leftmost:
            open_.setdefault(start.column, start)
            leftmost = start.column
    return sorted(open_.values(), key=lambda s: s.column)


def _quoted_before(text: str, at: yaml.Mark) -> yaml.ScalarToken | None:
    """The quoted value just before a mistake, if that is what comes before it.

    `text: 'the force's plan`: the quote closes at the apostrophe and PyYAML complains
    about what follows; `text: 'the plan` then later lines: the quote closes at the next
    apostrophe, lines further on, and PyYAML complains there, though the mistake is
    where the quote opened.
    """
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= at.index:
                break
            if not isinstance(token, yaml.BlockEndToken):
                last = token
    except yaml.YAMLError:
        pass
    return last if isinstance(last, yaml.ScalarToken) and last.style in ("'", '"') else None
