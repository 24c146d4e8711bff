"""Long rows' parts on the laid-out pages: joined where they share a page, labelled where a page turns.

`parts` cuts a long row into parts before layout, each kept whole on a page. Once laid out:

- parts of a row that landed on one page read as one row: the later part loses its number
  and status word, and each of its columns is drawn up under the same column of the part
  before, so no column keeps a hole where a shorter column of the earlier part ended; what
  follows on the page moves up by the room saved (page breaks stay where the layout put them);
- a part too tall for a page (a paragraph that could not be cut) goes on to the next page
  as WeasyPrint splits it: there its number, "(continued)" and status word are drawn again.

Only boxes move, after layout: no line is laid out again.
"""

from __future__ import annotations

import copy
from typing import Any

from .weasy import gather_anchors, layout_box_backgrounds


def _rows(box: Any, table: Any = None, path: tuple[Any, ...] = ()) -> Any:
    """The marked items-table rows under a box, in document order, each with its table and its ancestors."""
    for child in getattr(box, "children", ()):
        element = getattr(child, "element", None)
        if getattr(child, "element_tag", None) == "tr" and element is not None and element.get("data-part"):
            yield table, child, (*path, box)
        else:
            yield from _rows(child, child if type(child).__name__ == "TableBox" else table, (*path, box))


def _classes(box: Any) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def _hide_rule_above(table: Any, row: Any) -> None:
    """Make the collapsed border above a body row transparent: it keeps its width, so nothing moves."""
    grid = getattr(table, "collapsed_border_grid", None)
    if not grid or not table.children:
        return
    header = len(table.children[0].children) if table.children[0].is_header else 0
    horizontal = grid[1]
    y = header + row.index
    if 0 < y < len(horizontal):
        horizontal[y] = [(score, (style, width, type(color)(color.space, color.coordinates, 0)))
                         for score, (style, width, color) in horizontal[y]]


def _unmark(cell: Any, css_class: str | None) -> None:
    """Take a cell's content (or only its boxes of `css_class`) out of the laid-out page."""
    if css_class is None:
        cell.children = []
        return
    kept = []
    for child in cell.children:
        if css_class in _classes(child):
            continue
        if getattr(child, "children", None):
            _unmark(child, css_class)
        kept.append(child)
    cell.children = kept


def _content_end(cell: Any) -> float:
    return float(cell.content_box_y() + cell.height)


def _own_padding_bottom(cell: Any) -> float:
    """The cell's padding-bottom as paper.css sets it, before the row's height stretched it."""
    value = cell.style["padding_bottom"]
    return float(getattr(value, "value", 0) or 0)


def _pull_up(lead: Any, row: Any) -> float:
    """Draw each column of `row` up under the same column of `lead` and make them one row; return the height saved.

    The two rows are cells of the same columns in the same order (items tables have no spans).
    `row` stays in the table with no height, so the table's border grid keeps its rows.
    """
    if len(lead.children) != len(row.children):
        return 0.0
    old_end = row.position_y + row.height
    columns = []  # each column: where the lower part's content goes, how far it moves, where it ends
    for above, below in zip(lead.children, row.children, strict=True):
        start = _content_end(above)
        dy = start - below.children[0].position_y if below.children else 0.0
        end = _content_end(below) + dy if below.children else start
        columns.append((dy, end, end + _own_padding_bottom(below) + below.border_bottom_width))
    new_end = max(bottom for _dy, _end, bottom in columns)
    if new_end > old_end:  # never longer than the two parts were: leave them as laid out
        return 0.0
    for (above, below), (dy, end, _bottom) in zip(zip(lead.children, row.children, strict=True), columns, strict=True):
        for child in below.children:
            child.translate(0, dy)
        above.children = [*above.children, *below.children]
        above.height = end - above.content_box_y()
        above.padding_bottom = new_end - above.border_bottom_width - end
        below.children = []
        below.position_y, below.height, below.padding_top, below.padding_bottom = new_end, 0, 0, 0
        below.border_top_width = below.border_bottom_width = 0
    lead.height = new_end - lead.position_y
    row.position_y, row.height = new_end, 0
    return float(old_end - new_end)


def _move_up_after(row: Any, path: tuple[Any, ...], saved: float) -> None:
    """Everything after `row` on its page moves up by `saved`, and each box around it is as much shorter."""
    inner = row
    for outer in reversed(path):
        if type(outer).__name__ == "PageBox":
            return
        children = list(outer.children)
        for child in children[children.index(inner) + 1:]:
            child.translate(0, -saved)
        outer.height -= saved
        inner = outer


def _no_image(**_: Any) -> None:
    return None  # paper.css draws no background or border images


def _regather(page: Any) -> None:
    """The page's backgrounds, links, anchors and bookmarks where its boxes now are."""
    for child in page._page_box.children:
        if type(child).__name__ != "MarginBox":
            layout_box_backgrounds(page._page_box, child, _no_image)
    page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
    gather_anchors(page._page_box, page.anchors, page.links, page.bookmarks, page.forms)


