"""The PDF: a paper laid out by WeasyPrint in slices and joined into one tagged document.

`paper` is the renderer (rows in parts, slices handed to `workers`, the front laid out again for
the contents' page numbers, `join`); `layout` is the only module that loads WeasyPrint (`weasy`),
with the pydyf `patch`; `rows` draws rejoined parts up on a page; `cache` keeps laid-out slices.
This package module imports none of them, so a layout worker loads only what it needs.
"""
