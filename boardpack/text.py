"""Text that every output can hold: the characters no paper should print, long words, and a count in words.

One place decides which characters are dropped, so the Word file, the web page and the
PDF agree on what a paper says.
"""

from __future__ import annotations

import re
import unicodedata

CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
"""C0 controls other than tab, newline, vertical tab, form feed and carriage return (those
are handled as line ends), DEL, the noncharacters U+FFFE/U+FFFF and lone surrogates: XML
cannot hold most of them and none of them prints."""

LINE_BREAK = "\v"
"""A line break inside a paragraph, as Word writes Shift+Enter into copied text."""

ZERO_WIDTH_SPACE = "\u200b"
LONG_WORD = 60
"""Words longer than this get invisible break opportunities in the web page and the PDF."""
BREAK_EVERY = 40

_LONG_RUN = re.compile(rf"[^\s\u200b]{{{LONG_WORD + 1},}}")
_JOINERS = frozenset("\u200c\u200d\u2060")


def clean_text(text: str) -> str:
    r"""Normalise line ends and drop what no output can hold.

    Carriage returns become newlines, form feeds and vertical tabs become `LINE_BREAK`;
    other C0 controls, DEL, U+FFFE/U+FFFF and lone surrogates are dropped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", LINE_BREAK)
    return CONTROL.sub("", text)


def plain_text(text: str) -> str:
    """`clean_text`, with line breaks inside a paragraph as plain newlines."""
    return clean_text(text).replace(LINE_BREAK, "\n")


def _breakable_before(ch: str, previous: str) -> bool:
    """Whether a break may go before `ch` without splitting a character from its marks."""
    if previous in _JOINERS or ch in _JOINERS:
        return False
    if unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return False
    code = ord(ch)
    return not (0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0000 <= code <= 0xE01EF)


def _break_run(match: re.Match[str]) -> str:
    word = match.group()
    pieces = []
    start = 0
    cut = BREAK_EVERY
    while cut < len(word):
        if not _breakable_before(word[cut], word[cut - 1]):
            cut += 1
            continue
        pieces.append(word[start:cut])
        start = cut
        cut += BREAK_EVERY
    pieces.append(word[start:])
    return ZERO_WIDTH_SPACE.join(pieces)


def break_long_words(text: str) -> str:
    """Put a zero-width space every `BREAK_EVERY` characters into words longer than `LONG_WORD`.

    For the web page and the PDF only: a browser and WeasyPrint wrap such a word at those
    points, and WeasyPrint lays a line out in time proportional to the line, not to the
    whole word (a 100,000-character word without them takes minutes). Word wraps long
    words itself, so the .docx keeps the text as typed.
    """
    if len(text) <= LONG_WORD:
        return text
    return _LONG_RUN.sub(_break_run, text)


def long_words(text: str, limit: int) -> list[str]:
    """The words of `text` longer than `limit` characters."""
    return re.findall(rf"\S{{{limit + 1},}}", text)


def plural(n: int, noun: str) -> str:
    """'1 recommendation', '2 recommendations', '2 areas for improvement'."""
    if n == 1:
        return f"{n} {noun}"
    head, _, tail = noun.partition(" ")
    return f"{n} {head}s" + (f" {tail}" if tail else "")
