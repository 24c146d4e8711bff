"""WeasyPrint's names that boardpack uses, imported with its native libraries found by soname.

Found by soname, the libraries take a fifth of a second less to load: that much off the
start of every layout worker.

WeasyPrint 70 opens Pango, HarfBuzz, fontconfig and GLib through cffi, trying a list of
names for each: first the bare names, which cffi hands to `ctypes.util.find_library`, and
then the sonames (`libpango-1.0.so.0`). On Linux, `find_library` runs `ldconfig` and `gcc`
in subprocesses for every name, about twenty of them, which takes 0.2 s of the 0.45 s
import. With `find_library` answering "not found" cffi reaches the sonames at once, and
the dynamic loader opens the very files `find_library` would have named (tests/render/test_weasy.py
compares the mapped libraries). Where a system has no such sonames, WeasyPrint is imported
again with its own search.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import sys
from collections.abc import Iterator


def _not_found(name: str) -> None:
    return None


@contextlib.contextmanager
def sonames_only() -> Iterator[None]:
    """Within the block, `ctypes.util.find_library` finds nothing (on Linux, where it spawns processes)."""
    if not sys.platform.startswith("linux"):
        yield
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_found
    try:
        yield
    finally:
        ctypes.util.find_library = search


def import_weasyprint() -> None:
    """Import WeasyPrint, by sonames when they are there, else with its own search."""
    try:
        with sonames_only(), contextlib.redirect_stdout(io.StringIO()):  # WeasyPrint prints before it gives up
            import weasyprint  # noqa: F401
    except OSError:
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
        import weasyprint  # noqa: F401,F811


import_weasyprint()

from weasyprint import HTML  # noqa: E402
from weasyprint.anchors import gather_anchors, make_page_bookmark_tree  # noqa: E402
from weasyprint.layout.background import layout_box_backgrounds  # noqa: E402
from weasyprint.matrix import Matrix  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

__all__ = ["HTML", "Matrix", "URLFetcher", "gather_anchors", "layout_box_backgrounds", "make_page_bookmark_tree"]
