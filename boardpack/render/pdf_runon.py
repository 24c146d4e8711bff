"""A paragraph cut into pieces whose pieces the layout put on one page: made one paragraph again, and laid out again.

`parts` cuts a long paragraph after its sentences into pieces of a few lines, so that a
long row's parts fill a page closely. Where two parts of a row land on one page, `pdf_rows`
draws the later up under the earlier; but where the cut between them fell inside a
paragraph (the later part's `data-goes-on` names the fields), moving boxes would show that
paragraph as two: a paragraph's space between the pieces, and the first piece's last line
ending short. So those two parts become one row of the document, each cut paragraph one
paragraph again, and the document is laid out again (`run_on`). Such a row ("runs-on") may
break at a page's foot, where a part is kept whole: taller than the parts it joins, kept
whole it left the foot of the page before it blank. But a row's first part that broke before
each cell's first paragraph ended is kept whole in the next layout (`keep_openings_whole`),
so that no row starts at the foot of a page with only its labels. Parts that still share a
page are drawn up by `pdf_rows`, which labels a row's end that begins a page.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from .pdf_rows import follows, marked_rows


def _tag(element: Element) -> str:
    return element.tag.rpartition("}")[2]


def _classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


def cut_paragraphs_on_a_page(document: Any) -> list[tuple[Element, Element, Element]]:
    """The rows (`<tr>` elements) of consecutive parts on one page with a paragraph cut between them, and their `<tbody>`.

    The earlier part may be the end of a row the layout split over the page turn.
    """
    pairs = []
    for page in document.pages:
        last: dict[str, Any] = {}  # each table's row (or row's fragment) seen last on the page
        for _table, row, path in marked_rows(page._page_box):
            mark = row.element.get("data-part")
            report = mark.partition(".")[0]
            before, last[report] = last.get(report), row
            if before is not None and row.element.get("data-goes-on") and follows(before.element.get("data-part"), mark):
                pairs.append((before.element, row.element, path[-1].element))
    return pairs


def _add_text(element: Element, text: str | None) -> None:
    """`text` after all that `element` holds."""
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _move_content(into: Element, source: Element) -> None:
    """All that `source` holds, after all that `into` holds."""
    _add_text(into, source.text)
    for child in list(source):
        source.remove(child)
        into.append(child)


def _run_on(above: Element, below: Element, fields: set[str], field: str) -> None:
    """The content of a later part's cell (or rationale) after the earlier part's, the paragraph cut between them one again."""
    last = above[-1] if len(above) else None
    first = below[0] if len(below) else None
    if last is not None and first is not None and not (below.text or "").strip():
        if "rationale" in _classes(last) and "rationale" in _classes(first):
            _run_on(last, first, fields, "rationale")
            below.remove(first)
        elif field in fields and _tag(last) == _tag(first) == "p":
            _add_text(last, " ")
            _move_content(last, first)
            below.remove(first)
    _move_content(above, below)


def _join_rows(first: Element, second: Element) -> None:
    """The later part's cells after the earlier's, its number and status word left out: one row of the document."""
    fields = set((second.get("data-goes-on") or "").split())
    for above, below in zip(first, second, strict=True):
        classes = _classes(above)
        if "ref" in classes:
            continue
        for word in [child for child in below if "status-word" in _classes(child)]:
            below.remove(word)
        _run_on(above, below, fields, "text" if "text" in classes else "comment")
    kept = [name for name in _classes(first) if name not in ("cut", "runs-on")]
    more = ["cut"] if "cut" in _classes(second) else []  # the joined row is the last part: no dotted rule below it
    first.set("class", " ".join([*kept, *more, "runs-on"]))


def run_on(document: Any) -> bool:
    """Each pair of parts the layout put on one page with a paragraph cut between them made one row; whether there was any.

    The rows of a changed table are numbered again (`data-part`), so each part's number
    still follows the one before it, as `pdf_rows` reads them.
    """
    pairs = cut_paragraphs_on_a_page(document)
    joined_into: dict[int, Element] = {}
    bodies: dict[int, Element] = {}
    for first, second, body in pairs:
        target = joined_into.get(id(first), first)
        _join_rows(target, second)
        body.remove(second)
        joined_into[id(second)] = target
        bodies[id(body)] = body
    for body in bodies.values():
        rows = [row for row in body if row.get("data-part")]
        for index, row in enumerate(rows):
            row.set("data-part", f"{row.get('data-part', '').partition('.')[0]}.{index}")
    return bool(pairs)


_OPENING = frozenset({"p", "ul", "ol", "div", "blockquote", "pre"})
"""What ends a cell's opening: its first paragraph (or list, or rationale), after any labels."""


def _elements(box: Any) -> set[int]:
    """The elements a laid-out box and its descendants show (by id)."""
    element = getattr(box, "element", None)
    found = {id(element)} if element is not None else set()
    for child in getattr(box, "children", ()):
        found |= _elements(child)
    return found


def _opening(row: Element) -> list[Element]:
    """Each cell's labels and first paragraph: what a row's first part must show on the page it starts."""
    out = []
    for cell in row:
        for child in cell:
            out.append(child)
            if _tag(child) in _OPENING:
                break
    return out


def keep_openings_whole(document: Any) -> bool:
    """Rows joined across a cut paragraph that the layout broke before their opening ended, marked to be kept whole; whether any was.

    Such a row, a row's first part, would otherwise start at the foot of a page with only its
    labels, or half its first paragraph.
    """
    seen: dict[str, Any] = {}
    kept = False
    for page in document.pages:
        for _table, row, _path in marked_rows(page._page_box):
            mark = row.element.get("data-part")
            classes = _classes(row.element)
            if mark not in seen:
                seen[mark] = row
            elif "runs-on" in classes and "continued" not in classes and "whole" not in classes:
                if _elements(row) & {id(element) for element in _opening(row.element)}:
                    row.element.set("class", " ".join([*classes, "whole"]))
                    kept = True
    return kept