def _labels(row: Any) -> tuple[list[Any], list[Any]]:
    """A row's number boxes and status word, as laid out in its first fragment (before any join takes them out)."""
    ref: list[Any] = []
    word: list[Any] = []
    for cell in row.children:
        classes = _classes(cell)
        if "ref" in classes:
            ref = list(cell.children)
        elif "rag" in classes:
            word = [child for child in cell.children if "status-word" in _classes(child)][:1]
    return ref, word


def _label_again(row: Any, labels: tuple[list[Any], list[Any]]) -> None:
    """A row's fragment that begins a page without its number: the number, '(continued)' and status word drawn again.

    The number cell and the status cell of such a fragment are empty (their content fitted on
    the page before), so the first fragment's boxes are copied into them at their top.
    """
    ref, word = labels
    for cell in row.children:
        classes = _classes(cell)
        if "ref" in classes and ref and not _has_text(cell, marks=False):
            shown = _number_again(cell, ref)
            cell.children = []
        elif "rag" in classes and word:
            if any("status-word" in _classes(child) for child in cell.children):
                continue
            shown = [_clone(word[0])]
            height = shown[0].margin_height()
            if cell.children and _content_end(cell) + height > cell.position_y + cell.border_height():
                continue  # no room above what the cell holds here
            for child in cell.children:
                child.translate(0, height)
            cell.height += height
            cell.padding_bottom = max(0.0, cell.padding_bottom - height)
        else:
            continue
        dy = cell.content_box_y() - shown[0].position_y
        for child in shown:
            child.translate(0, dy)
        cell.children = [*shown, *cell.children]


def _number_again(cell: Any, ref: list[Any]) -> list[Any]:
    """Copies of a row's number boxes (`ref`, from its first fragment), with '(continued)' shown under the number.

    Where the layout broke the number cell itself, its '(continued)' mark came on to this page
    alone (`cell` holds it): it goes under the copied number.
    """
    shown = [_clone(child) for child in ref]
    if not any("continued-mark" in _classes(box) for box in shown):
        below = shown[-1].position_y + shown[-1].margin_height()
        for mark in [_clone(box) for box in cell.children if "continued-mark" in _classes(box)]:
            mark.translate(0, below - mark.position_y)
            shown.append(mark)
    _show_continued(shown)
    return shown


def _has_text(box: Any, marks: bool = True) -> bool:
    """Whether a box shows any text (an unseen '(continued)' mark shows none; with `marks` false, no mark counts)."""
    if "unseen" in _classes(box) or (not marks and "continued-mark" in _classes(box)):
        return False
    if str(getattr(box, "text", "")).strip():
        return True
    return any(_has_text(child, marks) for child in getattr(box, "children", ()))


def _clone(box: Any) -> Any:
    """A copy of a laid-out box and its descendants, to move apart from it (text layouts are shared, not copied)."""
    new = box.copy()
    if hasattr(box, "children"):
        new.children = [_clone(child) for child in box.children]
    return new


def _show_continued(boxes: list[Any]) -> None:
    """Make the hidden '(continued)' mark of copied number boxes visible."""
    for box in boxes:
        if "continued-mark" in _classes(box):
            box.style = copy.copy(box.style)
            box.style["visibility"] = "visible"
        _show_continued(list(getattr(box, "children", ())))


def join_on_page(document: Any) -> int:
    """Parts of a row laid out on one page read as one row; a row's fragment that begins a page is labelled.

    The boxes move after layout, so the page breaks stay where the layout put them; a part
    that begins a page keeps "5 (continued)" and its status word. Returns how many parts were joined.
    """
    started: dict[str, tuple[int, tuple[list[Any], list[Any]]]] = {}
    joined = 0
    for number, page in enumerate(document.pages):
        leads: dict[str, Any] = {}
        last: dict[str, str] = {}  # each report's last part on the page
        moved = labelled = False
        for table, row, path in list(_rows(page._page_box)):
            mark = row.element.get("data-part")
            report, _, index = mark.partition(".")
            if mark in started:  # the same row's fragment on a later page, where WeasyPrint split it
                _label_again(row, started[mark][1])
                labelled = True
                leads[report], last[report] = row, mark
                continue
            started[mark] = (number, _labels(row))
            # the part before is on this page: it started here, or it broke over the turn and goes on here
            before, last[report] = last.get(report), mark
            if "continued" not in _classes(row) or before != f"{report}.{int(index) - 1}" or report not in leads:
                leads[report] = row
                continue
            _join(row, table)
            saved = _pull_up(leads[report], row)
            if saved > 0:
                _move_up_after(row, path, saved)
                moved = True
            joined += 1
        if moved or labelled:
            _regather(page)
    return joined


def _join(row: Any, table: Any) -> None:
    """A part that follows another on its page: its number and status word, and the rule above it, taken out."""
    for cell in row.children:
        classes = _classes(cell)
        if "ref" in classes:
            _unmark(cell, None)
        elif "rag" in classes:
            _unmark(cell, "status-word")
    if table is not None:
        _hide_rule_above(table, row)
    row.element.set("class", row.element.get("class") + " joined")
