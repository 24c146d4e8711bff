"""WeasyPrint imported with its native libraries found by soname: the same libraries, and a way back."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the soname shortcut is taken on Linux only")

MAPPED = """
import re, sys
with open("/proc/self/maps") as maps:
    found = set(re.findall(r"/\\S+\\.so[.\\d]*", maps.read()))
print(sorted(path for path in found if not path.startswith(sys.base_prefix) and not path.startswith(sys.prefix)))
"""
"""The shared libraries mapped into the process, leaving out Python's own modules."""


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return done.stdout


def test_weasyprint_loads_the_same_native_libraries_by_soname_as_by_its_own_search() -> None:
    searched = _run("import weasyprint\n" + MAPPED)
    by_soname = _run("import boardpack.render.pdf.weasy\n" + MAPPED)
    assert "libpango-1.0.so" in searched and "libharfbuzz.so" in searched and "libfontconfig.so" in searched
    assert by_soname == searched


def test_while_weasyprint_loads_find_library_is_not_asked() -> None:
    out = _run("""
import ctypes.util
asked = []
search = ctypes.util.find_library
ctypes.util.find_library = lambda name: asked.append(name) or search(name)
import boardpack.render.pdf.weasy
print(asked)
""")
    assert out.strip() == "[]"


def test_without_the_sonames_weasyprint_is_imported_again_with_its_own_search_and_prints_nothing() -> None:
    out = _run("""
import ctypes.util
import cffi.api
load = cffi.api._load_backend_lib
def no_sonames(backend, name, flags):
    if ctypes.util.find_library.__name__ == "_not_found":
        raise OSError("no such soname here")
    return load(backend, name, flags)
cffi.api._load_backend_lib = no_sonames
from boardpack.render.pdf.weasy import HTML
pdf = HTML(string="<p>Reached</p>").write_pdf()
print(pdf[:5])
""")
    assert out.strip() == "b'%PDF-'"
