"""Rich text fields: one Markdown dialect, parsed once, rendered to HTML and to Word.

CommonMark with footnotes and `[words]{.underline}` spans. Raw HTML is never passed
through (it is shown as typed), images are not a thing a paper has (so no fetch can be
triggered from data), and links keep only web and mail addresses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .text import BREAK_EVERY, LINE_BREAK, ZERO_WIDTH_SPACE, break_long_words, clean_text

SAFE_SCHEMES = ("http://", "https://", "mailto:")
ALLOWED_CLASSES = frozenset({"underline"})


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The one configured parser; building it is not free, so it is shared."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.use(footnote_plugin).use(attrs_plugin, spans=True)
    md.disable(["image", "html_inline", "html_block"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.add_render_rule("footnote_ref", _footnote_call)
    md.add_render_rule("ordered_list_open", _ordered_list)
    return md


def _ordered_list(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """`<ol start="3">`, with the counter set too: WeasyPrint numbers by the counter and ignores `start`."""
    start = tokens[idx].attrs.get("start")
    if isinstance(start, int) and start != 1:
        return f'<ol start="{start}" style="counter-reset: list-item {start - 1}">\n'
    return "<ol>\n"


def sanitise(tokens: Sequence[Token]) -> None:
    """Keep only the attributes we render: href on links and the underline class on spans."""
    for token in tokens:
        if token.children:
            sanitise(token.children)
        if token.type == "span_open":
            classes = [c for c in str(token.attrs.get("class", "")).split() if c in ALLOWED_CLASSES]
            token.attrs = {"class": " ".join(classes)} if classes else {}
        elif token.type == "link_open":
            token.attrs = {"href": token.attrs["href"]} if "href" in token.attrs else {}
        elif token.type not in ("footnote_ref", "ordered_list_open"):
            token.attrs = {k: v for k, v in token.attrs.items() if k in ("start",)}


def parse(text: str, env: dict[str, Any] | None = None) -> list[Token]:
    """Tokens of a rich-text field, with unsafe attributes and unprintable characters removed.

    Line breaks inside a paragraph (`text.LINE_BREAK`) stay in the text tokens; each
    renderer draws them its own way. The tokens are shared by every caller that parses the
    same text (see `_parsed`): read them, never change them. `env` receives what the parser
    noted (the footnotes).
    """
    tokens, noted = _parsed(clean_text(text))
    if env is not None:
        env.update(noted)
    return list(tokens)


PARSED_KEPT = 4096
"""Fields whose tokens are kept: a paper's Markdown is parsed to cut long rows, then again for
each output; a thousand-item tracker has about 2,600 fields."""


@lru_cache(maxsize=PARSED_KEPT)
def _parsed(source: str) -> tuple[tuple[Token, ...], dict[str, Any]]:
    env: dict[str, Any] = {}
    tokens = plain_paragraphs(source)
    if tokens is None:
        tokens = parser().parse(source, env)
        sanitise(tokens)
    return tuple(tokens), env


_NOT_PLAIN = re.compile(r"[\\`*_\[\]<>!&#|~{}\t]|^ *(?:[-+*>=]|\d+[.)])|^ {4}| $", re.MULTILINE)
"""Whatever could be Markdown: markup characters, a line that could open a list, quote, heading
or code block, and spaces at a line's end (a hard break)."""


def plain_paragraphs(source: str) -> list[Token] | None:
    """The tokens markdown-it gives a field with no Markdown in it, made directly; None for any other field.

    Most comments are plain paragraphs, and the parser spends most of a long paper's
    Markdown time on them. The tokens are equal to the parser's (tests/test_markdown.py
    checks it on generated text and on every field of the reference papers).
    """
    if _NOT_PLAIN.search(source):
        return None
    tokens: list[Token] = []
    lines = source.split("\n")
    n = 0
    while n < len(lines):
        if not lines[n].strip(" \t"):  # markdown-it's blank line: spaces and tabs only
            n += 1
            continue
        start = n
        while n < len(lines) and lines[n].strip(" \t"):
            n += 1
        content = mdTrim("\n".join(lines[start:n]))
        if not content:
            return None
        children: list[Token] = []
        for number, line in enumerate(content.split("\n")):
            if number:
                children.append(Token("softbreak", "br", 0))
                line = line.lstrip(" ")
            if line:
                children.append(Token("text", "", 0, content=line))
        where = [start, n]
        tokens += [Token("paragraph_open", "p", 1, map=where, block=True),
                   Token("inline", "", 0, map=list(where), level=1, content=content, children=children, block=True),
                   Token("paragraph_close", "p", -1, block=True)]
    return tokens


