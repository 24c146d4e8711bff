"""Text that every output can hold: the characters no paper should print.

One place decides which characters are dropped, so the Word file, the web page and the
PDF agree on what a paper says.
"""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
"""C0 controls other than tab, newline, vertical tab, form feed and carriage return (those
are handled as line ends), DEL, the noncharacters U+FFFE/U+FFFF and lone surrogates: XML
cannot hold most of them and none of them prints."""

LINE_BREAK = "\v"
"""A line break inside a paragraph, as Word writes Shift+Enter into copied text."""

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
