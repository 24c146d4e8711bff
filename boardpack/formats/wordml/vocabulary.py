"""The vocabulary both directions share: namespaces, lead-ins, marks, bullets; reading helpers for any part."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ...text import clean_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

LEVEL_INDENT = 360
"""Twips per list level; matches the template's numbering definitions."""

# --- the vocabulary both directions share ------------------------------------------------

TASK_LEAD = "Task"
"""The lead-in of a task row's text."""
POSITION_LEAD = "Current position:"
"""The lead-in of a task's position (its comment cell)."""
RATIONALE_LEAD = "Rationale:"
"""The lead-in of a rationale, printed above the comment."""
LEAD_PREFIX = "Lead: "
"""How a WHITE item's lead is printed under its status."""
GOES_ON_MARK = "_bp_goes_on"
"""Hidden bookmark around the paragraphs of a cell in a row's later part whose first paragraph
goes on from the part before (cut after a sentence to fit the page): the importer joins it back."""
RATIONALE_MARK = "_bp_rationale"
"""Hidden bookmark (Word hides names starting with '_') around a rationale's paragraphs, so
the importer knows where the rationale ends and the comment begins."""

BULLET_STYLE, NUMBER_STYLE, CONTINUE_STYLE = "List Bullet", "List Number", "List Continue"
LEAD_STYLE, LINK_STYLE = "Lead In", "Hyperlink"
NOTE_REF_STYLE, NOTE_TEXT_STYLE = "footnote reference", "footnote text"

SAFE_SCHEMES = ("http://", "https://", "mailto:")

TYPED_BULLETS = "•●▪■◦○·‣⁃–-*\uf0b7\uf0a7\uf076\uf0d8"
"""Characters people type (or Word's Symbol font puts) before a list item by hand."""
NESTED_BULLETS = "◦○▪‣\uf0a7"
SYMBOL_CHARS = {"F0B7": "•", "F0A7": "▪", "F076": "❖", "F0D8": "➢", "F0FC": "✓", "F0A8": "○"}


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag: w('p') -> '{...main}p'."""
    return f"{{{W}}}{tag}"


def wval(element: Any, attr: str = "val") -> str | None:
    """A w: attribute of an element, or None."""
    if element is None:
        return None
    value = element.get(w(attr))
    return str(value) if value is not None else None


def on(element: Any) -> bool:
    """A toggle property (w:b, w:i) is on unless its value says off."""
    return element is not None and (wval(element) or "true").lower() not in ("0", "false", "off", "none")



def ruled(p: Any) -> bool:
    """A paragraph with a bottom border: how Word draws a horizontal rule."""
    bottom = p.find(f"{w('pPr')}/{w('pBdr')}/{w('bottom')}")
    return bottom is not None and (wval(bottom) or "single") not in ("none", "nil")


def plain(element: Any) -> str:
    """All the text of an element, w:br and w:tab as newline and space; for headings and titles."""
    out = []
    for node in element.iter(w("t"), w("br"), w("tab"), w("cr")):
        if node.tag == w("t"):
            out.append(node.text or "")
        elif node.tag == w("tab"):
            out.append(" ")
        else:
            out.append("\n")
    return clean_text("".join(out))


def parse_part(blob: bytes) -> Any:
    """An XML part of a Word package, parsed without entities, DTDs or network.

    The caller has already refused any part with a DOCTYPE.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)
    return etree.fromstring(blob, parser)


def safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)