def _footnote_call(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """A footnote is printed where it is called: the page's footnote area in print, inline on screen."""
    body = env.get("notes", {}).get(tokens[idx].meta["id"], "")
    return f'<span class="footnote">{body}</span>'


def split_notes(tokens: Sequence[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """Body tokens, and each footnote's own block tokens by markdown-it id.

    Both renderers place a note where it is called (a page footnote in the PDF, a Word
    footnote in the .docx), so the definitions are taken out of the body.
    """
    main: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    in_block = False
    for token in tokens:
        if token.type == "footnote_block_open":
            in_block = True
        elif token.type == "footnote_block_close":
            in_block = False
        elif token.type == "footnote_open":
            current = notes.setdefault(int(token.meta["id"]), [])
        elif token.type == "footnote_close":
            current = None
        elif in_block:
            if current is not None:
                current.append(token)
        else:
            main.append(token)
    return main, notes


def _inline(block: list[Token]) -> list[Token]:
    """A note's paragraphs as one run of inline tokens, paragraphs joined by line breaks."""
    out: list[Token] = []
    for token in block:
        if token.type == "inline":
            if out:
                out.append(Token("softbreak", "br", 0))
            out.extend(token.children or [])
    return out


def _for_html(tokens: Sequence[Token]) -> list[Token]:
    """Line breaks inside a paragraph as `<br>`, and long words given places to wrap."""
    out: list[Token] = []
    for token in tokens:
        if token.children:
            token = token.copy(children=_break_words(_for_html(token.children)))
        if token.type == "text" and LINE_BREAK in token.content:
            for n, piece in enumerate(token.content.split(LINE_BREAK)):
                if n:
                    out.append(Token("hardbreak", "br", 0))
                if piece:
                    part = Token("text", "", 0)
                    part.content = piece
                    out.append(part)
            continue
        if token.type == "code_inline":
            token = token.copy(content=token.content.replace(LINE_BREAK, " "))
        elif token.type in ("code_block", "fence"):
            token = token.copy(content=break_long_words(token.content.replace(LINE_BREAK, "\n")))
        out.append(token)
    return out


def _break_words(children: list[Token]) -> list[Token]:
    """`text.break_long_words` over a paragraph's inline tokens (changed tokens are copies).

    A word can run across several tokens (`a*b*c*d...` is text and emphasis in turn), so
    where one goes on from the tokens before it, it is also given a break at their boundary.
    """
    run = 0  # characters of the current word in the tokens before
    out: list[Token] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            run = 0
        if child.type not in ("text", "code_inline") or not child.content:
            out.append(child)
            continue
        content = child.content
        if run >= BREAK_EVERY and not content[0].isspace():
            content, run = ZERO_WIDTH_SPACE + content, 0
        content = break_long_words(content)
        out.append(child if content == child.content else child.copy(content=content))
        end = len(content)
        start = end
        while start and not (content[start - 1].isspace() or content[start - 1] == ZERO_WIDTH_SPACE):
            start -= 1  # a few dozen steps at most: longer words were broken just above
        run = run + end if start == 0 else end - start
    return out


def to_html(text: str | None) -> str:
    """Render a field to an HTML fragment."""
    if not text:
        return ""
    md = parser()
    env: dict[str, Any] = {}
    tokens, notes = split_notes(_for_html(parse(text, env)))
    renderer: Any = md.renderer
    env["notes"] = {n: renderer.renderInline(_inline(block), md.options, env) for n, block in notes.items()}
    return str(renderer.render(tokens, md.options, env))


SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*[ \t\n]+(?=[A-Z0-9\"'‘“(\[])")
"""The end of a sentence: a full stop, question or exclamation mark (and any closing quote or
bracket), space, then what starts a sentence. Never a colon or semicolon: the words after
one belong to the sentence before."""


def _balanced(text: str) -> bool:
    """Whether inline markup opened in `text` is closed in it, so a cut after it leaves both halves whole."""
    return text.count("*") % 2 == 0 and text.count("`") % 2 == 0 and text.count("[") == text.count("]") and text.count("{") == text.count("}")


def _sentences(piece: str, limit: int) -> list[str]:
    """A paragraph longer than `limit` characters cut after sentences into slices of about `limit`."""
    out: list[str] = []
    start = 0
    last = 0
    for match in SENTENCE_END.finditer(piece):
        cut = match.end()
        if cut - start > limit and last > start:
            out.append(piece[start:last])
            start = last
        if _balanced(piece[start:cut]):
            last = cut
    if len(piece) - start > limit and last > start:
        out.append(piece[start:last])
        start = last
    out.append(piece[start:])
    return out


class Blocks(NamedTuple):
    pieces: list[str]
    shared: str
    """Footnote and link definitions, which every part cut from the field needs."""
    goes_on: frozenset[int]
    """Pieces that go on with the paragraph of the piece before (a paragraph cut after a sentence)."""


def blocks(text: str | None, limit: int | None = None) -> Blocks:
    """A field's top-level blocks as slices of its source, and the lines every slice needs.

    Paragraphs, headings, quotes and code are one block each; a list gives one block per
    item, so a long list can be cut between items (an ordered list's items are given the
    numbers they are shown with, so the rest of a list cut in two starts where it left off).
    Joining consecutive slices gives back the source they came from, as it renders. Footnote and link definitions
    belong to no block: they are returned apart, for every part cut from the field to carry.
    With `limit`, a paragraph longer than that many characters is cut after its sentences.
    """
    if not text:
        return Blocks([], "", frozenset())
    source = clean_text(text)
    lines = source.splitlines(keepends=True)
    starts: list[int] = []
    covered = [False] * len(lines)
    paragraphs: set[int] = set()
    numbers: dict[int, tuple[str, int]] = {}  # first line of an ordered list's item: (number as typed, number shown)
    in_list = 0
    next_number = 0
    for token in parse(source):
        if token.type in ("footnote_reference_open", "footnote_block_open"):
            break  # definitions come after every block that calls them
        if token.type in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            in_list += 1
            next_number = int(token.attrs.get("start", 1) or 1) if token.type == "ordered_list_open" else 0
        elif token.type in ("bullet_list_close", "ordered_list_close") and token.level == 0:
            in_list -= 1
        if token.map is None or token.nesting == -1 or (token.nesting == 0 and token.level != 0):
            continue  # blocks open at level 0 or are whole there (a rule, code); list items open at level 1
        if (token.level == 0 and not in_list) or (token.level == 1 and token.type == "list_item_open"):
            starts.append(token.map[0])
            if limit and token.type == "paragraph_open" and not in_list:
                paragraphs.add(token.map[0])
            if token.type == "list_item_open" and next_number and token.info.isdigit():
                numbers[token.map[0]] = (token.info, next_number)
                next_number += 1
            for n in range(token.map[0], token.map[1]):
                covered[n] = True
    if not starts:
        return Blocks([source], "", frozenset())
    shared = "".join(line for n, line in enumerate(lines) if not covered[n] and line.strip())
    pieces: list[str] = []
    goes_on: set[int] = set()
    for first, following in zip(starts, [*starts[1:], len(lines)], strict=True):
        piece = "".join(line for n, line in enumerate(lines[first:following], start=first) if covered[n] or not line.strip())
        if first in numbers:  # an item cut from an ordered list keeps the number it is shown with ('1.' typed for every item)
            typed, shown = numbers[first]
            piece = re.sub(rf"^(\s*){typed}(?=[.)])", rf"\g<1>{shown}", piece, count=1)
        cut = _sentences(piece, limit) if limit and first in paragraphs and len(piece) > limit else [piece]
        goes_on.update(range(len(pieces) + 1, len(pieces) + len(cut)))
        pieces.extend(cut)
    return Blocks(pieces, shared, frozenset(goes_on))


_BLOCKS = frozenset({"p", "li", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})


def to_plain(text: str | None) -> str:
    """A field as plain text, for a spreadsheet cell.

    Paragraphs on their own lines, '• ' or '1. ' before list items, a link's address after its
    words, a footnote in brackets where it is called.
    """
    if not text:
        return ""
    import lxml.html

    root = lxml.html.fragment_fromstring(to_html(text), create_parent="div")
    lines: list[str] = []
    line: list[str] = []
    indent = [""]

    def end_line() -> None:
        words = " ".join("".join(line).split())
        if words:
            lines.append(indent[0] + words)
        line.clear()
        indent[0] = ""

    def walk(element: Any, depth: int) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCKS:
            end_line()
        if tag == "li":
            parent = element.getparent()
            mark = f"{parent.index(element) + 1}. " if parent is not None and parent.tag == "ol" else "• "
            indent[0] = "  " * max(depth - 1, 0)
            line.append(mark)
        if tag == "span" and "footnote" in (element.get("class") or "").split():
            line.append(" (")
        if element.text:
            line.append(element.text)
        for child in element:
            walk(child, depth + (1 if tag in ("ul", "ol") else 0))
        if tag == "a" and (href := element.get("href")) and href != element.text_content().strip():
            line.append(f" ({href.removeprefix('mailto:')})")
        if tag == "span" and "footnote" in (element.get("class") or "").split():
            line.append(")")
        if tag in _BLOCKS:
            end_line()
        if element.tail:
            line.append(element.tail)

    walk(root, 0)
    end_line()
    return "\n".join(lines).replace(ZERO_WIDTH_SPACE, "")
